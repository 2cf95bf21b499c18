import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { createHash } from "node:crypto"
import { ChatServer } from "../../src/testing/index.js"
import { acct, bearer, call, directChat, get, http } from "./helpers.js"

const bytes = new TextEncoder().encode("hello, blob")
const sha256 = createHash("sha256").update(bytes).digest("hex")

const upload = (
  server: ChatServer.Service,
  who: string,
  body: Uint8Array,
  type = "text/plain",
  accountId = acct(server, who)
) =>
  http(`${server.url}/jmap/upload/${accountId}/`, {
    method: "POST",
    headers: { ...bearer(server, who), "content-type": type },
    body: Buffer.from(body)
  })

describe("blobs (RFC 8620 §6, draft-atwood-jmap-cid-00)", () => {
  it.scoped("uploads return accountId, blobId, type, size and a lowercase sha256; downloads serve the bytes", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const up = yield* upload(server, "alice", bytes)
      expect(up.status).toBe(201)
      expect(up.body).toEqual({
        accountId: acct(server, "alice"),
        blobId: expect.any(String),
        type: "text/plain",
        size: bytes.length,
        sha256
      })
      const url = `${server.url}/jmap/download/${acct(server, "alice")}/${up.body.blobId}/note.txt?accept=text/x-note`
      const down = yield* Effect.promise(() => fetch(url, { headers: bearer(server, "alice") }))
      expect(down.status).toBe(200)
      expect(down.headers.get("content-type")).toBe("text/x-note")
      expect(down.headers.get("content-disposition")).toContain("note.txt")
      expect(new Uint8Array(yield* Effect.promise(() => down.arrayBuffer()))).toEqual(bytes)
    }))

  it.scoped("keeps blobs per account until a visible message attaches them", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const { blobId } = (yield* upload(server, "alice", bytes)).body
      const bobUrl = `${server.url}/jmap/download/${acct(server, "bob")}/${blobId}/x`
      expect((yield* http(bobUrl, { headers: bearer(server, "bob") })).status).toBe(404)
      const aliceUrl = `${server.url}/jmap/download/${acct(server, "alice")}/${blobId}/x`
      expect((yield* http(aliceUrl, { headers: bearer(server, "bob") })).status).toBe(404)
      expect((yield* upload(server, "bob", bytes, "text/plain", acct(server, "alice"))).status).toBe(404)
      const chatId = yield* directChat(server, "alice", "bob")
      const sent = yield* call(server, "alice", "Message/set", {
        accountId: acct(server, "alice"),
        create: {
          m: {
            chatId,
            body: "see attached",
            bodyType: "text/plain",
            sentAt: "2026-01-01T00:00:00Z",
            attachments: [{ blobId, filename: "hello.txt", contentType: "text/plain", size: bytes.length, sha256 }]
          },
          wrongHash: {
            chatId,
            body: "x",
            bodyType: "text/plain",
            sentAt: "2026-01-01T00:00:00Z",
            attachments: [{
              blobId,
              filename: "hello.txt",
              contentType: "text/plain",
              size: bytes.length,
              sha256: "0".repeat(64)
            }]
          }
        }
      })
      expect(sent.created.m.id).toEqual(expect.any(String))
      expect(sent.notCreated.wrongHash).toMatchObject({ type: "invalidProperties", properties: ["attachments"] })
      expect((yield* http(bobUrl, { headers: bearer(server, "bob") })).body).toBe("hello, blob")
      const [bobMessage] = yield* get(server, "bob", "Message")
      const lookup = yield* call(server, "bob", "Blob/lookup", {
        accountId: acct(server, "bob"),
        typeNames: ["Message"],
        ids: [blobId, "nope"]
      })
      expect(lookup.list).toEqual([{ id: blobId, matchedIds: { Message: [bobMessage.id] } }])
      expect(lookup.notFound).toEqual(["nope"])
      const unknown = yield* call(server, "bob", "Blob/lookup", {
        accountId: acct(server, "bob"),
        typeNames: ["Mailbox"],
        ids: [blobId]
      })
      expect(unknown.error.type).toBe("unknownDataType")
    }))

  it.scoped("rejects uploads over maxSizeUpload with 413 and a problem body", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make({ limits: { maxSizeUpload: 8 } })
      const reply = yield* upload(server, "alice", bytes)
      expect(reply.status).toBe(413)
      expect(reply.headers.get("content-type")).toContain("application/problem+json")
      expect(reply.body).toMatchObject({
        type: "urn:ietf:params:jmap:error:limit",
        status: 413,
        limit: "maxSizeUpload"
      })
      expect((yield* upload(server, "alice", bytes.slice(0, 8))).status).toBe(201)
    }))

  it.scoped("converts blobs (trivially) with Blob/convert", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const { blobId } = (yield* upload(server, "alice", bytes, "image/png")).body
      const r = yield* call(server, "alice", "Blob/convert", {
        accountId: acct(server, "alice"),
        create: {
          t: { imageConvert: { blobId, type: "image/webp", width: 64 } },
          bad: { imageConvert: { blobId: "nope", type: "image/webp" } }
        }
      })
      expect(r.created.t).toMatchObject({ id: expect.any(String), type: "image/webp", size: bytes.length })
      expect(r.notCreated.bad.type).toBe("notFound")
      const down = yield* http(`${server.url}/jmap/download/${acct(server, "alice")}/${r.created.t.id}/t`, {
        headers: bearer(server, "alice")
      })
      expect(down.headers.get("content-type")).toBe("image/webp")
    }))
})
