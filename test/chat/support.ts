/**
 * Shared helpers of the chat data-model tests: the fixture corpus location, a decoder with a typed
 * error, and one fully populated sample of every wire type.
 */
import { Either, Schema } from "effect"
import * as fs from "node:fs"
import { fileURLToPath } from "node:url"
import * as Model from "../../src/chat/index.js"
import type { ParseError } from "../../src/jmap/Errors.js"
import { decodeValue } from "../../src/jmap/internal/json.js"
import * as StandardMethods from "../../src/jmap/StandardMethods.js"

/** `../shared/fixtures/jmapchat-client/` (read in place, see shared/README.md). */
export const fixtureDir = fileURLToPath(new URL("../../../shared/fixtures/jmapchat-client/", import.meta.url))
/** Whether the fixture corpus is present on this machine. */
export const haveFixtures = fs.existsSync(fixtureDir)

/** Reads one fixture file as JSON. */
export const readFixture = (relative: string): unknown => JSON.parse(fs.readFileSync(fixtureDir + relative, "utf8"))

/** Lists the `.json` files of one fixture folder, sorted. */
export const listFixtures = (folder: string): ReadonlyArray<string> =>
  fs.readdirSync(fixtureDir + folder).filter((f) => f.endsWith(".json")).sort()

/** Decodes with `schema` as the SDK does, failing with its typed `ParseError`. */
export const decode =
  <A, I>(schema: Schema.Schema<A, I>, subject: string) => (u: unknown): Either.Either<A, ParseError> =>
    decodeValue(schema, u, subject)

/** Encodes with `schema` (the value came from a decode, so this cannot fail). */
export const encode = <A, I>(schema: Schema.Schema<A, I>) => (a: A): I => Schema.encodeSync(schema)(a)

/**
 * The RFC 8620 §5.3 `created` (and non-null `updated`) shape of a type: any subset of its
 * properties, unknown ones kept — the client's own (`StandardMethods.partialOf`).
 */
export const partialOf = <A, I>(schema: Schema.Schema<A, I>) => StandardMethods.partialOf(schema)

const ts = "2026-04-26T12:00:00Z"
const endpoint = {
  type: "urn:jmap:chat:cap:vtc",
  uri: "https://meet.example.com/alice",
  label: "Video",
  metadata: { protocol: "webrtc" }
}
const member = { id: "user:alice@example.com", role: "admin", joinedAt: ts, invitedBy: "did:web:bob.example" }
const channelPermission = { targetId: "role-1", targetType: "role", allow: ["send"], deny: ["pin"] }
const attachment = {
  blobId: "blob-1",
  filename: "a.png",
  contentType: "image/png",
  size: 10,
  sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
  filenodeId: "fn-1",
  thumbnailBlobId: "blob-2"
}
const mention = { id: "user:carol@example.com", offset: 0, length: 6 }
const broadcastMention = { scope: "here", offset: 7, length: 5 }
const action = {
  type: "urn:jmap:chat:cap:payment",
  uri: "lightning:abc",
  label: "Pay",
  expiresAt: ts,
  metadata: { currency: "BTC" }
}
const reaction = { emoji: "👍", customEmojiId: "emoji-1", senderId: "self", sentAt: ts }
const revision = { body: "old", bodyType: "text/plain", editedAt: ts }
const receipt = { deliveredAt: ts, deviceDeliveredAt: ts, readAt: ts, readDisposition: "displayed" }
const role = {
  id: "role-1",
  name: "Admin",
  color: "#5865f2",
  permissions: ["manage_space", "acme_custom"],
  position: 1
}
const spaceMember = { id: "user:alice@example.com", roleIds: ["role-1"], nick: "Al", joinedAt: ts }
const category = { id: "cat-1", name: "General", position: 0, channelIds: ["ch-1"] }
const span = { type: "codeblock", text: "fn main() {}", lang: "rust" }
const entry = {
  messageId: "01J3YKZQP5MWVT8PPBEHTJ3HX",
  chatId: "01J3XKZQN4MWVT8PPBEHTJ3HX",
  chatKind: "channel",
  chatName: "general",
  spaceId: "01J2WKZQM3LVST7OOBDHSI2GW",
  spaceName: "ACME Corp",
  senderId: "user:alice@example.com",
  senderDisplayName: "Alice",
  sentAt: ts,
  hasMention: true,
  mentionScopes: ["here"],
  hasMentionAll: false,
  encrypted: false,
  bodySnippet: "Hey @bob"
}

