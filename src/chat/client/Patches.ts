/**
 * The patches of the `ChatClient` update methods (seed-api §2.2, §2.6; draft-atwood-jmap-chat-00
 * §Chat/set, §Message/set, §Space/set, …) and their wire form. A patch property is **kept** when
 * absent, **cleared** when `null` (where the property may be cleared) and **set** otherwise.
 *
 * Space and group-chat membership use the draft's semantic keys (`addMembers`, `removeChannels`,
 * …), which are not JSON Pointers; an empty list is left out. Reactions use the JSON Pointer key
 * `reactions/<senderReactionId>`. Properties a patch does not know (vendor extensions such as
 * `"com.example:x"`) are sent as they are.
 *
 * @since 0.1.0
 */
import { Effect, Either, Schema } from "effect"
import type { InvalidArgument } from "../../jmap/Errors.js"
import { UnsignedInt, UTCDate } from "../../jmap/Primitives.js"
import { ChannelPermission } from "../Chat.js"
import { BodyType, ChatMemberRole, Permission, Presence, ReadDisposition } from "../Enums.js"
import { BroadcastMention, Mention } from "../Message.js"
import { ChatPushInput } from "./Inputs.js"
import { firstOf, type Guard, idList, invalid, nonEmpty } from "./internal/guards.js"
import { clearable, extensible, flatMapPrepared, inputMap, now, optional } from "./internal/schema.js"

/** A JSON PatchObject (RFC 8620 §5.3) as sent. */
export type PatchObject = Readonly<Record<string, unknown>>

/** A member to add to a group chat; `role` defaults to `member` on the server. */
export const ChatAddMember = extensible({ id: Schema.String, role: optional(ChatMemberRole) })
/** A new role for a group chat member. */
export const ChatMemberRoleUpdate = extensible({ id: Schema.String, role: ChatMemberRole })

/**
 * `Chat/set` update (core draft §Chat/set). `pinnedMessageIds: []` unpins everything; `name`,
 * `description`, `avatarBlobId` and the member lists are for group admins.
 */
export const ChatPatch = extensible({
  muted: optional(Schema.Boolean),
  muteUntil: clearable(UTCDate),
  receiveTypingIndicators: optional(Schema.Boolean),
  pinnedMessageIds: optional(Schema.Array(Schema.String)),
  messageExpirySeconds: clearable(UnsignedInt),
  /** `null`: the account's `PresenceStatus.receiptSharing` applies. */
  receiptSharing: clearable(Schema.Boolean),
  name: optional(Schema.String),
  description: clearable(Schema.String),
  avatarBlobId: clearable(Schema.String),
  addMembers: optional(Schema.Array(ChatAddMember)),
  removeMembers: optional(Schema.Array(Schema.String)),
  updateMemberRoles: optional(Schema.Array(ChatMemberRoleUpdate))
})
/** @see {@link ChatPatch} */
export type ChatPatch = typeof ChatPatch.Type

/** A reaction to add (core draft §Reaction); `sentAt` defaults to the current time of Effect's `Clock`. */
export const ReactionInput = extensible({
  emoji: Schema.String,
  customEmojiId: optional(Schema.String),
  sentAt: optional(UTCDate)
})
/** @see {@link ReactionInput} */
export type ReactionInput = typeof ReactionInput.Type

/**
 * `Message/set` update (core draft §Message/set): edit (`body`, `bodyType`, `mentions`,
 * `broadcastMentions`), reactions (keyed by senderReactionId, a ULID by convention: a value adds,
 * `null` removes), mark read (`readAt`, `readDisposition`) and delete (`deletedAt`, with
 * `deletedForAll: true` for everyone).
 */
export const MessagePatch = extensible({
  body: optional(Schema.String),
  bodyType: optional(BodyType),
  mentions: optional(Schema.Array(Mention)),
  broadcastMentions: optional(Schema.Array(BroadcastMention)),
  reactions: optional(inputMap(Schema.NullOr(ReactionInput))),
  readAt: optional(UTCDate),
  readDisposition: optional(ReadDisposition),
  deletedAt: optional(UTCDate),
  deletedForAll: optional(Schema.Boolean)
})
/** @see {@link MessagePatch} */
export type MessagePatch = typeof MessagePatch.Type

