/**
 * The string enums and vocabularies of draft-atwood-jmap-chat-00, its push draft and RFC 9425
 * (spec-digest §2.27). Every wire enum is open: the listed values are typed, and any other string
 * decodes and re-encodes verbatim, because the drafts add values and servers may be newer than this
 * client. Each enum's values are exported as a tuple next to its schema.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { OpenEnum } from "../jmap/Primitives.js"

/** The values of {@link ChatKind}. */
export const chatKinds = ["direct", "group", "channel"] as const
/** `Chat.kind`, `ChatPushConfig.kinds[]` and `ChatMessageEntry.chatKind` (core draft §Chat). */
export const ChatKind = OpenEnum(...chatKinds).annotations({ identifier: "ChatKind" })
/** @see {@link ChatKind} */
export type ChatKind = typeof ChatKind.Type

/** The values of {@link DeliveryState}. */
export const deliveryStates = ["pending", "delivered", "failed", "received"] as const
/** `Message.deliveryState` (core draft §Message). `"received"` means the recipient has read it. */
export const DeliveryState = OpenEnum(...deliveryStates).annotations({ identifier: "DeliveryState" })
/** @see {@link DeliveryState} */
export type DeliveryState = typeof DeliveryState.Type

/** The values of {@link BodyType}: the plaintext body types the core draft defines. */
export const bodyTypes = ["text/plain", "text/markdown", "application/jmap-chat-rich"] as const
/**
 * `Message.bodyType`, a MIME type (core draft §Message, §Capability `supportedBodyTypes`). Other
 * values such as `application/mls-ciphertext` or `application/mimi-content` decode as they are.
 */
export const BodyType = OpenEnum(...bodyTypes).annotations({ identifier: "BodyType" })
/** @see {@link BodyType} */
export type BodyType = typeof BodyType.Type

/** The values of {@link ReadDisposition}. */
export const readDispositions = ["displayed", "deleted", "processed"] as const
/**
 * Why a message was acknowledged (core draft §ReadDisposition). Unknown values MUST be kept as they
 * are and SHOULD be treated as `"displayed"`.
 */
export const ReadDisposition = OpenEnum(...readDispositions).annotations({ identifier: "ReadDisposition" })
/** @see {@link ReadDisposition} */
export type ReadDisposition = typeof ReadDisposition.Type

/** The values of {@link Presence}. */
export const presenceStates = ["online", "away", "busy", "invisible", "offline"] as const
/** A presence state: `ChatContact.presence`, `PresenceStatus.presence` (core draft §ChatContact, §PresenceStatus). */
export const Presence = OpenEnum(...presenceStates).annotations({ identifier: "Presence" })
/** @see {@link Presence} */
export type Presence = typeof Presence.Type

/** The values of {@link UrgencyLevel}. */
export const urgencyLevels = ["very-low", "low", "normal", "high"] as const
/** A Web Push urgency (RFC 8030 §5.3), as used by the push draft §Capability and §ChatPushConfig. */
export const UrgencyLevel = OpenEnum(...urgencyLevels).annotations({ identifier: "UrgencyLevel" })
/** @see {@link UrgencyLevel} */
export type UrgencyLevel = typeof UrgencyLevel.Type

/** The values of {@link ChatMemberRole} (the Rust client's `SPEC_CHAT_MEMBER_ROLES`). */
export const chatMemberRoles = ["admin", "member"] as const
/**
 * `ChatMember.role` (core draft §ChatMember). Only these two are valid, but compliance test 1.9 lets
 * a server "reject or normalize" others, so decoding stays open (spec-digest §7.34).
 */
export const ChatMemberRole = OpenEnum(...chatMemberRoles).annotations({ identifier: "ChatMemberRole" })
/** @see {@link ChatMemberRole} */
export type ChatMemberRole = typeof ChatMemberRole.Type

/** The values of {@link QuotaScope}. */
export const quotaScopes = ["account", "domain", "global"] as const
/** `Quota.scope` (RFC 9425 §3.1). */
export const QuotaScope = OpenEnum(...quotaScopes).annotations({ identifier: "QuotaScope" })
/** @see {@link QuotaScope} */
export type QuotaScope = typeof QuotaScope.Type

/** The values of {@link QuotaResourceType}. */
export const quotaResourceTypes = ["count", "octets"] as const
/** `Quota.resourceType` (RFC 9425 §3.2). */
export const QuotaResourceType = OpenEnum(...quotaResourceTypes).annotations({ identifier: "QuotaResourceType" })
/** @see {@link QuotaResourceType} */
export type QuotaResourceType = typeof QuotaResourceType.Type

