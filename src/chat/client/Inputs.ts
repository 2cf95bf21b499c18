/**
 * The typed inputs of the `ChatClient` methods (seed-api §2.5, draft-atwood-jmap-chat-00 §Methods),
 * as schemas: the client decodes every input with them (so a wrongly typed value from JavaScript
 * is an `InvalidArgument`, never a throw) and they give property tests their generators.
 *
 * Ids are plain strings here: empty ones are refused by the client's guards with the seed's
 * messages. Optional properties are exact: leave a property out rather than setting it to
 * `undefined`. Create inputs keep properties they do not know — vendor extensions such as
 * `"com.example:x"`, typed as allowed — and send them to the server (RFC 8620 §5.3), which answers
 * what it does not support with `invalidProperties`.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { Int, OpenEnum, UnsignedInt, UTCDate } from "../../jmap/Primitives.js"
import { ResultReference } from "../../jmap/Wire.js"
import { BodyType, ChatKind, ContactPresenceFilter, ContactSortProperty } from "../Enums.js"
import { Attachment, BroadcastMention, Mention, MessageAction } from "../Message.js"
import { ChatPushConfig } from "../PushTypes.js"
import { extensible, inputMap, optional } from "./internal/schema.js"
import { PushKeys } from "./PushSubscription.js"

/** RFC 8620 §5.2/§5.6 `maxChanges`: a positive integer. */
export const MaxChanges = UnsignedInt.pipe(Schema.greaterThan(0, { message: () => "maxChanges must be positive" }))
  .annotations({ identifier: "MaxChanges" })

/** A list of ids, or (in a batch) a result reference to one (RFC 8620 §3.7). */
export const IdsOrReference = Schema.Union(Schema.Array(Schema.String), ResultReference)

/** RFC 8620 §5.1 `/get` input. `ids` absent or `null`: every object. */
export const GetInput = Schema.Struct({
  ids: optional(Schema.NullOr(IdsOrReference)),
  properties: optional(Schema.Array(Schema.String))
})
/** @see {@link GetInput} */
export type GetInput = typeof GetInput.Type

/** `Message/get` input: `ids` is required and non-empty (seed-api §2.3). */
export const MessageGetInput = Schema.Struct({
  ids: IdsOrReference,
  properties: optional(Schema.Array(Schema.String))
})
/** @see {@link MessageGetInput} */
export type MessageGetInput = typeof MessageGetInput.Type

/** RFC 8620 §5.2 `/changes` input (also the input of `sync`). */
export const ChangesInput = Schema.Struct({
  sinceState: Schema.String,
  maxChanges: optional(MaxChanges)
})
/** @see {@link ChangesInput} */
export type ChangesInput = typeof ChangesInput.Type

/** RFC 8620 §5.5 Comparator; `isAscending` is required so the direction is never a guess. */
export const Comparator = <P extends Schema.Schema<string>>(property: P) =>
  Schema.Struct({
    property,
    isAscending: Schema.Boolean,
    collation: optional(Schema.String)
  })
/** @see {@link Comparator} */
export interface Comparator<P extends string = string> {
  readonly property: P
  readonly isAscending: boolean
  readonly collation?: string
}

/** The arguments of a `/query` input (RFC 8620 §5.5) for `filter` and sort `property` schemas. */
export const QueryInput = <F extends Schema.Schema.Any, P extends Schema.Schema<string>>(filter: F, property: P) =>
  Schema.Struct({
    filter: optional(filter),
    sort: optional(Schema.Array(Comparator(property))),
    position: optional(Int),
    anchor: optional(Schema.String),
    anchorOffset: optional(Int),
    limit: optional(UnsignedInt),
    calculateTotal: optional(Schema.Boolean)
  })
/** The type of a {@link QueryInput}. */
export interface QueryInput<F, P extends string = string> {
  readonly filter?: F
  readonly sort?: ReadonlyArray<Comparator<P>>
  readonly position?: number
  readonly anchor?: string
  readonly anchorOffset?: number
  readonly limit?: number
  readonly calculateTotal?: boolean
}

/**
 * The arguments of a `/queryChanges` input (RFC 8620 §5.6). Pass the `filter` and `sort` of the
 * original query: the client fills in the same defaults as for `/query`.
 */
export const QueryChangesInput = <F extends Schema.Schema.Any, P extends Schema.Schema<string>>(
  filter: F,
  property: P
) =>
  Schema.Struct({
    sinceQueryState: Schema.String,
    filter: optional(filter),
    sort: optional(Schema.Array(Comparator(property))),
    maxChanges: optional(MaxChanges),
    upToId: optional(Schema.String),
    calculateTotal: optional(Schema.Boolean)
  })
/** The type of a {@link QueryChangesInput}. */
export interface QueryChangesInput<F, P extends string = string> {
  readonly sinceQueryState: string
  readonly filter?: F
  readonly sort?: ReadonlyArray<Comparator<P>>
  readonly maxChanges?: number
  readonly upToId?: string
  readonly calculateTotal?: boolean
}

