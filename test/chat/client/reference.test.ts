/**
 * End to end: the ChatClient over the real HttpTransport and SessionService against the reference
 * JMAP Chat server of `src/testing` (two users, real delivery between mailboxes).
 */
import { NodeHttpClient } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Effect, Either } from "effect"
import { ChatServer } from "../../../src/testing/index.js"
import { clientFor } from "../../support/Clients.js"

layer(NodeHttpClient.layerUndici, { excludeTestServices: true })("ChatClient against the reference server", (it) => {
  it.scoped("direct chat: create, send, list, react, read and sync across two mailboxes", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const alice = yield* clientFor(server, "alice")
      const bob = yield* clientFor(server, "bob")
      const bobState = yield* bob.Message.state()

      const chat = yield* alice.Chat.createOne({ kind: "direct", contactId: server.user("bob").userId })
      expect(chat).toMatchObject({ kind: "direct", contactId: server.user("bob").userId, unreadCount: 0 })
      const again = yield* alice.Chat.createOne({ kind: "direct", contactId: server.user("bob").userId })
      expect(again.id).toBe(chat.id)

      const sent = yield* alice.Message.send({ chatId: chat.id, body: "hello bob" })
      expect(sent).toMatchObject({ chatId: chat.id, body: "hello bob", senderId: "self", bodyType: "text/plain" })

      const inbox = yield* bob.Message.list({ filter: { chatId: chat.id } })
      expect(inbox.list.map((m) => [m.body, m.senderId])).toEqual([["hello bob", server.user("alice").userId]])
      const received = inbox.list[0]!

      const reacted = yield* bob.Message.updateOne({
        id: received.id,
        patch: { reactions: { "01HZZZZZZZZZZZZZZZZZZZZZZZ": { emoji: "👍" } } }
      })
      expect(Object.values(reacted.reactions).map((r) => r.emoji)).toEqual(["👍"])

      const delta = yield* bob.Message.sync({ sinceState: bobState })
      expect(delta.fullResync).toBe(false)
      expect([...delta.created, ...delta.updated].map((m) => m.id)).toContain(received.id)

      const [position] = (yield* bob.ReadPosition.get()).list.filter((p) => p.chatId === chat.id)
      const read = yield* bob.ReadPosition.updateOne({ id: position!.id, patch: { lastReadMessageId: received.id } })
      expect(read.lastReadMessageId).toBe(received.id)

      const results = yield* bob.batch((b) => ({
        chats: b.Chat.get({ ids: [chat.id] }),
        typing: b.Chat.typing({ chatId: chat.id, typing: true }),
        nope: b.Chat.typing({ chatId: "not-a-chat", typing: true })
      }))
      expect(Either.getOrThrow(results.chats).list[0]!.unreadCount).toBe(0)
      expect(Either.isRight(results.typing)).toBe(true)
      expect(Either.isLeft(results.nope)).toBe(true)
    }))

  it.scoped("spaces: create with channels and roles, invite, join by code", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const alice = yield* clientFor(server, "alice")
      const bob = yield* clientFor(server, "bob")
      const space = yield* alice.Space.createOne({ name: "Engineering" })
      const updated = yield* alice.Space.updateOne({
        id: space.id,
        patch: {
          addChannels: [{ name: "general" }],
          addRoles: [{ name: "Mod", permissions: ["pin"], position: 1 }],
          addCategories: []
        }
      })
      expect(updated.roles?.map((r) => r.name)).toContain("Mod")
      const invite = yield* alice.SpaceInvite.createOne({ spaceId: space.id, maxUses: 1 })
      expect(invite.spaceId).toBe(space.id)
      const joined = yield* bob.Space.join({ inviteCode: invite.code })
      expect(joined.spaceId).toBe(space.id)
      const spaces = yield* bob.Space.list()
      expect(spaces.list.map((s) => s.name)).toEqual(["Engineering"])
      const rejected = yield* Effect.flip(bob.Space.destroyOne({ id: space.id }))
      expect(rejected._tag).toBe("SetFailed")
    }))

  it.scoped("X.state: the current state string without naming any object, for every type with /get and /changes", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const alice = yield* clientFor(server, "alice")
      const bob = yield* clientFor(server, "bob")
      const bobMessages = yield* bob.Message.state()
      const aliceChats = yield* alice.Chat.state()

      const chat = yield* alice.Chat.createOne({ kind: "direct", contactId: server.user("bob").userId })
      const sent = yield* alice.Message.send({ chatId: chat.id, body: "after the state was read" })

      const messagesNow = yield* bob.Message.state()
      expect(messagesNow).not.toBe(bobMessages)
      const received = yield* bob.Message.sync({ sinceState: bobMessages })
      expect(received.created.map((m) => m.body)).toEqual(["after the state was read"])
      expect(received.newState).toBe(messagesNow)
      expect(yield* bob.Message.state()).toBe((yield* bob.Message.get({ ids: [received.created[0]!.id] })).state)

      const chatsNow = yield* alice.Chat.state()
      expect(chatsNow).not.toBe(aliceChats)
      const created = yield* alice.Chat.sync({ sinceState: aliceChats })
      expect(created.created.map((c) => c.id)).toEqual([chat.id])
      expect(created.newState).toBe(chatsNow)
      expect(yield* alice.Message.state()).toBe((yield* alice.Message.get({ ids: [sent.id] })).state)

      for (
        const ns of [
          "Chat",
          "Space",
          "SpaceInvite",
          "SpaceBan",
          "ChatContact",
          "CustomEmoji",
          "ReadPosition",
          "PresenceStatus",
          "Quota"
        ] as const
      ) {
        expect(yield* alice[ns].state(), ns).toBe((yield* alice[ns].get()).state)
      }
      const batched = yield* bob.batch((b) => [b.Message.state(), b.Chat.state()] as const)
      expect(batched.map(Either.getOrThrow)).toEqual([messagesNow, yield* bob.Chat.state()])
    }))

  it.scoped("presence, quota and blobs", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const alice = yield* clientFor(server, "alice")
      const [presence] = (yield* alice.PresenceStatus.get()).list
      const away = yield* alice.PresenceStatus.updateOne({
        id: presence!.id,
        patch: { presence: "away", statusText: "lunch" }
      })
      expect(away).toMatchObject({ presence: "away", statusText: "lunch" })
      const quotas = yield* alice.Quota.get()
      expect(quotas.list.length).toBeGreaterThan(0)
      const blob = yield* alice.Blob.upload({ contentType: "text/plain", body: new TextEncoder().encode("hi") })
      const looked = yield* alice.Blob.lookup({ ids: [blob.blobId] })
      expect(looked.list.map((e) => e.id).concat(looked.notFound)).toContain(blob.blobId)
    }))
})
