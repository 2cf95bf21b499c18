/**
 * Starts the reference server in its own process for benchmarks (so its CPU time is not charged
 * to the client being measured), seeds a direct chat of 20 messages between alice and bob, and
 * prints one JSON line: `{ url, token, accountId, ids }`.
 */
import { Effect, Layer } from "effect"
import { Auth, ChatClient } from "../../src/index.js"
import { NodeChat } from "../../src/node/index.js"
import { ChatServer } from "../../src/testing/index.js"

const program = Effect.gen(function*() {
  const server = yield* ChatServer
  const alice = server.user("alice")
  const bob = server.user("bob")
  const seeded = yield* Effect.gen(function*() {
    const client = yield* ChatClient.ChatClient
    const chat = yield* client.Chat.createOne({ kind: "direct", contactId: bob.userId })
    const ids: Array<string> = []
    for (let i = 0; i < 20; i++) {
      const m = yield* client.Message.send({
        chatId: chat.id,
        body: `message ${i}: the quick brown fox jumps over the lazy dog`
      })
      ids.push(m.id)
    }
    return { accountId: yield* client.accountId, ids }
  }).pipe(Effect.provide(NodeChat.layer({ url: server.url, auth: Auth.bearer(alice.token) })))
  console.log(JSON.stringify({ url: server.url, token: alice.token, ...seeded }))
  return yield* Effect.never
})

Effect.runFork(program.pipe(Effect.provide(Layer.fresh(ChatServer.layer()))))
