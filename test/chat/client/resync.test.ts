/**
 * Delta sync within the server's `maxObjectsInGet` (RFC 8620 §5.1), against the reference server:
 * the full resync after `cannotCalculateChanges` lists every object through `/query` pages (Messages
 * chat by chat, since `Message/query` needs a `chatId`), and a delta naming more objects than one
 * `/get` may fetch is asked for in smaller pages.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import * as ChatClient from "../../../src/chat/ChatClient.js"
import type { JmapResponse } from "../../../src/jmap/Wire.js"
import { ChatClientTest, ChatServer } from "../../../src/testing/index.js"
import { clientFor } from "../../support/Clients.js"

/** Server limits: three objects per `/get`, and a change log too short to reach the first state. */
const small = { limits: { maxObjectsInGet: 3, changeLogCapacity: 2 } }

const groups = (client: ChatClient.Service, members: ReadonlyArray<string>, n: number) =>
  Effect.forEach(
    Array.from({ length: n }, (_, i) => `group ${i}`),
    (name) => client.Chat.createOne({ kind: "group", name, memberIds: [...members] })
  )

layer(NodeHttpClient.layerUndici, { excludeTestServices: true })("sync within maxObjectsInGet", (it) => {
  it.scoped("Message.sync: the full resync lists every message, chat by chat, in pages", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make(small)
      const alice = yield* clientFor(server, "alice")
      const carol = yield* clientFor(server, "carol")
      const bob = yield* clientFor(server, "bob")
      const start = yield* bob.Message.state()
      const bobId = server.user("bob").userId
      const fromAlice = yield* alice.Chat.createOne({ kind: "direct", contactId: bobId })
      const fromCarol = yield* carol.Chat.createOne({ kind: "direct", contactId: bobId })
      for (let i = 0; i < 4; i++) yield* alice.Message.send({ chatId: fromAlice.id, body: `alice ${i}` })
      for (let i = 0; i < 3; i++) yield* carol.Message.send({ chatId: fromCarol.id, body: `carol ${i}` })
      const before = yield* bob.Message.state()

      const resync = yield* bob.Message.sync({ sinceState: start })
      expect(resync.fullResync).toBe(true)
      expect(resync.created.map((m) => m.body).sort()).toEqual(
        ["alice 0", "alice 1", "alice 2", "alice 3", "carol 0", "carol 1", "carol 2"]
      )
      expect(new Set(resync.created.map((m) => m.id)).size).toBe(7)
      expect(resync.newState).toBe(before)

      yield* alice.Message.send({ chatId: fromAlice.id, body: "after the resync" })
      const next = yield* bob.Message.sync({ sinceState: resync.newState })
      expect(next.fullResync).toBe(false)
      expect(next.created.map((m) => m.body)).toEqual(["after the resync"])
    }))

  it.scoped("sync with fullResync: false fails with cannotCalculateChanges instead of listing everything", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make(small)
      const alice = yield* clientFor(server, "alice")
      const start = yield* alice.Chat.state()
      yield* groups(alice, [server.user("bob").userId], 3)
      const error = yield* Effect.flip(alice.Chat.sync({ sinceState: start, fullResync: false }))
      expect(error).toMatchObject({ _tag: "MethodError", type: "cannotCalculateChanges" })
      const recent = yield* alice.Chat.state()
      yield* groups(alice, [server.user("bob").userId], 1)
      const delta = yield* alice.Chat.sync({ sinceState: recent, fullResync: false })
      expect([delta.fullResync, delta.created.length]).toEqual([false, 1])
    }))

  it.scoped("Chat.sync: the full resync lists more chats than one /get may fetch", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make(small)
      const alice = yield* clientFor(server, "alice")
      const start = yield* alice.Chat.state()
      const created = yield* groups(alice, [server.user("bob").userId], 7)
      const resync = yield* alice.Chat.sync({ sinceState: start })
      expect(resync.fullResync).toBe(true)
      expect(resync.created.map((c) => c.id).sort()).toEqual(created.map((c) => c.id).sort())
    }))

  it.scoped("Message.sync: a delta naming more messages than one /get may fetch comes in smaller pages", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make({ limits: { maxObjectsInGet: 3 } })
      const alice = yield* clientFor(server, "alice")
      const bob = yield* clientFor(server, "bob")
      const chat = yield* alice.Chat.createOne({ kind: "direct", contactId: server.user("bob").userId })
      const start = yield* bob.Message.state()
      for (let i = 0; i < 7; i++) yield* alice.Message.send({ chatId: chat.id, body: `m${i}` })
      const delta = yield* bob.Message.sync({ sinceState: start })
      expect(delta.fullResync).toBe(false)
      expect(delta.created.map((m) => m.body)).toEqual(["m0", "m1", "m2", "m3", "m4", "m5", "m6"])
      expect(delta.newState).toBe(yield* bob.Message.state())
    }))

  it.scoped("a type without /query (ReadPosition) and more objects than one /get: the server's requestTooLarge", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make(small)
      const alice = yield* clientFor(server, "alice")
      const start = yield* alice.ReadPosition.state()
      yield* groups(alice, [server.user("bob").userId], 5)
      const error = yield* Effect.flip(alice.ReadPosition.sync({ sinceState: start }))
      expect(error).toMatchObject({ _tag: "MethodError", type: "requestTooLarge", method: "ReadPosition/get" })
    }))

  it.scoped("a server whose /query pages are longer than its /get allows: pages are halved until they fit", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make({ limits: { maxObjectsInGet: 10, changeLogCapacity: 2 } })
      const alice = ChatClientTest.make(server.backend, "alice")
      // What the server would answer if its /get took at most 4 ids while /query pages hold 10.
      const answered: Array<number> = []
      const transport = ChatClientTest.transport(server.backend, "alice")
      const capped = ChatClient.makeWith({
        ...transport,
        call: (request) =>
          Effect.map(transport.call(request), (response): JmapResponse => ({
            ...response,
            methodResponses: response.methodResponses.map(([name, args, id]) => {
              const list = (args as { readonly list?: ReadonlyArray<unknown> }).list
              if (!name.endsWith("/get") || list === undefined) return [name, args, id]
              if (list.length > 4) return ["error", { type: "requestTooLarge" }, id]
              answered.push(list.length)
              return [name, args, id]
            })
          }))
      })
      const start = yield* alice.Chat.state()
      const created = yield* groups(alice, [server.user("bob").userId], 9)
      const resync = yield* capped.Chat.sync({ sinceState: start })
      expect(resync.fullResync).toBe(true)
      expect(resync.created.map((c) => c.id).sort()).toEqual(created.map((c) => c.id).sort())
      expect(Math.max(...answered)).toBeLessThanOrEqual(4)
    }))
})
