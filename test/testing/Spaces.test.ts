import { describe, expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { ChatServer } from "../../src/testing/index.js"
import { acct, call, get } from "./helpers.js"

/** alice owns a Space with one channel; bob is a plain member. */
const community = Effect.gen(function*() {
  const server = yield* ChatServer.make()
  const alice = server.user("alice")
  const bob = server.user("bob")
  const created = yield* call(server, "alice", "Space/set", {
    accountId: alice.accountId,
    create: { s: { name: "Acme", description: "Our place" } }
  })
  const spaceId = created.created.s.id as string
  yield* call(server, "alice", "Space/set", {
    accountId: alice.accountId,
    update: { [spaceId]: { addChannels: [{ name: "general", topic: "Anything" }], addMembers: [{ id: bob.userId }] } }
  })
  const [space] = yield* get(server, "alice", "Space", [spaceId])
  const channelId = space.uncategorizedChannelIds[0] as string
  return { server, spaceId, channelId, alice, bob, carol: server.user("carol") }
})

const setSpace = (server: ChatServer.Service, who: string, spaceId: string, patch: object) =>
  Effect.map(
    call(server, who, "Space/set", { accountId: acct(server, who), update: { [spaceId]: patch } }),
    (r) => r.notUpdated?.[spaceId] ?? r.updated?.[spaceId] ?? null
  )

const post = (server: ChatServer.Service, who: string, chatId: string, body: string) =>
  Effect.map(
    call(server, who, "Message/set", {
      accountId: acct(server, who),
      create: { m: { chatId, body, bodyType: "text/plain", sentAt: "2026-01-01T00:00:00Z" } }
    }),
    (r) => r.created?.m ?? r.notCreated?.m
  )

describe("Spaces (draft-atwood-jmap-chat-00 §Space)", () => {
  it.scoped("creates a Space administered by its creator, with channels that members receive", () =>
    Effect.gen(function*() {
      const { alice, bob, channelId, server, spaceId } = yield* community
      const [space] = yield* get(server, "bob", "Space", [spaceId])
      expect(space).toMatchObject({ name: "Acme", memberCount: 2, isPublic: false, categories: [] })
      expect(space.roles).toHaveLength(1)
      expect(space.roles[0].permissions).toContain("manage_space")
      expect(space.members).toEqual(expect.arrayContaining([
        { id: alice.userId, roleIds: [space.roles[0].id], joinedAt: expect.any(String) },
        { id: bob.userId, roleIds: [], joinedAt: expect.any(String) }
      ]))
      const [channel] = yield* get(server, "bob", "Chat", [channelId])
      expect(channel).toMatchObject({
        kind: "channel",
        name: "general",
        topic: "Anything",
        spaceId,
        slowModeSeconds: 0
      })
      expect((yield* get(server, "bob", "ReadPosition")).map((p) => p.chatId)).toEqual([channelId])
      const message = yield* post(server, "bob", channelId, "hi all")
      expect(message.id).toEqual(expect.any(String))
      expect((yield* get(server, "alice", "Message"))[0]).toMatchObject({ senderId: bob.userId, chatId: channelId })
      expect(yield* get(server, "carol", "Space")).toEqual([])
    }))

  it.scoped("checks permissions and the role hierarchy on every semantic key", () =>
    Effect.gen(function*() {
      const { bob, server, spaceId } = yield* community
      expect((yield* setSpace(server, "bob", spaceId, { addChannels: [{ name: "mine" }] })).type).toBe("forbidden")
      expect((yield* setSpace(server, "bob", spaceId, { name: "Bob's" })).type).toBe("forbidden")
      expect(
        (yield* setSpace(server, "alice", spaceId, {
          addRoles: [{ name: "God", permissions: ["view"], position: 100 }]
        })).type
      ).toBe("forbidden")
      yield* setSpace(server, "alice", spaceId, {
        addRoles: [{ name: "Mod", permissions: ["send", "view", "future_perm_xyz", "manage_channels"], position: 10 }]
      })
      const [space] = yield* get(server, "alice", "Space", [spaceId])
      const mod = space.roles.find((r: any) => r.name === "Mod")
      expect(mod.permissions).toEqual(["send", "view", "manage_channels"])
      yield* setSpace(server, "alice", spaceId, {
        updateMembers: [{ id: bob.userId, roleIds: [mod.id], nick: "Bobby" }]
      })
      const added = yield* setSpace(server, "bob", spaceId, { addChannels: [{ name: "bobs" }] })
      expect(added.uncategorizedChannelIds).toHaveLength(2)
      expect((yield* get(server, "alice", "Chat")).map((c) => c.name).sort()).toEqual(["bobs", "general"])
      const removeAll = yield* setSpace(server, "alice", spaceId, { removeMembers: [server.user("alice").userId] })
      expect(removeAll).toMatchObject({ type: "invalidProperties", properties: ["removeMembers"] })
      const bad = yield* setSpace(server, "alice", spaceId, { removeRoles: ["nope"] })
      expect(bad).toMatchObject({ type: "invalidProperties", properties: ["removeRoles"] })
    }))

  it.scoped("applies an update's keys all or nothing", () =>
    Effect.gen(function*() {
      const { server, spaceId } = yield* community
      const before = yield* get(server, "alice", "Space", [spaceId])
      const failed = yield* setSpace(server, "alice", spaceId, {
        addCategories: [{ name: "Text" }],
        removeChannels: ["not-a-channel"]
      })
      expect(failed.type).toBe("invalidProperties")
      expect(yield* get(server, "alice", "Space", [spaceId])).toEqual(before)
    }))

  it.scoped("organises channels into categories", () =>
    Effect.gen(function*() {
      const { channelId, server, spaceId } = yield* community
      yield* setSpace(server, "alice", spaceId, { addCategories: [{ name: "Text", channelIds: [channelId] }] })
      const [space] = yield* get(server, "alice", "Space", [spaceId])
      expect(space.categories).toEqual([{ id: expect.any(String), name: "Text", position: 0, channelIds: [channelId] }])
      expect(space.uncategorizedChannelIds).toEqual([])
      expect((yield* get(server, "bob", "Chat", [channelId]))[0].categoryId).toBe(space.categories[0].id)
      yield* setSpace(server, "alice", spaceId, { removeCategories: [space.categories[0].id] })
      expect((yield* get(server, "alice", "Space", [spaceId]))[0].uncategorizedChannelIds).toEqual([channelId])
    }))

  it.scoped("enforces slow mode with rateLimited and serverRetryAfter (Effect clock)", () =>
    Effect.gen(function*() {
      const { channelId, server, spaceId } = yield* community
      yield* setSpace(server, "alice", spaceId, { updateChannels: [{ id: channelId, slowModeSeconds: 30 }] })
      expect((yield* post(server, "bob", channelId, "one")).id).toEqual(expect.any(String))
      const limited = yield* post(server, "bob", channelId, "two")
      expect(limited).toMatchObject({ type: "rateLimited", serverRetryAfter: "1970-01-01T00:00:30Z" })
      expect((yield* post(server, "alice", channelId, "mods are exempt")).id).toEqual(expect.any(String))
      yield* TestClock.adjust("30 seconds")
      expect((yield* post(server, "bob", channelId, "three")).id).toEqual(expect.any(String))
    }))

  it.scoped("applies channel permission overrides: no send, no view", () =>
    Effect.gen(function*() {
      const { bob, channelId, server, spaceId } = yield* community
      yield* setSpace(server, "alice", spaceId, {
        updateChannels: [{
          id: channelId,
          permissionOverrides: [{ targetType: "member", targetId: bob.userId, allow: [], deny: ["send"] }]
        }]
      })
      expect((yield* post(server, "bob", channelId, "hello")).type).toBe("forbidden")
      yield* setSpace(server, "alice", spaceId, {
        updateChannels: [{
          id: channelId,
          permissionOverrides: [{ targetType: "member", targetId: bob.userId, allow: [], deny: ["view"] }]
        }]
      })
      expect(yield* get(server, "bob", "Chat")).toEqual([])
    }))

  it.scoped("lets people join by invite code (counting uses) or, for public Spaces, by id", () =>
    Effect.gen(function*() {
      const { carol, server, spaceId } = yield* community
      const invite = yield* call(server, "alice", "SpaceInvite/set", {
        accountId: acct(server, "alice"),
        create: { i: { spaceId, maxUses: 1 } }
      })
      const code = invite.created.i.code as string
      expect(code).toMatch(/^[A-Z0-9]+$/)
      const byBob = yield* call(server, "bob", "SpaceInvite/set", {
        accountId: acct(server, "bob"),
        create: { i: { spaceId } }
      })
      expect(byBob.notCreated.i.type).toBe("forbidden")
      const joined = yield* call(server, "carol", "Space/join", { accountId: carol.accountId, inviteCode: code })
      expect(joined).toEqual({ accountId: carol.accountId, spaceId })
      expect((yield* get(server, "alice", "SpaceInvite"))[0].uses).toBe(1)
      expect(yield* get(server, "carol", "Chat")).toHaveLength(1)
      const dave = yield* call(server, "carol", "Space/join", { accountId: carol.accountId, inviteCode: "NOPE" })
      expect(dave.error.type).toBe("invalidArguments")
      const both = yield* call(server, "carol", "Space/join", { accountId: carol.accountId, inviteCode: code, spaceId })
      expect(both.error.type).toBe("invalidArguments")

      const other = yield* call(server, "bob", "Space/set", {
        accountId: acct(server, "bob"),
        create: { s: { name: "Bobland" } }
      })
      const bobland = other.created.s.id
      const closed = yield* call(server, "carol", "Space/join", { accountId: carol.accountId, spaceId: bobland })
      expect(closed.error.type).toBe("notPermitted")
      yield* setSpace(server, "bob", bobland, { isPublic: true, isPubliclyPreviewable: true })
      const preview = yield* call(server, "carol", "Space/get", { accountId: carol.accountId, ids: [bobland] })
      expect(Object.keys(preview.list[0]).sort()).toEqual(
        ["createdAt", "description", "iconBlobId", "id", "isPublic", "isPubliclyPreviewable", "memberCount", "name"]
          .filter((k) => k in preview.list[0]).sort()
      )
      expect(preview.list[0].members).toBeUndefined()
      const found = yield* call(server, "carol", "Space/query", {
        accountId: carol.accountId,
        filter: { isPublic: true }
      })
      expect(found.ids).toContain(bobland)
      expect((yield* call(server, "carol", "Space/join", { accountId: carol.accountId, spaceId: bobland })).spaceId)
        .toBe(bobland)
    }))

  it.scoped("bans remove a member, keep them out, and are visible to them", () =>
    Effect.gen(function*() {
      const { bob, server, spaceId } = yield* community
      const ban = yield* call(server, "alice", "SpaceBan/set", {
        accountId: acct(server, "alice"),
        create: { b: { spaceId, userId: bob.userId, reason: "spam" } }
      })
      const banId = ban.created.b.id
      expect(yield* get(server, "bob", "Space")).toEqual([])
      expect(yield* get(server, "bob", "Chat")).toEqual([])
      expect((yield* get(server, "bob", "SpaceBan"))[0]).toMatchObject({
        id: banId,
        reason: "spam",
        userId: bob.userId
      })
      yield* setSpace(server, "alice", spaceId, { isPublic: true })
      const rejoin = yield* call(server, "bob", "Space/join", { accountId: bob.accountId, spaceId })
      expect(rejoin.error.type).toBe("forbidden")
      const edit = yield* call(server, "alice", "SpaceBan/set", {
        accountId: acct(server, "alice"),
        update: { [banId]: { reason: "spam, twice" } }
      })
      expect(edit.notUpdated).toBeNull()
      yield* call(server, "alice", "SpaceBan/set", { accountId: acct(server, "alice"), destroy: [banId] })
      expect((yield* call(server, "bob", "Space/join", { accountId: bob.accountId, spaceId })).spaceId).toBe(spaceId)
    }))

  it.scoped("removes channels and destroys Spaces with everything in them", () =>
    Effect.gen(function*() {
      const { channelId, server, spaceId } = yield* community
      yield* post(server, "bob", channelId, "soon gone")
      const notAllowed = yield* call(server, "bob", "Space/set", { accountId: acct(server, "bob"), destroy: [spaceId] })
      expect(notAllowed.notDestroyed[spaceId].type).toBe("forbidden")
      const viaChat = yield* call(server, "alice", "Chat/set", {
        accountId: acct(server, "alice"),
        destroy: [channelId]
      })
      expect(viaChat.notDestroyed[channelId].type).toBe("forbidden")
      const destroyed = yield* call(server, "alice", "Space/set", {
        accountId: acct(server, "alice"),
        destroy: [spaceId]
      })
      expect(destroyed.destroyed).toEqual([spaceId])
      for (const who of ["alice", "bob"]) {
        expect(yield* get(server, who, "Space")).toEqual([])
        expect(yield* get(server, who, "Chat")).toEqual([])
        expect(yield* get(server, who, "Message")).toEqual([])
      }
    }))
})

describe("CustomEmoji (draft-atwood-jmap-chat-00 §CustomEmoji)", () => {
  it.scoped("creates emoji from uploaded images with unique, well-formed names", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const alice = server.user("alice")
      const upload = (type: string) =>
        Effect.promise(() =>
          fetch(`${server.url}/jmap/upload/${alice.accountId}/`, {
            method: "POST",
            headers: { authorization: `Bearer ${alice.token}`, "content-type": type },
            body: new Uint8Array([137, 80, 78, 71])
          }).then((r) => r.json())
        )
      const png = yield* upload("image/png")
      const text = yield* upload("text/plain")
      const r = yield* call(server, "alice", "CustomEmoji/set", {
        accountId: alice.accountId,
        create: {
          ok: { name: "catjam", blobId: png.blobId },
          dup: { name: "catjam", blobId: png.blobId },
          upper: { name: "CatJam", blobId: png.blobId },
          notImage: { name: "doc", blobId: text.blobId }
        }
      })
      expect(r.created.ok).toMatchObject({ id: expect.any(String), createdBy: alice.userId })
      expect(r.notCreated.dup).toMatchObject({ type: "alreadyExists", existingId: r.created.ok.id })
      expect(r.notCreated.upper).toMatchObject({ type: "invalidProperties", properties: ["name"] })
      expect(r.notCreated.notImage).toMatchObject({ type: "invalidProperties", properties: ["blobId"] })
      expect((yield* get(server, "bob", "CustomEmoji")).map((e) => e.name)).toEqual(["catjam"])
      const rename = yield* call(server, "bob", "CustomEmoji/set", {
        accountId: acct(server, "bob"),
        update: { [r.created.ok.id]: { name: "mine" } }
      })
      expect(rename.notUpdated[r.created.ok.id].type).toBe("forbidden")
      const q = yield* call(server, "bob", "CustomEmoji/query", { accountId: acct(server, "bob") })
      expect(q.ids).toEqual([r.created.ok.id])
    }))
})
