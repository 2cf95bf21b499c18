/**
 * The capability URIs a JMAP Chat client meets, and the capability objects of
 * draft-atwood-jmap-chat-00 §Capability, the push draft §Capability, the WSS draft and
 * draft-atwood-jmap-cid-00 (spec-digest §1).
 *
 * @since 0.1.0
 */
import { Predicate, Schema } from "effect"
import { OpenStruct, UnsignedInt } from "../jmap/Primitives.js"
import { AccountRole, BodyType, UrgencyLevel } from "./Enums.js"
import { optionalNullable } from "./internal/schema.js"

/** The capability URIs of JMAP core, JMAP Chat and the companion specifications it uses (spec-digest §1). */
export const CapabilityUri = {
  /** RFC 8620 §2. */
  core: "urn:ietf:params:jmap:core",
  /** draft-atwood-jmap-chat-00 §Capability. */
  chat: "urn:ietf:params:jmap:chat",
  /** draft-atwood-jmap-chat-push-00 §Capability. */
  chatPush: "urn:ietf:params:jmap:chat:push",
  /** draft-atwood-jmap-chat-wss-00: ephemeral typing and presence frames over RFC 8887. */
  chatWebSocket: "urn:ietf:params:jmap:chat:websocket",
  /** RFC 8887 §4. */
  webSocket: "urn:ietf:params:jmap:websocket",
  /** draft-atwood-jmap-cid-00: upload responses carry `sha256`. */
  cid: "urn:ietf:params:jmap:cid",
  /** RFC 9425. */
  quota: "urn:ietf:params:jmap:quota",
  /** draft-ietf-jmap-blobext: `Blob/lookup`, `Blob/convert`, `Blob/get`. */
  blob2: "urn:ietf:params:jmap:blob2",
  /** draft-ietf-jmap-refplus: result references inside `/set` bodies and `/query` filters. */
  refplus: "urn:ietf:params:jmap:refplus",
  /** draft-ietf-jmap-webpush-vapid. */
  webpushVapid: "urn:ietf:params:jmap:webpush-vapid"
} as const
/** One of the {@link CapabilityUri} values. */
export type CapabilityUri = (typeof CapabilityUri)[keyof typeof CapabilityUri]

/** An object with no defined properties; unlike a bare `Struct({})` it refuses non-objects. */
const emptyCapability = (identifier: string) =>
  OpenStruct({}).pipe(Schema.filter(Predicate.isRecord, { message: () => "expected a capability object" })).annotations(
    {
      identifier
    }
  )

/**
 * Session-level `capabilities["urn:ietf:params:jmap:chat"]`: an empty object (core draft
 * §Session-Level Capability Object; compliance test 3.1). Unknown properties are kept.
 */
export const ChatSessionCapability = emptyCapability("ChatSessionCapability")
/** @see {@link ChatSessionCapability} */
export type ChatSessionCapability = typeof ChatSessionCapability.Type

/**
 * Account-level `accountCapabilities["urn:ietf:params:jmap:chat"]` (core draft §Account-Level
 * Capability Object).
 *
 * Strict like the Rust client's `ChatCapability` (seed-api §2.8): the four limits are required, so
 * `{}` is rejected. The draft agrees (it lists them without "optional"). `supportedBodyTypes` is
 * required by the draft but defaults to `[]` when absent, as in the Rust client. The aggregate caps
 * some servers send (`maxGroupMembers`, `maxSpaceMembers`, …) are not in the drafts, which enforce
 * those limits with `overQuota` instead; they are kept as unknown properties.
 */
export const ChatCapability = OpenStruct({
  maxBodyBytes: UnsignedInt,
  maxAttachmentBytes: UnsignedInt,
  maxAttachmentsPerMessage: UnsignedInt,
  supportsThreads: Schema.Boolean,
  supportedBodyTypes: Schema.optionalWith(Schema.Array(BodyType), { default: () => [] }),
  /** Federation draft: `"owner"` or `"peer"` (compliance test 3.5 expects it on every account). */
  role: optionalNullable(AccountRole)
}, "ChatCapability")
/** @see {@link ChatCapability} */
export type ChatCapability = typeof ChatCapability.Type

/** Session-level `capabilities["urn:ietf:params:jmap:chat:push"]`: an empty object (push draft §Capability). */
export const ChatPushSessionCapability = emptyCapability("ChatPushSessionCapability")
/** @see {@link ChatPushSessionCapability} */
export type ChatPushSessionCapability = typeof ChatPushSessionCapability.Type

/**
 * Account-level `accountCapabilities["urn:ietf:params:jmap:chat:push"]` (push draft
 * §Account-Level Capability Object; compliance test 3.3). Strict like the Rust client:
 * `maxSnippetBytes` and `supportedUrgencyValues` are required.
 */
export const ChatPushCapability = OpenStruct({
  maxSnippetBytes: UnsignedInt,
  supportedUrgencyValues: Schema.Array(UrgencyLevel),
  /** Absent: the server advertises no bound on `ChatMessagePush.messages`. */
  maxMessagesPerPush: optionalNullable(UnsignedInt)
}, "ChatPushCapability")
/** @see {@link ChatPushCapability} */
export type ChatPushCapability = typeof ChatPushCapability.Type

/**
 * Session-level `capabilities["urn:ietf:params:jmap:chat:websocket"]`: an empty object with no
 * account-level form (WSS draft §Capability; compliance test 3.4). Its presence means the server
 * delivers `ChatTypingEvent`/`ChatPresenceEvent` and accepts `ChatStreamEnable`.
 */
export const ChatWebSocketCapability = emptyCapability("ChatWebSocketCapability")
/** @see {@link ChatWebSocketCapability} */
export type ChatWebSocketCapability = typeof ChatWebSocketCapability.Type

/**
 * Session-level `capabilities["urn:ietf:params:jmap:cid"]`: an empty object in this version
 * (draft-atwood-jmap-cid-00 §Capability). Its presence means upload responses carry `sha256`.
 */
export const CidCapability = emptyCapability("CidCapability")
/** @see {@link CidCapability} */
export type CidCapability = typeof CidCapability.Type