/** `addMembers` element of `Space/set` (core draft §Space/set). */
export const SpaceAddMember = extensible({ id: Schema.String, roleIds: optional(Schema.Array(Schema.String)) })
/** `updateMembers` element of `Space/set`. */
export const SpaceUpdateMember = extensible({
  id: Schema.String,
  roleIds: optional(Schema.Array(Schema.String)),
  nick: clearable(Schema.String)
})
/** `addChannels` element of `Space/set`: creates a `channel` Chat. */
export const SpaceAddChannel = extensible({
  name: Schema.String,
  categoryId: optional(Schema.String),
  position: optional(UnsignedInt),
  topic: optional(Schema.String)
})
/** `updateChannels` element of `Space/set`; `categoryId: null` makes the channel uncategorized. */
export const SpaceUpdateChannel = extensible({
  id: Schema.String,
  name: optional(Schema.String),
  topic: clearable(Schema.String),
  categoryId: clearable(Schema.String),
  position: optional(UnsignedInt),
  slowModeSeconds: optional(UnsignedInt),
  permissionOverrides: optional(Schema.Array(ChannelPermission))
})
/** `addRoles` element of `Space/set`. */
export const SpaceAddRole = extensible({
  name: Schema.String,
  permissions: Schema.Array(Permission),
  position: UnsignedInt,
  color: optional(Schema.String)
})
/** `updateRoles` element of `Space/set`. */
export const SpaceUpdateRole = extensible({
  id: Schema.String,
  name: optional(Schema.String),
  color: clearable(Schema.String),
  permissions: optional(Schema.Array(Permission)),
  position: optional(UnsignedInt)
})
/** `addCategories` element of `Space/set`. */
export const SpaceAddCategory = extensible({
  name: Schema.String,
  position: optional(UnsignedInt),
  channelIds: optional(Schema.Array(Schema.String))
})
/** `updateCategories` element of `Space/set`. */
export const SpaceUpdateCategory = extensible({
  id: Schema.String,
  name: optional(Schema.String),
  position: optional(UnsignedInt),
  channelIds: optional(Schema.Array(Schema.String))
})

/** `Space/set` update (core draft §Space/set): ordinary properties plus the twelve semantic list keys. */
export const SpacePatch = extensible({
  name: optional(Schema.String),
  description: clearable(Schema.String),
  iconBlobId: clearable(Schema.String),
  isPublic: optional(Schema.Boolean),
  isPubliclyPreviewable: optional(Schema.Boolean),
  addMembers: optional(Schema.Array(SpaceAddMember)),
  removeMembers: optional(Schema.Array(Schema.String)),
  updateMembers: optional(Schema.Array(SpaceUpdateMember)),
  addChannels: optional(Schema.Array(SpaceAddChannel)),
  removeChannels: optional(Schema.Array(Schema.String)),
  updateChannels: optional(Schema.Array(SpaceUpdateChannel)),
  addRoles: optional(Schema.Array(SpaceAddRole)),
  removeRoles: optional(Schema.Array(Schema.String)),
  updateRoles: optional(Schema.Array(SpaceUpdateRole)),
  addCategories: optional(Schema.Array(SpaceAddCategory)),
  removeCategories: optional(Schema.Array(Schema.String)),
  updateCategories: optional(Schema.Array(SpaceUpdateCategory))
})
/** @see {@link SpacePatch} */
export type SpacePatch = typeof SpacePatch.Type

/** `ChatContact/set` update: only `blocked` and `displayName` may change (core draft §ChatContact). */
export const ChatContactPatch = extensible({
  blocked: optional(Schema.Boolean),
  displayName: clearable(Schema.String)
})
/** @see {@link ChatContactPatch} */
export type ChatContactPatch = typeof ChatContactPatch.Type

/** `SpaceBan/set` update: `reason` and `expiresAt` may change (core draft §SpaceBan; `null` clears). */
export const SpaceBanPatch = extensible({
  reason: clearable(Schema.String),
  expiresAt: clearable(UTCDate)
})
/** @see {@link SpaceBanPatch} */
export type SpaceBanPatch = typeof SpaceBanPatch.Type

/** `CustomEmoji/set` update: `name` and `blobId` may change (core draft §CustomEmoji). */
export const CustomEmojiPatch = extensible({
  name: optional(Schema.String),
  blobId: optional(Schema.String)
})
/** @see {@link CustomEmojiPatch} */
export type CustomEmojiPatch = typeof CustomEmojiPatch.Type

/** `ReadPosition/set` update: the new high-water mark (core draft §ReadPosition). */
export const ReadPositionPatch = extensible({ lastReadMessageId: Schema.String })
/** @see {@link ReadPositionPatch} */
export type ReadPositionPatch = typeof ReadPositionPatch.Type

