/**
 * `ChatStore` against the in-memory reference backend, with its push events fed to the store and
 * `TestClock` driving every timer: loading, the views and their emissions, push-driven delta sync,
 * typing and presence.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Deferred, Effect, Fiber, Option, Ref, Stream, TestClock } from "effect"
import { HttpError } from "../../../src/jmap/Errors.js"
import { Backend, ChatClientTest, type ChatServerOptions } from "../../../src/testing/index.js"
import { memoryKv, rig, settle, storeFor, until } from "./support.js"

const setup = (options: ChatServerOptions = {}) =>
  Effect.gen(function*() {
    const backend = yield* Backend.make(options)
    const alice = ChatClientTest.make(backend, "alice")
    const carol = ChatClientTest.make(backend, "carol")
    const bob = yield* rig(backend, "bob")
    return { backend, alice, carol, bob, bobId: backend.user("bob").userId }
  })

describe("ChatStore: loading and views", () => {
  it.scoped("loads every collection and shows the chats by last activity, with unread counts", () =>
    Effect.gen(function*() {
      const { alice, bob, bobId, carol } = yield* setup()
      const withAlice = yield* alice.Chat.createOne({ kind: "direct", contactId: bobId })
      yield* alice.Message.send({ chatId: withAlice.id, body: "one" })
      yield* TestClock.adjust("1 second")
      const withCarol = yield* carol.Chat.createOne({ kind: "direct", contactId: bobId })
      yield* carol.Message.send({ chatId: withCarol.id, body: "a" })
      yield* carol.Message.send({ chatId: withCarol.id, body: "b" })

      const store = yield* storeFor(bob, yield* memoryKv)
      yield* settle(store)
      const chats = yield* until(store.chats, (c) => c.length === 2)
      expect(chats.map((c) => [c.chat.contactId, c.unreadCount])).toEqual([
        ["user:carol@example.com", 2],
        ["user:alice@example.com", 1]
      ])
      const snapshot = yield* store.snapshot
      expect(snapshot.status.origin).toBe("server")
      expect(snapshot.collections.ChatContact.items.size).toBe(2)
      expect(snapshot.collections.ReadPosition.items.size).toBe(2)
      expect(snapshot.collections.PresenceStatus.items.size).toBe(1)
      expect(snapshot.accountId).toBe("A-bob")
    }))

  it.scoped("keeps a chat's window live from push: new messages and edits, one emission each", () =>
    Effect.gen(function*() {
      const { alice, bob, bobId, carol } = yield* setup()
      const chat = yield* alice.Chat.createOne({ kind: "direct", contactId: bobId })
      const first = yield* alice.Message.send({ chatId: chat.id, body: "first" })
      const store = yield* storeFor(bob, yield* memoryKv)
      const seen = yield* store.messages(chat.id).pipe(
        Stream.map((v) => v.entries.map((e) => e.message.body).join("|")),
        Stream.take(5),
        Stream.runCollect,
        Effect.fork
      )
      yield* settle(store)
      yield* alice.Message.send({ chatId: chat.id, body: "second" })
      yield* settle(store)
      yield* alice.Message.updateOne({ id: first.id, patch: { body: "first (edited)" } })
      yield* settle(store)
      // A change elsewhere (a new chat with carol) and a sync that finds nothing new do not emit.
      yield* carol.Chat.createOne({ kind: "direct", contactId: bobId })
      yield* store.refresh
      yield* alice.Message.send({ chatId: chat.id, body: "third" })
      yield* settle(store)
      expect(Chunk.toArray(yield* Fiber.join(seen))).toEqual([
        "",
        "first",
        "first|second",
        "first (edited)|second",
        "first (edited)|second|third"
      ])
    }))
})

describe("ChatStore: typing and presence", () => {
  it.scoped("shows typing at once, hides it on typing: false, on the sender's message, and after the timeout", () =>
    Effect.gen(function*() {
      const { alice, bob, bobId } = yield* setup()
      const aliceId = "user:alice@example.com"
      const chat = yield* alice.Chat.createOne({ kind: "direct", contactId: bobId })
      yield* alice.Message.send({ chatId: chat.id, body: "hello" })
      const store = yield* storeFor(bob, yield* memoryKv, { typingTimeout: "10 seconds" })
      yield* settle(store)
      const who = store.typing(chat.id)
      const typing = (on: boolean) => alice.Chat.typing({ chatId: chat.id, typing: on })

      yield* typing(true)
      expect(yield* until(who, (w) => w.length > 0)).toEqual([aliceId])
      yield* typing(false)
      yield* until(who, (w) => w.length === 0)

      yield* typing(true)
      yield* until(who, (w) => w.length > 0)
      yield* alice.Message.send({ chatId: chat.id, body: "done typing" })
      yield* settle(store)
      yield* until(who, (w) => w.length === 0)

      // The server accepts one typing call per 3 s per chat.
      yield* TestClock.adjust("3 seconds")
      yield* typing(true)
      yield* until(who, (w) => w.length > 0)
      yield* TestClock.adjust("9 seconds")
      expect(yield* Stream.runHead(who)).toEqual(Option.some([aliceId]))
      yield* TestClock.adjust("1 second")
      yield* until(who, (w) => w.length === 0)
    }))

  it.scoped("shows a contact's pushed presence at once, over the synced ChatContact", () =>
    Effect.gen(function*() {
      const { alice, bob, bobId } = yield* setup()
      const aliceId = "user:alice@example.com"
      const chat = yield* alice.Chat.createOne({ kind: "direct", contactId: bobId })
      yield* alice.Message.send({ chatId: chat.id, body: "hello" })
      const store = yield* storeFor(bob, yield* memoryKv)
      yield* settle(store)
      const presence = store.presence(aliceId)
      expect(Option.map(yield* until(presence, Option.isSome), (p) => p.presence)).toEqual(Option.some("online"))
      // StateChanges held back: the contact is not synced again, so only the pushed event can show it.
      yield* Ref.set(bob.dropping, (event) => event._tag === "StateChange")
      const { list: [status] } = yield* alice.PresenceStatus.get({})
      yield* alice.PresenceStatus.updateOne({ id: status!.id, patch: { presence: "busy", statusText: "in a meeting" } })
      const shown = yield* until(presence, (p) => Option.exists(p, (x) => x.presence === "busy"))
      expect(Option.map(shown, (p) => p.statusText)).toEqual(Option.some("in a meeting"))
      expect((yield* store.snapshot).collections.ChatContact.items.get(aliceId)?.presence).toBe("online")
      yield* Ref.set(bob.dropping, () => false)
      yield* store.refresh
      const snapshot = yield* store.snapshot
      expect(snapshot.collections.ChatContact.items.get(aliceId)?.presence).toBe("busy")
      expect(snapshot.presence.has(aliceId)).toBe(false)
      expect(Option.map(yield* until(presence, Option.isSome), (p) => p.statusText)).toEqual(
        Option.some("in a meeting")
      )
    }))
})

describe("ChatStore: sync rounds", () => {
  it.scoped("coalesces a burst of state changes into one more round", () =>
    Effect.gen(function*() {
      const { alice, bob, bobId } = yield* setup()
      const chat = yield* alice.Chat.createOne({ kind: "direct", contactId: bobId })
      yield* alice.Message.send({ chatId: chat.id, body: "0" })
      const store = yield* storeFor(bob, yield* memoryKv)
      yield* settle(store)
      const gate = yield* Deferred.make<void>()
      yield* Ref.set(bob.hook, (request, next) =>
        request.methodCalls.some(([m]) => m === "Message/changes")
          ? Effect.zipRight(Deferred.await(gate), next)
          : next)
      yield* alice.Message.send({ chatId: chat.id, body: "1" })
      yield* TestClock.adjust(0)
      // The round is held; ten more changes arrive meanwhile.
      for (let i = 2; i <= 11; i++) yield* alice.Message.send({ chatId: chat.id, body: String(i) })
      // The push fiber takes them in while the round waits.
      for (let i = 0; i < 10; i++) yield* TestClock.adjust(0)
      yield* Ref.set(bob.calls, [])
      yield* Deferred.succeed(gate, undefined)
      yield* settle(store)
      const bodies = (yield* until(store.messages(chat.id), (v) => v.entries.length === 12)).entries.map((e) =>
        e.message.body
      )
      expect(bodies).toEqual(Array.from({ length: 12 }, (_, i) => String(i)))
      // The held round, then one round for the whole burst.
      expect((yield* Ref.get(bob.calls)).flat().filter((m) => m === "Message/changes")).toHaveLength(1)
    }))

  it.scoped("a failed round shows its error and is retried with the backoff until it succeeds", () =>
    Effect.gen(function*() {
      const { alice, bob, bobId } = yield* setup()
      const chat = yield* alice.Chat.createOne({ kind: "direct", contactId: bobId })
      yield* alice.Message.send({ chatId: chat.id, body: "hello" })
      const down = new HttpError({ reason: "Status", method: "POST", url: "memory:/api", status: 503 })
      yield* Ref.set(bob.hook, () => Effect.fail(down))
      const store = yield* storeFor(bob, yield* memoryKv)
      const failing = yield* until(store.status, (s) => s.error !== undefined)
      expect(failing).toMatchObject({ origin: "empty", syncing: true, error: down })
      yield* Ref.set(bob.hook, (_, next) => next)
      yield* TestClock.adjust("2 seconds")
      const status = yield* until(store.status, (s) => !s.syncing)
      expect(status).toMatchObject({ origin: "server", error: undefined })
      expect((yield* until(store.chats, (c) => c.length === 1))[0]!.unreadCount).toBe(1)
    }))
})
