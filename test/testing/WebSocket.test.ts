import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { ChatServer } from "../../src/testing/index.js"
import { acct, bearer, call, directChat, get, send, stateOf, USING } from "./helpers.js"
import { openWs, upgradeStatus, type WsClient } from "./streams.js"

const connect = (server: ChatServer.Service, who: string) =>
  openWs(server.webSocketUrl, { headers: bearer(server, who) })

/** Frames are handled in order: once this Request is answered, every earlier frame has been processed. */
const sync = (ws: WsClient) =>
  Effect.gen(function*() {
    yield* ws.send({ "@type": "Request", id: "sync", using: USING, methodCalls: [] })
    expect((yield* ws.next).requestId).toBe("sync")
  })

describe("WebSocket (RFC 8887, draft-atwood-jmap-chat-wss-00)", () => {
  it.scoped("negotiates the jmap subprotocol and answers Requests with Responses carrying requestId", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const ws = yield* connect(server, "alice")
      expect(ws.protocol).toBe("jmap")
      yield* ws.send({ "@type": "Request", id: "R1", using: USING, methodCalls: [["Core/echo", { a: 1 }, "0"]] })
      const response = yield* ws.next
      expect(response).toEqual({
        "@type": "Response",
        requestId: "R1",
        methodResponses: [["Core/echo", { a: 1 }, "0"]],
        sessionState: expect.any(String)
      })
    }))

  it.scoped("answers bad frames with RequestError and ignores unknown @types", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const ws = yield* connect(server, "alice")
      yield* ws.sendText("{not json")
      expect(yield* ws.next).toMatchObject({ "@type": "RequestError", type: "urn:ietf:params:jmap:error:notJSON" })
      yield* ws.send("a JSON string")
      expect(yield* ws.next).toMatchObject({ "@type": "RequestError", type: "urn:ietf:params:jmap:error:notRequest" })
      yield* ws.send({ "@type": "Request", id: "R2", methodCalls: [] })
      expect(yield* ws.next).toMatchObject({
        "@type": "RequestError",
        requestId: "R2",
        type: "urn:ietf:params:jmap:error:notRequest",
        status: 400
      })
      yield* ws.send({ "@type": "VTCStreamEnable", whatever: true })
      yield* ws.send({ "@type": "Request", id: "R3", using: USING, methodCalls: [] })
      expect(yield* ws.next).toMatchObject({ "@type": "Response", requestId: "R3" })
    }))

  it.scoped("pushes StateChanges with pushState after WebSocketPushEnable, filtered by dataTypes, until disabled", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const chatId = yield* directChat(server, "alice", "bob")
      const ws = yield* connect(server, "bob")
      yield* ws.send({ "@type": "WebSocketPushEnable", dataTypes: ["Message"] })
      yield* sync(ws)
      yield* send(server, "alice", chatId, "hello")
      const change = yield* ws.next
      expect(change).toEqual({
        "@type": "StateChange",
        changed: { [acct(server, "bob")]: { Message: yield* stateOf(server, "bob", "Message") } },
        pushState: expect.stringMatching(/^\d+$/)
      })
      yield* ws.send({ "@type": "WebSocketPushDisable" })
      yield* sync(ws)
      yield* send(server, "alice", chatId, "again")
      yield* ws.send({ "@type": "Request", id: "after", using: USING, methodCalls: [] })
      expect((yield* ws.next)["@type"]).toBe("Response")
    }))

  it.scoped("replays StateChanges newer than pushState on enable", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const chatId = yield* directChat(server, "alice", "bob")
      const first = yield* Effect.scoped(Effect.gen(function*() {
        const ws = yield* connect(server, "bob")
        yield* ws.send({ "@type": "WebSocketPushEnable", dataTypes: null })
        yield* sync(ws)
        yield* send(server, "alice", chatId, "one")
        return yield* ws.next
      }))
      yield* send(server, "alice", chatId, "two")
      const ws = yield* connect(server, "bob")
      yield* ws.send({ "@type": "WebSocketPushEnable", dataTypes: null, pushState: first.pushState })
      const replayed = yield* ws.next
      expect(Number(replayed.pushState)).toBeGreaterThan(Number(first.pushState))
      expect(replayed.changed[acct(server, "bob")].Message).toBe(yield* stateOf(server, "bob", "Message"))
    }))

  it.scoped("delivers ChatTypingEvent and ChatPresenceEvent per ChatStreamEnable, filtered by chatIds and contactIds", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const alice = server.user("alice")
      const carol = server.user("carol")
      const withAlice = yield* directChat(server, "alice", "bob")
      const withCarol = yield* directChat(server, "carol", "bob")
      yield* send(server, "alice", withAlice, "hi")
      yield* send(server, "carol", withCarol, "hi")
      const ws = yield* connect(server, "bob")
      yield* ws.send({
        "@type": "ChatStreamEnable",
        dataTypes: ["typing", "presence", "vtc"],
        chatIds: [withCarol],
        contactIds: [alice.userId]
      })
      yield* sync(ws)
      yield* call(server, "alice", "Chat/typing", { accountId: alice.accountId, chatId: withAlice, typing: true })
      yield* call(server, "carol", "Chat/typing", { accountId: carol.accountId, chatId: withCarol, typing: true })
      expect(yield* ws.next).toEqual({
        "@type": "ChatTypingEvent",
        chatId: withCarol,
        senderId: carol.userId,
        typing: true
      })
      const [carolPresence] = yield* get(server, "carol", "PresenceStatus")
      yield* call(server, "carol", "PresenceStatus/set", {
        accountId: carol.accountId,
        update: { [carolPresence.id]: { presence: "busy" } }
      })
      const [alicePresence] = yield* get(server, "alice", "PresenceStatus")
      yield* call(server, "alice", "PresenceStatus/set", {
        accountId: alice.accountId,
        update: { [alicePresence.id]: { presence: "away", statusEmoji: "🍜" } }
      })
      const presence = yield* ws.next
      expect(presence).toEqual({
        "@type": "ChatPresenceEvent",
        contactId: alice.userId,
        presence: "away",
        lastActiveAt: expect.any(String),
        statusEmoji: "🍜"
      })
      yield* ws.send({ "@type": "ChatStreamDisable" })
      yield* sync(ws)
      yield* call(server, "carol", "Chat/typing", { accountId: carol.accountId, chatId: withCarol, typing: false })
      yield* ws.send({ "@type": "Request", id: "sentinel", using: USING, methodCalls: [] })
      expect((yield* ws.next).requestId).toBe("sentinel")
    }))

  it.scoped("rejects an invalid ChatStreamEnable with RequestError and keeps the current subscription", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const chatId = yield* directChat(server, "alice", "bob")
      yield* send(server, "alice", chatId, "hi")
      const ws = yield* connect(server, "bob")
      yield* ws.send({ "@type": "ChatStreamEnable", dataTypes: ["typing"], chatIds: null, contactIds: null })
      for (const bad of [{ dataTypes: [] }, { dataTypes: ["scene"] }, { dataTypes: ["typing"], chatIds: "all" }]) {
        yield* ws.send({ "@type": "ChatStreamEnable", ...bad })
        expect(yield* ws.next).toMatchObject({
          "@type": "RequestError",
          type: "urn:ietf:params:jmap:error:invalidArguments"
        })
      }
      yield* call(server, "alice", "Chat/typing", { accountId: acct(server, "alice"), chatId, typing: true })
      expect((yield* ws.next)["@type"]).toBe("ChatTypingEvent")
    }))

  it.scoped("closes with 1003 on a binary frame", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const ws = yield* connect(server, "alice")
      yield* ws.sendBinary(new Uint8Array([1, 2, 3]))
      expect(yield* ws.closed).toBe(1003)
    }))

  it.scoped("authenticates the upgrade (header or access_token) and requires the jmap subprotocol", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      expect(yield* upgradeStatus(server.webSocketUrl)).toBe(401)
      expect(yield* upgradeStatus(server.webSocketUrl, { headers: { authorization: "Bearer nope" } })).toBe(401)
      expect(yield* upgradeStatus(`${server.webSocketUrl}?access_token=${server.user("alice").token}`)).toBe(101)
      expect(yield* upgradeStatus(server.webSocketUrl, { headers: bearer(server, "alice"), protocols: ["chat"] })).toBe(
        400
      )
    }))
})
