/**
 * Targeted rules of the chat data model: open enums, the `"self"` sender, contact ids, absent
 * versus `null`, lenient defaults, the rich-body string rule, capability strictness and the
 * places where the drafts disagree.
 */
import { describe, expect, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import * as Model from "../../src/chat/index.js"
import { ParseError } from "../../src/jmap/Errors.js"
import { decode, encode } from "./support.js"

const ts = "2026-04-26T12:00:00Z"

/** The decoded value, or the test fails with the typed error. */
const ok = <A, I>(schema: Schema.Schema<A, I>, u: unknown): A => {
  const result = decode(schema, "test")(u)
  if (Either.isLeft(result)) throw result.left
  return result.right
}

/** The path of the typed `ParseError` the decode fails with. */
const failurePath = (schema: Schema.Schema<any, any>, u: unknown): string => {
  const result = decode(schema, "test")(u)
  if (Either.isRight(result)) throw new Error(`expected a ParseError, decoded ${JSON.stringify(u)}`)
  expect(result.left).toBeInstanceOf(ParseError)
  return result.left.path
}

const leftOf = <A>(result: Either.Either<A, ParseError>): ParseError => {
  if (Either.isRight(result)) throw new Error("expected a ParseError")
  expect(result.left).toBeInstanceOf(ParseError)
  return result.left
}

const chat = {
  id: "01J3XKZQN4MWVT8PPBEHTJ3HX",
  kind: "group",
  createdAt: ts,
  unreadCount: 0,
  pinnedMessageIds: [],
  muted: false
}
const message = {
  id: "01J3YKZQP5MWVT8PPBEHTJ3HX",
  senderMsgId: "01J3YKZQP5MWVT8PPBEHTJ3HX",
  chatId: "01J3XKZQN4MWVT8PPBEHTJ3HX",
  senderId: "self",
  body: "hello",
  bodyType: "text/plain",
  attachments: [],
  mentions: [],
  broadcastMentions: [],
  actions: [],
  reactions: {},
  sentAt: ts,
  receivedAt: ts,
  deliveryState: "pending"
}
const chatCapability = {
  maxBodyBytes: 65536,
  maxAttachmentBytes: 1024,
  maxAttachmentsPerMessage: 10,
  supportsThreads: false
}

describe("open enums", () => {
  const enums: ReadonlyArray<readonly [string, Schema.Schema<string, string>, ReadonlyArray<string>]> = [
    ["ChatKind", Model.ChatKind, Model.chatKinds],
    ["DeliveryState", Model.DeliveryState, Model.deliveryStates],
    ["BodyType", Model.BodyType, Model.bodyTypes],
    ["ReadDisposition", Model.ReadDisposition, Model.readDispositions],
    ["Presence", Model.Presence, Model.presenceStates],
    ["UrgencyLevel", Model.UrgencyLevel, Model.urgencyLevels],
    ["ChatMemberRole", Model.ChatMemberRole, Model.chatMemberRoles],
    ["QuotaScope", Model.QuotaScope, Model.quotaScopes],
    ["QuotaResourceType", Model.QuotaResourceType, Model.quotaResourceTypes],
    ["ContactSortProperty", Model.ContactSortProperty, Model.contactSortProperties],
    ["BroadcastScope", Model.BroadcastScope, Model.broadcastScopes],
    ["Permission", Model.Permission, Model.permissionNames],
    ["ChannelPermissionTargetType", Model.ChannelPermissionTargetType, Model.channelPermissionTargetTypes],
    ["AccountRole", Model.AccountRole, Model.accountRoles],
    ["EndpointType", Model.EndpointType, Model.endpointTypes],
    ["SpanType", Model.SpanType, Model.spanTypes]
  ]

  for (const [name, schema, values] of enums) {
    it(`${name}: known values, an unknown value verbatim, and non-strings refused`, () => {
      for (const v of [...values, "x-acme-future"]) expect(encode(schema)(ok(schema, v))).toBe(v)
      for (const bad of [42, null, {}]) expect(failurePath(schema, bad)).toBe("")
    })
  }

  it("unknown values inside objects survive the round trip", () => {
    const input = {
      ...message,
      bodyType: "application/mls-ciphertext",
      deliveryState: "bounced",
      readDisposition: "voice-listened"
    }
    expect(encode(Model.Message)(ok(Model.Message, input))).toEqual(input)
    expect(ok(Model.Chat, { ...chat, kind: "thread" }).kind).toBe("thread")
    expect(ok(Model.ChatMember, { id: "u", role: "owner", joinedAt: ts }).role).toBe("owner")
  })

  it("ContactPresenceFilter is closed: it is what the client sends", () => {
    for (const v of Model.presenceStates) expect(ok(Model.ContactPresenceFilter, v)).toBe(v)
    expect(failurePath(Model.ContactPresenceFilter, "dnd")).toBe("")
  })

  it("vocabularies match the drafts", () => {
    expect(Model.permissionNames).toHaveLength(9)
    expect(Model.permissionNames).toContain("mention_broadcast")
    expect(Model.ephemeralDataTypes).toEqual(["typing", "presence"])
    expect(Model.chatMemberRoles).toEqual(["admin", "member"])
    expect(Model.channelPermissionTargetTypes).toEqual(["role", "member"])
  })
})

describe("senders and contact ids", () => {
  it("\"self\" is the owner; anything else is a contact", () => {
    expect(Model.isSelf(ok(Model.Message, message).senderId)).toBe(true)
    const inbound = ok(Model.Message, { ...message, senderId: "user:alice@example.com" })
    expect(Model.isSelf(inbound.senderId)).toBe(false)
    expect(inbound.senderId).toBe("user:alice@example.com")
    expect(Model.isSelf(ok(Model.Reaction, { emoji: "👍", senderId: "self", sentAt: ts }).senderId)).toBe(true)
  })

  it("an empty sender or contact id is a ParseError", () => {
    expect(failurePath(Model.Message, { ...message, senderId: "" })).toBe("senderId")
    expect(failurePath(Model.Mention, { id: "", offset: 0, length: 1 })).toBe("id")
  })

  it("contact ids are opaque strings, not RFC 8620 Ids", () => {
    for (const id of ["user:alice@example.com", "did:web:alice.example", "@bob@host.example"]) {
      expect(ok(Model.Mention, { id, offset: 0, length: 1 }).id).toBe(id)
      expect(ok(Model.SpaceBan, { id: "b", spaceId: "s", userId: id, bannedBy: id, createdAt: ts }).userId).toBe(id)
      expect(Object.keys(ok(Model.Message, { ...message, deliveryReceipts: { [id]: {} } }).deliveryReceipts ?? {}))
        .toEqual([id])
    }
  })

  it("the drafts' 25-character example ids are accepted (no ULID validation)", () => {
    expect(ok(Model.Chat, { ...chat, id: "01J2WKZQM3LVST7OOBDHSI2GW", spaceId: "01J2WKZQM3LVST7OOBDHSI2GW" }).id)
      .toHaveLength(25)
  })

  it("a \"__proto__\" map key is dropped instead of becoming the map's prototype", () => {
    const reaction = `{"emoji":"x","senderId":"self","sentAt":"${ts}"}`
    const input = JSON.parse(
      JSON.stringify(message).replace("\"reactions\":{}", `"reactions":{"__proto__":${reaction},"r1":${reaction}}`)
    )
    const reactions = ok(Model.Message, input).reactions
    expect(Object.keys(reactions)).toEqual(["r1"])
    expect(Object.getPrototypeOf(reactions)).toBe(Object.prototype)
    const maps = [
      ok(Model.BlobLookupEntry, JSON.parse(`{"id":"b","matchedIds":{"__proto__":["m1"],"Message":["m2"]}}`)).matchedIds,
      ok(Model.Endpoint, JSON.parse(`{"type":"t","uri":"u","metadata":{"__proto__":{"polluted":true},"k":1}}`))
        .metadata ?? {}
    ]
    for (const map of maps) {
      expect(Object.getPrototypeOf(map)).toBe(Object.prototype)
      expect(Object.keys(map)).toHaveLength(1)
    }
  })

  it("map entries: an invalid key drops the entry, an invalid value is a ParseError", () => {
    const decoded = ok(Model.Message, {
      ...message,
      reactions: { "": { emoji: "x", senderId: "self", sentAt: ts } },
      deliveryReceipts: { "": {} }
    })
    expect(decoded.reactions).toEqual({})
    expect(decoded.deliveryReceipts).toEqual({})
    expect(failurePath(Model.Message, { ...message, reactions: { r1: 5 } })).toBe("reactions.r1")
    expect(failurePath(Model.Message, { ...message, reactions: { r1: { emoji: "x", senderId: "", sentAt: ts } } }))
      .toBe("reactions.r1.senderId")
    expect(failurePath(Model.BlobLookupEntry, { id: "b", matchedIds: { Message: [""] } })).toBe("matchedIds.Message[0]")
  })
})

describe("absent versus null", () => {
  it("DeliveryReceipt keeps null (not yet) apart from absent (not reported)", () => {
    const pending = ok(Model.DeliveryReceipt, { deliveredAt: null, readAt: null })
    const unknown = ok(Model.DeliveryReceipt, {})
    expect(pending).toEqual({ deliveredAt: null, readAt: null })
    expect("deliveredAt" in unknown).toBe(false)
    expect(encode(Model.DeliveryReceipt)(pending)).toEqual({ deliveredAt: null, readAt: null })
    expect(
      encode(Model.DeliveryReceipt)(
        ok(Model.DeliveryReceipt, { deliveredAt: ts, readAt: null, deviceDeliveredAt: null })
      )
    )
      .toEqual({ deliveredAt: ts, readAt: null, deviceDeliveredAt: null })
  })

  it("compliance test 1.7: invitedBy is null for the creator", () => {
    expect(ok(Model.ChatMember, { id: "user:a@x", role: "admin", joinedAt: ts, invitedBy: null }).invitedBy).toBeNull()
  })

  it("compliance test 1.10: lastReadMessageId may be null", () => {
    expect(ok(Model.ReadPosition, { id: "rp", chatId: "c", lastReadMessageId: null, lastReadAt: ts }).lastReadMessageId)
      .toBeNull()
  })

  it("compliance test 1.2: a ChatContact with every field present, missing ones null", () => {
    const contact = {
      id: "user:dave@example.com",
      login: "dave",
      displayName: null,
      blocked: false,
      firstSeenAt: ts,
      lastSeenAt: ts,
      presence: null,
      lastActiveAt: null,
      statusText: null,
      statusEmoji: null,
      endpoints: null
    }
    expect(encode(Model.ChatContact)(ok(Model.ChatContact, contact))).toEqual(contact)
  })

  it("null for a required property is a ParseError", () => {
    expect(failurePath(Model.Chat, { ...chat, unreadCount: null })).toBe("unreadCount")
    expect(failurePath(Model.Message, { ...message, body: null })).toBe("body")
  })
})

describe("lenient defaults where the corpora disagree", () => {
  it("Chat.receiveTypingIndicators: absent decodes to true, false is kept", () => {
    expect(ok(Model.Chat, chat).receiveTypingIndicators).toBe(true)
    expect(ok(Model.Chat, { ...chat, receiveTypingIndicators: false }).receiveTypingIndicators).toBe(false)
    expect(encode(Model.Chat)(ok(Model.Chat, chat))).toEqual({ ...chat, receiveTypingIndicators: true })
  })

  it("PresenceStatus.receiptSharing: absent decodes to true, false is kept", () => {
    const status = { id: "ps", presence: "online", updatedAt: ts }
    expect(ok(Model.PresenceStatus, status).receiptSharing).toBe(true)
    expect(ok(Model.PresenceStatus, { ...status, receiptSharing: false }).receiptSharing).toBe(false)
  })

  it("Message.broadcastMentions: absent (older draft, fixtures) decodes to []", () => {
    const { broadcastMentions: _, ...older } = message
    expect(ok(Model.Message, older).broadcastMentions).toEqual([])
  })

  it("ChatCapability.supportedBodyTypes: absent decodes to [] as in the Rust client", () => {
    expect(ok(Model.ChatCapability, chatCapability).supportedBodyTypes).toEqual([])
  })
})

describe("the rich body string rule", () => {
  const rich = (body: unknown) => ({ ...message, bodyType: Model.richBodyType, body })
  const draftExample = {
    spans: [
      { type: "text", text: "Hello " },
      { type: "mention", text: "@alice", userId: "user:alice@example.com" },
      { type: "text", text: " and " },
      { type: "broadcast", text: "@here", scope: "here" },
      { type: "text", text: ", see this code: " },
      { type: "code", text: "foo()" },
      { type: "text", text: ". Full example:" },
      { type: "codeblock", text: "fn main() {}", lang: "rust" }
    ]
  }

  it("a Message whose rich body is an object, not a string, is a ParseError at body", () => {
    expect(failurePath(Model.Message, rich(draftExample))).toBe("body")
  })

  it("decodeRichBody parses the draft's example from the body string", () => {
    const body = Either.getOrThrow(Model.decodeRichBody(ok(Model.Message, rich(JSON.stringify(draftExample)))))
    expect(body).toEqual(draftExample)
    expect(body.spans[3]?.scope).toBe("here")
  })

  it("decodeRichBody refuses a non-rich body type", () => {
    const error = leftOf(Model.decodeRichBody(ok(Model.Message, message)))
    expect(error.path).toBe("bodyType")
    expect(error.description).toContain("text/plain")
  })

  it("decodeRichBody answers bad JSON and bad spans with a ParseError", () => {
    expect(leftOf(Model.decodeRichBody(rich("{not json"))).subject).toBe("Message.body (rich)")
    expect(leftOf(Model.decodeRichBody(rich(JSON.stringify({ spans: [{ type: "text" }] })))).path).toBe("spans[0].text")
    expect(leftOf(Model.decodeRichBody(rich(JSON.stringify([1, 2])))).path).toBe("")
    expect(leftOf(Model.decodeRichBody({ bodyType: Model.richBodyType, body: draftExample })).path).toBe("")
  })

  it("an unknown span type decodes with its text and round-trips", () => {
    const body = { spans: [{ type: "strikethrough", text: "old", acmeStyle: "wavy" }] }
    const decoded = Either.getOrThrow(Model.decodeRichBody(rich(JSON.stringify(body))))
    expect(decoded.spans[0]?.text).toBe("old")
    expect(JSON.parse(Either.getOrThrow(Model.encodeRichBody(decoded)))).toEqual(body)
  })

  it("encodeRichBody produces the string decodeRichBody reads", () => {
    const encoded = Either.getOrThrow(Model.encodeRichBody(draftExample))
    expect(typeof encoded).toBe("string")
    expect(Model.decodeRichBody(rich(encoded))).toEqual(Either.right(draftExample))
  })
})

describe("capabilities", () => {
  it("ChatCapability: {} is refused, like the Rust client", () => {
    expect(failurePath(Model.ChatCapability, {})).toBe("maxBodyBytes")
  })

  it("ChatCapability: each required limit is required", () => {
    for (const key of ["maxBodyBytes", "maxAttachmentBytes", "maxAttachmentsPerMessage", "supportsThreads"] as const) {
      const { [key]: _, ...rest } = chatCapability
      expect(failurePath(Model.ChatCapability, rest)).toBe(key)
    }
    expect(failurePath(Model.ChatCapability, { ...chatCapability, maxBodyBytes: "not-a-number" })).toBe("maxBodyBytes")
    expect(failurePath(Model.ChatCapability, { ...chatCapability, maxBodyBytes: -1 })).toBe("maxBodyBytes")
  })

  it("ChatCapability: aggregate caps and the federation role", () => {
    const input = { ...chatCapability, supportedBodyTypes: ["text/plain"], maxGroupMembers: 100, role: "peer" }
    const cap = ok(Model.ChatCapability, input)
    expect(cap.role).toBe("peer")
    expect(encode(Model.ChatCapability)(cap)).toEqual(input)
  })

  it("ChatPushCapability: maxSnippetBytes and supportedUrgencyValues are required", () => {
    expect(failurePath(Model.ChatPushCapability, {})).toBe("maxSnippetBytes")
    expect(failurePath(Model.ChatPushCapability, { maxSnippetBytes: 256 })).toBe("supportedUrgencyValues")
    expect(
      ok(Model.ChatPushCapability, { maxSnippetBytes: 256, supportedUrgencyValues: ["normal", "high"] })
        .maxMessagesPerPush
    )
      .toBeUndefined()
  })

  it("session-level capabilities are {} and keep whatever a newer server adds", () => {
    for (
      const schema of [
        Model.ChatSessionCapability,
        Model.ChatPushSessionCapability,
        Model.ChatWebSocketCapability,
        Model.CidCapability
      ]
    ) {
      expect(ok(schema, {})).toEqual({})
      expect(encode(schema)(ok(schema, { acmeFuture: 1 }))).toEqual({ acmeFuture: 1 })
      expect(failurePath(schema, [])).toBe("")
    }
  })

  it("capability URIs", () => {
    expect(Model.CapabilityUri).toMatchObject({
      core: "urn:ietf:params:jmap:core",
      chat: "urn:ietf:params:jmap:chat",
      chatPush: "urn:ietf:params:jmap:chat:push",
      chatWebSocket: "urn:ietf:params:jmap:chat:websocket",
      webSocket: "urn:ietf:params:jmap:websocket",
      cid: "urn:ietf:params:jmap:cid",
      quota: "urn:ietf:params:jmap:quota",
      blob2: "urn:ietf:params:jmap:blob2",
      refplus: "urn:ietf:params:jmap:refplus",
      webpushVapid: "urn:ietf:params:jmap:webpush-vapid"
    })
  })
})

describe("push payloads", () => {
  const entry = {
    messageId: "01J3YKZQP5MWVT8PPBEHTJ3HX",
    chatId: "01J3XKZQN4MWVT8PPBEHTJ3HX",
    chatKind: "channel",
    chatName: "general",
    spaceId: "01J2WKZQM3LVST7OOBDHSI2GW",
    spaceName: "ACME Corp",
    senderId: "user:alice@example.com",
    senderDisplayName: "Alice",
    sentAt: "2026-04-26T14:32:00Z",
    hasMention: true,
    mentionScopes: ["here"],
    encrypted: false,
    bodySnippet: "Hey @bob and @here, the deploy is ready for review"
  }
  const push = { "@type": "ChatMessagePush", accountId: "u1", state: "d35ecb040aab", messages: [entry] }

  it("the push draft's example payload decodes with mentionScopes", () => {
    const decoded = ok(Model.ChatMessagePush, push)
    expect(decoded.messages[0]?.mentionScopes).toEqual(["here"])
    expect(encode(Model.ChatMessagePush)(decoded)).toEqual(push)
  })

  it("@type may be absent on decode, is always written, and must be ChatMessagePush", () => {
    const { "@type": _, ...untyped } = push
    expect(encode(Model.ChatMessagePush)(ok(Model.ChatMessagePush, untyped))).toEqual(push)
    expect(failurePath(Model.ChatMessagePush, { ...push, "@type": "StateChange" })).toBe("@type")
  })

  it("an entry carries only the requested properties (push draft §ChatPushConfig properties)", () => {
    expect(ok(Model.ChatMessageEntry, { messageId: "m1" })).toEqual({ messageId: "m1" })
  })

  it("the legacy hasMentionAll decodes next to the draft's mentionScopes", () => {
    expect(ok(Model.ChatMessageEntry, { ...entry, hasMentionAll: true }).hasMentionAll).toBe(true)
  })

  it("ChatPushConfig: absent and null kinds both mean all kinds; an empty config is {}", () => {
    expect(ok(Model.ChatPushConfig, {})).toEqual({})
    expect(ok(Model.ChatPushConfig, { kinds: null, chatIds: null })).toEqual({ kinds: null, chatIds: null })
    expect(failurePath(Model.ChatPushConfig, { kinds: "direct" })).toBe("kinds")
  })
})

describe("other types", () => {
  it("a non-member's restricted Space view decodes (core draft §Space/get)", () => {
    const restricted = {
      id: "space-1",
      name: "Public",
      description: "d",
      iconBlobId: "blob-1",
      memberCount: 42,
      createdAt: ts,
      isPublic: true,
      isPubliclyPreviewable: true
    }
    const space = ok(Model.Space, restricted)
    expect(space.members).toBeUndefined()
    expect(encode(Model.Space)(space)).toEqual(restricted)
  })

  it("the RFC 9425 §5.1 Quota example decodes", () => {
    const quota = {
      id: "2a06df0d-9865-4e74-a92f-74dcc814270e",
      resourceType: "count",
      used: 1056,
      warnLimit: 1600,
      softLimit: 1800,
      hardLimit: 2000,
      scope: "account",
      name: "bob@example.com",
      description: "Personal account usage",
      types: ["Mail", "Calendar", "Contact"]
    }
    expect(encode(Model.Quota)(ok(Model.Quota, quota))).toEqual(quota)
  })

  it("CustomEmojiName follows ^[a-z0-9_-]+$", () => {
    for (const name of ["catjam", "party-parrot_2"]) expect(ok(Model.CustomEmojiName, name)).toBe(name)
    for (const name of ["CatJam", ":catjam:", "", "cat jam"]) expect(failurePath(Model.CustomEmojiName, name)).toBe("")
  })

  it("UnsignedInt properties refuse negatives and fractions", () => {
    expect(failurePath(Model.Mention, { id: "u", offset: -1, length: 1 })).toBe("offset")
    expect(failurePath(Model.Chat, { ...chat, unreadCount: 1.5 })).toBe("unreadCount")
  })
})
