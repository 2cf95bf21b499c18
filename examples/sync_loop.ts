/**
 * The resilient consumer: a local cache of the account's chats and messages, kept in sync by the
 * push stream. On `StateChange` it calls `sync` for the types that changed, from the state the cache
 * is at; on `Connected` (the stream is live: whatever changed between the first load and the
 * subscription is caught up now) and on `Reconnected` (the stream was down: events may be lost) it
 * syncs everything. The cache
 * is a `SubscriptionRef`, so a UI can follow `cache.changes`. Typing indicators are shown for 10 s
 * after the last `typing: true` and hidden at once by `typing: false` (see `typing_indicators.ts`).
 *
 *   npx tsx examples/sync_loop.ts                            # embedded server, one restart
 *   JMAP_URL=… JMAP_TOKEN=… npx tsx examples/sync_loop.ts    # your server, for JMAP_SECONDS (30)
 */
import { NodeRuntime } from "@effect/platform-node"
import {
  Clock,
  Console,
  Context,
  Deferred,
  Effect,
  Fiber,
  HashMap,
  Layer,
  Option,
  Ref,
  type Schedule,
  Stream,
  SubscriptionRef
} from "effect"
import { Auth, type Chat, ChatClient, ChatPush, type DeltaSync, type Message } from "effect-jmap-chat"
import { NodeChat } from "effect-jmap-chat/node"
import { chatter, fromEnv, isMain, seconds, type Target } from "./demo_target.js"
import * as TypingIndicators from "./typing_indicators.js"

/** The local copy of the account, and the state each type is at (the `sinceState` of its next sync). */
export interface Cache {
  readonly chats: HashMap.HashMap<string, Chat>
  readonly messages: HashMap.HashMap<string, Message>
  readonly chatState: string
  readonly messageState: string
}

/** Options of {@link start}. */
export interface SyncLoopOptions {
  readonly url: string
  readonly token: string
  /** Push transport; default the WebSocket when the server offers it, else EventSource. */
  readonly via?: "auto" | "websocket" | "eventsource"
  /** Reconnect backoff; default exponential from 1 s, capped at 60 s. */
  readonly schedule?: Schedule.Schedule<unknown>
}

/** A running loop: the cache and typing indicators it keeps, and `join` to wait for its failure. */
export interface SyncLoop {
  readonly cache: SubscriptionRef.SubscriptionRef<Cache>
  readonly typing: SubscriptionRef.SubscriptionRef<TypingIndicators.TypingIndicators>
  /** Completes only if the loop stops: it fails when the push stream does (e.g. the token is rejected). */
  readonly join: Effect.Effect<void, ChatPush.PushError>
}

const upsert = <T extends { readonly id: string }>(map: HashMap.HashMap<string, T>, items: ReadonlyArray<T>) =>
  items.reduce((acc, item) => HashMap.set(acc, item.id, item), map)

const removeAll = <T>(map: HashMap.HashMap<string, T>, ids: ReadonlyArray<string>) =>
  ids.reduce((acc, id) => HashMap.remove(acc, id), map)

/** Prints what a sync did, in one line (nothing when nothing changed, e.g. a replayed StateChange). */
const report = <T>(type: string, delta: DeltaSync.SyncResult<T>) =>
  delta.oldState === delta.newState && !delta.fullResync ? Effect.void : Console.log(
    `${type} ${delta.oldState} → ${delta.newState}: ${delta.created.length} new, ${delta.updated.length} changed, ` +
      `${delta.destroyed.length} gone${delta.fullResync ? " (state too old: everything re-fetched)" : ""}`
  )

/**
 * Loads the cache, then keeps it in sync in a fiber of the current scope (printing what changes)
 * until the scope closes.
 */
