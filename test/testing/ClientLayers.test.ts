import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { ChatClient } from "../../src/chat/ChatClient.js"
import { SessionService } from "../../src/jmap/SessionService.js"
import { ChatBackend, ChatClientTest, ChatServer, ChatServerTest } from "../../src/testing/index.js"

const bytes = (text: string) => new TextEncoder().encode(text)

describe("ChatClientTest (socket-less ChatClient)", () => {
  it.layer(ChatClientTest.layer({ user: "alice", server: { limits: { maxCallsInRequest: 4, maxSizeRequest: 4096 } } }))(
    (it) => {
      it.effect("acts as the chosen user, and other users share the backend", () =>
        Effect.gen(function*() {
          const backend = yield* ChatBackend
          const alice = yield* ChatClient
          expect(yield* alice.accountId).toBe(backend.user("alice").accountId)
          const chat = yield* alice.Chat.createOne({ kind: "direct", contactId: backend.user("carol").userId })
          yield* alice.Message.send({ chatId: chat.id, body: "hi carol" })
          const inbox = yield* ChatClientTest.make(backend, "carol").Message.list({ filter: { chatId: chat.id } })
          expect(inbox.list.map((m) => [m.senderId, m.body])).toEqual([[backend.user("alice").userId, "hi carol"]])
          const asCarol = yield* Effect.provide(
            Effect.flatMap(ChatClient, (client) => client.Chat.get({ ids: [chat.id] })),
            ChatClientTest.layerFor("carol")
          )
          expect(asCarol.list[0]).toMatchObject({ id: chat.id, unreadCount: 1 })
        }))

      it.effect("fails with RequestError for request-level problems, limits included", () =>
        Effect.gen(function*() {
          const backend = yield* ChatBackend
          const alice = yield* ChatClient
          const tooMany = yield* Effect.flip(alice.batch((b) => [1, 2, 3, 4, 5].map(() => b.Quota.get())))
          expect(tooMany).toMatchObject({
            _tag: "RequestError",
            type: "urn:ietf:params:jmap:error:limit",
            limit: "maxCallsInRequest"
          })
          const tooBig = yield* Effect.flip(alice.Message.send({ chatId: "any", body: "x".repeat(5000) }))
          expect(tooBig).toMatchObject({ _tag: "RequestError", limit: "maxSizeRequest", status: 400 })
          const unknown = yield* Effect.flip(
            ChatClientTest.transport(backend, "alice").call({ using: ["urn:example:nope"], methodCalls: [] })
          )
          expect(unknown).toMatchObject({
            _tag: "RequestError",
            type: "urn:ietf:params:jmap:error:unknownCapability",
            status: 400
          })
        }))

      it.effect("uploads (bytes or a stream) and downloads blobs, checking sha256 when asked", () =>
        Effect.gen(function*() {
          const alice = yield* ChatClient
          const streamed = yield* alice.Blob.upload({
            contentType: "text/plain",
            body: Stream.make(bytes("hello "), bytes("world"))
          })
          expect(streamed).toMatchObject({
            size: 11,
            type: "text/plain",
            sha256: expect.stringMatching(/^[0-9a-f]{64}$/)
          })
          const back = yield* alice.Blob.download({
            blobId: streamed.blobId,
            name: "a.txt",
            expectedSha256: streamed.sha256!
          })
          expect(new TextDecoder().decode(back)).toBe("hello world")
          const mismatch = yield* Effect.flip(
            alice.Blob.download({ blobId: streamed.blobId, name: "a.txt", expectedSha256: "0".repeat(64) })
          )
          expect(mismatch).toMatchObject({ _tag: "BlobIntegrityMismatch", actual: streamed.sha256 })
          const missing = yield* Effect.flip(alice.Blob.download({ blobId: "Bnope", name: "a.txt" }))
          expect(missing).toMatchObject({ _tag: "BlobNotFound", blobId: "Bnope" })
          const plain = yield* alice.Blob.upload({ contentType: "image/png", body: bytes("png") })
          expect(plain).toMatchObject({ size: 3, type: "image/png" })
        }))
    }
  )
})

layer(ChatServerTest.layer({ user: "alice", client: { batching: false } }), { excludeTestServices: true })(
  "ChatServerTest (real client stack against a running server)",
  (it) => {
    it.effect("provides the server and the user's whole stack; make adds other users", () =>
      Effect.gen(function*() {
        const server = yield* ChatServer
        const session = yield* (yield* SessionService).get
        expect(session.username).toBe(server.user("alice").login)
        const alice = yield* ChatClient
        const chat = yield* alice.Chat.createOne({ kind: "direct", contactId: server.user("bob").userId })
        yield* alice.Message.send({ chatId: chat.id, body: "over HTTP" })
        const bob = yield* ChatServerTest.make(server, "bob")
        const inbox = yield* bob.Message.list({ filter: { chatId: chat.id } })
        expect(inbox.list.map((m) => m.body)).toEqual(["over HTTP"])
        expect(yield* server.faults.requestCount("session")).toBe(2)
        expect(yield* server.faults.requestCount("api")).toBe(3)
      }).pipe(Effect.scoped))
  }
)
