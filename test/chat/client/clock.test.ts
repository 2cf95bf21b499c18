/**
 * Default timestamps come from Effect's `Clock`, so `TestClock` controls them: a message sent
 * without `sentAt` (core draft §Message/set create: `sentAt` is required) and a reaction added
 * without one (§Reaction), whichever way the call is made — directly, as a single-object form, or in
 * a batch. Against the reference server's backend, whose own clock is the same `TestClock`.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, TestClock } from "effect"
import { ChatClient } from "../../../src/chat/ChatClient.js"
import { Requests } from "../../../src/chat/client/Requests.js"
import { ChatBackend, ChatClientTest } from "../../../src/testing/index.js"

const at = (iso: string) => TestClock.setTime(Date.parse(iso))

describe("default timestamps (TestClock)", () => {
  it.effect("Message.send, Message.create and a batched create without sentAt: the Clock's time, to the second", () =>
    Effect.gen(function*() {
      const backend = yield* ChatBackend
      const alice = yield* ChatClient
      const chat = yield* alice.Chat.createOne({ kind: "direct", contactId: backend.user("bob").userId })

      yield* at("2031-02-03T04:05:06.789Z")
      const sent = yield* alice.Message.send({ chatId: chat.id, body: "send" })
      expect(sent.sentAt).toBe("2031-02-03T04:05:06Z")

      yield* TestClock.adjust("1 hour")
      const created = yield* alice.Message.create({ clientId: "direct", chatId: chat.id, body: "create" })
      const createdId = created.created?.["direct"]?.id

      yield* TestClock.adjust("1 day")
      const results = yield* alice.batch((b) => {
        const set = b.Message.create({ clientId: "batched", chatId: chat.id, body: "batched" })
        return { set, state: b.Message.state() }
      })
      const batchedId = Either.getOrThrow(results.set).created?.["batched"]?.id
      expect(Either.isRight(results.state)).toBe(true)

      const stored = yield* alice.Message.get({ ids: [createdId!, batchedId!] })
      expect(stored.list.map((m) => [m.body, m.sentAt])).toEqual([
        ["create", "2031-02-03T05:05:06Z"],
        ["batched", "2031-02-04T05:05:06Z"]
      ])
    }).pipe(Effect.provide(ChatClientTest.layer())))

  it.effect("a reaction added without sentAt gets the Clock's time; one with sentAt keeps it", () =>
    Effect.gen(function*() {
      const backend = yield* ChatBackend
      const alice = yield* ChatClient
      const chat = yield* alice.Chat.createOne({ kind: "direct", contactId: backend.user("bob").userId })
      const message = yield* alice.Message.send({
        chatId: chat.id,
        body: "react to me",
        sentAt: "2020-01-01T00:00:00Z"
      })
      expect(message.sentAt).toBe("2020-01-01T00:00:00Z")

      yield* at("2032-06-07T08:09:10Z")
      const reacted = yield* alice.Message.updateOne({
        id: message.id,
        patch: {
          reactions: {
            "01J0REACTION0000000000000A": { emoji: "👍" },
            "01J0REACTION0000000000000B": { emoji: "🎉", sentAt: "2021-01-01T00:00:00Z" }
          }
        }
      })
      expect(reacted.reactions["01J0REACTION0000000000000A"]?.sentAt).toBe("2032-06-07T08:09:10Z")
      expect(reacted.reactions["01J0REACTION0000000000000B"]?.sentAt).toBe("2021-01-01T00:00:00Z")
    }).pipe(Effect.provide(ChatClientTest.layer())))

  it("only a preparation that needs the time reads the Clock; the others stay pure", () => {
    expect(Either.isEither(Requests.Message.create({ chatId: "c", body: "b", sentAt: "2024-01-01T10:00:00Z" }))).toBe(
      true
    )
    expect(Either.isEither(Requests.Message.create({ chatId: "c", body: "b" }))).toBe(false)
    expect(Either.isEither(Requests.Message.update({ id: "m", patch: { reactions: { r: { emoji: "x" } } } }))).toBe(
      false
    )
    expect(Either.isEither(Requests.Message.update({ id: "m", patch: { reactions: { r: null } } }))).toBe(true)
    // A guard failure needs no time either.
    expect(Requests.Message.create({ chatId: "", body: "b" })).toMatchObject({ _tag: "Left" })
  })
})
