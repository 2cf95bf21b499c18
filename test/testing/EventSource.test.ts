import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { ChatServer } from "../../src/testing/index.js"
import { acct, bearer, call, directChat, get, http, send, stateOf } from "./helpers.js"
import { advanceWhenSleeping, openSse } from "./streams.js"

const sseUrl = (server: ChatServer.Service, params: { types?: string; closeafter?: string; ping?: number } = {}) =>
  `${server.url}/jmap/eventsource?types=${params.types ?? "*"}&closeafter=${params.closeafter ?? "no"}&ping=${
    params.ping ?? 0
  }`

describe("EventSource push (RFC 8620 §7.3, draft-atwood-jmap-chat-00 §Push)", () => {
  it.scoped("pushes StateChange events with ids for the recipient's account", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const chatId = yield* directChat(server, "alice", "bob")
      const sse = yield* openSse(sseUrl(server), bearer(server, "bob"))
      expect(sse.status).toBe(200)
      expect(sse.contentType).toContain("text/event-stream")
      yield* send(server, "alice", chatId, "hello")
      const event = yield* sse.next
      const bob = acct(server, "bob")
      expect(event).toMatchObject({ event: "state", id: expect.stringMatching(/^\d+$/) })
      expect(event!.data["@type"]).toBe("StateChange")
      expect(Object.keys(event!.data.changed)).toEqual([bob])
      expect(event!.data.changed[bob]).toMatchObject({
        Message: yield* stateOf(server, "bob", "Message"),
        Chat: yield* stateOf(server, "bob", "Chat"),
        ChatContact: yield* stateOf(server, "bob", "ChatContact")
      })
    }))

  it.scoped("pushes typing and presence events without @type", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const chatId = yield* directChat(server, "alice", "bob")
      yield* send(server, "alice", chatId, "hello")
      const sse = yield* openSse(sseUrl(server), bearer(server, "bob"))
      const alice = server.user("alice")
      yield* call(server, "alice", "Chat/typing", { accountId: alice.accountId, chatId, typing: true })
      const typing = yield* sse.next
      expect(typing).toMatchObject({ event: "typing", data: { chatId, senderId: alice.userId, typing: true } })
      expect(typing!.data["@type"]).toBeUndefined()
      const [presence] = yield* get(server, "alice", "PresenceStatus")
      yield* call(server, "alice", "PresenceStatus/set", {
        accountId: alice.accountId,
        update: { [presence.id]: { presence: "away", statusText: "Lunch" } }
      })
      expect((yield* sse.next)!.event).toBe("state")
      const event = yield* sse.next
      expect(event).toMatchObject({
        event: "presence",
        data: {
          contactId: alice.userId,
          presence: "away",
          statusText: "Lunch",
          statusEmoji: null,
          lastActiveAt: expect.any(String)
        }
      })
      expect(Number(event!.id)).toBeGreaterThan(Number(typing!.id))
      const missing = yield* call(server, "alice", "Chat/typing", {
        accountId: alice.accountId,
        chatId: "nope",
        typing: true
      })
      expect(missing.error.type).toBe("notFound")
    }))

  it.scoped("suppresses typing for recipients who turned it off or block the sender", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const alice = server.user("alice")
      const quiet = yield* directChat(server, "alice", "bob")
      const group = yield* call(server, "alice", "Chat/set", {
        accountId: alice.accountId,
        create: { g: { kind: "group", name: "G", memberIds: [server.user("bob").userId, server.user("carol").userId] } }
      })
      const groupId = group.created.g.id
      yield* send(server, "alice", quiet, "x")
      yield* call(server, "bob", "Chat/set", {
        accountId: acct(server, "bob"),
        update: { [quiet]: { receiveTypingIndicators: false } }
      })
      const sse = yield* openSse(sseUrl(server), bearer(server, "bob"))
      yield* call(server, "alice", "Chat/typing", { accountId: alice.accountId, chatId: quiet, typing: true })
      yield* call(server, "alice", "Chat/typing", { accountId: alice.accountId, chatId: groupId, typing: true })
      expect((yield* sse.next)!.data.chatId).toBe(groupId)
      yield* call(server, "bob", "ChatContact/set", {
        accountId: acct(server, "bob"),
        update: { [alice.userId]: { blocked: true } }
      })
      expect((yield* sse.next)!.event).toBe("state")
      yield* call(server, "alice", "Chat/typing", { accountId: alice.accountId, chatId: groupId, typing: false })
      yield* call(server, "carol", "Chat/typing", { accountId: acct(server, "carol"), chatId: groupId, typing: true })
      expect((yield* sse.next)!.data).toEqual({ chatId: groupId, senderId: server.user("carol").userId, typing: true })
    }))

  it.scoped("replays missed StateChanges after Last-Event-ID, and sends current states when it cannot", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const chatId = yield* directChat(server, "alice", "bob")
      const first = yield* Effect.scoped(Effect.gen(function*() {
        const sse = yield* openSse(sseUrl(server), bearer(server, "bob"))
        yield* send(server, "alice", chatId, "one")
        return (yield* sse.next)!
      }))
      yield* send(server, "alice", chatId, "two")
      yield* send(server, "alice", chatId, "three")
      const sse = yield* openSse(sseUrl(server), { ...bearer(server, "bob"), "last-event-id": first.id! })
      const replayed = [(yield* sse.next)!, (yield* sse.next)!]
      expect(replayed.map((e) => Number(e.id))).toEqual([Number(first.id) + 1, Number(first.id) + 2])
      expect(replayed[1]!.data.changed[acct(server, "bob")].Message).toBe(yield* stateOf(server, "bob", "Message"))
      yield* send(server, "alice", chatId, "four")
      expect(Number((yield* sse.next)!.id)).toBe(Number(first.id) + 3)

      const unknown = yield* openSse(sseUrl(server), { ...bearer(server, "bob"), "last-event-id": "not-an-id" })
      const snapshot = (yield* unknown.next)!
      expect(snapshot.event).toBe("state")
      expect(Object.keys(snapshot.data.changed[acct(server, "bob")]).sort()).toEqual(
        [
          "Chat",
          "ChatContact",
          "CustomEmoji",
          "Message",
          "PresenceStatus",
          "Quota",
          "ReadPosition",
          "Space",
          "SpaceBan",
          "SpaceInvite"
        ]
      )
    }))

  it.scoped("honours types and closeafter=state", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const chatId = yield* directChat(server, "alice", "bob")
      const onlyChats = yield* openSse(sseUrl(server, { types: "Chat", closeafter: "state" }), bearer(server, "bob"))
      yield* send(server, "alice", chatId, "hello")
      const event = (yield* onlyChats.next)!
      expect(Object.keys(event.data.changed[acct(server, "bob")])).toEqual(["Chat"])
      expect(yield* onlyChats.next).toBeUndefined()
    }))

  it.scoped("sends ping events with the interval on the Effect clock", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const sse = yield* openSse(sseUrl(server, { ping: 30 }), bearer(server, "alice"))
      yield* advanceWhenSleeping("30 seconds")
      expect(yield* sse.next).toMatchObject({ event: "ping", data: { interval: 30 } })
      const bad = yield* http(sseUrl(server, { ping: -1 }), { headers: bearer(server, "alice") })
      expect(bad.status).toBe(400)
    }))

  it.scoped("requires authentication, accepting access_token in the URL", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      expect((yield* http(sseUrl(server))).status).toBe(401)
      const viaQuery = yield* openSse(`${sseUrl(server)}&access_token=${server.user("bob").token}`, {})
      expect(viaQuery.status).toBe(200)
      const chatId = yield* directChat(server, "alice", "bob")
      yield* send(server, "alice", chatId, "hello")
      expect((yield* viaQuery.next)!.event).toBe("state")
    }))
})