/** `PresenceStatus/set` update (core draft §PresenceStatus). */
export const PresenceStatusPatch = extensible({
  presence: optional(Presence),
  statusText: clearable(Schema.String),
  statusEmoji: clearable(Schema.String),
  expiresAt: clearable(UTCDate),
  receiptSharing: optional(Schema.Boolean)
})
/** @see {@link PresenceStatusPatch} */
export type PresenceStatusPatch = typeof PresenceStatusPatch.Type

/**
 * `PushSubscription/set` update (RFC 8620 §7.2): `types: null` means all types, `chatPush: null`
 * removes the chat configuration. `url`, `keys` and `deviceClientId` are immutable.
 */
export const PushSubscriptionPatch = extensible({
  verificationCode: optional(Schema.String),
  expires: clearable(UTCDate),
  types: clearable(Schema.Array(Schema.String)),
  chatPush: clearable(ChatPushInput)
})
/** @see {@link PushSubscriptionPatch} */
export type PushSubscriptionPatch = typeof PushSubscriptionPatch.Type

/** Copies the properties that are present, leaving out the `listKeys` whose list is empty. */
const present = (patch: object, listKeys: ReadonlyArray<string> = []): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue
    if (listKeys.includes(key) && Array.isArray(value) && value.length === 0) continue
    out[key] = value
  }
  return out
}

const result = (guard: Guard, build: () => PatchObject): Either.Either<PatchObject, InvalidArgument> =>
  guard === undefined ? Either.right(build()) : Either.left(guard)

const eachId = (where: string, field: string, items: ReadonlyArray<{ readonly id: string }> | undefined): Guard =>
  idList(where, field, items?.map((i) => i.id))

const eachName = (
  where: string,
  what: string,
  items: ReadonlyArray<{ readonly name?: string | undefined }> | undefined
): Guard => items?.some((i) => i.name === "") ? invalid(where, `${what} name may not be empty`) : undefined

/** The wire form of a {@link ChatPatch}. */
export const encodeChatPatch = (where: string, patch: ChatPatch): Either.Either<PatchObject, InvalidArgument> =>
  result(
    firstOf(
      nonEmpty(where, "name", patch.name),
      nonEmpty(where, "avatarBlobId", patch.avatarBlobId),
      idList(where, "pinnedMessageIds", patch.pinnedMessageIds),
      eachId(where, "addMembers", patch.addMembers),
      idList(where, "removeMembers", patch.removeMembers),
      eachId(where, "updateMemberRoles", patch.updateMemberRoles)
    ),
    () => present(patch, ["addMembers", "removeMembers", "updateMemberRoles"])
  )

const pointerSpecial = /[/~]/

/**
 * The wire form of a {@link MessagePatch}: each reaction becomes a `reactions/<id>` key. A reaction
 * without `sentAt` gets the current time of Effect's `Clock` (so `TestClock` controls it); without
 * one to stamp, the result is pure (an `Either`).
 */
export const encodeMessagePatch = (where: string, patch: MessagePatch): Effect.Effect<PatchObject, InvalidArgument> => {
  const { reactions = {}, ...rest } = patch
  const ids = Object.keys(reactions)
  const encode = (at: string | undefined) => {
    const out = present(rest)
    for (const [id, reaction] of Object.entries(reactions)) {
      out[`reactions/${id}`] = reaction === null ? null : { ...reaction, sentAt: reaction.sentAt ?? at }
    }
    return out
  }
  const checked = result(
    firstOf(
      ids.includes("") ? invalid(where, "sender_reaction_id may not be empty") : undefined,
      ids.some((id) => pointerSpecial.test(id))
        ? invalid(
          where,
          "sender_reaction_id must not contain '/' or '~' (RFC 6901 JSON Pointer special characters)"
        )
        : undefined,
      Object.values(reactions).some((r) => r?.customEmojiId === "")
        ? invalid(where, "custom_emoji_id may not be empty")
        : undefined
    ),
    () => ({})
  )
  const stamp = Object.values(reactions).some((r) => r !== null && r.sentAt === undefined)
  return flatMapPrepared(checked, () => stamp ? Effect.map(now, encode) : Either.right(encode(undefined)))
}

const spaceListKeys = [
  "addMembers",
  "removeMembers",
  "updateMembers",
  "addChannels",
  "removeChannels",
  "updateChannels",
  "addRoles",
  "removeRoles",
  "updateRoles",
  "addCategories",
  "removeCategories",
  "updateCategories"
] as const

