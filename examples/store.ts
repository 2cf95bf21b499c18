/**
 * A terminal chat view that stays live, on `ChatStore`: the chat list with unread counts, the open
 * chat's latest messages and who is typing, printed again whenever what it shows changes. There is
 * no sync loop here: the store keeps itself right through push, reconnections and restarts, and
 * bob's replies show at once as pending (…) until the server has them (✓).
 *
 *   npx tsx examples/store.ts                                # embedded server, one restart
 *   JMAP_URL=… JMAP_TOKEN=… npx tsx examples/store.ts        # your server, for JMAP_SECONDS (30)
 *   JMAP_STORE_DIR=.chat-store npx tsx examples/store.ts     # keep the snapshot on disk between runs
 */
import { KeyValueStore } from "@effect/platform"
import { NodeKeyValueStore, NodeRuntime } from "@effect/platform-node"
import { Console, Deferred, Effect, Layer, Option, Ref, type Schedule, Stream } from "effect"
import { Auth, ChatStore } from "effect-jmap-chat"
import { NodeChat } from "effect-jmap-chat/node"
import { chatter, fromEnv, isMain, seconds, type Target } from "./demo_target.js"

/** Options of {@link layer}. */
export interface StoreOptions {
  /** Push reconnect backoff; default exponential from 1 s, capped at 60 s. */
  readonly schedule?: Schedule.Schedule<unknown>
  /** Where to keep the snapshot between runs; in memory when absent. */
  readonly dir?: string
}

/** The whole stack for `target`: NodeChat (client and push) under a ChatStore, persisted in `dir` or in memory. */
export const layer = (target: Target, options: StoreOptions = {}) =>
  ChatStore.layer({
    windowSize: 8,
    ...(options.schedule ? { push: { schedule: options.schedule }, retrySchedule: options.schedule } : {})
  }).pipe(
    Layer.provide(NodeChat.layer({ url: target.url, auth: Auth.bearer(target.token) })),
    Layer.provide(options.dir ? NodeKeyValueStore.layerFileSystem(options.dir) : KeyValueStore.layerMemory)
  )

const marks = { confirmed: "✓", pending: "…", failed: "✗" } as const

/** One frame of the view, as text. */
export const render = (
  chats: ReadonlyArray<ChatStore.ChatEntry>,
  open: ChatStore.MessagesView,
  typing: ReadonlyArray<string>,
  nameOf: (id: string) => string
): string => {
  const chatName = (c: ChatStore.ChatEntry) => c.chat.name ?? nameOf(c.chat.contactId ?? c.chat.id)
  const lines = ["── chats ──"]
  for (const c of chats) {
    lines.push(
      `${c.chat.id === open.chatId ? ">" : " "} ${chatName(c)}${c.unreadCount > 0 ? ` (${c.unreadCount} unread)` : ""}`
    )
  }
  lines.push(`── messages${open.hasOlder ? " (older ones on the server)" : ""} ──`)
  for (const e of open.entries) lines.push(`  ${marks[e.status]} ${nameOf(e.message.senderId)}: ${e.message.body}`)
  if (typing.length > 0) {
    lines.push(`  ${typing.map(nameOf).join(" and ")} ${typing.length === 1 ? "is" : "are"} typing…`)
  }
  return lines.join("\n")
}

/**
 * Shows the first chat that appears until `done` holds for its view (or forever), replying to every
 * third message from someone else. Returns the last view.
 */
export const show = (done: (view: ChatStore.MessagesView) => Effect.Effect<boolean> = () => Effect.succeed(false)) =>
  Effect.gen(function*() {
    const store = yield* ChatStore.ChatStore
    const chat = yield* store.chats.pipe(
      Stream.filter((c) => c.length > 0),
      Stream.runHead,
      Effect.map(Option.getOrThrow)
    )
    const chatId = chat[0]!.chat.id
    const answered = yield* Ref.make(new Set<string>())
    const last = yield* Ref.make<ChatStore.MessagesView | undefined>(undefined)

    const reply = (view: ChatStore.MessagesView) =>
      Effect.forEach(view.entries, (e) => {
        const n = Number(/^message (\d+)$/.exec(e.message.body)?.[1])
        if (e.message.senderId === "self" || n % 3 !== 0) return Effect.void
        return Ref.modify(answered, (seen) => [!seen.has(e.id), new Set(seen).add(e.id)]).pipe(
          Effect.flatMap((fresh) => (fresh ? Effect.asVoid(store.send({ chatId, body: `got ${n}` })) : Effect.void))
        )
      }, { discard: true })

    // One snapshot for the whole screen, so the chat list and the messages always agree.
    yield* store.open(chatId)
    const screen = store.select((s) => ({
      chats: ChatStore.chatList(s),
      view: ChatStore.messagesOf(s, chatId),
      contacts: s.collections.ChatContact.items
    }))
    yield* Stream.zipLatest(screen, store.typing(chatId)).pipe(
      Stream.filter(([{ view }]) => view.loaded),
      Stream.tap(([{ view }]) => Effect.zipRight(Ref.set(last, view), reply(view))),
      Stream.map(([{ chats, contacts, view }, typing]) => ({
        view,
        text: render(chats, view, typing, (id) => id === "self" ? "me" : contacts.get(id)?.displayName ?? id)
      })),
      Stream.changesWith((a, b) => a.text === b.text),
      Stream.tap(({ text }) => Console.log(`${text}\n`)),
      Stream.takeUntilEffect(({ view }) => done(view)),
      Stream.runDrain
    )
    // Everything shown has been read.
    const pending = yield* store.markRead({ chatId })
    yield* Effect.ignore(pending.result)
    return (yield* Ref.get(last))!
  })

/**
 * The bounded demo. On the embedded server: alice writes, the server restarts once her first
 * message shows, and the demo ends when `messages` of hers show and bob's replies are confirmed.
 * On a real server: runs for `seconds`.
 */
export const demo = (
  target: Target,
  options: StoreOptions & { readonly messages?: number; readonly seconds?: number } = {}
) =>
  Effect.gen(function*() {
    if (Option.isNone(target.server)) {
      return yield* show().pipe(
        Effect.timeoutOption(`${options.seconds ?? 30} seconds`),
        Effect.map(Option.getOrUndefined)
      )
    }
    const server = target.server.value
    const live = yield* Deferred.make<void>()
    yield* Effect.forkScoped(chatter(server, { restartWhen: Deferred.await(live) }))
    const fromAlice = (view: ChatStore.MessagesView) => view.entries.filter((e) => e.message.senderId !== "self")
    return yield* show((view) => {
      const mine = view.entries.filter((e) => e.message.senderId === "self")
      const done = fromAlice(view).length >= (options.messages ?? 6) && mine.length > 0 &&
        mine.every((e) => e.status === "confirmed")
      return Effect.as(fromAlice(view).length > 0 ? Deferred.succeed(live, undefined) : Effect.void, done)
    })
  }).pipe(Effect.provide(layer(target, options)))

if (isMain(import.meta.url)) {
  const dir = process.env["JMAP_STORE_DIR"]
  NodeRuntime.runMain(
    Effect.scoped(Effect.flatMap(fromEnv, (target) => demo(target, { seconds: seconds(), ...(dir ? { dir } : {}) })))
  )
}
