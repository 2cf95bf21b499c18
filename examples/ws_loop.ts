/**
 * One WebSocket for everything (RFC 8887): push events come in and ChatClient calls go out on the
 * same socket. Bob runs an echo bot: on each `StateChange` it fetches what changed
 * (`Message.sync`, over the socket) and answers each new message from someone else (`Message.send`,
 * over the socket). The session reconnects by itself; on `Reconnected` the same sync catches up on
 * whatever was missed while it was down.
 *
 *   npx tsx examples/ws_loop.ts                            # embedded server, one restart
 *   JMAP_URL=… JMAP_TOKEN=… npx tsx examples/ws_loop.ts    # your server, for JMAP_SECONDS (30)
 */
import { NodeRuntime } from "@effect/platform-node"
import { Chunk, Console, Deferred, Duration, Effect, Option, Ref, type Schedule, Stream } from "effect"
import { Auth, ChatPush, type Message } from "effect-jmap-chat"
import { NodeChat } from "effect-jmap-chat/node"
import { chatter, fromEnv, isMain, seconds, type Target } from "./demo_target.js"

/** Options of {@link echoBot}. */
export interface BotOptions {
  readonly url: string
  readonly token: string
  /** Reconnect backoff; default exponential from 1 s, capped at 60 s. */
  readonly schedule?: Schedule.Schedule<unknown>
}

/** What the bot did with one push event: the new messages it received (and answered). */
export interface Step {
  readonly event: ChatPush.ChatPushEvent
  readonly received: ReadonlyArray<Message>
}

/** The bot, one {@link Step} per push event. Runs until its consumer stops. */
export const echoBot = (options: BotOptions) =>
  Stream.unwrapScoped(Effect.gen(function*() {
    const push = yield* ChatPush.ChatPush
    const { client, session } = yield* push.webSocketClient(options.schedule ? { schedule: options.schedule } : {})
    // Subscribe before enabling push, so that no frame is missed.
    const frames = yield* session.subscribe
    yield* session.pushEnable(["Message"])
    // Where bob's Message cache starts: the current Message state (Message/get with no ids).
    const state = yield* Ref.make(yield* client.Message.state())

    const answer = (message: Message) =>
      client.Message.send({ chatId: message.chatId, body: `echo: ${message.body}`, replyTo: message.id }).pipe(
        Effect.zipRight(Console.log(`  → answered "${message.body}"`)),
        // A send is not idempotent, so it is not retried: it may have been stored before the socket dropped.
        Effect.catchAll((error) => Console.log(`  (could not answer "${message.body}": ${error._tag})`))
      )

    // Everything since the last state, over the socket. If the socket drops mid-call, the
    // `Reconnected` that follows brings us back here.
    const catchUp = Effect.gen(function*() {
      const changes = yield* client.Message.sync({ sinceState: yield* Ref.get(state) })
      yield* Ref.set(state, changes.newState)
      if (changes.fullResync) {
        yield* Console.log(`  (state too old: ${changes.created.length} messages re-fetched, none answered)`)
        return []
      }
      const received = changes.created.filter((m) => m.senderId !== "self")
      for (const message of received) {
        yield* Console.log(`  ← ${message.senderId}: ${message.body}`)
        yield* answer(message)
      }
      return received
    }).pipe(Effect.catchAll((error) =>
      Console.log(`  (sync failed: ${error._tag}; retrying at the next event)`).pipe(Effect.as([]))
    ))

    return frames.pipe(
      Stream.filterMap(ChatPush.fromWsFrame),
      Stream.mapEffect((event): Effect.Effect<Step> => {
        switch (event._tag) {
          case "StateChange":
            return Effect.map(catchUp, (received) => ({ event, received }))
          case "Reconnected":
            return Console.log(`reconnected (attempt ${event.attempt}): catching up`).pipe(
              Effect.zipRight(catchUp),
              Effect.map((received) => ({ event, received }))
            )
          default:
            return Effect.succeed({ event, received: [] })
        }
      })
    )
  })).pipe(Stream.provideLayer(NodeChat.layer({ url: options.url, auth: Auth.bearer(options.token) })))

/**
 * The bounded demo; returns the bot's steps. On the embedded server: alice writes, the server
 * restarts once the bot has answered a message, and the demo ends at the first message received
 * after the reconnection. On a real server: runs for `seconds`.
 */
export const demo = (
  target: Target,
  options: { readonly seconds?: number; readonly schedule?: Schedule.Schedule<unknown> } = {}
) =>
  Effect.gen(function*() {
    const bot = echoBot({ ...target, ...(options.schedule ? { schedule: options.schedule } : {}) })
    if (Option.isNone(target.server)) {
      return yield* bot.pipe(Stream.interruptAfter(Duration.seconds(options.seconds ?? 30)), Stream.runCollect)
    }
    const live = yield* Deferred.make<void>()
    yield* Effect.forkScoped(chatter(target.server.value, { restartWhen: Deferred.await(live) }))
    let reconnected = false
    return yield* bot.pipe(
      Stream.tap((step) => step.received.length > 0 ? Deferred.succeed(live, undefined) : Effect.void),
      Stream.takeUntil((step) => (reconnected ||= step.event._tag === "Reconnected") && step.received.length > 0),
      Stream.runCollect
    )
  }).pipe(Effect.scoped, Effect.map(Chunk.toReadonlyArray))

if (isMain(import.meta.url)) {
  NodeRuntime.runMain(Effect.scoped(Effect.flatMap(fromEnv, (target) => demo(target, { seconds: seconds() }))))
}
