import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, TestClock } from "effect"
import { ChatServer } from "../../src/testing/index.js"
import { acct, call, directChat, get, post, send, USING } from "./helpers.js"
import { advanceWhenSleeping } from "./streams.js"

describe("time-driven behaviour on the Effect clock", () => {
  it.scoped("hard-deletes messages at senderExpiresAt, reporting them destroyed", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const chatId = yield* directChat(server, "alice", "bob")
      const sent = yield* call(server, "alice", "Message/set", {
        accountId: acct(server, "alice"),
        create: {
          m: {
            chatId,
            body: "ephemeral",
            bodyType: "text/plain",
            sentAt: "1970-01-01T00:00:00Z",
            senderExpiresAt: "1970-01-01T00:00:10Z"
          }
        }
      })
      const [bobCopy] = yield* get(server, "bob", "Message")
      const bobState = (yield* call(server, "bob", "Message/get", { accountId: acct(server, "bob"), ids: [] })).state
      yield* TestClock.adjust("10 seconds")
      const changes = yield* call(server, "bob", "Message/changes", {
        accountId: acct(server, "bob"),
        sinceState: bobState
      })
      expect(changes.destroyed).toEqual([bobCopy.id])
      expect(yield* get(server, "alice", "Message", [sent.created.m.id])).toEqual([])
    }))

  it.scoped("lifts muteUntil, presence expiry and ban expiry when their time passes", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const chatId = yield* directChat(server, "bob", "alice")
      yield* call(server, "bob", "Chat/set", {
        accountId: acct(server, "bob"),
        update: { [chatId]: { muted: true, muteUntil: "1970-01-01T00:01:00Z" } }
      })
      const [presence] = yield* get(server, "bob", "PresenceStatus")
      yield* call(server, "bob", "PresenceStatus/set", {
        accountId: acct(server, "bob"),
        update: { [presence.id]: { presence: "busy", statusText: "Focus", expiresAt: "1970-01-01T00:01:00Z" } }
      })
      const space = yield* call(server, "alice", "Space/set", {
        accountId: acct(server, "alice"),
        create: { s: { name: "S" } }
      })
      const spaceId = space.created.s.id
      yield* call(server, "alice", "Space/set", {
        accountId: acct(server, "alice"),
        update: { [spaceId]: { isPublic: true } }
      })
      yield* call(server, "alice", "SpaceBan/set", {
        accountId: acct(server, "alice"),
        create: { b: { spaceId, userId: server.user("carol").userId, expiresAt: "1970-01-01T00:01:00Z" } }
      })
      expect((yield* call(server, "carol", "Space/join", { accountId: acct(server, "carol"), spaceId })).error.type)
        .toBe("forbidden")
      yield* TestClock.adjust("1 minute")
      const [chat] = yield* get(server, "bob", "Chat", [chatId])
      expect(chat.muted).toBe(false)
      expect(chat.muteUntil).toBeUndefined()
      expect((yield* get(server, "bob", "PresenceStatus"))[0]).toMatchObject({ presence: "online" })
      expect((yield* get(server, "bob", "PresenceStatus"))[0].statusText).toBeUndefined()
      expect(yield* get(server, "alice", "SpaceBan")).toEqual([])
      expect((yield* call(server, "carol", "Space/join", { accountId: acct(server, "carol"), spaceId })).spaceId).toBe(
        spaceId
      )
    }))

  it.scoped("refuses expired invites", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const space = yield* call(server, "alice", "Space/set", {
        accountId: acct(server, "alice"),
        create: { s: { name: "S" } }
      })
      const invite = yield* call(server, "alice", "SpaceInvite/set", {
        accountId: acct(server, "alice"),
        create: { i: { spaceId: space.created.s.id, expiresAt: "1970-01-01T01:00:00Z" } }
      })
      yield* TestClock.adjust("1 hour")
      const join = yield* call(server, "bob", "Space/join", {
        accountId: acct(server, "bob"),
        inviteCode: invite.created.i.code
      })
      expect(join.error.type).toBe("invalidArguments")
    }))

  it.scoped("enforces maxConcurrentRequests per user with a limit problem", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make({ limits: { maxConcurrentRequests: 1 } })
      const body = { using: USING, methodCalls: [["Core/echo", {}, "0"]] }
      yield* server.faults.delayNext(1, "1 second")
      const slow = yield* Effect.fork(post(server, "alice", body))
      yield* advanceWhenSleeping("0 seconds")
      const second = yield* post(server, "alice", body)
      expect(second.status).toBe(400)
      expect(second.body).toMatchObject({ type: "urn:ietf:params:jmap:error:limit", limit: "maxConcurrentRequests" })
      expect((yield* post(server, "bob", body)).status).toBe(200)
      yield* TestClock.adjust("1 second")
      expect((yield* Fiber.join(slow)).status).toBe(200)
      expect((yield* post(server, "alice", body)).status).toBe(200)
    }))

  it.scoped("removes a destroyed direct chat from one mailbox only; new messages bring it back without the old ones", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const chatId = yield* directChat(server, "alice", "bob")
      yield* send(server, "alice", chatId, "old")
      const destroyed = yield* call(server, "bob", "Chat/set", { accountId: acct(server, "bob"), destroy: [chatId] })
      expect(destroyed.destroyed).toEqual([chatId])
      expect(yield* get(server, "bob", "Chat")).toEqual([])
      expect(yield* get(server, "bob", "ReadPosition")).toEqual([])
      expect(yield* get(server, "alice", "Chat")).toHaveLength(1)
      yield* send(server, "alice", chatId, "new")
      expect((yield* get(server, "bob", "Message")).map((m) => m.body)).toEqual(["new"])
    }))
})
