/**
 * The objects of draft-atwood-jmap-chat-push-00: the per-account `chatPush` configuration of a
 * PushSubscription, and the `ChatMessagePush` payload a push endpoint receives.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { Id, OpenStruct, State, UTCDate } from "../jmap/Primitives.js"
import { BroadcastScope, ChatKind, UrgencyLevel } from "./Enums.js"
import { optionalNullable } from "./internal/schema.js"
import { SenderId } from "./Message.js"

/**
 * Which messages of one account trigger an inline push, and what it carries (push draft
 * §ChatPushConfig): a value of `PushSubscription.chatPush`, keyed by accountId. Absent or `null`
 * `kinds`/`chatIds` mean all; with both set a chat must match both. `urgency` defaults to
 * `"normal"` on the server; `urgency` and `mentionUrgency` must be in `supportedUrgencyValues`.
 * Field names are those of compliance test 6.1 (`kinds`, not `chatKindFilter`).
 */
export const ChatPushConfig = OpenStruct({
  kinds: optionalNullable(Schema.Array(ChatKind)),
  chatIds: optionalNullable(Schema.Array(Id)),
  /** The `ChatMessageEntry` fields to send; absent means the draft's default set. */
  properties: optionalNullable(Schema.Array(Schema.String)),
  urgency: optionalNullable(UrgencyLevel),
  /** Replaces `urgency` when an entry has `hasMention: true` or non-empty `mentionScopes`. */
  mentionUrgency: optionalNullable(UrgencyLevel)
}, "ChatPushConfig")
/** @see {@link ChatPushConfig} */
export type ChatPushConfig = typeof ChatPushConfig.Type

/**
 * Notification data for one new message (push draft §ChatMessageEntry).
 *
 * Every field is optional: the subscription's `properties` decide which appear, and the draft and
 * compliance tests 6.3/6.4 disagree on which are always sent (spec-digest §7.12). Broadcast
 * mentions: the push draft sends `mentionScopes` (the scopes the owner was targeted by); the
 * push-platform guide, the Rust client and the jmapchat-client fixtures use a boolean
 * `hasMentionAll` instead (spec-digest §7.14). Both decode; servers following the draft send
 * `mentionScopes`. `chatName` is absent for direct chats (compliance test 2.5).
 *
 * `bodySnippet` is absent when `encrypted`: an entry that is `encrypted` and carries a snippet is
 * refused (a server that leaks plaintext of an encrypted message must not be trusted with it;
 * seed-api §3.6). Build entries with `ChatMessageEntry.plaintext(…)` and
 * `ChatMessageEntry.encrypted(…)`, which set `encrypted` (the latter drops any snippet).
 */
const ChatMessageEntrySchema = OpenStruct({
  messageId: optionalNullable(Id),
  chatId: optionalNullable(Id),
  chatKind: optionalNullable(ChatKind),
  chatName: optionalNullable(Schema.String),
  spaceId: optionalNullable(Id),
  spaceName: optionalNullable(Schema.String),
  /** The authoritative sender. `senderDisplayName` is only a snapshot for display. */
  senderId: optionalNullable(SenderId),
  senderDisplayName: optionalNullable(Schema.String),
  /** The sender's claim, for display only. */
  sentAt: optionalNullable(UTCDate),
  hasMention: optionalNullable(Schema.Boolean),
  mentionScopes: optionalNullable(Schema.Array(BroadcastScope)),
  hasMentionAll: optionalNullable(Schema.Boolean),
  encrypted: optionalNullable(Schema.Boolean),
  bodySnippet: optionalNullable(Schema.String)
}, "ChatMessageEntry").pipe(
  Schema.filter((entry) =>
    entry.encrypted === true && entry.bodySnippet != null
      ? { path: ["bodySnippet"], message: "an encrypted entry may not carry a bodySnippet" }
      : undefined
  )
)

/** The fields of a {@link ChatMessageEntry} that its constructors take (`encrypted` is theirs to set). */
export type ChatMessageEntryFields = Omit<typeof ChatMessageEntrySchema.Type, "encrypted">

/** @see {@link ChatMessageEntry} */
export const ChatMessageEntry = Object.assign(ChatMessageEntrySchema, {
  /** An entry for a message whose body the server can read: `encrypted: false`, `bodySnippet` kept. */
  plaintext: (fields: ChatMessageEntryFields): typeof ChatMessageEntrySchema.Type => ({ ...fields, encrypted: false }),
  /** An entry for an end-to-end encrypted message: `encrypted: true`, and never a `bodySnippet`. */
  encrypted: (fields: Omit<ChatMessageEntryFields, "bodySnippet">): typeof ChatMessageEntrySchema.Type => {
    const { bodySnippet: _, ...rest } = fields as ChatMessageEntryFields
    return { ...rest, encrypted: true }
  }
})
/** @see {@link ChatMessageEntry} */
export type ChatMessageEntry = typeof ChatMessageEntrySchema.Type

/**
 * The payload delivered to a push endpoint for new inbound messages (push draft
 * §ChatMessagePush). `state` is the Message state after these entries: use it as `sinceState`.
 *
 * `@type` follows the Rust client (seed-api §3.6): it may be absent on decode, must be
 * `"ChatMessagePush"` when present, and is always written on encode.
 */
export const ChatMessagePush = OpenStruct({
  "@type": Schema.optionalWith(Schema.Literal("ChatMessagePush"), { default: () => "ChatMessagePush" as const }),
  accountId: Id,
  state: State,
  /** Non-empty per the draft, at most `maxMessagesPerPush` entries. */
  messages: Schema.Array(ChatMessageEntry)
}, "ChatMessagePush")
/** @see {@link ChatMessagePush} */
export type ChatMessagePush = typeof ChatMessagePush.Type
