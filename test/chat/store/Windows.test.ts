/**
 * `ChatStore`'s message windows against the in-memory reference backend: always the chat's latest
 * `limit` messages (what a fresh `Message/query` returns), older pages on demand, refilled after
 * deletions, and reloaded (not the whole account listed) when the server cannot calculate changes.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Ref, TestClock } from "effect"
import type * as ChatStore from "../../../src/chat/store/ChatStore.js"
import { Backend, ChatClientTest, type ChatServerOptions } from "../../../src/testing/index.js"
import { memoryKv, rig, settle, storeFor, until } from "./support.js"

const setup = (messages: number, server: ChatServerOptions = {}) =>
  Effect.gen(function*() {
    const backend = yield* Backend.make(server)
    const alice = ChatClientTest.make(backend, "alice")
    const bobView = ChatClientTest.make(backend, "bob")
    const chat = yield* alice.Chat.createOne({ kind: "direct", contactId: backend.user("bob").userId })
    const say = (body: string) =>
      Effect.zipRight(TestClock.adjust("1 millis"), alice.Message.send({ chatId: chat.id, body }))
    for (let i = 1; i <= messages; i++) yield* say(`m${i}`)
    const chatId = (yield* bobView.Chat.get({})).list[0]!.id
    const bob = yield* rig(backend, "bob")
    const store = yield* storeFor(bob, yield* memoryKv, { windowSize: 5, pageSize: 4 })
    yield* settle(store)
    return { alice, backend, bob, bobView, chatId, say, store }
  })

const bodies = (store: ChatStore.Service, chatId: string) =>
  Effect.map(
    until(store.messages(chatId), (v) => v.loaded),
    (v) => v.entries.map((e) => e.message.body)
  )

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `m${from + i}`)

describe("ChatStore: message windows", () => {
  it.scoped("holds the latest messages, pages to older ones, and knows when it has them all", () =>
    Effect.gen(function*() {
      const { chatId, store } = yield* setup(12)
      expect(yield* bodies(store, chatId)).toEqual(range(8, 12))
      expect((yield* until(store.messages(chatId), (v) => v.loaded)).hasOlder).toBe(true)
      yield* store.loadOlder(chatId)
      expect(yield* bodies(store, chatId)).toEqual(range(4, 12))
      yield* store.loadOlder(chatId, 10)
      const all = yield* until(store.messages(chatId), (v) => v.entries.length === 12)
      expect(all.hasOlder).toBe(false)
      expect(all.entries.map((e) => e.message.body)).toEqual(range(1, 12))
    }))

  it.scoped("a closed window is dropped and no longer synced; opening it loads it again", () =>
    Effect.gen(function*() {
      const { chatId, say, store } = yield* setup(3)
      expect(yield* bodies(store, chatId)).toEqual(range(1, 3))
      yield* store.close(chatId)
      expect((yield* store.snapshot).windows.has(chatId)).toBe(false)
      yield* say("m4")
      yield* settle(store)
      expect((yield* store.snapshot).windows.has(chatId)).toBe(false)
      yield* store.open(chatId)
      yield* settle(store)
      expect(yield* bodies(store, chatId)).toEqual(range(1, 4))
    }))

  it.scoped("stays the latest `limit` messages as new ones arrive, and refills after a deletion", () =>
    Effect.gen(function*() {
      const { bobView, chatId, say, store } = yield* setup(7)
      expect(yield* bodies(store, chatId)).toEqual(range(3, 7))
      yield* say("m8")
      yield* settle(store)
      expect(yield* bodies(store, chatId)).toEqual(range(4, 8))
      const doomed = (yield* until(store.messages(chatId), (v) => v.loaded)).entries[1]!.id
      yield* bobView.Message.destroyOne({ id: doomed })
      yield* settle(store)
      expect(yield* bodies(store, chatId)).toEqual(["m3", "m4", "m6", "m7", "m8"])
    }))

  it.scoped("reloads the windows, not every message of the account, when the server cannot calculate changes", () =>
    Effect.gen(function*() {
      const { backend, bob, chatId, say, store } = yield* setup(6, { limits: { changeLogCapacity: 3 } })
      expect(yield* bodies(store, chatId)).toEqual(range(2, 6))
      // Another chat, whose window bob never opened: a full listing would fetch it too.
      const carol = ChatClientTest.make(backend, "carol")
      const other = yield* carol.Chat.createOne({ kind: "direct", contactId: backend.user("bob").userId })
      yield* carol.Message.send({ chatId: other.id, body: "from carol" })
      yield* settle(store)
      yield* Ref.set(bob.dropping, () => true)
      for (let i = 7; i <= 12; i++) yield* say(`m${i}`)
      yield* Ref.set(bob.dropping, () => false)
      yield* Ref.set(bob.calls, [])
      yield* bob.reconnect
      yield* settle(store)
      expect(yield* bodies(store, chatId)).toEqual(range(8, 12))
      const calls = (yield* Ref.get(bob.calls)).flat()
      expect(calls).toContain("Message/changes")
      // One window: one Message/query; no listing of every chat's messages.
      expect(calls.filter((c) => c === "Message/query")).toEqual(["Message/query"])
    }))
})
