/**
 * How to test your own JMAP Chat code with `effect-jmap-chat/testing`.
 *
 * The code under test is an "away" bot: it answers every chat that has unread messages once, and
 * marks the chat read. It only needs a `ChatClient`, so the same program runs against:
 *
 * - `ChatClientTest.layer`: an in-memory server behind the client, no sockets — fast unit tests;
 * - `ChatServerTest.layer`: the reference server on 127.0.0.1 and the real HTTP client stack —
 *   integration tests.
 *
 * Other people in the conversation get their own clients on the same server
 * (`ChatClientTest.make(backend, "alice")`, `ChatServerTest.make(server, "alice")`).
 */
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect } from "effect"
import { ChatClient } from "effect-jmap-chat"
import { ChatBackend, ChatClientTest, ChatServer, ChatServerTest } from "effect-jmap-chat/testing"

// ---- the code under test ------------------------------------------------------------------

/** How many messages wait to be read, over every chat. */
const unreadTotal = Effect.gen(function*() {
  const client = yield* ChatClient.ChatClient
  const { list } = yield* client.Chat.list()
  return list.reduce((total, chat) => total + chat.unreadCount, 0)
})

/** Replies `text` to the latest message of every chat with unread messages, marks it read, and says how many chats it answered. */
const autoReply = (text: string) =>
  Effect.gen(function*() {
    const client = yield* ChatClient.ChatClient
    const { list: chats } = yield* client.Chat.list()
    const positions = (yield* client.ReadPosition.get()).list
    let answered = 0
    for (const chat of chats) {
      if (chat.unreadCount === 0) continue
      const { list: [latest] } = yield* client.Message.list({ filter: { chatId: chat.id }, limit: 1 })
      const position = positions.find((p) => p.chatId === chat.id)
      if (latest === undefined || position === undefined) continue
      yield* client.Message.send({ chatId: chat.id, body: text, replyTo: latest.id })
      yield* client.ReadPosition.updateOne({ id: position.id, patch: { lastReadMessageId: latest.id } })
      answered += 1
    }
    return answered
  })

// ---- the tests ----------------------------------------------------------------------------

/** `from` opens a direct chat with `to` and sends `bodies`; returns the chat id. */
const converse = (from: ChatClient.Service<unknown>, to: string, ...bodies: Array<string>) =>
  Effect.gen(function*() {
    const chat = yield* from.Chat.createOne({ kind: "direct", contactId: to })
    for (const body of bodies) yield* from.Message.send({ chatId: chat.id, body })
    return chat.id
  })

describe("unit tests: the bot on an in-memory server", () => {
  it.layer(ChatClientTest.layer({ user: "bob" }))((it) => {
    it.effect("answers each chat with unread messages once, replying to the latest message", () =>
      Effect.gen(function*() {
        const backend = yield* ChatBackend
        const alice = ChatClientTest.make(backend, "alice")
        const chatId = yield* converse(alice, backend.user("bob").userId, "are you there?", "hello?")
        expect(yield* unreadTotal).toBe(2)

        expect(yield* autoReply("I'm away until Monday")).toBe(1)
        expect(yield* unreadTotal).toBe(0)
        expect(yield* autoReply("I'm away until Monday")).toBe(0)

        const { list } = yield* alice.Message.list({ filter: { chatId } })
        const [reply, latest] = list
        expect(reply).toMatchObject({ body: "I'm away until Monday", replyTo: latest!.id })
        expect(latest!.body).toBe("hello?")
      }))

    it.effect("answers every waiting chat", () =>
      Effect.gen(function*() {
        const backend = yield* ChatBackend
        const carol = ChatClientTest.make(backend, "carol")
        const alice = ChatClientTest.make(backend, "alice")
        yield* converse(carol, backend.user("bob").userId, "lunch?")
        yield* alice.Message.send({
          chatId: (yield* alice.Chat.createOne({ kind: "direct", contactId: backend.user("bob").userId })).id,
          body: "one more thing"
        })
        expect(yield* autoReply("later!")).toBe(2)
        expect(yield* unreadTotal).toBe(0)
      }))
  })
})

// Real sockets: live clocks for the client's timeouts (excludeTestServices).
layer(ChatServerTest.layer({ user: "bob" }), { excludeTestServices: true })(
  "integration test: the bot over HTTP against the reference server",
  (it) => {
    it.effect("answers through the real client stack", () =>
      Effect.gen(function*() {
        const server = yield* ChatServer
        const alice = yield* ChatServerTest.make(server, "alice")
        const chatId = yield* converse(alice, server.user("bob").userId, "ping")

        expect(yield* autoReply("pong")).toBe(1)

        const { list } = yield* alice.Message.list({ filter: { chatId } })
        expect(list.map((m) => [m.senderId, m.body])).toEqual([[server.user("bob").userId, "pong"], ["self", "ping"]])
        expect(yield* unreadTotal).toBe(0)
      }).pipe(Effect.scoped))
  }
)
