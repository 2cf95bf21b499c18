/**
 * Listen to a JMAP Chat EventSource and print every event. The stream says when it is live with a
 * `Connected` event, reconnects by itself (with `Last-Event-ID`, backing off per `schedule`) and
 * says so with a `Reconnected` event: the moment to call `/changes`, since events may have been
 * missed while it was down.
 *
 *   npx tsx examples/sse_listen.ts                            # embedded server, one restart
 *   JMAP_URL=… JMAP_TOKEN=… npx tsx examples/sse_listen.ts    # your server, for JMAP_SECONDS (30)
 */
import { NodeRuntime } from "@effect/platform-node"
import { Chunk, Console, Deferred, Duration, Effect, Option, type Schedule, Stream } from "effect"
import { Auth, ChatPush } from "effect-jmap-chat"
import { NodeChat } from "effect-jmap-chat/node"
import { chatter, fromEnv, isMain, seconds, type Target } from "./demo_target.js"

/** One readable line per event. */
export const describe = (event: ChatPush.ChatPushEvent): string => {
  switch (event._tag) {
    case "StateChange": {
      const changes = Object.entries(event.changed).flatMap(([account, types]) =>
        Object.entries(types).map(([type, state]) => `${type} is now at ${state} (account ${account})`)
      )
      return `state changed: ${changes.join(", ")}`
    }
    case "Typing":
      return `typing: ${event.senderId} ${event.typing ? "is typing" : "stopped typing"} in chat ${event.chatId}`
    case "Presence":
      return `presence: ${event.contactId} is ${event.presence}`
    case "Ping":
      return `ping (every ${event.interval} s)`
    case "Unknown":
      return `unknown event "${event.event}"${
        Option.match(event.error, { onNone: () => "", onSome: (e) => `: ${e.description}` })
      }`
    case "Connected":
      return `connected${
        Option.match(event.lastEventId, { onNone: () => "", onSome: (id) => ` (resuming after event ${id})` })
      }: live from here`
    case "Reconnected":
      return `reconnected (attempt ${event.attempt}, resumed after event ${
        Option.getOrElse(event.lastEventId, () => "-")
      }): call /changes now`
  }
}

/** Options of {@link listen}. */
export interface ListenOptions {
  readonly url: string
  readonly token: string
  /** Reconnect backoff; default exponential from 1 s, capped at 60 s. */
  readonly schedule?: Schedule.Schedule<unknown>
}

/** The account's EventSource events, each printed as it arrives. Runs until its consumer stops. */
export const listen = (options: ListenOptions) =>
  Stream.unwrap(
    Effect.map(ChatPush.ChatPush, (push) =>
      push.events({ via: "eventsource", ...(options.schedule ? { schedule: options.schedule } : {}) }))
  ).pipe(
    Stream.tap((event) =>
      Console.log(describe(event))
    ),
    Stream.provideLayer(NodeChat.layer({ url: options.url, auth: Auth.bearer(options.token) }))
  )

/**
 * The bounded demo; returns the events seen. On the embedded server: alice writes, the server
 * restarts once bob's stream has delivered a state change, and the demo ends at the first state
 * change after the reconnection. On a real server: listens for `seconds`.
 */
export const demo = (
  target: Target,
  options: { readonly seconds?: number; readonly schedule?: Schedule.Schedule<unknown> } = {}
) =>
  Effect.gen(function*() {
    const events = listen({ ...target, ...(options.schedule ? { schedule: options.schedule } : {}) })
    if (Option.isNone(target.server)) {
      return yield* events.pipe(Stream.interruptAfter(Duration.seconds(options.seconds ?? 30)), Stream.runCollect)
    }
    const live = yield* Deferred.make<void>()
    yield* Effect.forkScoped(chatter(target.server.value, { restartWhen: Deferred.await(live) }))
    let reconnected = false
    return yield* events.pipe(
      Stream.tap((event) => event._tag === "StateChange" ? Deferred.succeed(live, undefined) : Effect.void),
      Stream.takeUntil((event) => (reconnected ||= event._tag === "Reconnected") && event._tag === "StateChange"),
      Stream.runCollect
    )
  }).pipe(Effect.scoped, Effect.map(Chunk.toReadonlyArray))

if (isMain(import.meta.url)) {
  NodeRuntime.runMain(Effect.scoped(Effect.flatMap(fromEnv, (target) => demo(target, { seconds: seconds() }))))
}
