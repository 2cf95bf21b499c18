import { NodeKeyValueStore, NodeRuntime } from "@effect/platform-node"
import { Console, Effect, Layer, Option, Stream } from "effect"
import { ChatStore } from "effect-jmap-chat"
import { NodeChat } from "effect-jmap-chat/node"

const program = Effect.gen(function*() {
  const store = yield* ChatStore.ChatStore
  // The chat list, most recent first, with unread counts: printed whenever it changes.
  yield* Effect.fork(
    Stream.runForEach(store.chats, (chats) =>
      Console.log(
        chats.map((c) => `${c.chat.name ?? c.chat.contactId}: ${c.unreadCount} unread`).join("\n")
      ))
  )
  // The most recent chat (the first one to appear, if there is none yet).
  const latest = yield* Stream.runHead(Stream.filterMap(store.chats, (chats) => Option.fromNullable(chats[0])))
  const chatId = Option.getOrThrow(latest).chat.id
  // Its latest messages, "…" on yours until the server has them.
  yield* Effect.fork(
    Stream.runForEach(store.messages(chatId), (view) =>
      Console.log(
        view.entries.map((e) => `${e.status === "confirmed" ? " " : "…"} ${e.message.body}`).join("\n")
      ))
  )
  const sent = yield* store.send({ chatId, body: "hello from the store" }) // shows at once
  yield* sent.result // the server has it (retried meanwhile if the connection dropped)
  yield* Console.log("sent; the views stay live until you stop the program")
  yield* Effect.never
})

// JMAP_URL and JMAP_TOKEN (or JMAP_USERNAME and JMAP_PASSWORD); the snapshot is kept in .chat-store/
const StoreLive = ChatStore.layer().pipe(
  Layer.provide(NodeChat.layerConfig()),
  Layer.provide(NodeKeyValueStore.layerFileSystem(".chat-store")) // or KeyValueStore.layerMemory
)
NodeRuntime.runMain(program.pipe(Effect.provide(StoreLive)))