/** Property names whose value is a map keyed by data (reaction ids, contact ids, type names). */
export const mapProperties: ReadonlySet<string> = new Set(["reactions", "deliveryReceipts", "matchedIds"])

/** A wire type, with a sample that sets every property (defaults included, so it re-encodes as is). */
export interface WireType {
  readonly name: string
  readonly schema: Schema.Schema<any, any>
  readonly sample: unknown
}

const wire = <A, I>(name: string, schema: Schema.Schema<A, I>, sample: unknown): WireType => ({ name, schema, sample })

/** Every object type of the chat data model. */
export const wireTypes: ReadonlyArray<WireType> = [
  wire("ChatSessionCapability", Model.ChatSessionCapability, {}),
  wire("ChatCapability", Model.ChatCapability, {
    maxBodyBytes: 65536,
    maxAttachmentBytes: 10485760,
    maxAttachmentsPerMessage: 10,
    supportsThreads: true,
    supportedBodyTypes: ["text/plain", "application/x-acme"],
    role: "owner"
  }),
  wire("ChatPushSessionCapability", Model.ChatPushSessionCapability, {}),
  wire("ChatPushCapability", Model.ChatPushCapability, {
    maxSnippetBytes: 256,
    supportedUrgencyValues: ["normal", "high"],
    maxMessagesPerPush: 10
  }),
  wire("ChatWebSocketCapability", Model.ChatWebSocketCapability, {}),
  wire("CidCapability", Model.CidCapability, {}),
  wire("Endpoint", Model.Endpoint, endpoint),
  wire("ChatContact", Model.ChatContact, {
    id: "user:carol@example.com",
    login: "carol@example.com",
    displayName: "Carol",
    firstSeenAt: ts,
    lastSeenAt: ts,
    presence: "busy",
    lastActiveAt: ts,
    statusText: "In a meeting",
    statusEmoji: "🗓️",
    endpoints: [endpoint],
    blocked: false,
    serverUrl: "https://chat.example.com",
    directAddress: "tor:abc",
    did: "did:web:carol.example"
  }),
  wire("ChatMember", Model.ChatMember, member),
  wire("ChannelPermission", Model.ChannelPermission, channelPermission),
  wire("Chat", Model.Chat, {
    id: "01HV5Z6QKWJ7N3P8R2X4YTMD3G",
    kind: "channel",
    contactId: "user:carol@example.com",
    name: "general",
    description: "d",
    avatarBlobId: "blob-1",
    members: [member],
    spaceId: "space-1",
    categoryId: "cat-1",
    position: 2,
    topic: "t",
    slowModeSeconds: 30,
    permissionOverrides: [channelPermission],
    createdAt: ts,
    lastMessageAt: ts,
    unreadCount: 3,
    pinnedMessageIds: ["m1"],
    muted: true,
    muteUntil: ts,
    receiveTypingIndicators: false,
    receiptSharing: false,
    messageExpirySeconds: 86400,
    activeCallId: "call-1"
  }),
  wire("Attachment", Model.Attachment, attachment),
  wire("Mention", Model.Mention, mention),
  wire("BroadcastMention", Model.BroadcastMention, broadcastMention),
  wire("MessageAction", Model.MessageAction, action),
  wire("Reaction", Model.Reaction, reaction),
  wire("MessageRevision", Model.MessageRevision, revision),
  wire("DeliveryReceipt", Model.DeliveryReceipt, receipt),
  wire("Message", Model.Message, {
    id: "01HV5Z6QKWJ7N3P8R2X4YTMD00",
    senderMsgId: "01HV5Z6QKWJ7N3P8R2X4YTMD00",
    chatId: "01HV5Z6QKWJ7N3P8R2X4YTMD3G",
    senderId: "self",
    body: "@carol @here hi",
    bodyType: "text/plain",
    attachments: [attachment],
    mentions: [mention],
    broadcastMentions: [broadcastMention],
    actions: [action],
    reactions: { "01HV5Z6QKWJ7N3P8R2X4YTRX01": reaction },
    replyTo: "m0",
    threadRootId: "m0",
    replyCount: 1,
    unreadReplyCount: 0,
    sentAt: ts,
    receivedAt: ts,
    senderExpiresAt: ts,
    burnOnRead: false,
    deliveryState: "delivered",
    deliveryReceipts: { "user:carol@example.com": receipt },
    deliveredAt: ts,
    readAt: ts,
    readDisposition: "voice-listened",
    editedAt: ts,
    editHistory: [revision],
    deletedAt: ts,
    deletedForAll: false
  }),
  wire("SpaceRole", Model.SpaceRole, role),
  wire("SpaceMember", Model.SpaceMember, spaceMember),
  wire("Category", Model.Category, category),
  wire("Space", Model.Space, {
    id: "space-1",
    name: "Engineering",
    description: "d",
    iconBlobId: "blob-1",
    roles: [role],
    members: [spaceMember],
    categories: [category],
    uncategorizedChannelIds: ["ch-2"],
    createdAt: ts,
    isPublic: true,
    isPubliclyPreviewable: false,
    memberCount: 1,
    calendarId: "cal-1",
    taskListId: "tl-1"
  }),
  wire("SpaceInvite", Model.SpaceInvite, {
    id: "inv-1",
    code: "ABC123XYZ",
    spaceId: "space-1",
    defaultChannelId: "ch-1",
    createdBy: "user:alice@example.com",
    expiresAt: ts,
    maxUses: 5,
    uses: 0,
    createdAt: ts
  }),
  wire("SpaceBan", Model.SpaceBan, {
    id: "ban-1",
    spaceId: "space-1",
    userId: "did:key:z6Mk",
    bannedBy: "user:alice@example.com",
    reason: "spam",
    createdAt: ts,
    expiresAt: ts
  }),
  wire("CustomEmoji", Model.CustomEmoji, {
    id: "emoji-1",
    name: "catjam",
    blobId: "blob-1",
    spaceId: "space-1",
    createdBy: "user:alice@example.com",
    createdAt: ts
  }),
  wire("ReadPosition", Model.ReadPosition, { id: "rp-1", chatId: "chat-1", lastReadMessageId: "m1", lastReadAt: ts }),
  wire("PresenceStatus", Model.PresenceStatus, {
    id: "ps-1",
    presence: "away",
    statusText: "lunch",
    statusEmoji: "🍔",
    expiresAt: ts,
    receiptSharing: false,
    updatedAt: ts
  }),
  wire("Span", Model.Span, span),
  wire("RichBody", Model.RichBody, {
    spans: [
      span,
      { type: "mention", text: "@alice", userId: "user:alice@example.com" },
      { type: "broadcast", text: "@here", scope: "here" },
      { type: "link", text: "x", uri: "https://example.com" }
    ]
  }),
  wire("ChatPushConfig", Model.ChatPushConfig, {
    kinds: ["direct", "group"],
    chatIds: ["chat-1"],
    properties: ["messageId", "chatName"],
    urgency: "normal",
    mentionUrgency: "high"
  }),
  wire("ChatMessageEntry", Model.ChatMessageEntry, entry),
  wire("ChatMessagePush", Model.ChatMessagePush, {
    "@type": "ChatMessagePush",
    accountId: "u1",
    state: "d35ecb040aab",
    messages: [entry]
  }),
  wire("Quota", Model.Quota, {
    id: "q-1",
    resourceType: "octets",
    used: 1,
    hardLimit: 10,
    scope: "account",
    name: "alice@example.com",
    types: ["Message"],
    warnLimit: 8,
    softLimit: 9,
    description: "storage"
  }),
  wire("BlobLookupEntry", Model.BlobLookupEntry, { id: "blob-1", matchedIds: { Message: ["m1", "m2"] } }),
  wire("BlobObject", Model.BlobObject, { id: "blob-2", type: "image/webp", size: 1024 })
]
