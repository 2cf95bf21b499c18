import { expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { ChatClient } from "effect-jmap-chat"
import { ChatClientTest, ChatServerTest } from "effect-jmap-chat/testing"

// The code under test: greets Bob and says how many messages their chat now holds.
const greetBob = Effect.gen(function*() {
  const client = yield* ChatClient.ChatClient
  const chat = yield* client.Chat.createOne({ kind: "direct", contactId: "user:bob@example.com" })
  yield* client.Message.send({ chatId: chat.id, body: "hello, Bob" })
  const { list } = yield* client.Message.list({ filter: { chatId: chat.id } })
  return list.length
})

it.effect("unit: an in-memory server, no sockets", () =>
  Effect.gen(function*() {
    expect(yield* greetBob).toBe(1)
  }).pipe(Effect.provide(ChatClientTest.layer({ user: "alice" }))))

it.scoped("integration: the reference server on 127.0.0.1 and the real HTTP stack", () =>
  Effect.gen(function*() {
    expect(yield* greetBob).toBe(1)
  }).pipe(Effect.provide(ChatServerTest.layer({ user: "alice" }))))
