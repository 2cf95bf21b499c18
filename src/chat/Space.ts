/**
 * Space, a named container of channel Chats with members, roles and categories
 * (draft-atwood-jmap-chat-00 §SpaceRole, §SpaceMember, §Category, §Space).
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { Id, OpenStruct, UnsignedInt, UTCDate } from "../jmap/Primitives.js"
import { ContactId } from "./ChatContact.js"
import { Permission } from "./Enums.js"
import { optionalNullable } from "./internal/schema.js"

/**
 * A named set of permissions in a Space (core draft §SpaceRole). Higher `position` outranks lower;
 * `0` belongs to the implicit `@everyone` role, which is never listed.
 */
export const SpaceRole = OpenStruct({
  id: Id,
  name: Schema.String,
  /** A hex colour such as `"#5865f2"`. */
  color: optionalNullable(Schema.String),
  permissions: Schema.Array(Permission),
  position: UnsignedInt
}, "SpaceRole")
/** @see {@link SpaceRole} */
export type SpaceRole = typeof SpaceRole.Type

/**
 * One participant of a Space (core draft §SpaceMember). An empty `roleIds` means `@everyone` only.
 * Display name fallback: `nick` → ChatContact `displayName` → `login`.
 */
export const SpaceMember = OpenStruct({
  id: ContactId,
  roleIds: Schema.Array(Id),
  nick: optionalNullable(Schema.String),
  joinedAt: UTCDate
}, "SpaceMember")
/** @see {@link SpaceMember} */
export type SpaceMember = typeof SpaceMember.Type

/** A named, ordered group of channels in a Space (core draft §Category). Lower `position` sorts first. */
export const Category = OpenStruct({
  id: Id,
  name: Schema.String,
  position: UnsignedInt,
  channelIds: Schema.Array(Id)
}, "Category")
/** @see {@link Category} */
export type Category = typeof Category.Type

/**
 * A Space (core draft §Space). `calendarId` and `taskListId` come from the chat:calendars and
 * chat:tasks companions.
 *
 * `roles`, `members`, `categories` and `uncategorizedChannelIds` are optional although the field
 * list has them always: a non-member reading a publicly previewable Space gets the restricted view
 * of §Space/get, which omits them (compliance test 10.2).
 */
export const Space = OpenStruct({
  id: Id,
  name: Schema.String,
  description: optionalNullable(Schema.String),
  iconBlobId: optionalNullable(Id),
  /** By `position`, highest first; `@everyone` is not listed. */
  roles: optionalNullable(Schema.Array(SpaceRole)),
  members: optionalNullable(Schema.Array(SpaceMember)),
  /** By `position`. */
  categories: optionalNullable(Schema.Array(Category)),
  uncategorizedChannelIds: optionalNullable(Schema.Array(Id)),
  createdAt: UTCDate,
  /** Anyone may `Space/join` it by `spaceId`. */
  isPublic: Schema.Boolean,
  /** Non-members can find it with `Space/query` and read the restricted view. */
  isPubliclyPreviewable: Schema.Boolean,
  memberCount: UnsignedInt,
  calendarId: optionalNullable(Schema.String),
  taskListId: optionalNullable(Schema.String)
}, "Space")
/** @see {@link Space} */
export interface Space extends Schema.Schema.Type<typeof Space> {}
