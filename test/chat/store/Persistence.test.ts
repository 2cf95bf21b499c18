/**
 * `ChatStore` persistence in a `KeyValueStore`: a restarted store shows its last snapshot at once
 * and catches up with `/changes` (no full reload), open writes survive a restart and are sent once,
 * and a snapshot that is corrupt, of another format version or of another account is discarded with
 * a warning, never a failure.
 */
import { KeyValueStore } from "@effect/platform"
import { NodeKeyValueStore } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Context, Deferred, Effect, Layer, Logger, Ref, TestClock } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as ChatStore from "../../../src/chat/store/ChatStore.js"
import { Backend, ChatClientTest } from "../../../src/testing/index.js"
import { memoryKv, type Rig, rig, settle, storeFor, until } from "./support.js"

const setup = Effect.gen(function*() {
  const backend = yield* Backend.make()
  const alice = ChatClientTest.make(backend, "alice")
  const bobView = ChatClientTest.make(backend, "bob")
  const chat = yield* alice.Chat.createOne({ kind: "direct", contactId: backend.user("bob").userId })
  yield* alice.Message.send({ chatId: chat.id, body: "before the restart" })
  const chatId = (yield* bobView.Chat.get({})).list[0]!.id
  const bobBodies = Effect.map(bobView.Message.list({ filter: { chatId } }), (r) => r.list.map((m) => m.body).sort())
  return { backend, alice, aliceChat: chat.id, bobView, bobBodies, chatId }
})

/** Runs `f` with a store of `r` over `kv` in a scope of its own, closed afterwards (as the app stopping). */
const run = <A, E>(
  r: Rig,
  kv: KeyValueStore.KeyValueStore,
  f: (store: ChatStore.Service) => Effect.Effect<A, E>
) => Effect.scoped(Effect.flatMap(storeFor(r, kv), f))

const bodiesOf = (store: ChatStore.Service, chatId: string) =>
  Effect.map(until(store.messages(chatId), (v) => v.entries.length > 0), (v) => v.entries.map((e) => e.message.body))

/** Captures the warnings logged while `self` runs. */
const warnings = <A, E, R>(self: (lines: ReadonlyArray<string>) => Effect.Effect<A, E, R>) =>
  Effect.suspend(() => {
    const lines: Array<string> = []
    const logger = Logger.make(({ logLevel, message }) => {
      if (logLevel._tag === "Warning") lines.push(Array.isArray(message) ? message.join(" ") : String(message))
    })
    return self(lines).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
  })