/** `Chat/query` filter (core draft §Chat/query). */
export const ChatFilter = Schema.Struct({ kind: optional(ChatKind), muted: optional(Schema.Boolean) })
/** @see {@link ChatFilter} */
export type ChatFilter = typeof ChatFilter.Type
/** `Chat/query` sort properties (the draft's default sort is `lastMessageAt` descending). */
export const ChatSortProperty = OpenEnum("lastMessageAt")
/** @see {@link ChatSortProperty} */
export type ChatSortProperty = typeof ChatSortProperty.Type

/**
 * `Message/query` filter (core draft §Message/query). `chatId` is required unless
 * `hasMention: true` (cross-chat mention search).
 */
export const MessageFilter = Schema.Struct({
  chatId: optional(Schema.String),
  hasMention: optional(Schema.Boolean),
  hasAttachment: optional(Schema.Boolean),
  text: optional(Schema.String),
  threadRootId: optional(Schema.String),
  after: optional(UTCDate),
  before: optional(UTCDate)
})
/** @see {@link MessageFilter} */
export type MessageFilter = typeof MessageFilter.Type
/** `Message/query` sort properties; the client sends `sentAt` descending when no sort is given (seed-api §2.3). */
export const MessageSortProperty = OpenEnum("sentAt", "receivedAt")
/** @see {@link MessageSortProperty} */
export type MessageSortProperty = typeof MessageSortProperty.Type

/** `Space/query` filter (core draft §Space/query): `name` is a substring match. */
export const SpaceFilter = Schema.Struct({ name: optional(Schema.String), isPublic: optional(Schema.Boolean) })
/** @see {@link SpaceFilter} */
export type SpaceFilter = typeof SpaceFilter.Type
/** `Space/query` sort properties. */
export const SpaceSortProperty = OpenEnum("name")
/** @see {@link SpaceSortProperty} */
export type SpaceSortProperty = typeof SpaceSortProperty.Type

/** `ChatContact/query` filter (core draft §ChatContact/query). */
export const ChatContactFilter = Schema.Struct({
  blocked: optional(Schema.Boolean),
  presence: optional(ContactPresenceFilter)
})
/** @see {@link ChatContactFilter} */
export type ChatContactFilter = typeof ChatContactFilter.Type

/** `CustomEmoji/query` filter (core draft §CustomEmoji/query); absent `spaceId`: every reachable emoji. */
export const CustomEmojiFilter = Schema.Struct({ spaceId: optional(Schema.String) })
/** @see {@link CustomEmojiFilter} */
export type CustomEmojiFilter = typeof CustomEmojiFilter.Type
/** `CustomEmoji/query` sort properties. */
export const CustomEmojiSortProperty = OpenEnum("name")
/** @see {@link CustomEmojiSortProperty} */
export type CustomEmojiSortProperty = typeof CustomEmojiSortProperty.Type

/** `ChatContact/query` sort properties (core draft §ChatContact/query). */
export { ContactSortProperty }

/** The creation id to use; absent or empty: a fresh ULID (seed-api §2.1). */
const clientId = optional(Schema.String)

/** A direct chat with one contact (core draft §Chat/set). */
export const DirectChatCreateInput = extensible({
  kind: Schema.Literal("direct"),
  contactId: Schema.String,
  clientId
})
/** A group chat (core draft §Chat/set): `memberIds` are the other initial members. */
export const GroupChatCreateInput = extensible({
  kind: Schema.Literal("group"),
  name: Schema.String,
  memberIds: Schema.Array(Schema.String),
  description: optional(Schema.String),
  avatarBlobId: optional(Schema.String),
  messageExpirySeconds: optional(UnsignedInt),
  clientId
})
/** `Chat/set` create input: a direct or a group chat. Channels are created with `Space/set` `addChannels`. */
export const ChatCreateInput = Schema.Union(DirectChatCreateInput, GroupChatCreateInput)
/** @see {@link ChatCreateInput} */
export type ChatCreateInput = typeof ChatCreateInput.Type

/**
 * `Message/set` create input (core draft §Message/set). `bodyType` defaults to `text/plain` and
 * `sentAt` to now.
 */
export const MessageCreateInput = extensible({
  chatId: Schema.String,
  body: Schema.String,
  bodyType: optional(BodyType),
  sentAt: optional(UTCDate),
  replyTo: optional(Schema.String),
  threadRootId: optional(Schema.String),
  attachments: optional(Schema.Array(Attachment)),
  mentions: optional(Schema.Array(Mention)),
  broadcastMentions: optional(Schema.Array(BroadcastMention)),
  actions: optional(Schema.Array(MessageAction)),
  senderExpiresAt: optional(UTCDate),
  burnOnRead: optional(Schema.Boolean),
  clientId
})
/** @see {@link MessageCreateInput} */
export type MessageCreateInput = typeof MessageCreateInput.Type

/** `Space/set` create input (core draft §Space/set). */
export const SpaceCreateInput = extensible({
  name: Schema.String,
  description: optional(Schema.String),
  iconBlobId: optional(Schema.String),
  clientId
})
/** @see {@link SpaceCreateInput} */
export type SpaceCreateInput = typeof SpaceCreateInput.Type

