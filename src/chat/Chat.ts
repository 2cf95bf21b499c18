/**
 * Chat, a conversation of kind direct, group or channel, with its group members and channel
 * permission overrides (draft-atwood-jmap-chat-00 §ChatMember, §ChannelPermission, §Chat).
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { Id, OpenStruct, UnsignedInt, UTCDate } from "../jmap/Primitives.js"
import { ContactId } from "./ChatContact.js"
import { ChannelPermissionTargetType, ChatKind, ChatMemberRole, Permission } from "./Enums.js"
import { optionalNullable } from "./internal/schema.js"

/** One participant of a group Chat (core draft §ChatMember). */
export const ChatMember = OpenStruct({
  id: ContactId,
  role: ChatMemberRole,
  joinedAt: UTCDate,
  /** The member who added this one; compliance test 1.7 sends `null` for the creator. */
  invitedBy: optionalNullable(ContactId)
}, "ChatMember")
/** @see {@link ChatMember} */
export type ChatMember = typeof ChatMember.Type

/**
 * A per-channel override of Space role permissions for one role or one member (core draft
 * §ChannelPermission, evaluated as in §Space Permission Resolution). `targetId` is a SpaceRole id
 * or a ChatContact id, so it is a plain non-empty string.
 */
export const ChannelPermission = OpenStruct({
  targetId: ContactId,
  targetType: ChannelPermissionTargetType,
  allow: Schema.Array(Permission),
  deny: Schema.Array(Permission)
}, "ChannelPermission")
/** @see {@link ChannelPermission} */
export type ChannelPermission = typeof ChannelPermission.Type

/**
 * A conversation (core draft §Chat). Kind-specific properties are optional: `contactId` (direct);
 * `name` (group, channel); `description`, `avatarBlobId`, `members` (group); `spaceId`,
 * `categoryId`, `position`, `topic`, `slowModeSeconds`, `permissionOverrides` (channel).
 * `activeCallId` comes from the VTC companion (architecture doc), not the core draft. Chat ids are
 * ULIDs per the draft, but its own examples are not (spec-digest §7.1), so ids are not checked as ULIDs.
 *
 * `receiveTypingIndicators` defaults to `true` when absent: the draft makes it always present with
 * default `true`, and the jmapchat-client fixtures omit it (seed-api §3.2), so both corpora decode.
 */
export const Chat = OpenStruct({
  id: Id,
  kind: ChatKind,
  contactId: optionalNullable(ContactId),
  name: optionalNullable(Schema.String),
  description: optionalNullable(Schema.String),
  avatarBlobId: optionalNullable(Id),
  members: optionalNullable(Schema.Array(ChatMember)),
  spaceId: optionalNullable(Id),
  /** Absent: the channel is uncategorized. */
  categoryId: optionalNullable(Id),
  position: optionalNullable(UnsignedInt),
  topic: optionalNullable(Schema.String),
  slowModeSeconds: optionalNullable(UnsignedInt),
  permissionOverrides: optionalNullable(Schema.Array(ChannelPermission)),
  createdAt: UTCDate,
  lastMessageAt: optionalNullable(UTCDate),
  unreadCount: UnsignedInt,
  /** Most recently pinned first. */
  pinnedMessageIds: Schema.Array(Id),
  muted: Schema.Boolean,
  muteUntil: optionalNullable(UTCDate),
  receiveTypingIndicators: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  /** Per-chat override of `PresenceStatus.receiptSharing`; absent means the account setting applies. */
  receiptSharing: optionalNullable(Schema.Boolean),
  /** Local retention policy; 0 or absent means none. */
  messageExpirySeconds: optionalNullable(UnsignedInt),
  activeCallId: optionalNullable(Schema.String)
}, "Chat")
/** @see {@link Chat} */
export interface Chat extends Schema.Schema.Type<typeof Chat> {}