describe("ChatStore: persistence", () => {
  it.scoped("a restarted store shows its last snapshot at once, then catches up with /changes", () =>
    Effect.gen(function*() {
      const { alice, aliceChat, backend, chatId } = yield* setup
      const kv = yield* memoryKv
      const bob = yield* rig(backend, "bob")
      yield* run(bob, kv, (store) =>
        Effect.gen(function*() {
          yield* settle(store)
          expect(yield* bodiesOf(store, chatId)).toEqual(["before the restart"])
        }))
      yield* alice.Message.send({ chatId: aliceChat, body: "while bob was away" })

      const gate = yield* Deferred.make<void>()
      yield* Ref.set(bob.hook, (_, next) => Effect.zipRight(Deferred.await(gate), next))
      yield* Ref.set(bob.calls, [])
      yield* run(bob, kv, (store) =>
        Effect.gen(function*() {
          // Nothing has answered yet: what shows is the snapshot.
          expect(yield* bodiesOf(store, chatId)).toEqual(["before the restart"])
          expect((yield* until(store.chats, (c) => c.length > 0)).map((c) => c.unreadCount)).toEqual([1])
          expect((yield* store.snapshot).status.origin).toBe("restored")
          yield* Deferred.succeed(gate, undefined)
          yield* settle(store)
          expect(yield* bodiesOf(store, chatId)).toEqual(["before the restart", "while bob was away"])
          expect((yield* store.snapshot).status.origin).toBe("server")
        }))
      const calls = yield* Ref.get(bob.calls)
      expect(calls.flat()).toContain("Message/changes")
      expect(calls.flat()).toContain("Chat/changes")
      // No collection was loaded whole, and the window was not fetched again.
      expect(calls.filter((c) => c.includes("Chat/get") && !c.includes("Chat/changes"))).toEqual([])
      expect(calls.flat()).not.toContain("Message/query")
    }))

  for (const reached of [false, true]) {
    it.scoped(
      `a send under way when the app stopped is sent once by the next run (${
        reached ? "it had reached the server" : "it had not reached the server"
      })`,
      () =>
        Effect.gen(function*() {
          const { backend, bobBodies, chatId } = yield* setup
          const kv = yield* memoryKv
          const bob = yield* rig(backend, "bob")
          // No push in the first run: nothing but the next run can find out what became of the send.
          yield* Ref.set(bob.dropping, () => true)
          yield* Ref.set(bob.hook, (request, next) =>
            request.methodCalls.some(([m]) => m === "Message/set")
              ? (reached ? Effect.zipRight(next, Effect.never) : Effect.never)
              : next)
          const writeId = yield* run(bob, kv, (store) =>
            Effect.gen(function*() {
              yield* settle(store)
              yield* bodiesOf(store, chatId)
              const pending = yield* store.send({ chatId, body: "sent across a restart" })
              yield* until(store.select((s) => s.writes.map((e) => e.status)), (s) => s[0] === "sending")
              return pending.writeId
            }))
          expect(yield* bobBodies).toEqual(
            reached ? ["before the restart", "sent across a restart"] : [
              "before the restart"
            ]
          )

          const gate = yield* Deferred.make<void>()
          yield* Ref.set(bob.dropping, () => false)
          yield* Ref.set(bob.hook, (_, next) => Effect.zipRight(Deferred.await(gate), next))
          yield* run(bob, kv, (store) =>
            Effect.gen(function*() {
              const shown = yield* until(store.messages(chatId), (v) => v.entries.some((e) => e.id === writeId))
              expect(shown.entries.find((e) => e.id === writeId)?.status).toBe("pending")
              yield* Deferred.succeed(gate, undefined)
              yield* settle(store)
              yield* until(store.select((s) => s.writes.length), (n) => n === 0)
              expect(yield* bodiesOf(store, chatId)).toEqual(["before the restart", "sent across a restart"])
            }))
          expect(yield* bobBodies).toEqual(["before the restart", "sent across a restart"])
        })
    )
  }

  it.scoped("a refused write stays failed, with its error, across a restart", () =>
    Effect.gen(function*() {
      const { backend } = yield* setup
      const kv = yield* memoryKv
      const bob = yield* rig(backend, "bob")
      const failure = yield* run(bob, kv, (store) =>
        Effect.flatMap(store.send({ chatId: "no-such-chat", body: "x" }), (p) =>
          Effect.flip(p.result)))
      yield* run(bob, kv, (store) =>
        Effect.gen(function*() {
          const [entry] = (yield* store.snapshot).writes
          expect(entry?.status).toBe("failed")
          expect(entry?.error).toEqual(failure)
        }))
    }))

  for (
    const [what, value, reason] of [
      ["corrupt", "{not json", "does not decode"],
      ["of another format version", JSON.stringify({ format: "effect-jmap-chat/ChatStore", version: 0 }), "version 0"],
      ["of the right version but the wrong shape", JSON.stringify({ version: 1, collections: 7 }), "does not decode"]
    ] as const
  ) {
    it.scoped(`a snapshot ${what} is discarded with a warning, and the store loads from the server`, () =>
      warnings((lines) =>
        Effect.gen(function*() {
          const { backend, chatId } = yield* setup
          const kv = yield* memoryKv
          yield* kv.set(ChatStore.defaultKey, value)
          yield* kv.set(`${ChatStore.defaultKey}/writes`, "[1, 2")
          const bob = yield* rig(backend, "bob")
          yield* run(bob, kv, (store) =>
            Effect.gen(function*() {
              expect((yield* store.snapshot).status.origin).toBe("empty")
              yield* settle(store)
              expect(yield* bodiesOf(store, chatId)).toEqual(["before the restart"])
            }))
          expect(lines.some((l) => l.includes("persisted snapshot is discarded") && l.includes(reason))).toBe(true)
          expect(lines.some((l) => l.includes("persisted writes is discarded"))).toBe(true)
          expect(lines.join("\n")).not.toContain("not json")
        })
      ))
  }

  it.scoped("a snapshot of another account is discarded with a warning", () =>
    warnings((lines) =>
      Effect.gen(function*() {
        const { backend } = yield* setup
        const kv = yield* memoryKv
        yield* run(yield* rig(backend, "bob"), kv, settle)
        yield* run(yield* rig(backend, "carol"), kv, (store) =>
          Effect.gen(function*() {
            yield* settle(store)
            const s = yield* store.snapshot
            expect(s.accountId).toBe("A-carol")
            expect(s.collections.Chat.items.size).toBe(0)
          }))
        expect(lines.some((l) => l.includes("of account A-bob, not A-carol"))).toBe(true)
      })
    ))

  it.scoped("saves only the windows that changed, and a corrupt window is discarded alone", () =>
    warnings((lines) =>
      Effect.gen(function*() {
        const { alice, aliceChat, backend, chatId } = yield* setup
        const carol = ChatClientTest.make(backend, "carol")
        const withCarol = yield* carol.Chat.createOne({ kind: "direct", contactId: backend.user("bob").userId })
        yield* carol.Message.send({ chatId: withCarol.id, body: "from carol" })
        const memory = yield* memoryKv
        const sets: Array<string> = []
        const kv = KeyValueStore.make({
          get: memory.get,
          getUint8Array: memory.getUint8Array,
          set: (k, v) => Effect.zipRight(Effect.sync(() => sets.push(k)), memory.set(k, v)),
          remove: memory.remove,
          clear: memory.clear,
          size: memory.size
        })
        const bob = yield* rig(backend, "bob")
        const carolChat = (yield* ChatClientTest.make(backend, "bob").Chat.get({})).list.find((c) =>
          c.contactId === backend.user("carol").userId
        )!.id
        yield* run(bob, kv, (store) =>
          Effect.gen(function*() {
            yield* bodiesOf(store, chatId)
            yield* bodiesOf(store, carolChat)
            yield* settle(store)
            yield* TestClock.adjust("1 second")
            sets.length = 0
            yield* alice.Message.send({ chatId: aliceChat, body: "only this chat changed" })
            yield* settle(store)
            yield* TestClock.adjust("1 second")
            expect(sets.filter((k) =>
              k.includes("/window/")
            )).toEqual([
              `${ChatStore.defaultKey}/window/${encodeURIComponent(chatId)}`
            ])
            expect(sets).toContain(ChatStore.defaultKey)
          }))
        yield* kv.set(`${ChatStore.defaultKey}/window/${encodeURIComponent(carolChat)}`, "{\"version\": 1")
        yield* run(bob, kv, (store) =>
          Effect.gen(function*() {
            const restored = yield* store.snapshot
            expect(restored.status.origin).toBe("restored")
            expect([...restored.windows.keys()]).toEqual([chatId])
            expect(yield* bodiesOf(store, carolChat)).toEqual(["from carol"])
          }))
        expect(lines.some((l) => l.includes("persisted window is discarded"))).toBe(true)
      })
    ))

  it.scoped("works over the file system (NodeKeyValueStore)", () =>
    Effect.gen(function*() {
      const { alice, aliceChat, backend, chatId } = yield* setup
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chat-store-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true })))
      const kv = yield* Layer.build(NodeKeyValueStore.layerFileSystem(dir)).pipe(
        Effect.map(Context.get(KeyValueStore.KeyValueStore))
      )
      const bob = yield* rig(backend, "bob")
      yield* run(bob, kv, (store) => Effect.zipRight(settle(store), bodiesOf(store, chatId)))
      expect(fs.readdirSync(dir).length).toBeGreaterThan(0)
      yield* alice.Message.send({ chatId: aliceChat, body: "second" })
      yield* run(bob, kv, (store) =>
        Effect.gen(function*() {
          expect((yield* store.snapshot).status.origin).toBe("restored")
          yield* settle(store)
          expect(yield* bodiesOf(store, chatId)).toEqual(["before the restart", "second"])
        }))
    }))
})
