/**
 * Compliance tests §4 (validation) of `jmap-chat-compliance-tests.md`, through the socket-less
 * `ChatClient` against the reference server's backend. The client passes open-enum and free-form
 * values through, so every rejection here is the server's. Each test also checks that the valid
 * counterpart is accepted, so a server refusing everything would fail.
 *
 * | Item | Why it is not tested here |
 * |---|---|
 * | 4.6 (`Peer/deliver` edit) | Federation: the reference server has no peers. Create and update are tested. |
 *
 * 4.1 expects `tooLarge` (the drafts say `invalidArguments`, spec-digest §7.6) against the
 * advertised `maxBodyBytes`, not the "default 100,000" of the compliance text, which no draft has.
 */
import { expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { ChatClientTest } from "../../src/testing/index.js"
import { complianceServer, directChat, people, spaceWithChannel } from "./support.js"

const rich = (spans: ReadonlyArray<Record<string, unknown>>) => JSON.stringify({ spans })

it.layer(ChatClientTest.layer({ server: complianceServer }))("compliance §4: validation", (it) => {
  it.effect("4.1 a body over maxBodyBytes (UTF-8 bytes) is refused with tooLarge", () =>
    Effect.gen(function*() {
      const { alice, backend, id } = yield* people
      const chatId = yield* directChat(alice, id("bob"))
      const max = backend.limits.maxBodyBytes
      const atLimit = "é".repeat(max / 2)
      expect((yield* alice.Message.send({ chatId, body: atLimit })).body).toBe(atLimit)
      const over = yield* Effect.flip(alice.Message.send({ chatId, body: `${atLimit}x` }))
      expect(over).toMatchObject({ _tag: "SetFailed", type: "tooLarge" })
    }))

  it.effect("4.2 a bodyType outside supportedBodyTypes is refused with invalidProperties", () =>
    Effect.gen(function*() {
      const { alice, id } = yield* people
      const chatId = yield* directChat(alice, id("bob"))
      const refused = yield* Effect.flip(alice.Message.send({ chatId, body: "clip", bodyType: "video/mp4" }))
      expect(refused).toMatchObject({ _tag: "SetFailed", type: "invalidProperties", properties: ["bodyType"] })
      yield* alice.Message.send({ chatId, body: "*fine*", bodyType: "text/markdown" })
    }))

  it.effect("4.3 an attachment filename with a path is refused", () =>
    Effect.gen(function*() {
      const { alice, id } = yield* people
      const chatId = yield* directChat(alice, id("bob"))
      const blob = yield* alice.Blob.upload({ contentType: "text/plain", body: new TextEncoder().encode("root:x:0:0") })
      const attachment = (filename: string) => ({
        blobId: blob.blobId,
        filename,
        contentType: "text/plain",
        size: blob.size,
        sha256: blob.sha256!
      })
      for (const filename of ["../../../etc/passwd", "..\\..\\boot.ini", "dir/passwd"]) {
        const refused = yield* Effect.flip(
          alice.Message.send({ chatId, body: "see file", attachments: [attachment(filename)] })
        )
        expect(refused).toMatchObject({ _tag: "SetFailed", type: "invalidProperties" })
      }
      const sent = yield* alice.Message.send({ chatId, body: "see file", attachments: [attachment("passwd.txt")] })
      expect(sent.attachments.map((a) => a.filename)).toEqual(["passwd.txt"])
    }))

  it.effect("4.4 a BroadcastMention with an unknown scope is refused", () =>
    Effect.gen(function*() {
      const { alice, id } = yield* people
      const chatId = yield* directChat(alice, id("bob"))
      const refused = yield* Effect.flip(
        alice.Message.send({ chatId, body: "@all hi", broadcastMentions: [{ scope: "invalid", offset: 0, length: 4 }] })
      )
      expect(refused).toMatchObject({ _tag: "SetFailed" })
      yield* alice.Message.send({
        chatId,
        body: "@everyone hi",
        broadcastMentions: [{ scope: "everyone", offset: 0, length: 9 }]
      })
    }))

  it.effect("4.5 a mention beyond the body's bytes is refused", () =>
    Effect.gen(function*() {
      const { alice, id } = yield* people
      const chatId = yield* directChat(alice, id("bob"))
      const refused = yield* Effect.flip(
        alice.Message.send({ chatId, body: "hello", mentions: [{ id: id("bob"), offset: 10, length: 5 }] })
      )
      expect(refused).toMatchObject({ _tag: "SetFailed", type: "invalidProperties", properties: ["mentions"] })
      const straddling = yield* Effect.flip(
        alice.Message.send({ chatId, body: "hello", mentions: [{ id: id("bob"), offset: 3, length: 3 }] })
      )
      expect(straddling).toMatchObject({ _tag: "SetFailed", type: "invalidProperties" })
      yield* alice.Message.send({ chatId, body: "hello", mentions: [{ id: id("bob"), offset: 0, length: 5 }] })
    }))

  it.effect("4.6 a rich body with mentions is refused on create and on update", () =>
    Effect.gen(function*() {
      const { alice, id } = yield* people
      const chatId = yield* directChat(alice, id("bob"))
      const body = rich([{ type: "mention", text: "@Bob", userId: id("bob") }])
      const mentions = [{ id: id("bob"), offset: 0, length: 4 }]
      const onCreate = yield* Effect.flip(
        alice.Message.send({ chatId, body, bodyType: "application/jmap-chat-rich", mentions })
      )
      expect(onCreate).toMatchObject({ _tag: "SetFailed", type: "invalidProperties", properties: ["mentions"] })
      const plain = yield* alice.Message.send({ chatId, body: "@Bob", mentions })
      const onUpdate = yield* Effect.flip(
        alice.Message.updateOne({ id: plain.id, patch: { body, bodyType: "application/jmap-chat-rich" } })
      )
      expect(onUpdate).toMatchObject({ _tag: "SetFailed", type: "invalidProperties", properties: ["mentions"] })
      const edited = yield* alice.Message.updateOne({
        id: plain.id,
        patch: { body, bodyType: "application/jmap-chat-rich", mentions: [] }
      })
      expect(edited).toMatchObject({ bodyType: "application/jmap-chat-rich", mentions: [] })
    }))

  it.effect("4.7 a broadcast mention without mention_broadcast is forbidden", () =>
    Effect.gen(function*() {
      const { alice, bob, id } = yield* people
      const { channelId } = yield* spaceWithChannel(alice, [id("bob")])
      const broadcast = {
        chatId: channelId,
        body: "@here look",
        broadcastMentions: [{ scope: "here", offset: 0, length: 5 }]
      }
      expect(yield* Effect.flip(bob.Message.send(broadcast))).toMatchObject({ _tag: "SetFailed", type: "forbidden" })
      yield* alice.Message.send(broadcast)
    }))

  it.effect("4.8 sending in a channel needs the send permission", () =>
    Effect.gen(function*() {
      const { alice, bob, carol, id } = yield* people
      const { channelId, spaceId } = yield* spaceWithChannel(alice, [id("bob"), id("carol")])
      yield* alice.Space.updateOne({
        id: spaceId,
        patch: {
          updateChannels: [{
            id: channelId,
            permissionOverrides: [{ targetType: "member", targetId: id("bob"), allow: [], deny: ["send"] }]
          }]
        }
      })
      expect(yield* Effect.flip(bob.Message.send({ chatId: channelId, body: "hi" }))).toMatchObject({
        _tag: "SetFailed",
        type: "forbidden"
      })
      yield* carol.Message.send({ chatId: channelId, body: "hi" })
    }))

  it.effect("4.9 without view, a channel's messages are not found", () =>
    Effect.gen(function*() {
      const { alice, bob, carol, id } = yield* people
      const { channelId, spaceId } = yield* spaceWithChannel(alice, [id("bob"), id("carol")])
      yield* alice.Message.send({ chatId: channelId, body: "before" })
      const seen = (yield* bob.Message.list({ filter: { chatId: channelId } })).list.map((m) => m.id)
      expect(seen).toHaveLength(1)
      yield* alice.Space.updateOne({
        id: spaceId,
        patch: {
          updateChannels: [{
            id: channelId,
            permissionOverrides: [{ targetType: "member", targetId: id("bob"), allow: [], deny: ["view"] }]
          }]
        }
      })
      yield* alice.Message.send({ chatId: channelId, body: "after" })
      expect(yield* bob.Message.get({ ids: seen })).toMatchObject({ list: [], notFound: seen })
      expect((yield* bob.Chat.get({ ids: [channelId] })).notFound).toEqual([channelId])
      expect((yield* carol.Message.list({ filter: { chatId: channelId } })).list.map((m) => m.body)).toEqual([
        "after",
        "before"
      ])
    }))

  it.effect("4.10 slow mode refuses a second message from a non-admin with rateLimited", () =>
    Effect.gen(function*() {
      const { alice, bob, id } = yield* people
      const { channelId, spaceId } = yield* spaceWithChannel(alice, [id("bob")])
      yield* alice.Space.updateOne({ id: spaceId, patch: { updateChannels: [{ id: channelId, slowModeSeconds: 60 }] } })
      yield* bob.Message.send({ chatId: channelId, body: "one" })
      const second = yield* Effect.flip(bob.Message.send({ chatId: channelId, body: "two" }))
      expect(second).toMatchObject({ _tag: "RateLimited", serverRetryAfter: expect.any(String) })
      yield* alice.Message.send({ chatId: channelId, body: "admins are not slowed" })
      yield* alice.Message.send({ chatId: channelId, body: "admins are not slowed" })
      yield* TestClock.adjust("60 seconds")
      yield* bob.Message.send({ chatId: channelId, body: "two, later" })
    }))

  it.effect("4.11 a CustomEmoji name is unique within its Space (alreadyExists), not across Spaces", () =>
    Effect.gen(function*() {
      const { alice } = yield* people
      const image = yield* alice.Blob.upload({ contentType: "image/png", body: new Uint8Array([137, 80, 78, 71]) })
      const first = yield* alice.Space.createOne({ name: "4.11 one" })
      const second = yield* alice.Space.createOne({ name: "4.11 two" })
      yield* alice.CustomEmoji.createOne({ name: "party", blobId: image.blobId, spaceId: first.id })
      const duplicate = yield* Effect.flip(
        alice.CustomEmoji.createOne({ name: "party", blobId: image.blobId, spaceId: first.id })
      )
      expect(duplicate).toMatchObject({ _tag: "SetFailed", type: "alreadyExists" })
      const elsewhere = yield* alice.CustomEmoji.createOne({ name: "party", blobId: image.blobId, spaceId: second.id })
      expect(elsewhere).toMatchObject({ name: "party", spaceId: second.id })
    }))

  it.effect("4.12 a CustomEmoji name must match the name pattern", () =>
    Effect.gen(function*() {
      const { alice } = yield* people
      const image = yield* alice.Blob.upload({ contentType: "image/png", body: new Uint8Array([137, 80, 78, 71]) })
      const refused = yield* Effect.flip(alice.CustomEmoji.createOne({ name: "invalid name!", blobId: image.blobId }))
      expect(refused).toMatchObject({ _tag: "SetFailed", type: "invalidProperties", properties: ["name"] })
      yield* alice.CustomEmoji.createOne({ name: "valid_name-4_12", blobId: image.blobId })
    }))

  it.effect("4.13 (SHOULD) an attachment's contentType and sha256 are checked", () =>
    Effect.gen(function*() {
      const { alice, id } = yield* people
      const chatId = yield* directChat(alice, id("bob"))
      const blob = yield* alice.Blob.upload({ contentType: "text/plain", body: new TextEncoder().encode("notes") })
      const attachment = {
        blobId: blob.blobId,
        filename: "notes.txt",
        contentType: "text/plain",
        size: blob.size,
        sha256: blob.sha256!
      }
      for (const bad of [{ contentType: "not a mime type" }, { sha256: "xyz" }]) {
        const refused = yield* Effect.flip(
          alice.Message.send({ chatId, body: "notes", attachments: [{ ...attachment, ...bad }] })
        )
        expect(refused).toMatchObject({ _tag: "SetFailed", type: "invalidProperties" })
      }
      yield* alice.Message.send({ chatId, body: "notes", attachments: [attachment] })
    }))
})