export const start = (options: SyncLoopOptions) =>
  Effect.gen(function*() {
    // The client stack lives as long as the loop: built in the caller's scope.
    const services = yield* Layer.build(NodeChat.layer({ url: options.url, auth: Auth.bearer(options.token) }))
    const client = Context.get(services, ChatClient.ChatClient)
    const push = Context.get(services, ChatPush.ChatPush)

    // Display names, looked up once per contact.
    const names = yield* Ref.make(HashMap.empty<string, string>())
    const nameOf = (id: string): Effect.Effect<string> =>
      id === "self" ?
        Effect.succeed("me") :
        Effect.flatMap(Ref.get(names), (known) =>
          Option.match(HashMap.get(known, id), {
            onSome: Effect.succeed,
            onNone: () =>
              client.ChatContact.get({ ids: [id] }).pipe(
                Effect.map(({ list: [contact] }) => contact?.displayName ?? contact?.login ?? id),
                Effect.tap((name) => Ref.update(names, HashMap.set(id, name))),
                Effect.orElseSucceed(() => id)
              )
          }))

    // A chat's messages in full (one page; page with `position` for very long chats).
    const history = (chatIds: Iterable<string>) =>
      Effect.forEach(chatIds, (chatId) => client.Message.list({ filter: { chatId } })).pipe(
        Effect.map((pages) => pages.flatMap((page) => page.list))
      )

    // The first load. The Message state is read first, so a message created meanwhile comes with
    // the next sync.
    const messageState = yield* client.Message.state()
    const chats = yield* client.Chat.get({})
    const cache = yield* SubscriptionRef.make<Cache>({
      chats: upsert(HashMap.empty(), chats.list),
      messages: upsert(HashMap.empty(), yield* history(chats.list.map((c) => c.id))),
      chatState: chats.state,
      messageState
    })
    const typing = yield* SubscriptionRef.make(TypingIndicators.empty)

    const syncChats = Effect.gen(function*() {
      const before = yield* SubscriptionRef.get(cache)
      const delta = yield* client.Chat.sync({ sinceState: before.chatState })
      const chats = upsert(removeAll(delta.fullResync ? HashMap.empty() : before.chats, delta.destroyed), [
        ...delta.created,
        ...delta.updated
      ])
      // A chat that appears may come with history (e.g. a group bob was just added to).
      const fresh = yield* history(HashMap.keys(HashMap.filter(chats, (_, id) => !HashMap.has(before.chats, id))))
      const messages = upsert(HashMap.filter(before.messages, (m) => HashMap.has(chats, m.chatId)), fresh)
      yield* SubscriptionRef.set(cache, { ...before, chats, messages, chatState: delta.newState })
      yield* report("Chat", delta)
    })

    const syncMessages = Effect.gen(function*() {
      const before = yield* SubscriptionRef.get(cache)
      const delta = yield* client.Message.sync({ sinceState: before.messageState })
      const known = delta.fullResync ? HashMap.empty<string, Message>() : before.messages
      const messages = upsert(removeAll(known, delta.destroyed), [...delta.created, ...delta.updated])
      yield* SubscriptionRef.set(cache, { ...before, messages, messageState: delta.newState })
      yield* report("Message", delta)
      if (!delta.fullResync) {
        for (const m of delta.created) yield* Console.log(`  ${yield* nameOf(m.senderId)}: ${m.body}`)
      }
    })

    // A failed sync (say the server went away mid-call) leaves the cache at its state: the next
    // StateChange, or the Reconnected that follows a dropped connection, syncs from there.
    const orLater = (sync: Effect.Effect<void, unknown>) =>
      Effect.catchAll(sync, (error) => Console.log(`sync failed (${String(error)}); it resumes at the next event`))

    const handle = (event: ChatPush.ChatPushEvent): Effect.Effect<void> => {
      switch (event._tag) {
        case "StateChange": {
          const types = new Set(Object.values(event.changed).flatMap((changed) => Object.keys(changed)))
          return Effect.all([
            types.has("Chat") ? orLater(syncChats) : Effect.void,
            types.has("Message") ? orLater(syncMessages) : Effect.void
          ], { discard: true })
        }
        case "Connected":
          // Push is live: anything that changed after the first load and before the subscription
          // was in place has not been pushed, so sync once from the loaded state.
          return Effect.all([
            Console.log("push is live: syncing what changed since the first load"),
            orLater(syncChats),
            orLater(syncMessages)
          ], { discard: true })
        case "Reconnected":
          return Effect.all([
            Console.log(`reconnected (attempt ${event.attempt}): syncing everything`),
            SubscriptionRef.set(typing, TypingIndicators.empty), // typing events are not replayed
            orLater(syncChats),
            orLater(syncMessages)
          ], { discard: true })
        case "Typing":
          return Effect.flatMap(Clock.currentTimeMillis, (now) =>
            SubscriptionRef.update(typing, (t) => TypingIndicators.onTyping(t, event, now)))
        default:
          return Effect.void
      }
    }

    const follow = push.events({
      types: ["Chat", "Message"],
      ...(options.via ? { via: options.via } : {}),
      ...(options.schedule ? { schedule: options.schedule } : {})
    }).pipe(Stream.runForEach(handle))
    const showTyping = typingView(typing).pipe(
      Stream.mapEffect((typists) =>
        Effect.forEach(typists, (t) => nameOf(t.senderId))
      ),
      Stream.runForEach((who) =>
        Console.log(
          who.length === 0 ? "(nobody is typing)" : `${who.join(" and ")} ${who.length === 1 ? "is" : "are"} typing…`
        )
      )
    )
    const fiber = yield* Effect.forkScoped(
      Effect.all([follow, showTyping], { concurrency: "unbounded", discard: true })
    )
    return { cache, typing, join: Fiber.join(fiber) } satisfies SyncLoop
  })

