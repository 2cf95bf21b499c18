/**
 * `ChatStore`'s optimistic writes against the in-memory reference backend, with faults injected at
 * the transport (`call`): shown at once, confirmed by the server's object, refused ones kept as
 * failed until retried or discarded, transient failures retried, and a send whose response was lost
 * never duplicated.
 */
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Ref, TestClock } from "effect"
import * as ChatStore from "../../../src/chat/store/ChatStore.js"
import { HttpError } from "../../../src/jmap/Errors.js"
import type { JmapRequest } from "../../../src/jmap/Wire.js"
import { Backend, ChatClientTest } from "../../../src/testing/index.js"
import { type CallHook, memoryKv, rig, settle, storeFor, until } from "./support.js"

const lost = new HttpError({ reason: "Timeout", method: "POST", url: "memory:/api" })
const unavailable = new HttpError({ reason: "Status", method: "POST", url: "memory:/api", status: 503 })

const isSet = (request: JmapRequest, name = "Message/set") => request.methodCalls.some(([method]) => method === name)

/** Fails the next `count` requests calling `name`: before the server sees them, or after it applied them. */
const failNext = (count: number, error: HttpError, when: "before" | "after", name = "Message/set") => {
  let left = count
  const hook: CallHook = (request, next) => {
    if (!isSet(request, name) || left === 0) return next
    left--
    return when === "before" ? Effect.fail(error) : Effect.zipRight(next, Effect.fail(error))
  }
  return hook
}

const setup = Effect.gen(function*() {
  const backend = yield* Backend.make()
  const alice = ChatClientTest.make(backend, "alice")
  const bob = yield* rig(backend, "bob")
  const chat = yield* alice.Chat.createOne({ kind: "direct", contactId: backend.user("bob").userId })
  const hello = yield* alice.Message.send({ chatId: chat.id, body: "hello bob" })
  const bobView = ChatClientTest.make(backend, "bob")
  const bobChat = (yield* bobView.Chat.get({})).list[0]!
  const store = yield* storeFor(bob, yield* memoryKv)
  yield* settle(store)
  yield* until(store.messages(bobChat.id), (v) => v.loaded)
  const serverBodies = Effect.map(
    bobView.Message.list({ filter: { chatId: bobChat.id } }),
    (r) => r.list.map((m) => m.body).sort()
  )
  const helloId = (yield* bobView.Message.list({ filter: { chatId: bobChat.id } })).list[0]!.id
  return { backend, alice, bob, bobView, chatId: bobChat.id, store, serverBodies, helloId, aliceHello: hello }
})

const entries = (store: ChatStore.Service, chatId: string) => Effect.map(store.snapshot, () => store.messages(chatId))

