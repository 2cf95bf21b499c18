import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { ChatServer } from "../../src/testing/index.js"
import { bearer, http, request } from "./helpers.js"

describe("ChatServer Session (RFC 8620 §2)", () => {
  it.scoped("answers 401 without credentials or with a wrong token", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const none = yield* http(server.sessionUrl)
      expect(none.status).toBe(401)
      expect(none.headers.get("www-authenticate")).toContain("Bearer")
      const wrong = yield* http(server.sessionUrl, { headers: { authorization: "Bearer nope" } })
      expect(wrong.status).toBe(401)
      const api = yield* http(`${server.url}/jmap/api`, { method: "POST", body: "{}" })
      expect(api.status).toBe(401)
    }))

  it.scoped("accepts Basic for users with a password, Bearer for everyone", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make({ users: [{ name: "alice" }, { name: "dave", password: null }] })
      const basic = (login: string, password: string) =>
        http(server.sessionUrl, {
          headers: { authorization: `Basic ${Buffer.from(`${login}:${password}`).toString("base64")}` }
        })
      expect((yield* basic("alice@example.com", "alice-password")).body.username).toBe("alice@example.com")
      expect((yield* basic("alice@example.com", "wrong")).status).toBe(401)
      expect((yield* basic("dave@example.com", "")).status).toBe(401)
      expect((yield* http(server.sessionUrl, { headers: bearer(server, "dave") })).status).toBe(200)
    }))

  it.scoped("advertises the core limits and every JMAP Chat capability", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make({ limits: { maxCallsInRequest: 7 } })
      const { body } = yield* http(server.sessionUrl, { headers: bearer(server, "alice") })
      const caps = body.capabilities
      expect(caps["urn:ietf:params:jmap:core"]).toMatchObject({
        maxSizeUpload: expect.any(Number),
        maxConcurrentUpload: expect.any(Number),
        maxSizeRequest: expect.any(Number),
        maxConcurrentRequests: expect.any(Number),
        maxCallsInRequest: 7,
        maxObjectsInGet: expect.any(Number),
        maxObjectsInSet: expect.any(Number),
        collationAlgorithms: expect.arrayContaining(["i;unicode-casemap"])
      })
      for (const uri of ["chat", "chat:push", "chat:websocket", "cid", "quota", "blob2"]) {
        expect(caps[`urn:ietf:params:jmap:${uri}`]).toEqual({})
      }
      expect(caps["urn:ietf:params:jmap:websocket"]).toEqual({ url: server.webSocketUrl, supportsPush: true })
      expect(server.webSocketUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/jmap\/ws$/)
    }))

  it.scoped("gives each user their own account with chat account capabilities and owner fields", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const alice = server.user("alice")
      const { body } = yield* http(server.sessionUrl, { headers: bearer(server, "alice") })
      expect(Object.keys(body.accounts)).toEqual([alice.accountId])
      const account = body.accounts[alice.accountId]
      expect(account).toMatchObject({ name: alice.login, isPersonal: true, isReadOnly: false })
      expect(account.accountCapabilities["urn:ietf:params:jmap:chat"]).toMatchObject({
        maxBodyBytes: expect.any(Number),
        maxAttachmentBytes: expect.any(Number),
        maxAttachmentsPerMessage: expect.any(Number),
        supportedBodyTypes: expect.arrayContaining(["text/plain"]),
        supportsThreads: true,
        role: "owner"
      })
      const push = account.accountCapabilities["urn:ietf:params:jmap:chat:push"]
      expect(push.maxSnippetBytes).toEqual(expect.any(Number))
      expect(push.supportedUrgencyValues).toEqual(expect.arrayContaining(["normal", "high"]))
      expect(body.primaryAccounts["urn:ietf:params:jmap:chat"]).toBe(alice.accountId)
      expect(body.primaryAccounts["urn:ietf:params:jmap:chat:push"]).toBe(alice.accountId)
      expect(body.ownerUserId).toBe(alice.userId)
      expect(body.ownerLogin).toBe(alice.login)
      expect(body.username).toBe(alice.login)
      const bob = yield* http(server.sessionUrl, { headers: bearer(server, "bob") })
      expect(Object.keys(bob.body.accounts)).toEqual([server.user("bob").accountId])
    }))

  it.scoped("serves absolute URL templates by default and relative ones on request", () =>
    Effect.gen(function*() {
      const absolute = yield* ChatServer.make()
      const a = (yield* http(absolute.sessionUrl, { headers: bearer(absolute, "alice") })).body
      expect(a.apiUrl).toBe(`${absolute.url}/jmap/api`)
      expect(a.uploadUrl).toBe(`${absolute.url}/jmap/upload/{accountId}/`)
      expect(a.downloadUrl).toBe(`${absolute.url}/jmap/download/{accountId}/{blobId}/{name}?accept={type}`)
      expect(a.eventSourceUrl).toBe(
        `${absolute.url}/jmap/eventsource?types={types}&closeafter={closeafter}&ping={ping}`
      )
      const relative = yield* ChatServer.make({ relativeUrls: true })
      const r = (yield* http(relative.sessionUrl, { headers: bearer(relative, "alice") })).body
      expect(r.apiUrl).toBe("/jmap/api")
      expect(r.uploadUrl).toBe("/jmap/upload/{accountId}/")
      const resolved = new URL(r.apiUrl, relative.sessionUrl).href
      const viaResolved = yield* http(resolved, {
        method: "POST",
        headers: { ...bearer(relative, "alice"), "content-type": "application/json" },
        body: JSON.stringify({ using: ["urn:ietf:params:jmap:core"], methodCalls: [["Core/echo", { x: 1 }, "0"]] })
      })
      expect(viaResolved.body.methodResponses[0]).toEqual(["Core/echo", { x: 1 }, "0"])
    }))

  it.scoped("reports the Session state in every API response and changes it when the session changes", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const before = (yield* http(server.sessionUrl, { headers: bearer(server, "alice") })).body.state
      const response = yield* request(server, "alice", [["Core/echo", {}, "0"]])
      expect(response.sessionState).toBe(before)
      yield* server.backend.bumpSessionState
      const after = (yield* http(server.sessionUrl, { headers: bearer(server, "alice") })).body.state
      expect(after).not.toBe(before)
      expect((yield* request(server, "alice", [["Core/echo", {}, "0"]])).sessionState).toBe(after)
    }))
})
