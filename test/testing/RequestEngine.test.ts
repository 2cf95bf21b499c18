import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { Backend, ChatClientTest, ChatServer } from "../../src/testing/index.js"
import { acct, call, post, request, USING } from "./helpers.js"

const problem = (type: string) => `urn:ietf:params:jmap:error:${type}`

describe("ChatServer request processing (RFC 8620 §3)", () => {
  it.scoped("rejects bodies that are not JSON with notJSON", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const text = yield* post(server, "alice", "{not json")
      expect(text.status).toBe(400)
      expect(text.headers.get("content-type")).toContain("application/problem+json")
      expect(text.body).toMatchObject({ type: problem("notJSON"), status: 400 })
      const wrongType = yield* post(server, "alice", { using: [], methodCalls: [] }, "text/plain")
      expect(wrongType.body.type).toBe(problem("notJSON"))
    }))

  it.effect("sorts dates by time, not as strings (\"…:42Z\" before \"…:42.5Z\")", () =>
    Effect.gen(function*() {
      let now = Date.parse("2026-01-01T00:00:42Z")
      const backend = yield* Backend.make({ now: () => now })
      const alice = ChatClientTest.make(backend, "alice")
      const chat = yield* alice.Chat.createOne({ kind: "direct", contactId: backend.user("bob").userId })
      yield* alice.Message.send({ chatId: chat.id, body: "first" })
      now += 500
      yield* alice.Message.send({ chatId: chat.id, body: "second" })
      const { list } = yield* alice.Message.list({
        filter: { chatId: chat.id },
        sort: [{ property: "receivedAt", isAscending: true }]
      })
      expect(list.map((m) => [m.body, m.receivedAt])).toEqual([
        ["first", "2026-01-01T00:00:42Z"],
        ["second", "2026-01-01T00:00:42.500Z"]
      ])
    }))

  it.scoped("rejects JSON that is not a Request with notRequest", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      for (
        const body of [[], { methodCalls: [] }, { using: [], methodCalls: [["Core/echo", {}]] }, {
          using: "x",
          methodCalls: []
        }]
      ) {
        const reply = yield* post(server, "alice", body)
        expect(reply.status).toBe(400)
        expect(reply.body.type).toBe(problem("notRequest"))
      }
    }))

  it.scoped("rejects unknown capabilities in using", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const reply = yield* post(server, "alice", { using: ["urn:example:nope"], methodCalls: [] })
      expect(reply.status).toBe(400)
      expect(reply.body.type).toBe(problem("unknownCapability"))
      expect(reply.body.detail).toContain("urn:example:nope")
    }))

  it.scoped("enforces maxCallsInRequest and maxSizeRequest with limit problems", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make({ limits: { maxCallsInRequest: 2, maxSizeRequest: 300 } })
      const calls = yield* post(server, "alice", {
        using: USING,
        methodCalls: [["Core/echo", {}, "a"], ["Core/echo", {}, "b"], ["Core/echo", {}, "c"]]
      })
      expect(calls.status).toBe(400)
      expect(calls.body).toMatchObject({ type: problem("limit"), limit: "maxCallsInRequest" })
      const big = yield* post(server, "alice", {
        using: USING,
        methodCalls: [["Core/echo", { pad: "x".repeat(400) }, "a"]]
      })
      expect(big.status).toBe(400)
      expect(big.body).toMatchObject({ type: problem("limit"), limit: "maxSizeRequest" })
    }))

  it.scoped("answers unknown methods, missing capabilities, bad arguments and foreign accounts per call", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const response = yield* post(server, "alice", {
        using: ["urn:ietf:params:jmap:core", "urn:ietf:params:jmap:chat"],
        methodCalls: [
          ["Nope/get", {}, "a"],
          ["Quota/get", { accountId: acct(server, "alice") }, "b"],
          ["Chat/get", { accountId: 42 }, "c"],
          ["Chat/get", { accountId: acct(server, "bob") }, "d"],
          ["Core/echo", { hello: "world" }, "e"]
        ]
      })
      expect(response.status).toBe(200)
      const [a, b, c, d, e] = response.body.methodResponses
      expect(a).toEqual(["error", expect.objectContaining({ type: "unknownMethod" }), "a"])
      expect(b).toEqual(["error", expect.objectContaining({ type: "unknownMethod" }), "b"])
      expect(c).toEqual(["error", expect.objectContaining({ type: "invalidArguments" }), "c"])
      expect(d).toEqual(["error", expect.objectContaining({ type: "accountNotFound" }), "d"])
      expect(e).toEqual(["Core/echo", { hello: "world" }, "e"])
      expect(typeof response.body.sessionState).toBe("string")
    }))

  it.scoped("resolves result references, including the * wildcard", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const accountId = acct(server, "alice")
      for (const other of ["bob", "carol"]) {
        yield* call(server, "alice", "Chat/set", {
          accountId,
          create: { c: { kind: "direct", contactId: server.user(other).userId } }
        })
      }
      const response = yield* request(server, "alice", [
        ["Chat/query", { accountId }, "q"],
        ["Chat/get", { accountId, "#ids": { resultOf: "q", name: "Chat/query", path: "/ids" } }, "g"],
        ["ChatContact/get", {
          accountId,
          "#ids": { resultOf: "g", name: "Chat/get", path: "/list/*/contactId" }
        }, "h"]
      ])
      const [, [, get], [, contacts]] = response.methodResponses
      expect(get.list).toHaveLength(2)
      expect(contacts.list.map((c: any) => c.id).sort()).toEqual(
        [server.user("bob").userId, server.user("carol").userId].sort()
      )
    }))

  it.scoped("reports invalidResultReference and refuses an argument given both plainly and by reference", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const accountId = acct(server, "alice")
      const response = yield* request(server, "alice", [
        ["Chat/query", { accountId }, "q"],
        ["Chat/get", { accountId, "#ids": { resultOf: "zz", name: "Chat/query", path: "/ids" } }, "a"],
        ["Chat/get", { accountId, "#ids": { resultOf: "q", name: "Chat/get", path: "/ids" } }, "b"],
        ["Chat/get", { accountId, "#ids": { resultOf: "q", name: "Chat/query", path: "/nope" } }, "c"],
        ["Chat/get", { accountId, "#ids": "not a reference" }, "d"],
        ["Chat/get", { accountId, ids: [], "#ids": { resultOf: "q", name: "Chat/query", path: "/ids" } }, "e"]
      ])
      const types = response.methodResponses.slice(1).map((r: any) => r[1].type)
      expect(types).toEqual([
        "invalidResultReference",
        "invalidResultReference",
        "invalidResultReference",
        "invalidResultReference",
        "invalidArguments"
      ])
    }))

  it.scoped("threads creation ids through the request and returns createdIds when sent", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const accountId = acct(server, "alice")
      const response = yield* request(server, "alice", [
        ["Chat/set", { accountId, create: { c1: { kind: "direct", contactId: server.user("bob").userId } } }, "a"],
        ["Message/set", {
          accountId,
          create: { m1: { chatId: "#c1", body: "hi", bodyType: "text/plain", sentAt: "2026-01-01T00:00:00Z" } }
        }, "b"],
        ["Message/get", { accountId, ids: ["#m1"], properties: ["chatId", "body"] }, "c"]
      ], { createdIds: { earlier: "X1" } })
      const chatId = response.methodResponses[0][1].created.c1.id
      const messageId = response.methodResponses[1][1].created.m1.id
      expect(response.methodResponses[2][1].list).toEqual([{ id: messageId, chatId, body: "hi" }])
      expect(response.createdIds).toEqual({ earlier: "X1", c1: chatId, m1: messageId })
      const without = yield* request(server, "alice", [["Core/echo", {}, "0"]])
      expect(without.createdIds).toBeUndefined()
    }))
})
