import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { ChatServer } from "../../src/testing/index.js"
import { acct, call, directChat, get, send, stateOf } from "./helpers.js"

/** Alice and bob in a direct chat with `n` messages from alice. */
const withMessages = (n: number, options?: Parameters<typeof ChatServer.make>[0]) =>
  Effect.gen(function*() {
    const server = yield* ChatServer.make(options)
    const chatId = yield* directChat(server, "alice", "bob")
    const ids: Array<string> = []
    for (let i = 1; i <= n; i++) ids.push(yield* send(server, "alice", chatId, `message ${i}`))
    return { server, chatId, ids, accountId: acct(server, "alice") }
  })

describe("standard /get (RFC 8620 §5.1)", () => {
  it.scoped("returns requested properties plus id, and notFound for unknown ids", () =>
    Effect.gen(function*() {
      const { accountId, ids, server } = yield* withMessages(2)
      const r = yield* call(server, "alice", "Message/get", {
        accountId,
        ids: [ids[0], "nope"],
        properties: ["body"]
      })
      expect(r.list).toEqual([{ id: ids[0], body: "message 1" }])
      expect(r.notFound).toEqual(["nope"])
      expect(typeof r.state).toBe("string")
    }))

  it.scoped("rejects unknown properties and too many ids", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make({ limits: { maxObjectsInGet: 2 } })
      const accountId = acct(server, "alice")
      const bad = yield* call(server, "alice", "Chat/get", { accountId, ids: null, properties: ["nope"] })
      expect(bad.error.type).toBe("invalidArguments")
      const many = yield* call(server, "alice", "Chat/get", { accountId, ids: ["a", "b", "c"] })
      expect(many.error.type).toBe("requestTooLarge")
      for (const other of ["bob", "carol"]) yield* directChat(server, "alice", other)
      expect((yield* call(server, "alice", "Chat/get", { accountId, ids: null })).list).toHaveLength(2)
      yield* call(server, "alice", "Chat/set", {
        accountId,
        create: { g: { kind: "group", name: "G", memberIds: [] } }
      })
      expect((yield* call(server, "alice", "Chat/get", { accountId, ids: null })).error.type).toBe("requestTooLarge")
    }))
})

describe("standard /changes (RFC 8620 §5.2)", () => {
  it.scoped("pages through changes with maxChanges and hasMoreChanges", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const accountId = acct(server, "alice")
      const since = yield* stateOf(server, "alice", "Message")
      const chatId = yield* directChat(server, "alice", "bob")
      const sent: Array<string> = []
      for (let i = 0; i < 5; i++) sent.push(yield* send(server, "alice", chatId, `m${i}`))
      let state = since
      const created: Array<string> = []
      let rounds = 0
      for (;;) {
        const r = yield* call(server, "alice", "Message/changes", { accountId, sinceState: state, maxChanges: 2 })
        expect(r.oldState).toBe(state)
        expect(r.created.length + r.updated.length + r.destroyed.length).toBeLessThanOrEqual(2)
        created.push(...r.created)
        state = r.newState
        rounds += 1
        if (!r.hasMoreChanges) break
      }
      expect(created).toEqual(sent)
      expect(rounds).toBe(3)
      expect(state).toBe(yield* stateOf(server, "alice", "Message"))
    }))

  it.scoped("reports updates and destroys, and leaves out records created and destroyed in the window", () =>
    Effect.gen(function*() {
      const { accountId, chatId, ids, server } = yield* withMessages(2)
      const since = yield* stateOf(server, "alice", "Message")
      const temporary = yield* send(server, "alice", chatId, "soon gone")
      yield* call(server, "alice", "Message/set", {
        accountId,
        update: { [ids[0]!]: { body: "edited" } },
        destroy: [ids[1], temporary]
      })
      const r = yield* call(server, "alice", "Message/changes", { accountId, sinceState: since })
      expect(r).toMatchObject({ created: [], updated: [ids[0]], destroyed: [ids[1]], hasMoreChanges: false })
    }))

  it.scoped("answers cannotCalculateChanges for unknown states and states older than the change log", () =>
    Effect.gen(function*() {
      const { accountId, server } = yield* withMessages(5, { limits: { changeLogCapacity: 3 } })
      const old = yield* call(server, "alice", "Message/changes", { accountId, sinceState: "0" })
      expect(old.error.type).toBe("cannotCalculateChanges")
      const garbage = yield* call(server, "alice", "Message/changes", { accountId, sinceState: "banana" })
      expect(garbage.error.type).toBe("cannotCalculateChanges")
      const current = Number(yield* stateOf(server, "alice", "Message"))
      const recent = yield* call(server, "alice", "Message/changes", { accountId, sinceState: String(current - 2) })
      expect(recent.created).toHaveLength(2)
      const zero = yield* call(server, "alice", "Message/changes", {
        accountId,
        sinceState: String(current),
        maxChanges: 0
      })
      expect(zero.error.type).toBe("invalidArguments")
    }))
})

