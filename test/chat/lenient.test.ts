/**
 * Peer data the drafts say to ignore rather than reject (draft-atwood-jmap-chat-00 §Endpoint,
 * §MessageAction): a `metadata` that does not fit its shape, an odd `expiresAt` or `label`, cost
 * nothing else — the object decodes without them, keeps their raw values under `IllFormed`, never
 * sends them, and re-encodes exactly as received.
 */
import { describe, expect, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import { ChatContact, Endpoint } from "../../src/chat/ChatContact.js"
import { Message, MessageAction } from "../../src/chat/Message.js"
import { compileDecoder } from "../../src/jmap/internal/compile.js"
import { GetResponse } from "../../src/jmap/MethodResponses.js"
import { IllFormed } from "../../src/jmap/Primitives.js"

const action = {
  type: "urn:jmap:chat:cap:vtc",
  uri: "https://meet.example/r/1",
  label: "Join call",
  expiresAt: "tomorrow at noon",
  metadata: "not an object",
  "com.example:x": 1
}

const message = {
  id: "m1",
  senderMsgId: "s1",
  chatId: "c1",
  senderId: "user:bob@example.com",
  body: "call me",
  bodyType: "text/plain",
  attachments: [],
  mentions: [],
  actions: [action],
  reactions: {},
  sentAt: "2026-04-26T12:00:00Z",
  receivedAt: "2026-04-26T12:00:01Z",
  deliveryState: "delivered"
}

describe("lenient peer data", () => {
  it("a MessageAction with an odd expiresAt and metadata decodes without them and keeps them raw", () => {
    for (const decode of [Schema.decodeUnknownEither(MessageAction), compileDecoder(MessageAction)]) {
      const decoded = Either.getOrThrow(decode(action))
      expect(Object.keys(decoded).sort()).toEqual(["com.example:x", "label", "type", "uri"])
      expect(decoded.expiresAt).toBeUndefined()
      expect(decoded[IllFormed]).toEqual({ expiresAt: "tomorrow at noon", metadata: "not an object" })
      // Never sent: JSON has no symbols.
      expect(JSON.parse(JSON.stringify(decoded))).toEqual({
        type: action.type,
        uri: action.uri,
        label: "Join call",
        "com.example:x": 1
      })
      // Forwarded exactly as received when encoded with its schema.
      expect(Schema.encodeSync(MessageAction)(decoded)).toEqual(action)
    }
  })

  it("well-formed values are decoded as before, with nothing ignored", () => {
    const fine = { ...action, expiresAt: "2026-05-01T10:00:00Z", metadata: { roomName: "r1" } }
    const decoded = Either.getOrThrow(Schema.decodeUnknownEither(MessageAction)(fine))
    expect(decoded).toEqual(fine)
    expect(decoded[IllFormed]).toBeUndefined()
    expect(Schema.decodeUnknownEither(MessageAction)({ ...action, uri: 7 })._tag).toBe("Left")
  })

  it("one odd action costs nothing else: the Message and its page decode", () => {
    const page = Either.getOrThrow(
      Schema.decodeUnknownEither(GetResponse(Message))({ accountId: "A", state: "s", list: [message], notFound: [] })
    )
    expect(page.invalid).toEqual([])
    expect(page.list[0]?.body).toBe("call me")
    expect(page.list[0]?.actions[0]?.[IllFormed]).toEqual({ expiresAt: "tomorrow at noon", metadata: "not an object" })
  })

  it("an Endpoint whose metadata does not fit is kept without it (a contact is not lost over it)", () => {
    const contact = {
      id: "user:bob@example.com",
      login: "bob",
      firstSeenAt: "2026-04-26T12:00:00Z",
      lastSeenAt: "2026-04-26T12:00:00Z",
      blocked: false,
      endpoints: [{ type: "urn:jmap:chat:cap:payment", uri: "lightning:x", metadata: ["BTC"], label: 5 }]
    }
    const decoded = Either.getOrThrow(Schema.decodeUnknownEither(ChatContact)(contact))
    expect(JSON.parse(JSON.stringify(decoded.endpoints?.[0]))).toEqual({
      type: "urn:jmap:chat:cap:payment",
      uri: "lightning:x"
    })
    expect(decoded.endpoints?.[0]?.[IllFormed]).toEqual({ metadata: ["BTC"], label: 5 })
    expect(Schema.encodeSync(ChatContact)(decoded)).toEqual(contact)
    expect(Either.isRight(Schema.decodeUnknownEither(Endpoint)({ type: "t", uri: "u", metadata: null }))).toBe(true)
  })
})
