/**
 * Compliance tests §5 (permissions and access control) and §10 (Space operations) of
 * `jmap-chat-compliance-tests.md`, through the socket-less `ChatClient` against the reference
 * server's backend.
 *
 * Every item of §5 and §10 is tested. 5.3 calls `Peer/deliver` as a raw method call: no client API
 * offers it (it is a server-to-server method).
 *
 * 10.2 uses a Space that is public and `isPubliclyPreviewable`: the core draft gives the
 * restricted view only for previewable Spaces (spec-digest §3.4, §7.23).
 */
import { expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { ChatClientTest } from "../../src/testing/index.js"
import { complianceServer, people, rawCall, spaceWithChannel } from "./support.js"

it.layer(ChatClientTest.layer({ server: complianceServer }))("compliance §5, §10: permissions and Spaces", (it) => {
  it.effect("5.1 Space destroy needs the manage_space permission, whatever the role is called", () =>
    Effect.gen(function*() {
      const { alice, bob, carol, id } = yield* people
      const space = yield* alice.Space.createOne({ name: "5.1" })
      const withRole = yield* alice.Space.updateOne({
        id: space.id,
        patch: {
          addRoles: [{ name: "Janitor", permissions: ["manage_space"], position: 10 }],
          addMembers: [{ id: id("bob") }, { id: id("carol") }]
        }
      })
      const janitor = withRole.roles!.find((r) => r.name === "Janitor")!
      yield* alice.Space.updateOne({
        id: space.id,
        patch: { updateMembers: [{ id: id("bob"), roleIds: [janitor.id] }] }
      })
      expect(yield* Effect.flip(carol.Space.destroyOne({ id: space.id }))).toMatchObject({
        _tag: "SetFailed",
        type: "forbidden"
      })
      yield* bob.Space.destroyOne({ id: space.id })
      expect((yield* alice.Space.get({ ids: [space.id] })).notFound).toEqual([space.id])
    }))

  it.effect("5.2 unknown permission names are dropped silently", () =>
    Effect.gen(function*() {
      const { alice } = yield* people
      const space = yield* alice.Space.createOne({ name: "5.2" })
      const updated = yield* alice.Space.updateOne({
        id: space.id,
        patch: { addRoles: [{ name: "Poster", permissions: ["send", "view", "future_perm_xyz"], position: 5 }] }
      })
      expect(updated.roles!.find((r) => r.name === "Poster")?.permissions).toEqual(["send", "view"])
    }))

  it.effect("5.3 Peer/* methods are forbidden to owner accounts", () =>
    Effect.gen(function*() {
      const { backend } = yield* people
      for (const method of ["Peer/deliver", "Peer/receipt", "Peer/retract", "Peer/groupUpdate"]) {
        const result = yield* rawCall(backend, "alice", method, {})
        expect(result).toMatchObject({ error: { type: "forbidden" } })
      }
    }))

  it.effect("5.4 a channel cannot be destroyed with Chat/set (forbidden)", () =>
    Effect.gen(function*() {
      const { alice, id } = yield* people
      const { channelId } = yield* spaceWithChannel(alice, [id("bob")], "5.4")
      expect(yield* Effect.flip(alice.Chat.destroyOne({ id: channelId }))).toMatchObject({
        _tag: "SetFailed",
        type: "forbidden"
      })
      expect((yield* alice.Chat.get({ ids: [channelId] })).list.map((c) => c.kind)).toEqual(["channel"])
    }))

  it.effect("5.5 addMembers, removeMembers and updateMemberRoles work as Chat/set patch keys", () =>
    Effect.gen(function*() {
      const { alice, bob, dave, id } = yield* people
      const group = yield* alice.Chat.createOne({ kind: "group", name: "5.5", memberIds: [id("bob"), id("carol")] })
      const updated = yield* alice.Chat.updateOne({
        id: group.id,
        patch: {
          addMembers: [{ id: id("dave") }],
          removeMembers: [id("bob")],
          updateMemberRoles: [{ id: id("carol"), role: "admin" }]
        }
      })
      expect(updated.members!.map((m) => [m.id, m.role])).toEqual([
        [id("alice"), "admin"],
        [id("carol"), "admin"],
        [id("dave"), "member"]
      ])
      expect((yield* bob.Chat.get({ ids: [group.id] })).notFound).toEqual([group.id])
      expect((yield* dave.Chat.get({ ids: [group.id] })).list.map((c) => c.name)).toEqual(["5.5"])
    }))

  it.effect("10.1 Space/join by spaceId works for public Spaces (and only those)", () =>
    Effect.gen(function*() {
      const { alice, bob } = yield* people
      const open = yield* alice.Space.createOne({ name: "10.1 open" })
      yield* alice.Space.updateOne({ id: open.id, patch: { isPublic: true } })
      expect(yield* bob.Space.join({ spaceId: open.id })).toMatchObject({ spaceId: open.id })
      expect((yield* bob.Space.get({ ids: [open.id] })).list[0]?.members?.length).toBe(2)
      const closed = yield* alice.Space.createOne({ name: "10.1 closed" })
      expect(yield* Effect.flip(bob.Space.join({ spaceId: closed.id }))).toMatchObject({
        _tag: "MethodError",
        type: "notPermitted"
      })
    }))

  it.effect("10.2 a non-member gets the restricted view of a public Space: no roles or members", () =>
    Effect.gen(function*() {
      const { alice, carol } = yield* people
      const space = yield* alice.Space.createOne({ name: "10.2", description: "a public Space" })
      yield* alice.Space.updateOne({ id: space.id, patch: { isPublic: true, isPubliclyPreviewable: true } })
      const { list, notFound } = yield* carol.Space.get({ ids: [space.id] })
      expect(notFound ?? []).toEqual([])
      expect(list[0]).toMatchObject({ id: space.id, name: "10.2", description: "a public Space", memberCount: 1 })
      for (const hidden of ["roles", "members", "categories"]) expect(list[0]).not.toHaveProperty(hidden)
    }))

  it.effect("10.3 Space/query {isPublic: true} includes public Spaces the caller is not in", () =>
    Effect.gen(function*() {
      const { alice, erin } = yield* people
      const space = yield* alice.Space.createOne({ name: "10.3" })
      yield* alice.Space.updateOne({ id: space.id, patch: { isPublic: true, isPubliclyPreviewable: true } })
      const hidden = yield* alice.Space.createOne({ name: "10.3 private" })
      const found = yield* erin.Space.query({ filter: { isPublic: true } })
      expect(found.ids).toContain(space.id)
      expect(found.ids).not.toContain(hidden.id)
      expect((yield* erin.Space.list({ filter: { isPublic: true } })).list.map((s) => s.id)).toContain(space.id)
    }))

  it.effect("10.4 a SpaceBan's reason and expiresAt can be updated", () =>
    Effect.gen(function*() {
      const { alice, id } = yield* people
      const { spaceId } = yield* spaceWithChannel(alice, [id("frank")], "10.4")
      const ban = yield* alice.SpaceBan.createOne({ spaceId, userId: id("frank"), reason: "spam" })
      const result = yield* alice.SpaceBan.update({
        id: ban.id,
        patch: { reason: "spam, repeatedly", expiresAt: "2999-01-01T00:00:00Z" }
      })
      expect(result.notUpdated ?? null).toBeNull()
      expect(Object.keys(result.updated ?? {})).toEqual([ban.id])
      expect((yield* alice.SpaceBan.get({ ids: [ban.id] })).list[0]).toMatchObject({
        reason: "spam, repeatedly",
        expiresAt: "2999-01-01T00:00:00Z"
      })
    }))

  it.effect("10.5 a CustomEmoji's name and blobId can be updated", () =>
    Effect.gen(function*() {
      const { alice } = yield* people
      const png = (byte: number) =>
        alice.Blob.upload({ contentType: "image/png", body: new Uint8Array([137, 80, 78, byte]) })
      const first = yield* png(1)
      const second = yield* png(2)
      const emoji = yield* alice.CustomEmoji.createOne({ name: "ten_five", blobId: first.blobId })
      const result = yield* alice.CustomEmoji.update({
        id: emoji.id,
        patch: { name: "ten_five_b", blobId: second.blobId }
      })
      expect(result.notUpdated ?? null).toBeNull()
      expect((yield* alice.CustomEmoji.get({ ids: [emoji.id] })).list[0]).toMatchObject({
        name: "ten_five_b",
        blobId: second.blobId
      })
    }))
})
