/**
 * Compliance tests §9 (scheduling and lifecycle) of `jmap-chat-compliance-tests.md`, through the
 * socket-less `ChatClient`. The reference server reads the Effect `Clock` and applies due expiries
 * before every request, so `TestClock.adjust` stands in for "run the expiry sweep". The server
 * runs with `presenceExpiry: "offline"`, the compliance reading of 9.3 (the core draft says
 * `"online"`, spec-digest §7.11).
 *
 * Every item of §9 is tested.
 */
import { expect, it } from "@effect/vitest"
import { Clock, Effect, TestClock } from "effect"
import { ChatClientTest } from "../../src/testing/index.js"
import { complianceServer, directChat, people, spaceWithChannel } from "./support.js"

/** The UTCDate `ms` milliseconds from the server's (test) clock. */
const fromNow = (ms: number) => Effect.map(Clock.currentTimeMillis, (now) => new Date(now + ms).toISOString())

it.layer(ChatClientTest.layer({ server: complianceServer }))("compliance §9: lifecycle", (it) => {
  it.effect("9.1 a burnOnRead message is hard-deleted as soon as it is read", () =>
    Effect.gen(function*() {
      const { alice, bob, id } = yield* people
      const chatId = yield* directChat(alice, id("bob"))
      const sent = yield* alice.Message.send({ chatId, body: "read once", burnOnRead: true })
      const received = (yield* bob.Message.list({ filter: { chatId } })).list.find((m) => m.senderMsgId === sent.id)!
      expect(received.burnOnRead).toBe(true)
      const { state } = yield* bob.Message.get({ ids: [received.id] })
      yield* bob.Message.update({ id: received.id, patch: { readAt: yield* fromNow(0) } })
      expect(yield* bob.Message.get({ ids: [received.id] })).toMatchObject({ list: [], notFound: [received.id] })
      const changes = yield* bob.Message.sync({ sinceState: state })
      expect(changes.destroyed).toEqual([received.id])
      expect(changes.updated).toEqual([])
    }))

  it.effect("9.2 an expired SpaceBan is lifted", () =>
    Effect.gen(function*() {
      const { alice, frank, id } = yield* people
      const { spaceId } = yield* spaceWithChannel(alice, [id("frank")], "9.2")
      yield* alice.Space.updateOne({ id: spaceId, patch: { isPublic: true } })
      const ban = yield* alice.SpaceBan.createOne({
        spaceId,
        userId: id("frank"),
        expiresAt: yield* fromNow(3_600_000)
      })
      expect(yield* Effect.flip(frank.Space.join({ spaceId }))).toMatchObject({
        _tag: "MethodError",
        type: "forbidden"
      })
      yield* TestClock.adjust("2 hours")
      expect((yield* alice.SpaceBan.get({ ids: [ban.id] })).notFound).toEqual([ban.id])
      expect(yield* frank.Space.join({ spaceId })).toMatchObject({ spaceId })
    }))

  it.effect("9.3 (SHOULD) an expired PresenceStatus resets to offline", () =>
    Effect.gen(function*() {
      const { bob, dave, id } = yield* people
      yield* directChat(dave, id("bob"))
      const [presence] = (yield* bob.PresenceStatus.get()).list
      yield* bob.PresenceStatus.updateOne({
        id: presence!.id,
        patch: { presence: "busy", statusText: "in a meeting", expiresAt: yield* fromNow(1_800_000) }
      })
      const contact = () => Effect.map(dave.ChatContact.get({ ids: [id("bob")] }), (r) => r.list[0])
      expect(yield* contact()).toMatchObject({ presence: "busy", statusText: "in a meeting" })
      yield* TestClock.adjust("1 hour")
      const after = (yield* bob.PresenceStatus.get()).list[0]!
      expect(after.presence).toBe("offline")
      expect(after.statusText ?? null).toBeNull()
      expect(after.expiresAt ?? null).toBeNull()
      expect(yield* contact()).toMatchObject({ presence: "offline", statusText: null })
    }))

  it.effect("9.4 (SHOULD) an expired muteUntil leaves the chat unmuted with no muteUntil", () =>
    Effect.gen(function*() {
      const { carol, id } = yield* people
      const chatId = yield* directChat(carol, id("alice"))
      const muted = yield* carol.Chat.updateOne({
        id: chatId,
        patch: { muted: true, muteUntil: yield* fromNow(3_600_000) }
      })
      expect(muted).toMatchObject({ muted: true, muteUntil: expect.any(String) })
      yield* TestClock.adjust("2 hours")
      const [chat] = (yield* carol.Chat.get({ ids: [chatId] })).list
      expect(chat?.muted).toBe(false)
      expect(chat?.muteUntil ?? null).toBeNull()
    }))
})
