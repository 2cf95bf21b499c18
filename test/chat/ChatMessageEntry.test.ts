/**
 * Seed row 133: `ChatMessageEntry` constructors, and an encrypted push entry that carries a body
 * snippet is refused (push draft §ChatMessageEntry: `bodySnippet` is absent when `encrypted`).
 */
import { describe, expect, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import { ChatMessageEntry, ChatMessagePush } from "../../src/chat/PushTypes.js"

const fields = {
  messageId: "m1",
  chatId: "c1",
  chatKind: "direct",
  senderId: "user:bob@example.com",
  sentAt: "2026-04-26T12:00:00Z",
  hasMention: false,
  mentionScopes: []
} as const

describe("ChatMessageEntry", () => {
  it("plaintext(…) sets encrypted: false and keeps the snippet", () => {
    const entry = ChatMessageEntry.plaintext({ ...fields, bodySnippet: "hi there" })
    expect(entry).toEqual({ ...fields, bodySnippet: "hi there", encrypted: false })
    expect(Schema.encodeSync(ChatMessageEntry)(entry)).toEqual(entry)
  })

  it("encrypted(…) sets encrypted: true and never carries a snippet", () => {
    const entry = ChatMessageEntry.encrypted({ ...fields })
    expect(entry).toEqual({ ...fields, encrypted: true })
    // A JavaScript caller that passes one anyway does not get it through.
    const sneaky = ChatMessageEntry.encrypted({ ...fields, bodySnippet: "secret" } as never)
    expect("bodySnippet" in sneaky).toBe(false)
    expect(Either.isRight(Schema.decodeUnknownEither(ChatMessageEntry)(entry))).toBe(true)
  })

  it("an encrypted entry with a bodySnippet is refused on decode, with the push that carries it", () => {
    const leaky = { ...fields, encrypted: true, bodySnippet: "plaintext of an encrypted message" }
    const entry = Schema.decodeUnknownEither(ChatMessageEntry)(leaky)
    expect(Either.isLeft(entry) && entry.left.message).toContain("an encrypted entry may not carry a bodySnippet")
    const push = Schema.decodeUnknownEither(ChatMessagePush)({ accountId: "A", state: "s", messages: [leaky] })
    expect(Either.isLeft(push)).toBe(true)
    // A null snippet is no snippet.
    expect(Either.isRight(Schema.decodeUnknownEither(ChatMessageEntry)({ ...leaky, bodySnippet: null }))).toBe(true)
  })
})
