/**
 * `X.updateOne` reads its Request (`X/set` update, then `X/get` of the id) with
 * `SingleObject.updatedObject`: the object, `SetFailed`, or — for a `burnOnRead` message marked
 * read, which the receiving server hard-deletes at once (draft-atwood-jmap-chat-00 §Message) —
 * `ObjectGone`, never `UnexpectedResponse`. Against the reference server.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Effect, Either } from "effect"
import { ChatClient } from "../../../src/chat/ChatClient.js"
import { updatedObject } from "../../../src/chat/client/SingleObject.js"
import { ChatServer } from "../../../src/testing/index.js"
import { clientFor } from "../../support/Clients.js"

const readAt = "2026-01-01T00:00:00Z"

/** Alice sends bob a message; bob's copy, and both clients. */
const received = (options: { readonly burnOnRead?: boolean } = {}) =>
  Effect.gen(function*() {
    const server = yield* ChatServer.make()
    const alice = yield* clientFor(server, "alice")
    const bob = yield* clientFor(server, "bob")
    const chat = yield* alice.Chat.createOne({ kind: "direct", contactId: server.user("bob").userId })
    const sent = yield* alice.Message.send({ chatId: chat.id, body: "read me", ...options })
    const [message] = (yield* bob.Message.list({ filter: { chatId: chat.id } })).list
    return { alice, bob, sent, message: message! }
  })

/** What bob's `Message.updateOne({ id, patch })` Request answers, read by `updatedObject`. */
const updateAndRead = (
  bob: ChatClient["Type"],
  id: string,
  patch: Parameters<ChatClient["Type"]["Message"]["update"]>[0]["patch"]
) =>
  Effect.gen(function*() {
    const { fetched, set } = yield* bob.batch((b) => ({
      set: b.Message.update({ id, patch }),
      fetched: b.Message.get({ ids: [id] })
    }))
    return yield* updatedObject("Message/set", id, Either.getOrThrow(set), fetched)
  })

layer(NodeHttpClient.layerUndici, { excludeTestServices: true })("Message.updateOne", (it) => {
  it.scoped("marking a burnOnRead message read: ObjectGone, and the message is destroyed for the reader only", () =>
    Effect.gen(function*() {
      const { alice, bob, message, sent } = yield* received({ burnOnRead: true })
      expect(message.burnOnRead).toBe(true)
      const before = yield* bob.Message.state()
      const error = yield* Effect.flip(updateAndRead(bob, message.id, { readAt }))
      expect(error).toMatchObject({ _tag: "ObjectGone", operation: "update", id: message.id, method: "Message/set" })
      expect(error.message).toContain("burnOnRead")
      const changes = yield* bob.Message.sync({ sinceState: before })
      expect(changes.destroyed).toEqual([message.id])
      expect((yield* alice.Message.get({ ids: [sent.id] })).list.map((m) => m.body)).toEqual(["read me"])
    }))

  it.scoped("marking an ordinary message read: the message as stored, with readAt", () =>
    Effect.gen(function*() {
      const { bob, message } = yield* received()
      const read = yield* updateAndRead(bob, message.id, { readAt })
      expect(read).toMatchObject({ id: message.id, readAt, readDisposition: "displayed" })
    }))

  it.scoped("a rejected update: SetFailed with the SetError", () =>
    Effect.gen(function*() {
      const { bob, message } = yield* received()
      const error = yield* Effect.flip(updateAndRead(bob, message.id, { deletedAt: readAt, deletedForAll: true }))
      expect(error).toMatchObject({ _tag: "SetFailed", operation: "update", id: message.id, type: "forbidden" })
    }))

  it.scoped("client.Message.updateOne on a burnOnRead message: ObjectGone", () =>
    Effect.gen(function*() {
      const { bob, message } = yield* received({ burnOnRead: true })
      const error = yield* Effect.flip(bob.Message.updateOne({ id: message.id, patch: { readAt } }))
      expect(error).toMatchObject({ _tag: "ObjectGone", operation: "update", id: message.id, method: "Message/set" })
      expect(yield* Effect.flip(bob.Message.updateOne({ id: message.id, patch: { readAt } }))).toMatchObject({
        _tag: "SetFailed",
        type: "notFound"
      })
    }))

  it.scoped("client.Message.updateOne on an ordinary message: the updated message", () =>
    Effect.gen(function*() {
      const { bob, message } = yield* received()
      expect(yield* bob.Message.updateOne({ id: message.id, patch: { readAt } })).toMatchObject({
        id: message.id,
        readAt
      })
    }))
})