/** Who is typing, each time that changes: on every typing event, and each second as entries decay. */
export const typingView = (typing: SubscriptionRef.SubscriptionRef<TypingIndicators.TypingIndicators>) =>
  Stream.merge(typing.changes, Stream.tick("1 second")).pipe(
    Stream.mapEffect(() =>
      Effect.zipWith(SubscriptionRef.get(typing), Clock.currentTimeMillis, TypingIndicators.active)
    ),
    Stream.changesWith((a, b) =>
      a.length === b.length && a.every((t, i) => t.chatId === b[i]!.chatId && t.senderId === b[i]!.senderId)
    )
  )

/**
 * The bounded demo; returns the cache. On the embedded server: alice writes, the server restarts
 * once her first message is in the cache, and the demo ends when the cache holds `messages` of
 * hers. On a real server: runs for `seconds`.
 */
export const demo = (
  target: Target,
  options: { readonly seconds?: number; readonly messages?: number; readonly schedule?: Schedule.Schedule<unknown> } =
    {}
) =>
  Effect.gen(function*() {
    const loop = yield* start({ ...target, ...(options.schedule ? { schedule: options.schedule } : {}) })
    const fromAlice = (cache: Cache) => HashMap.size(HashMap.filter(cache.messages, (m) => m.senderId !== "self"))
    if (Option.isSome(target.server)) {
      const live = yield* Deferred.make<void>()
      yield* Effect.forkScoped(chatter(target.server.value, { restartWhen: Deferred.await(live) }))
      yield* loop.cache.changes.pipe(
        Stream.tap((cache) => fromAlice(cache) > 0 ? Deferred.succeed(live, undefined) : Effect.void),
        Stream.takeUntil((cache) => fromAlice(cache) >= (options.messages ?? 6)),
        Stream.runDrain,
        Effect.raceFirst(loop.join)
      )
    } else {
      yield* loop.join.pipe(Effect.timeoutOption(`${options.seconds ?? 30} seconds`))
    }
    const cache = yield* SubscriptionRef.get(loop.cache)
    yield* Console.log(
      `The cache holds ${HashMap.size(cache.chats)} chat(s) and ${HashMap.size(cache.messages)} message(s).`
    )
    return cache
  }).pipe(Effect.scoped)

if (isMain(import.meta.url)) {
  NodeRuntime.runMain(Effect.scoped(Effect.flatMap(fromEnv, (target) => demo(target, { seconds: seconds() }))))
}