describe("ChatStore: optimistic writes", () => {
  it.scoped("a send shows at once as pending, then as the server's message", () =>
    Effect.gen(function*() {
      const { bob, chatId, serverBodies, store } = yield* setup
      const gate = yield* Deferred.make<void>()
      yield* Ref.set(bob.hook, (request, next) => isSet(request) ? Effect.zipRight(Deferred.await(gate), next) : next)
      const pending = yield* store.send({ chatId, body: "hi alice" })
      const shown = yield* until(yield* entries(store, chatId), (v) => v.entries.length === 2)
      expect(shown.entries[1]).toMatchObject({
        id: pending.writeId,
        status: "pending",
        message: { body: "hi alice", senderId: "self", deliveryState: "pending" }
      })
      expect(shown.entries[1]!.writes.map((w) => w.status)).toEqual(["sending"])
      yield* Deferred.succeed(gate, undefined)
      const sent = yield* pending.result
      const confirmed = yield* until(
        yield* entries(store, chatId),
        (v) => v.entries.length === 2 && v.entries[1]!.status === "confirmed"
      )
      expect(confirmed.entries[1]!.id).toBe(sent.id)
      expect(confirmed.entries[1]!.message).toEqual(sent)
      expect(yield* serverBodies).toEqual(["hello bob", "hi alice"])
      yield* settle(store)
      expect((yield* store.snapshot).writes).toEqual([])
    }))

  it.scoped("a refused send stays, failed with its typed error, until discarded", () =>
    Effect.gen(function*() {
      const { store } = yield* setup
      const pending = yield* store.send({ chatId: "no-such-chat", body: "lost?" })
      const failure = yield* Effect.flip(pending.result)
      expect(failure._tag).toBe("SetFailed")
      const view = yield* until(store.messages("no-such-chat"), (v) => v.entries.length === 1)
      expect(view.entries[0]).toMatchObject({ id: pending.writeId, status: "failed" })
      expect(view.entries[0]!.writes[0]!.error).toEqual(failure)
      // Retried, it is refused again; discarded, it is gone.
      yield* store.retry(pending.writeId)
      yield* settle(store)
      expect((yield* store.snapshot).writes.map((e) => e.status)).toEqual(["failed"])
      yield* store.discard(pending.writeId)
      yield* until(store.messages("no-such-chat"), (v) => v.entries.length === 0)
      expect(yield* Effect.flip(store.discard(pending.writeId))).toMatchObject({
        _tag: "PendingWriteError",
        reason: "Unknown"
      })
    }))

  it.scoped("a transient failure is retried after the backoff; the message is sent once", () =>
    Effect.gen(function*() {
      const { bob, chatId, serverBodies, store } = yield* setup
      yield* Ref.set(bob.hook, failNext(1, unavailable, "before"))
      const pending = yield* store.send({ chatId, body: "second try" })
      const retrying = yield* until(store.messages(chatId), (v) => v.entries[1]?.writes[0]?.status === "retrying")
      expect(retrying.entries[1]!.writes[0]!.error).toEqual(unavailable)
      expect(retrying.entries[1]!.status).toBe("pending")
      yield* TestClock.adjust("2 seconds")
      const sent = yield* pending.result
      expect(sent.body).toBe("second try")
      expect(yield* serverBodies).toEqual(["hello bob", "second try"])
    }))

  it.scoped("a send whose response was lost is found, not sent again", () =>
    Effect.gen(function*() {
      const { bob, chatId, serverBodies, store } = yield* setup
      // The push is cut, so only the store's own check can find the message.
      yield* Ref.set(bob.dropping, () => true)
      yield* Ref.set(bob.hook, failNext(1, lost, "after"))
      const pending = yield* store.send({ chatId, body: "exactly once" })
      yield* until(store.messages(chatId), (v) => v.entries[1]?.writes[0]?.status === "retrying")
      yield* Ref.set(bob.calls, [])
      yield* TestClock.adjust("2 seconds")
      const sent = yield* pending.result
      expect(yield* serverBodies).toEqual(["exactly once", "hello bob"])
      expect(sent.body).toBe("exactly once")
      expect((yield* Ref.get(bob.calls)).flat()).not.toContain("Message/set")
    }))

  it.scoped("a lost send is confirmed by the sync a reconnection triggers, without waiting for the backoff", () =>
    Effect.gen(function*() {
      const { bob, chatId, serverBodies, store } = yield* setup
      yield* Ref.set(bob.dropping, () => true)
      yield* Ref.set(bob.hook, failNext(1, lost, "after"))
      const pending = yield* store.send({ chatId, body: "found by sync" })
      yield* until(store.messages(chatId), (v) => v.entries[1]?.writes[0]?.status === "retrying")
      yield* Ref.set(bob.dropping, () => false)
      yield* bob.reconnect
      const sent = yield* pending.result
      expect(sent.body).toBe("found by sync")
      expect(yield* serverBodies).toEqual(["found by sync", "hello bob"])
    }))

  it.scoped("edit, react and markRead show at once and are confirmed", () =>
    Effect.gen(function*() {
      const { bob, chatId, helloId, store } = yield* setup
      const mine = yield* (yield* store.send({ chatId, body: "tpyo" })).result
      yield* settle(store)
      const gate = yield* Deferred.make<void>()
      yield* Ref.set(bob.hook, (request, next) => Effect.zipRight(Deferred.await(gate), next))
      const edit = yield* store.edit({ messageId: mine.id, body: "typo" })
      const react = yield* store.react({ messageId: helloId, emoji: "👍" })
      const read = yield* store.markRead({ chatId, messageId: helloId })

      const shown = yield* until(store.messages(chatId), (v) => v.entries.every((e) => e.status === "pending"))
      expect(shown.entries.map((e) => e.message.body)).toEqual(["hello bob", "typo"])
      expect(Object.values(shown.entries[0]!.message.reactions)).toEqual([
        expect.objectContaining({ emoji: "👍", senderId: "self" })
      ])
      const chats = yield* until(store.chats, (c) => c[0]?.unreadCount === 0)
      expect(chats[0]!.readPosition?.lastReadMessageId).toBe(helloId)

      yield* Deferred.succeed(gate, undefined)
      expect((yield* edit.result)?.body).toBe("typo")
      expect(Object.values((yield* react.result)?.reactions ?? {}).map((r) => r.emoji)).toEqual(["👍"])
      expect((yield* read.result)?.lastReadMessageId).toBe(helloId)
      yield* settle(store)
      const after = yield* until(store.messages(chatId), (v) => v.entries.every((e) => e.status === "confirmed"))
      expect(after.entries.map((e) => e.message.body)).toEqual(["hello bob", "typo"])
      expect((yield* store.snapshot).writes).toEqual([])
      expect((yield* until(store.chats, () => true))[0]!.unreadCount).toBe(0)
    }))

  it.scoped("a refused edit shows the message as the server has it, with the failed write on it", () =>
    Effect.gen(function*() {
      const { chatId, helloId, store } = yield* setup
      const edit = yield* store.edit({ messageId: helloId, body: "not mine to edit" })
      expect((yield* Effect.flip(edit.result))._tag).toBe("SetFailed")
      const view = yield* until(store.messages(chatId), (v) => v.entries[0]?.status === "failed")
      expect(view.entries[0]!.message.body).toBe("hello bob")
      expect(view.entries[0]!.writes).toMatchObject([{ writeId: edit.writeId, status: "failed" }])
      yield* store.discard(edit.writeId)
      yield* until(store.messages(chatId), (v) => v.entries[0]?.status === "confirmed")
    }))

  it.scoped("bad input is refused before anything is shown", () =>
    Effect.gen(function*() {
      const { store } = yield* setup
      expect((yield* Effect.flip(store.send({ chatId: "", body: "x" })))._tag).toBe("InvalidArgument")
      expect((yield* Effect.flip(store.send({ chatId: "c", body: 5 } as never)))._tag).toBe("InvalidArgument")
      expect((yield* Effect.flip(store.react({ messageId: "m", emoji: "" })))._tag).toBe("InvalidArgument")
      expect((yield* Effect.flip(store.markRead({ chatId: "unknown" })))._tag).toBe("InvalidArgument")
      expect((yield* store.snapshot).writes).toEqual([])
      expect(Exit.isFailure(yield* Effect.exit(store.retry("nope")))).toBe(true)
    }))
})