describe("standard /query and /queryChanges (RFC 8620 §5.5–5.6)", () => {
  it.scoped("pages with position, negative position, anchor, limit and calculateTotal", () =>
    Effect.gen(function*() {
      const { accountId, chatId, ids, server } = yield* withMessages(5)
      const q = (args: object) => call(server, "alice", "Message/query", { accountId, filter: { chatId }, ...args })
      const all = yield* q({ calculateTotal: true })
      expect(all.ids).toEqual(ids)
      expect(all.total).toBe(5)
      expect(all.canCalculateChanges).toBe(true)
      expect((yield* q({ position: 1, limit: 2 })).ids).toEqual([ids[1], ids[2]])
      const tail = yield* q({ position: -2 })
      expect(tail).toMatchObject({ position: 3, ids: [ids[3], ids[4]] })
      const anchored = yield* q({ anchor: ids[2], anchorOffset: -1, limit: 2 })
      expect(anchored).toMatchObject({ position: 1, ids: [ids[1], ids[2]] })
      expect((yield* q({ anchor: "nope" })).error.type).toBe("anchorNotFound")
      const descending = yield* q({ sort: [{ property: "receivedAt", isAscending: false }] })
      expect(descending.ids).toEqual([...ids].reverse())
      expect((yield* q({ sort: [{ property: "body" }] })).error.type).toBe("unsupportedSort")
      expect((yield* q({ sort: [{ property: "receivedAt", collation: "i;klingon" }] })).error.type).toBe(
        "unsupportedSort"
      )
    }))

  it.scoped("evaluates filter operators and rejects unsupported filters", () =>
    Effect.gen(function*() {
      const { accountId, chatId, ids, server } = yield* withMessages(3)
      const q = (filter: unknown) => call(server, "alice", "Message/query", { accountId, filter })
      const or = yield* q({
        operator: "AND",
        conditions: [{ chatId }, { operator: "OR", conditions: [{ text: "MESSAGE 1" }, { text: "message 3" }] }]
      })
      expect(or.ids).toEqual([ids[0], ids[2]])
      const not = yield* q({
        operator: "AND",
        conditions: [{ chatId }, { operator: "NOT", conditions: [{ text: "2" }] }]
      })
      expect(not.ids).toEqual([ids[0], ids[2]])
      expect((yield* q({ chatId, colour: "red" })).error.type).toBe("unsupportedFilter")
      expect((yield* q({ text: "message" })).error.type).toBe("unsupportedFilter")
      expect((yield* q({ chatId: 42 })).error.type).toBe("invalidArguments")
    }))

  it.scoped("reports what changed in a query since a queryState", () =>
    Effect.gen(function*() {
      const { accountId, chatId, ids, server } = yield* withMessages(2)
      const before = yield* call(server, "alice", "Message/query", { accountId, filter: { chatId } })
      const added = yield* send(server, "alice", chatId, "new")
      yield* call(server, "alice", "Message/set", { accountId, destroy: [ids[0]] })
      const r = yield* call(server, "alice", "Message/queryChanges", {
        accountId,
        filter: { chatId },
        sinceQueryState: before.queryState,
        calculateTotal: true
      })
      expect(r.oldQueryState).toBe(before.queryState)
      expect(r.removed).toContain(ids[0])
      expect(r.added).toEqual([{ id: added, index: 1 }])
      expect(r.total).toBe(2)
      const applied = before.ids.filter((id: string) => !r.removed.includes(id))
      for (const { id, index } of r.added) applied.splice(index, 0, id)
      expect(applied).toEqual((yield* call(server, "alice", "Message/query", { accountId, filter: { chatId } })).ids)
      const tooMany = yield* call(server, "alice", "Message/queryChanges", {
        accountId,
        filter: { chatId },
        sinceQueryState: before.queryState,
        maxChanges: 1
      })
      expect(tooMany.error.type).toBe("tooManyChanges")
      const stale = yield* call(server, "alice", "Message/queryChanges", {
        accountId,
        filter: { chatId },
        sinceQueryState: "x"
      })
      expect(stale.error.type).toBe("cannotCalculateChanges")
    }))
})