/** The values of {@link ContactSortProperty}. */
export const contactSortProperties = ["lastSeenAt", "login", "lastActiveAt"] as const
/** The sort properties of `ChatContact/query` (core draft §ChatContact/query). */
export const ContactSortProperty = OpenEnum(...contactSortProperties).annotations({
  identifier: "ContactSortProperty"
})
/** @see {@link ContactSortProperty} */
export type ContactSortProperty = typeof ContactSortProperty.Type

/**
 * The `presence` filter of `ChatContact/query` (core draft §ChatContact/query). Closed on purpose:
 * it is what this client sends, so only the five defined states are accepted.
 */
export const ContactPresenceFilter = Schema.Literal(...presenceStates).annotations({
  identifier: "ContactPresenceFilter"
})
/** @see {@link ContactPresenceFilter} */
export type ContactPresenceFilter = typeof ContactPresenceFilter.Type

/** The values of {@link BroadcastScope}. */
export const broadcastScopes = ["everyone", "here", "admins"] as const
/**
 * `BroadcastMention.scope`, the rich-body `"broadcast"` span `scope` and
 * `ChatMessageEntry.mentionScopes[]` (core draft §BroadcastMention). Servers reject other values;
 * this client still decodes them.
 */
export const BroadcastScope = OpenEnum(...broadcastScopes).annotations({ identifier: "BroadcastScope" })
/** @see {@link BroadcastScope} */
export type BroadcastScope = typeof BroadcastScope.Type

/** The Space permission names (core draft §SpaceRole; the Rust client's `SPEC_PERMISSION_NAMES`). */
export const permissionNames = [
  "view",
  "send",
  "pin",
  "manage_channels",
  "manage_members",
  "manage_roles",
  "manage_space",
  "ban",
  "mention_broadcast"
] as const
/**
 * A permission in `SpaceRole.permissions` or `ChannelPermission.allow`/`deny`. Servers ignore
 * unknown names. The implementer guide's `mention_all` is an older name of `mention_broadcast`
 * (spec-digest §7.14); both decode, and this client sends `mention_broadcast`, the core draft's name.
 */
export const Permission = OpenEnum(...permissionNames).annotations({ identifier: "Permission" })
/** @see {@link Permission} */
export type Permission = typeof Permission.Type

/** The values of {@link ChannelPermissionTargetType} (`SPEC_CHANNEL_PERMISSION_TARGET_TYPES`). */
export const channelPermissionTargetTypes = ["role", "member"] as const
/** `ChannelPermission.targetType` (core draft §ChannelPermission). */
export const ChannelPermissionTargetType = OpenEnum(...channelPermissionTargetTypes).annotations({
  identifier: "ChannelPermissionTargetType"
})
/** @see {@link ChannelPermissionTargetType} */
export type ChannelPermissionTargetType = typeof ChannelPermissionTargetType.Type

/**
 * The ephemeral data types a `ChatStreamEnable` may ask for (WSS draft; the Rust client's
 * `SPEC_EPHEMERAL_DATA_TYPES`). The companion values `"vtc"` and `"scene"` need their own
 * websocket capabilities.
 */
export const ephemeralDataTypes = ["typing", "presence"] as const

/** The values of {@link AccountRole}. */
export const accountRoles = ["owner", "peer"] as const
/**
 * The `role` of an account's chat capability (federation draft; compliance test 3.5). A `"peer"`
 * account may call only `Peer/*` methods.
 */
export const AccountRole = OpenEnum(...accountRoles).annotations({ identifier: "AccountRole" })
/** @see {@link AccountRole} */
export type AccountRole = typeof AccountRole.Type

/** The well-known `Endpoint.type` / `MessageAction.type` URIs (core draft §Endpoint). */
export const endpointTypes = [
  "urn:jmap:chat:cap:vtc",
  "urn:jmap:chat:cap:payment",
  "urn:jmap:chat:cap:blob",
  "urn:jmap:chat:cap:calendar-event",
  "urn:jmap:chat:cap:availability",
  "urn:jmap:chat:cap:task",
  "urn:jmap:chat:cap:filenode"
] as const
/** `Endpoint.type` and `MessageAction.type`: an extensible URI. Clients MUST ignore types they do not know. */
export const EndpointType = OpenEnum(...endpointTypes).annotations({ identifier: "EndpointType" })
/** @see {@link EndpointType} */
export type EndpointType = typeof EndpointType.Type

/** The span types of `application/jmap-chat-rich` (core draft §Rich Body Format). */
export const spanTypes = [
  "text",
  "bold",
  "italic",
  "bold-italic",
  "code",
  "codeblock",
  "blockquote",
  "mention",
  "broadcast",
  "link"
] as const
/**
 * A rich-body `Span.type`. Servers reject unknown types; clients MUST render an unknown span's
 * `text` as plain text, so decoding stays open.
 */
export const SpanType = OpenEnum(...spanTypes).annotations({ identifier: "SpanType" })
/** @see {@link SpanType} */
export type SpanType = typeof SpanType.Type
