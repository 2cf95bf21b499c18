/**
 * Compliance tests §1 (data types), §2.1–2.4 (wire format) and §11 (unread count) of
 * `jmap-chat-compliance-tests.md`, through the socket-less `ChatClient` (HTTP does not matter
 * here) against the reference server's backend.
 *
 * | Item | Why it is not tested here |
 * |---|---|
 * | 1.3 | Federation: the reference server has no peers, so no contact ever has a `serverUrl` (see `federation.test.ts`). |
 * | 1.9 (`Peer/groupUpdate`) | Federation only; the client-side half (roles other than `admin`/`member` refused) is tested below. |
 * | 2.5 | A push payload: in `push.test.ts`. |
 *
 * 1.4 deletes through `Message/set update {deletedAt}` (the core draft's way). The compliance text
 * deletes with `destroy`, which RFC 8620 §5.3 defines as removal; the server follows RFC 8620 and
 * the test checks that too (spec-digest §7.9).
 */
import { expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { ChatClientTest } from "../../src/testing/index.js"
import { complianceServer, directChat, people, recording } from "./support.js"

const utcDate = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/

it.layer(ChatClientTest.layer({ server: complianceServer }))("compliance §1, §2, §11: data model", (it) => {
  it.effect("1.1 ChatContact.id is the authentication userId, not a surrogate", () =>
    Effect.gen(function*() {
      const { alice, backend, id } = yield* people
      yield* directChat(alice, id("bob"))
      const contacts = (yield* alice.ChatContact.get()).list
      expect(contacts.find((c) => c.login === backend.user("bob").login)?.id).toBe(id("bob"))
      for (const contact of contacts) expect(backend.users.map((u) => u.userId)).toContain(contact.id)
    }))

  it.effect("1.2 ChatContact carries every required field (null allowed)", () =>
    Effect.gen(function*() {
      const { alice, id } = yield* people
      yield* directChat(alice, id("carol"))
      const contacts = (yield* alice.ChatContact.get()).list
      expect(contacts.length).toBeGreaterThan(0)
      for (const contact of contacts) {
        for (
          const field of [
            "id",
            "login",
            "displayName",
            "blocked",
            "firstSeenAt",
            "lastSeenAt",
            "presence",
            "lastActiveAt",
            "statusText",
            "statusEmoji",
            "endpoints"
          ]
        ) expect(contact).toHaveProperty(field)
      }
    }))

  it.effect("1.4 a deleted message has a UTCDate deletedAt (no boolean deleted) and an empty body", () =>
    Effect.gen(function*() {
      const { alice, bob, id } = yield* people
      const chatId = yield* directChat(alice, id("bob"))
      const mine = yield* alice.Message.send({ chatId, body: "delete me locally" })
      const forAll = yield* alice.Message.send({ chatId, body: "delete me for everyone" })
      yield* alice.Message.updateOne({ id: mine.id, patch: { deletedAt: "2026-01-01T00:00:00Z" } })
      yield* alice.Message.updateOne({
        id: forAll.id,
        patch: { deletedAt: "2026-01-01T00:00:00Z", deletedForAll: true }
      })
      const tombstones = [
        ...(yield* alice.Message.get({ ids: [mine.id, forAll.id] })).list,
        ...(yield* bob.Message.list({ filter: { chatId } })).list.filter((m) => m.senderMsgId === forAll.id)
      ]
      expect(tombstones).toHaveLength(3)
      for (const message of tombstones) {
        expect(message.deletedAt).toMatch(utcDate)
        expect(message.body).toBe("")
        expect(message).not.toHaveProperty("deleted")
      }
      const destroyed = yield* alice.Message.send({ chatId, body: "destroy me" })
      yield* alice.Message.destroyOne({ id: destroyed.id })
      expect((yield* alice.Message.get({ ids: [destroyed.id] })).notFound).toEqual([destroyed.id])
    }))

  it.effect("1.5 a ReadPosition has a server-assigned id distinct from its chatId", () =>
    Effect.gen(function*() {
      const { alice, bob, id } = yield* people
      const chatId = yield* directChat(alice, id("bob"))
      const sent = yield* alice.Message.send({ chatId, body: "read me" })
      const [received] = (yield* bob.Message.list({ filter: { chatId } })).list.filter((m) => m.senderMsgId === sent.id)
      const position = (yield* bob.ReadPosition.get()).list.find((p) => p.chatId === chatId)!
      yield* bob.ReadPosition.updateOne({ id: position.id, patch: { lastReadMessageId: received!.id } })
      const positions = (yield* bob.ReadPosition.get({ ids: null })).list
      expect(positions.length).toBeGreaterThan(0)
      for (const p of positions) {
        expect(p.id).toEqual(expect.any(String))
        expect(p.id).not.toBe(p.chatId)
      }
    }))

  it.effect("1.6 the ReadPosition timestamp is lastReadAt", () =>
    Effect.gen(function*() {
      const { alice, id } = yield* people
      yield* directChat(alice, id("carol"))
      const positions = (yield* alice.ReadPosition.get()).list
      expect(positions.length).toBeGreaterThan(0)
      for (const p of positions) {
        expect(p.lastReadAt).toMatch(utcDate)
        expect(p).not.toHaveProperty("updatedAt")
      }
    }))

  it.effect("1.7 ChatMember.invitedBy is whoever added the member, null for the creator", () =>
    Effect.gen(function*() {
      const { alice, bob, id } = yield* people
      const group = yield* alice.Chat.createOne({ kind: "group", name: "1.7", memberIds: [id("bob")] })
      yield* alice.Chat.updateOne({
        id: group.id,
        patch: { addMembers: [{ id: id("carol") }], updateMemberRoles: [{ id: id("bob"), role: "admin" }] }
      })
      const after = yield* bob.Chat.updateOne({ id: group.id, patch: { addMembers: [{ id: id("dave") }] } })
      expect(after.members).toEqual(expect.arrayContaining([
        expect.objectContaining({ id: id("alice"), invitedBy: null }),
        expect.objectContaining({ id: id("bob"), invitedBy: id("alice") }),
        expect.objectContaining({ id: id("carol"), invitedBy: id("alice") }),
        expect.objectContaining({ id: id("dave"), invitedBy: id("bob") })
      ]))
    }))

  it.effect("1.8 Message.receivedAt is always present", () =>
    Effect.gen(function*() {
      const { alice, bob, id } = yield* people
      const chatId = yield* directChat(alice, id("bob"))
      const sent = yield* alice.Message.send({ chatId, body: "when?" })
      const own = (yield* alice.Message.get({ ids: [sent.id] })).list[0]
      const received = (yield* bob.Message.list({ filter: { chatId } })).list.find((m) => m.senderMsgId === sent.id)
      expect(own?.receivedAt).toMatch(utcDate)
      expect(received?.receivedAt).toMatch(utcDate)
    }))

  it.effect("1.9 ChatMember.role is admin or member: other roles are refused", () =>
    Effect.gen(function*() {
      const { alice, id } = yield* people
      const group = yield* alice.Chat.createOne({ kind: "group", name: "1.9", memberIds: [id("bob")] })
      const owner = yield* Effect.flip(
        alice.Chat.updateOne({ id: group.id, patch: { updateMemberRoles: [{ id: id("bob"), role: "owner" }] } })
      )
      expect(owner).toMatchObject({ _tag: "SetFailed", type: "invalidProperties" })
      const guest = yield* Effect.flip(
        alice.Chat.updateOne({ id: group.id, patch: { addMembers: [{ id: id("carol"), role: "guest" }] } })
      )
      expect(guest).toMatchObject({ _tag: "SetFailed", type: "invalidProperties" })
      const members = (yield* alice.Chat.get({ ids: [group.id] })).list[0]!.members!
      expect(members.map((m) => [m.id, m.role])).toEqual([[id("alice"), "admin"], [id("bob"), "member"]])
    }))

  it.effect("1.10 a ReadPosition of an unread chat has lastReadMessageId null", () =>
    Effect.gen(function*() {
      const { alice, erin, id } = yield* people
      const chatId = yield* directChat(alice, id("erin"))
      yield* alice.Message.send({ chatId, body: "unread" })
      const position = (yield* erin.ReadPosition.get()).list.find((p) => p.chatId === chatId)
      expect(position).toHaveProperty("lastReadMessageId", null)
    }))

  it.effect("2.1 Message body and bodyType are top-level strings", () =>
    Effect.gen(function*() {
      const { backend, id } = yield* people
      const alice = recording(backend, "alice")
      const chatId = yield* directChat(alice.client, id("bob"))
      const sent = yield* alice.client.Message.send({ chatId, body: "Hello world", bodyType: "text/plain" })
      const [created] = Object.values(alice.lastCall()["create"]) as Array<Record<string, unknown>>
      expect(created).toMatchObject({ chatId, body: "Hello world", bodyType: "text/plain" })
      const [stored] = (yield* alice.client.Message.get({ ids: [sent.id] })).list
      expect(stored).toMatchObject({ body: "Hello world", bodyType: "text/plain" })
    }))

  it.effect("2.2 senderId is \"self\" in the sender's copy and the sender's userId elsewhere", () =>
    Effect.gen(function*() {
      const { alice, bob, id } = yield* people
      const chatId = yield* directChat(alice, id("bob"))
      const sent = yield* alice.Message.send({ chatId, body: "who sent this?" })
      expect((yield* alice.Message.get({ ids: [sent.id] })).list[0]?.senderId).toBe("self")
      const received = (yield* bob.Message.list({ filter: { chatId } })).list.find((m) => m.senderMsgId === sent.id)
      expect(received?.senderId).toBe(id("alice"))
    }))

  it.effect("2.3 a direct chat is created with contactId, not memberIds", () =>
    Effect.gen(function*() {
      const { backend, id } = yield* people
      const frank = recording(backend, "frank")
      const chat = yield* frank.client.Chat.createOne({ kind: "direct", contactId: id("alice") })
      const [created] = Object.values(frank.lastCall()["create"]) as Array<Record<string, unknown>>
      expect(created).toEqual({ kind: "direct", contactId: id("alice") })
      expect(chat).toMatchObject({ kind: "direct", contactId: id("alice") })
    }))

  it.effect("2.4 a duplicate direct chat is refused with alreadyExists and existingId", () =>
    Effect.gen(function*() {
      const { bob, id } = yield* people
      const first = yield* bob.Chat.createOne({ kind: "direct", contactId: id("frank") })
      const again = yield* bob.Chat.create({ kind: "direct", contactId: id("frank"), clientId: "again" })
      expect(again.created ?? {}).toEqual({})
      expect(again.notCreated?.["again"]).toMatchObject({ type: "alreadyExists", existingId: first.id })
      expect((yield* bob.Chat.createOne({ kind: "direct", contactId: id("frank") })).id).toBe(first.id)
    }))

  it.effect("2.4 (core draft reading) the client also accepts the existing chat in updated", () =>
    Effect.gen(function*() {
      const { alice, id } = yield* people.pipe(
        Effect.provide(ChatClientTest.layer({ server: { ...complianceServer, directChatDuplicate: "updated" } }))
      )
      const first = yield* alice.Chat.createOne({ kind: "direct", contactId: id("bob") })
      const again = yield* alice.Chat.create({ kind: "direct", contactId: id("bob"), clientId: "again" })
      expect(Object.keys(again.updated ?? {})).toEqual([first.id])
      expect((yield* alice.Chat.createOne({ kind: "direct", contactId: id("bob") })).id).toBe(first.id)
    }))

  it.effect("11.1 five messages read up to the third leave an unreadCount of 2", () =>
    Effect.gen(function*() {
      const { alice, dave, id } = yield* people
      const chatId = yield* directChat(alice, id("dave"))
      const sent = yield* Effect.forEach([1, 2, 3, 4, 5], (n) => alice.Message.send({ chatId, body: `message ${n}` }))
      const inbox = (yield* dave.Message.list({ filter: { chatId } })).list
      const third = inbox.find((m) => m.senderMsgId === sent[2]!.id)!
      expect((yield* dave.Chat.get({ ids: [chatId] })).list[0]?.unreadCount).toBe(5)
      const position = (yield* dave.ReadPosition.get()).list.find((p) => p.chatId === chatId)!
      yield* dave.ReadPosition.updateOne({ id: position.id, patch: { lastReadMessageId: third.id } })
      expect((yield* dave.Chat.get({ ids: [chatId] })).list[0]?.unreadCount).toBe(2)
    }))
})
