import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { ChatServer } from "../../src/testing/index.js"
import { acct, call, directChat, get, send } from "./helpers.js"

const reactionKey = "01HZZZZZZZZZZZZZZZZZZZZZZZ"

/** alice → bob direct chat with one message, seen from both sides. */
const conversation = Effect.gen(function*() {
  const server = yield* ChatServer.make()
  const chatId = yield* directChat(server, "alice", "bob")
  const aliceMessageId = yield* send(server, "alice", chatId, "hello bob")
  const [bobMessage] = yield* get(server, "bob", "Message")
  return { server, chatId, aliceMessageId, bobMessageId: bobMessage.id as string }
})

describe("multi-user chat flows (draft-atwood-jmap-chat-00)", () => {
  it.scoped("delivers a direct message to the other mailbox under its own id, with the right senderId", () =>
    Effect.gen(function*() {
      const { aliceMessageId, bobMessageId, chatId, server } = yield* conversation
      const alice = server.user("alice")
      const bob = server.user("bob")
      const [aliceCopy] = yield* get(server, "alice", "Message", [aliceMessageId])
      const [bobCopy] = yield* get(server, "bob", "Message", [bobMessageId])
      expect(aliceCopy).toMatchObject({ senderId: "self", senderMsgId: aliceMessageId, chatId, body: "hello bob" })
      expect(bobCopy).toMatchObject({ senderId: alice.userId, senderMsgId: aliceMessageId, chatId, body: "hello bob" })
      expect(bobMessageId).not.toBe(aliceMessageId)
      expect(bobCopy.receivedAt).toEqual(expect.any(String))
      const [bobChat] = yield* get(server, "bob", "Chat", [chatId])
      expect(bobChat).toMatchObject({ kind: "direct", contactId: alice.userId, unreadCount: 1 })
      const [aliceChat] = yield* get(server, "alice", "Chat", [chatId])
      expect(aliceChat).toMatchObject({ contactId: bob.userId, unreadCount: 0 })
      const bobContacts = yield* get(server, "bob", "ChatContact")
      expect(bobContacts.map((c) => c.id)).toEqual([alice.userId])
      expect(bobContacts[0]).toMatchObject({
        login: alice.login,
        displayName: "Alice",
        blocked: false,
        presence: "online"
      })
      const aliceContacts = yield* get(server, "alice", "ChatContact")
      expect(aliceContacts.map((c) => c.id)).toEqual([bob.userId])
      expect(yield* get(server, "carol", "Chat")).toEqual([])
    }))

  it.scoped("deduplicates direct chats: the existing one comes back in updated, or as alreadyExists", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const first = yield* directChat(server, "alice", "bob")
      const again = yield* call(server, "alice", "Chat/set", {
        accountId: acct(server, "alice"),
        create: { c2: { kind: "direct", contactId: server.user("bob").userId } }
      })
      expect(again.created).toBeNull()
      expect(again.updated).toEqual({ [first]: null })
      expect(yield* get(server, "alice", "Chat")).toHaveLength(1)
      // bob opening the chat from his side finds the same conversation
      expect(yield* directChat(server, "bob", "alice")).toBe(first)

      const strict = yield* ChatServer.make({ directChatDuplicate: "alreadyExists" })
      const id = yield* directChat(strict, "alice", "bob")
      const dup = yield* call(strict, "alice", "Chat/set", {
        accountId: acct(strict, "alice"),
        create: { c2: { kind: "direct", contactId: strict.user("bob").userId } }
      })
      expect(dup.notCreated.c2).toMatchObject({ type: "alreadyExists", existingId: id })
    }))

  it.scoped("counts unread messages against the ReadPosition (compliance test 11.1) and reports read receipts", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const chatId = yield* directChat(server, "alice", "bob")
      for (let i = 1; i <= 5; i++) yield* send(server, "alice", chatId, `m${i}`)
      const bobMessages = (yield* call(server, "bob", "Message/query", {
        accountId: acct(server, "bob"),
        filter: { chatId }
      })).ids
      const [position] = yield* get(server, "bob", "ReadPosition")
      expect(position).toMatchObject({ chatId, lastReadMessageId: null })
      expect(position.id).not.toBe(chatId)
      const updated = yield* call(server, "bob", "ReadPosition/set", {
        accountId: acct(server, "bob"),
        update: { [position.id]: { lastReadMessageId: bobMessages[2] } }
      })
      expect(updated.notUpdated).toBeNull()
      expect((yield* get(server, "bob", "Chat", [chatId]))[0].unreadCount).toBe(2)
      const aliceMessages = yield* get(server, "alice", "Message")
      expect(aliceMessages.map((m) => m.deliveryState)).toEqual([
        "received",
        "received",
        "received",
        "delivered",
        "delivered"
      ])
      const wrong = yield* call(server, "bob", "ReadPosition/set", {
        accountId: acct(server, "bob"),
        update: { [position.id]: { lastReadMessageId: "not-a-message" } }
      })
      expect(wrong.notUpdated[position.id]).toMatchObject({
        type: "invalidProperties",
        properties: ["lastReadMessageId"]
      })
    }))

  it.scoped("adds and removes reactions through reactions/<id> patches; only the sender may touch them", () =>
    Effect.gen(function*() {
      const { aliceMessageId, bobMessageId, server } = yield* conversation
      const add = yield* call(server, "bob", "Message/set", {
        accountId: acct(server, "bob"),
        update: { [bobMessageId]: { [`reactions/${reactionKey}`]: { emoji: "👍", sentAt: "2026-01-01T00:00:01Z" } } }
      })
      expect(add.updated[bobMessageId].reactions[reactionKey].senderId).toBe("self")
      const [bobCopy] = yield* get(server, "bob", "Message", [bobMessageId])
      expect(bobCopy.reactions).toEqual({
        [reactionKey]: { emoji: "👍", senderId: "self", sentAt: "2026-01-01T00:00:01Z" }
      })
      const [aliceCopy] = yield* get(server, "alice", "Message", [aliceMessageId])
      expect(aliceCopy.reactions[reactionKey].senderId).toBe(server.user("bob").userId)
      const steal = yield* call(server, "alice", "Message/set", {
        accountId: acct(server, "alice"),
        update: { [aliceMessageId]: { [`reactions/${reactionKey}`]: null } }
      })
      expect(steal.notUpdated[aliceMessageId].type).toBe("forbidden")
      const bad = yield* call(server, "bob", "Message/set", {
        accountId: acct(server, "bob"),
        update: { [bobMessageId]: { "reactions/other": { emoji: "" } } }
      })
      expect(bad.notUpdated[bobMessageId]).toMatchObject({ type: "invalidProperties", properties: ["reactions"] })
      yield* call(server, "bob", "Message/set", {
        accountId: acct(server, "bob"),
        update: { [bobMessageId]: { [`reactions/${reactionKey}`]: null } }
      })
      expect((yield* get(server, "alice", "Message", [aliceMessageId]))[0].reactions).toEqual({})
    }))

  it.scoped("keeps an edit history; only the sender may edit", () =>
    Effect.gen(function*() {
      const { aliceMessageId, bobMessageId, server } = yield* conversation
      const edit = yield* call(server, "alice", "Message/set", {
        accountId: acct(server, "alice"),
        update: { [aliceMessageId]: { body: "hello, bob" } }
      })
      expect(edit.updated[aliceMessageId]).toMatchObject({ editedAt: expect.any(String) })
      const [bobCopy] = yield* get(server, "bob", "Message", [bobMessageId])
      expect(bobCopy.body).toBe("hello, bob")
      expect(bobCopy.editHistory).toEqual([{ body: "hello bob", bodyType: "text/plain", editedAt: bobCopy.editedAt }])
      const hijack = yield* call(server, "bob", "Message/set", {
        accountId: acct(server, "bob"),
        update: { [bobMessageId]: { body: "I am alice" } }
      })
      expect(hijack.notUpdated[bobMessageId].type).toBe("forbidden")
    }))

  it.scoped("deletes locally or for everyone, leaving tombstones", () =>
    Effect.gen(function*() {
      const { aliceMessageId, bobMessageId, chatId, server } = yield* conversation
      const at = "2026-01-02T00:00:00Z"
      const forAllByBob = yield* call(server, "bob", "Message/set", {
        accountId: acct(server, "bob"),
        update: { [bobMessageId]: { deletedAt: at, deletedForAll: true } }
      })
      expect(forAllByBob.notUpdated[bobMessageId].type).toBe("forbidden")
      yield* call(server, "bob", "Message/set", {
        accountId: acct(server, "bob"),
        update: { [bobMessageId]: { deletedAt: at } }
      })
      expect((yield* get(server, "bob", "Message", [bobMessageId]))[0]).toMatchObject({
        body: "",
        deletedAt: at,
        attachments: []
      })
      expect((yield* get(server, "alice", "Message", [aliceMessageId]))[0].body).toBe("hello bob")

      const second = yield* send(server, "alice", chatId, "regret")
      yield* call(server, "alice", "Message/set", {
        accountId: acct(server, "alice"),
        update: { [second]: { deletedAt: at, deletedForAll: true } }
      })
      const bobAll = yield* get(server, "bob", "Message")
      const tombstone = bobAll.find((m) => m.senderMsgId === second)
      expect(tombstone).toMatchObject({ body: "", deletedAt: at, deletedForAll: true })
      const undelete = yield* call(server, "alice", "Message/set", {
        accountId: acct(server, "alice"),
        update: { [second]: { deletedAt: null } }
      })
      expect(undelete.notUpdated[second].type).toBe("invalidProperties")
    }))

  it.scoped("marks messages read with a default readDisposition; burnOnRead deletes on read", () =>
    Effect.gen(function*() {
      const { bobMessageId, chatId, server } = yield* conversation
      yield* call(server, "bob", "Message/set", {
        accountId: acct(server, "bob"),
        update: { [bobMessageId]: { readAt: "2026-01-01T00:05:00Z" } }
      })
      expect((yield* get(server, "bob", "Message", [bobMessageId]))[0]).toMatchObject({
        readAt: "2026-01-01T00:05:00Z",
        readDisposition: "displayed"
      })
      const burn = yield* call(server, "alice", "Message/set", {
        accountId: acct(server, "alice"),
        create: {
          b: { chatId, body: "secret", bodyType: "text/plain", sentAt: "2026-01-01T00:00:00Z", burnOnRead: true }
        }
      })
      const bobBurn = (yield* get(server, "bob", "Message")).find((m) => m.senderMsgId === burn.created.b.id)
      yield* call(server, "bob", "Message/set", {
        accountId: acct(server, "bob"),
        update: { [bobBurn.id]: { readAt: "2026-01-01T00:06:00Z" } }
      })
      expect(
        (yield* call(server, "bob", "Message/get", { accountId: acct(server, "bob"), ids: [bobBurn.id] })).notFound
      )
        .toEqual([bobBurn.id])
    }))

  it.scoped("validates message bodies, mentions and references as the drafts require", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make({ limits: { maxBodyBytes: 100 } })
      const chatId = yield* directChat(server, "alice", "bob")
      const other = yield* directChat(server, "alice", "carol")
      const otherMessage = yield* send(server, "alice", other, "elsewhere")
      const base = { chatId, bodyType: "text/plain", sentAt: "2026-01-01T00:00:00Z", body: "hi" }
      const r = yield* call(server, "alice", "Message/set", {
        accountId: acct(server, "alice"),
        create: {
          type: { ...base, bodyType: "video/mp4" },
          big: { ...base, body: "x".repeat(101) },
          scope: { ...base, broadcastMentions: [{ scope: "galaxy", offset: 0, length: 2 }] },
          bounds: { ...base, mentions: [{ id: "u1", offset: 1, length: 5 }] },
          past: { ...base, senderExpiresAt: "1960-01-01T00:00:00Z" },
          reply: { ...base, replyTo: otherMessage },
          span: {
            ...base,
            bodyType: "application/jmap-chat-rich",
            body: JSON.stringify({ spans: [{ type: "blink", text: "x" }] })
          },
          richMention: {
            ...base,
            bodyType: "application/jmap-chat-rich",
            body: JSON.stringify({ spans: [{ type: "text", text: "x" }] }),
            mentions: [{ id: "u", offset: 0, length: 1 }]
          },
          file: {
            ...base,
            attachments: [{
              blobId: "b",
              filename: "../../etc/passwd",
              contentType: "text/plain",
              size: 1,
              sha256: "0".repeat(64)
            }]
          },
          chat: { ...base, chatId: "nope" }
        }
      })
      const types = Object.fromEntries(Object.entries(r.notCreated).map(([k, v]: [string, any]) => [k, v.type]))
      expect(types).toEqual({
        type: "invalidProperties",
        big: "tooLarge",
        scope: "invalidArguments",
        bounds: "invalidProperties",
        past: "invalidArguments",
        reply: "invalidProperties",
        span: "invalidArguments",
        richMention: "invalidProperties",
        file: "invalidProperties",
        chat: "invalidProperties"
      })
      expect(r.notCreated.type.properties).toEqual(["bodyType"])
      expect(r.created).toBeNull()
    }))

  it.scoped("derives threads from replyTo and counts replies", () =>
    Effect.gen(function*() {
      const { aliceMessageId, bobMessageId, chatId, server } = yield* conversation
      const reply = yield* call(server, "bob", "Message/set", {
        accountId: acct(server, "bob"),
        create: {
          r: { chatId, body: "hi!", bodyType: "text/plain", sentAt: "2026-01-01T00:00:00Z", replyTo: bobMessageId }
        }
      })
      expect(reply.created.r.threadRootId).toBe(bobMessageId)
      const [root] = yield* get(server, "alice", "Message", [aliceMessageId])
      expect(root).toMatchObject({ replyCount: 1, unreadReplyCount: 1 })
      const aliceReply = (yield* get(server, "alice", "Message")).find((m) => m.senderMsgId === reply.created.r.id)
      expect(aliceReply).toMatchObject({ replyTo: aliceMessageId, threadRootId: aliceMessageId })
    }))

  it.scoped("runs group chats: admin-only changes, membership keys, and members' mailboxes following along", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const alice = server.user("alice")
      const bob = server.user("bob")
      const carol = server.user("carol")
      const created = yield* call(server, "alice", "Chat/set", {
        accountId: alice.accountId,
        create: { g: { kind: "group", name: "Team", memberIds: [bob.userId] } }
      })
      const chatId = created.created.g.id
      const [bobView] = yield* get(server, "bob", "Chat", [chatId])
      expect(bobView).toMatchObject({ kind: "group", name: "Team" })
      expect(bobView.members).toEqual([
        { id: alice.userId, role: "admin", joinedAt: expect.any(String), invitedBy: null },
        { id: bob.userId, role: "member", joinedAt: expect.any(String), invitedBy: alice.userId }
      ])
      const rename = yield* call(server, "bob", "Chat/set", {
        accountId: bob.accountId,
        update: { [chatId]: { name: "Mine" } }
      })
      expect(rename.notUpdated[chatId].type).toBe("forbidden")
      const add = yield* call(server, "alice", "Chat/set", {
        accountId: alice.accountId,
        update: { [chatId]: { addMembers: [{ id: carol.userId }], name: "Team 2" } }
      })
      expect(add.notUpdated).toBeNull()
      yield* send(server, "carol", chatId, "hi all")
      expect((yield* get(server, "bob", "Message")).map((m) => m.senderId)).toEqual([carol.userId])
      const carolChats = yield* get(server, "carol", "Chat")
      expect(carolChats[0]).toMatchObject({ name: "Team 2" })
      yield* call(server, "alice", "Chat/set", {
        accountId: alice.accountId,
        update: { [chatId]: { removeMembers: [carol.userId], updateMemberRoles: [{ id: bob.userId, role: "admin" }] } }
      })
      expect(yield* get(server, "carol", "Chat")).toEqual([])
      expect((yield* get(server, "bob", "Chat", [chatId]))[0].members.map((m: any) => m.role)).toEqual([
        "admin",
        "admin"
      ])
      const missing = yield* call(server, "alice", "Chat/set", {
        accountId: alice.accountId,
        create: { g: { kind: "group", memberIds: [] } }
      })
      expect(missing.notCreated.g).toMatchObject({ type: "invalidProperties", properties: ["name"] })
      const channel = yield* call(server, "alice", "Chat/set", {
        accountId: alice.accountId,
        create: { x: { kind: "channel", name: "nope" } }
      })
      expect(channel.notCreated.x.type).toBe("forbidden")
    }))

  it.scoped("drops messages from blocked contacts silently", () =>
    Effect.gen(function*() {
      const { chatId, server } = yield* conversation
      const blocked = yield* call(server, "bob", "ChatContact/set", {
        accountId: acct(server, "bob"),
        update: { [server.user("alice").userId]: { blocked: true, displayName: "Ex" } }
      })
      expect(blocked.notUpdated).toBeNull()
      yield* send(server, "alice", chatId, "are you there?")
      expect((yield* get(server, "bob", "Message")).map((m) => m.body)).toEqual(["hello bob"])
      const [contact] = yield* get(server, "bob", "ChatContact")
      expect(contact).toMatchObject({ blocked: true, displayName: "Ex" })
      const q = yield* call(server, "bob", "ChatContact/query", {
        accountId: acct(server, "bob"),
        filter: { blocked: true }
      })
      expect(q.ids).toEqual([contact.id])
      const login = yield* call(server, "bob", "ChatContact/set", {
        accountId: acct(server, "bob"),
        update: { [contact.id]: { login: "eve" } }
      })
      expect(login.notUpdated[contact.id]).toMatchObject({ type: "invalidProperties", properties: ["login"] })
    }))

  it.scoped("mirrors PresenceStatus into the contacts who know the user", () =>
    Effect.gen(function*() {
      const { server } = yield* conversation
      const [presence] = yield* get(server, "alice", "PresenceStatus")
      expect(presence).toMatchObject({ presence: "online", receiptSharing: true })
      yield* call(server, "alice", "PresenceStatus/set", {
        accountId: acct(server, "alice"),
        update: { [presence.id]: { presence: "busy", statusText: "In a meeting", statusEmoji: "📅" } }
      })
      const [contact] = yield* get(server, "bob", "ChatContact")
      expect(contact).toMatchObject({ presence: "busy", statusText: "In a meeting", statusEmoji: "📅" })
      yield* call(server, "alice", "PresenceStatus/set", {
        accountId: acct(server, "alice"),
        update: { [presence.id]: { presence: "invisible" } }
      })
      expect((yield* get(server, "bob", "ChatContact"))[0]).toMatchObject({ presence: "offline", statusText: null })
      const bad = yield* call(server, "alice", "PresenceStatus/set", {
        accountId: acct(server, "alice"),
        update: { [presence.id]: { presence: "sleeping" } }
      })
      expect(bad.notUpdated[presence.id].type).toBe("invalidProperties")
    }))

  it.scoped("updates owner-side chat preferences, pins and queries chats by recent activity", () =>
    Effect.gen(function*() {
      const { bobMessageId, chatId, server } = yield* conversation
      const quiet = yield* directChat(server, "bob", "carol")
      const r = yield* call(server, "bob", "Chat/set", {
        accountId: acct(server, "bob"),
        update: { [chatId]: { muted: true, receiveTypingIndicators: false, pinnedMessageIds: [bobMessageId] } }
      })
      expect(r.notUpdated).toBeNull()
      expect((yield* get(server, "bob", "Chat", [chatId]))[0]).toMatchObject({
        muted: true,
        receiveTypingIndicators: false,
        pinnedMessageIds: [bobMessageId]
      })
      const q = yield* call(server, "bob", "Chat/query", { accountId: acct(server, "bob") })
      expect(q.ids).toEqual([chatId, quiet])
      const muted = yield* call(server, "bob", "Chat/query", {
        accountId: acct(server, "bob"),
        filter: { muted: true }
      })
      expect(muted.ids).toEqual([chatId])
      const quota = yield* call(server, "bob", "Quota/get", { accountId: acct(server, "bob"), ids: null })
      expect(quota.list.find((q: any) => q.id === "chats")).toMatchObject({ used: 2, resourceType: "count" })
    }))
})