/** `SpaceInvite/set` create input (core draft §SpaceInvite); the server assigns `id` and `code`. */
export const SpaceInviteCreateInput = extensible({
  spaceId: Schema.String,
  defaultChannelId: optional(Schema.String),
  expiresAt: optional(UTCDate),
  maxUses: optional(UnsignedInt),
  clientId
})
/** @see {@link SpaceInviteCreateInput} */
export type SpaceInviteCreateInput = typeof SpaceInviteCreateInput.Type

/** `SpaceBan/set` create input (core draft §SpaceBan). */
export const SpaceBanCreateInput = extensible({
  spaceId: Schema.String,
  userId: Schema.String,
  reason: optional(Schema.String),
  expiresAt: optional(UTCDate),
  clientId
})
/** @see {@link SpaceBanCreateInput} */
export type SpaceBanCreateInput = typeof SpaceBanCreateInput.Type

/** `CustomEmoji/set` create input (core draft §CustomEmoji); absent `spaceId`: server-global. */
export const CustomEmojiCreateInput = extensible({
  name: Schema.String,
  blobId: Schema.String,
  spaceId: optional(Schema.String),
  clientId
})
/** @see {@link CustomEmojiCreateInput} */
export type CustomEmojiCreateInput = typeof CustomEmojiCreateInput.Type

/**
 * `chatPush` as given by the caller (push draft §ChatPushConfig): a map keyed by accountId, or
 * `[accountId, config]` pairs, where a repeated accountId is refused (seed-api §2.3).
 */
export const ChatPushInput = Schema.Union(
  inputMap(ChatPushConfig),
  Schema.Array(Schema.Tuple(Schema.String, ChatPushConfig))
)
/** @see {@link ChatPushInput} */
export type ChatPushInput = typeof ChatPushInput.Type

/** `PushSubscription/set` create input (RFC 8620 §7.2 with the push draft's `chatPush`). */
export const PushSubscriptionCreateInput = extensible({
  deviceClientId: Schema.String,
  url: Schema.String,
  keys: optional(PushKeys),
  expires: optional(UTCDate),
  types: optional(Schema.Array(Schema.String)),
  chatPush: optional(ChatPushInput),
  clientId
})
/** @see {@link PushSubscriptionCreateInput} */
export type PushSubscriptionCreateInput = typeof PushSubscriptionCreateInput.Type

/** A `/set` update of one object: its id and the patch (absent = keep, `null` = clear, value = set). */
export const UpdateInput = <P extends Schema.Schema.Any>(patch: P) => Schema.Struct({ id: Schema.String, patch })
/** The type of an {@link UpdateInput}. */
export interface UpdateInput<P> {
  readonly id: string
  readonly patch: P
}

/** A `/set` destroy of one or more objects. */
export const DestroyInput = Schema.Struct({ ids: Schema.Array(Schema.String) })
/** @see {@link DestroyInput} */
export type DestroyInput = typeof DestroyInput.Type

/** One object, for the single-object convenience forms (`destroyOne`). */
export const IdInput = Schema.Struct({ id: Schema.String })
/** @see {@link IdInput} */
export type IdInput = typeof IdInput.Type

/** `Chat/typing` input (core draft §Chat/typing). */
export const TypingInput = Schema.Struct({ chatId: Schema.String, typing: Schema.Boolean })
/** @see {@link TypingInput} */
export type TypingInput = typeof TypingInput.Type

/**
 * `Space/join` input (core draft §Space/join): an invite code (a secret; pass it `Redacted` to keep
 * it out of logs) or the id of a public Space.
 */
export const SpaceJoinInput = Schema.Union(
  Schema.Struct({ inviteCode: Schema.Union(Schema.String, Schema.RedactedFromSelf(Schema.String)) }).annotations({
    parseOptions: { onExcessProperty: "error" }
  }),
  Schema.Struct({ spaceId: Schema.String }).annotations({ parseOptions: { onExcessProperty: "error" } })
)
/** @see {@link SpaceJoinInput} */
export type SpaceJoinInput = typeof SpaceJoinInput.Type

/** `Blob/lookup` input (RFC 9404 §4.5): absent `typeNames` asks about every type. */
export const BlobLookupInput = Schema.Struct({
  ids: Schema.Array(Schema.String),
  typeNames: optional(Schema.Array(Schema.String))
})
/** @see {@link BlobLookupInput} */
export type BlobLookupInput = typeof BlobLookupInput.Type

/** `Blob/convert` input: an `imageConvert` recipe (draft-ietf-jmap-blobext; seed-api §2.12). */
export const BlobConvertInput = Schema.Struct({
  blobId: Schema.String,
  /** The content type to convert to, e.g. `image/webp`. */
  type: Schema.String,
  width: optional(UnsignedInt),
  height: optional(UnsignedInt)
})
/** @see {@link BlobConvertInput} */
export type BlobConvertInput = typeof BlobConvertInput.Type