/** The wire form of a {@link SpacePatch}: empty lists are left out, empty names refused. */
export const encodeSpacePatch = (where: string, patch: SpacePatch): Either.Either<PatchObject, InvalidArgument> =>
  result(
    firstOf(
      nonEmpty(where, "name", patch.name),
      nonEmpty(where, "iconBlobId", patch.iconBlobId),
      eachName(where, "channel", patch.addChannels),
      eachName(where, "channel", patch.updateChannels),
      eachName(where, "role", patch.addRoles),
      eachName(where, "role", patch.updateRoles),
      eachName(where, "category", patch.addCategories),
      eachName(where, "category", patch.updateCategories),
      eachId(where, "addMembers", patch.addMembers),
      idList(where, "removeMembers", patch.removeMembers),
      eachId(where, "updateMembers", patch.updateMembers),
      idList(where, "removeChannels", patch.removeChannels),
      eachId(where, "updateChannels", patch.updateChannels),
      idList(where, "removeRoles", patch.removeRoles),
      eachId(where, "updateRoles", patch.updateRoles),
      idList(where, "removeCategories", patch.removeCategories),
      eachId(where, "updateCategories", patch.updateCategories),
      firstOf(
        ...[...(patch.addMembers ?? []), ...(patch.updateMembers ?? [])].map((m) => idList(where, "roleIds", m.roleIds))
      ),
      firstOf(
        ...[...(patch.addCategories ?? []), ...(patch.updateCategories ?? [])].map((c) =>
          idList(where, "channelIds", c.channelIds)
        )
      ),
      firstOf(...(patch.addChannels ?? []).map((c) => nonEmpty(where, "categoryId", c.categoryId))),
      firstOf(...(patch.updateChannels ?? []).map((c) => nonEmpty(where, "categoryId", c.categoryId)))
    ),
    () => present(patch, spaceListKeys)
  )

/** The wire form of a {@link ChatContactPatch}. */
export const encodeChatContactPatch = (
  _where: string,
  patch: ChatContactPatch
): Either.Either<PatchObject, InvalidArgument> => Either.right(present(patch))

/** The wire form of a {@link SpaceBanPatch}. */
export const encodeSpaceBanPatch = (
  _where: string,
  patch: SpaceBanPatch
): Either.Either<PatchObject, InvalidArgument> => Either.right(present(patch))

/** The wire form of a {@link CustomEmojiPatch}: a new name or blob may not be empty. */
export const encodeCustomEmojiPatch = (
  where: string,
  patch: CustomEmojiPatch
): Either.Either<PatchObject, InvalidArgument> =>
  result(firstOf(nonEmpty(where, "name", patch.name), nonEmpty(where, "blobId", patch.blobId)), () => present(patch))

/** The wire form of a {@link ReadPositionPatch}. */
export const encodeReadPositionPatch = (
  where: string,
  patch: ReadPositionPatch
): Either.Either<PatchObject, InvalidArgument> =>
  result(nonEmpty(where, "lastReadMessageId", patch.lastReadMessageId), () => present(patch))

/** The wire form of a {@link PresenceStatusPatch}. */
export const encodePresenceStatusPatch = (
  _where: string,
  patch: PresenceStatusPatch
): Either.Either<PatchObject, InvalidArgument> => Either.right(present(patch))

/**
 * The wire `chatPush` map of a {@link ChatPushInput}: pairs become a map keyed by accountId; an
 * empty or repeated accountId is refused (seed-api §2.3).
 */
export const encodeChatPush = (
  where: string,
  chatPush: ChatPushInput
): Either.Either<Readonly<Record<string, unknown>>, InvalidArgument> => {
  const pairs = Array.isArray(chatPush) ? chatPush : Object.entries(chatPush)
  const seen = new Set<string>()
  for (const [accountId] of pairs) {
    if (accountId === "") return Either.left(invalid(where, "chat_push accountId may not be empty"))
    if (accountId === "__proto__") return Either.left(invalid(where, "\"__proto__\" may not be a chat_push accountId"))
    if (seen.has(accountId)) return Either.left(invalid(where, `duplicate accountId '${accountId}' in chat_push`))
    seen.add(accountId)
  }
  return Either.right(Object.fromEntries(pairs))
}

/** The wire form of a {@link PushSubscriptionPatch}. */
export const encodePushSubscriptionPatch = (
  where: string,
  patch: PushSubscriptionPatch
): Either.Either<PatchObject, InvalidArgument> => {
  const { chatPush, ...rest } = patch
  if (chatPush === undefined || chatPush === null) return Either.right(present(patch))
  return Either.map(encodeChatPush(where, chatPush), (map) => ({ ...present(rest), chatPush: map }))
}
