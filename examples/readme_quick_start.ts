import { NodeRuntime } from "@effect/platform-node"
import { Console, Effect } from "effect"
import { ChatClient, Ulid } from "effect-jmap-chat"
import { NodeChat } from "effect-jmap-chat/node"

const program = Effect.gen(function*() {
  const client = yield* ChatClient.ChatClient
  const chat = yield* client.Chat.createOne({ kind: "direct", contactId: "user:bob@example.com" })
  const sent = yield* client.Message.send({ chatId: chat.id, body: "hello, Bob" })
  const reactionId = yield* Ulid.make // you choose the key of your reaction: a fresh ULID
  yield* client.Message.update({ id: sent.id, patch: { reactions: { [reactionId]: { emoji: "👍" } } } })
  const { list } = yield* client.Message.list({ filter: { chatId: chat.id }, limit: 20 })
  for (const m of list) {
    const reactions = Object.values(m.reactions).map((r) => r.emoji).join("")
    yield* Console.log(`${m.senderId}: ${m.body} ${reactions}`)
  }
}).pipe(
  Effect.catchTags({
    AuthFailed: (e) => Console.error(`check your token: ${e.message}`),
    RateLimited: (e) => Console.error(`slow down: ${e.message}`)
  })
)

// JMAP_URL (e.g. https://chat.example.com) and JMAP_TOKEN, or JMAP_USERNAME and JMAP_PASSWORD
program.pipe(Effect.provide(NodeChat.layerConfig()), NodeRuntime.runMain)