describe("standard /set (RFC 8620 §5.3)", () => {
  it.scoped("honours ifInState and reports oldState/newState", () =>
    Effect.gen(function*() {
      const { accountId, ids, server } = yield* withMessages(1)
      const state = yield* stateOf(server, "alice", "Message")
      const stale = yield* call(server, "alice", "Message/set", {
        accountId,
        ifInState: "0",
        update: { [ids[0]!]: { body: "x" } }
      })
      expect(stale.error.type).toBe("stateMismatch")
      const ok = yield* call(server, "alice", "Message/set", {
        accountId,
        ifInState: state,
        update: { [ids[0]!]: { body: "x" } }
      })
      expect(ok.oldState).toBe(state)
      expect(ok.newState).not.toBe(state)
      expect(ok.updated[ids[0]!]).toMatchObject({ editedAt: expect.any(String) })
    }))

  it.scoped("rejects server-set, immutable and unknown properties, bad patches, and unknown ids", () =>
    Effect.gen(function*() {
      const { accountId, chatId, ids, server } = yield* withMessages(1)
      const r = yield* call(server, "alice", "Message/set", {
        accountId,
        create: {
          a: { id: "mine", chatId, body: "x", bodyType: "text/plain", sentAt: "2026-01-01T00:00:00Z" },
          b: { chatId, body: "x", bodyType: "text/plain", sentAt: "2026-01-01T00:00:00Z", colour: "red" },
          c: { chatId, body: 5, bodyType: "text/plain", sentAt: "2026-01-01T00:00:00Z" },
          d: "not an object"
        },
        update: {
          [ids[0]!]: { chatId: "elsewhere" },
          nope: { body: "x" }
        }
      })
      expect(r.notCreated.a).toMatchObject({ type: "invalidProperties", properties: ["id"] })
      expect(r.notCreated.b).toMatchObject({ type: "invalidProperties", properties: ["colour"] })
      expect(r.notCreated.c).toMatchObject({ type: "invalidProperties", properties: ["body"] })
      expect(r.notCreated.d.type).toBe("invalidProperties")
      expect(r.notUpdated[ids[0]!]).toMatchObject({ type: "invalidProperties", properties: ["chatId"] })
      expect(r.notUpdated.nope.type).toBe("notFound")
      const patch = yield* call(server, "alice", "Message/set", {
        accountId,
        update: { [ids[0]!]: { "reactions/a/emoji": "x", "nope/deeper": 1 } }
      })
      expect(patch.notUpdated[ids[0]!].type).toBe("invalidPatch")
      const prefix = yield* call(server, "alice", "Message/set", {
        accountId,
        update: { [ids[0]!]: { reactions: {}, "reactions/a": null } }
      })
      expect(prefix.notUpdated[ids[0]!].type).toBe("invalidPatch")
      const destroy = yield* call(server, "alice", "Message/set", { accountId, destroy: ["nope"] })
      expect(destroy.notDestroyed.nope.type).toBe("notFound")
    }))

  it.scoped("enforces maxObjectsInSet and answers forbidden for operations a type does not allow", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make({ limits: { maxObjectsInSet: 1 } })
      const accountId = acct(server, "alice")
      const many = yield* call(server, "alice", "Chat/set", { accountId, destroy: ["a", "b"] })
      expect(many.error.type).toBe("requestTooLarge")
      yield* directChat(server, "alice", "bob")
      const contact = yield* call(server, "alice", "ChatContact/set", {
        accountId,
        create: { x: { login: "mallory" } }
      })
      expect(contact.notCreated.x.type).toBe("forbidden")
      const gone = yield* call(server, "alice", "ChatContact/set", { accountId, destroy: [server.user("bob").userId] })
      expect(gone.notDestroyed[server.user("bob").userId].type).toBe("forbidden")
      const [presence] = yield* get(server, "alice", "PresenceStatus")
      const p = yield* call(server, "alice", "PresenceStatus/set", { accountId, destroy: [presence.id] })
      expect(p.notDestroyed[presence.id].type).toBe("forbidden")
    }))
})
