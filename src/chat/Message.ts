/**
 * Message, a single transmission within a Chat, and the types embedded in it
 * (draft-atwood-jmap-chat-00 §Attachment, §MessageAction, §Mention, §BroadcastMention,
 * §MessageRevision, §Reaction, §Message).
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { Id, LenientStruct, OpenStruct, UnsignedInt, UTCDate } from "../jmap/Primitives.js"
import { ContactId } from "./ChatContact.js"
import { BodyType, BroadcastScope, DeliveryState, EndpointType, ReadDisposition } from "./Enums.js"
import { dataMap, Metadata, optionalNullable } from "./internal/schema.js"

/** The `senderId` value that means "the account owner" (core draft §Message, §Reaction). */
export const selfSenderId = "self"

/**
 * `Message.senderId`, `Reaction.senderId`: `"self"` for the account owner, otherwise the verified
 * ChatContact id. A contact whose id is literally `"self"` cannot be told apart from the owner
 * (the Rust client has the same collision).
 */
export const SenderId = Schema.Union(Schema.Literal(selfSenderId), ContactId).annotations({
  identifier: "SenderId"
}) as unknown as Schema.Schema<typeof selfSenderId | (string & {}), string>
/** @see {@link SenderId} */
export type SenderId = typeof SenderId.Type

/** True when `senderId` is the `"self"` sentinel, i.e. the account owner sent it. */
export const isSelf = (senderId: SenderId): senderId is typeof selfSenderId => senderId === selfSenderId

/**
 * Metadata of a file blob attached to a Message (core draft §Attachment). `filenodeId` and
 * `thumbnailBlobId` come from the chat:filenode companion. `sha256` is the lowercase hex digest the
 * sender claims; it is not checked here.
 */
export const Attachment = OpenStruct({
  blobId: Id,
  filename: Schema.String,
  contentType: Schema.String,
  size: UnsignedInt,
  sha256: Schema.String,
  filenodeId: optionalNullable(Schema.String),
  thumbnailBlobId: optionalNullable(Id)
}, "Attachment")
/** @see {@link Attachment} */
export type Attachment = typeof Attachment.Type

/**
 * An out-of-band action invitation carried by a Message (core draft §MessageAction). `uri` is
 * untrusted; clients MUST ignore unknown `type`s and MUST NOT act on an action automatically.
 *
 * Servers store and forward actions uninspected, so a peer's odd `label`, `expiresAt` or
 * `metadata` is ignored rather than failing the Message: the property is left out and its raw
 * value kept under `IllFormed` (see `LenientStruct`).
 */
export const MessageAction = LenientStruct(
  {
    type: EndpointType,
    uri: Schema.String,
    label: optionalNullable(Schema.String),
    /** Clients SHOULD show the action as expired after this time; nobody enforces it. */
    expiresAt: optionalNullable(UTCDate),
    metadata: optionalNullable(Metadata)
  },
  ["label", "expiresAt", "metadata"],
  "MessageAction"
)
/** @see {@link MessageAction} */
export type MessageAction = typeof MessageAction.Type

/** A per-user @mention: a UTF-8 byte range of `body` naming one contact (core draft §Mention). */
export const Mention = OpenStruct({
  id: ContactId,
  offset: UnsignedInt,
  length: UnsignedInt
}, "Mention")
/** @see {@link Mention} */
export type Mention = typeof Mention.Type

/** A broadcast @mention (`@everyone`, `@here`, `@admins`): a UTF-8 byte range of `body` (core draft §BroadcastMention). */
export const BroadcastMention = OpenStruct({
  scope: BroadcastScope,
  offset: UnsignedInt,
  length: UnsignedInt
}, "BroadcastMention")
/** @see {@link BroadcastMention} */
export type BroadcastMention = typeof BroadcastMention.Type

/** One earlier version of an edited Message body (core draft §MessageRevision). */
export const MessageRevision = OpenStruct({
  body: Schema.String,
  bodyType: BodyType,
  /** When this version was replaced. */
  editedAt: UTCDate
}, "MessageRevision")
/** @see {@link MessageRevision} */
export type MessageRevision = typeof MessageRevision.Type

/**
 * An emoji reaction, a value of `Message.reactions` keyed by `senderReactionId` (core draft
 * §Reaction). With `customEmojiId`, `emoji` holds a fallback such as the emoji name.
 */
export const Reaction = OpenStruct({
  emoji: Schema.String,
  customEmojiId: optionalNullable(Id),
  senderId: SenderId,
  sentAt: UTCDate
}, "Reaction")
/** @see {@link Reaction} */
export type Reaction = typeof Reaction.Type

/**
 * Per-recipient delivery state, a value of `Message.deliveryReceipts` (core draft §Message
 * `deliveryReceipts`; the draft does not name the type).
 *
 * Here absent and `null` mean different things, and both are kept: `null` is "not yet", while an
 * absent `deviceDeliveredAt` means the recipient's platform cannot confirm device delivery (the
 * draft says to omit it rather than approximate it), and `readDisposition` is absent while `readAt`
 * is null.
 */
export const DeliveryReceipt = OpenStruct({
  deliveredAt: optionalNullable(UTCDate),
  deviceDeliveredAt: optionalNullable(UTCDate),
  readAt: optionalNullable(UTCDate),
  readDisposition: optionalNullable(ReadDisposition)
}, "DeliveryReceipt")
/** @see {@link DeliveryReceipt} */
export type DeliveryReceipt = typeof DeliveryReceipt.Type

/**
 * A Message (core draft §Message). `id` is assigned by the receiving mailbox; order by `id` or
 * `receivedAt`, never by the sender's claimed `sentAt`. For `application/jmap-chat-rich` the `body`
 * is a JSON *string* (decode it with `decodeRichBody`).
 *
 * `broadcastMentions` defaults to `[]` when absent: the draft says "empty by default", and the
 * earlier draft revision and the jmapchat-client fixtures do not have it. `readAt`,
 * `readDisposition`, `deletedAt` and `deletedForAll` are labelled server-set but are written by the
 * client through `Message/set` update (spec-digest §7.4). `replyCount` and `unreadReplyCount` are
 * present only when the account `supportsThreads`.
 */
export const Message = OpenStruct({
  id: Id,
  senderMsgId: Id,
  chatId: Id,
  senderId: SenderId,
  body: Schema.String,
  bodyType: BodyType,
  attachments: Schema.Array(Attachment),
  mentions: Schema.Array(Mention),
  broadcastMentions: Schema.optionalWith(Schema.Array(BroadcastMention), { default: () => [] }),
  actions: Schema.Array(MessageAction),
  reactions: dataMap(Id, Reaction),
  replyTo: optionalNullable(Id),
  threadRootId: optionalNullable(Id),
  replyCount: optionalNullable(UnsignedInt),
  unreadReplyCount: optionalNullable(UnsignedInt),
  sentAt: UTCDate,
  receivedAt: UTCDate,
  senderExpiresAt: optionalNullable(UTCDate),
  burnOnRead: optionalNullable(Schema.Boolean),
  deliveryState: DeliveryState,
  /** Only on the owner's own messages (`senderId == "self"`), keyed by recipient contact id. */
  deliveryReceipts: optionalNullable(dataMap(ContactId, DeliveryReceipt)),
  deliveredAt: optionalNullable(UTCDate),
  readAt: optionalNullable(UTCDate),
  readDisposition: optionalNullable(ReadDisposition),
  editedAt: optionalNullable(UTCDate),
  /** Oldest first. */
  editHistory: optionalNullable(Schema.Array(MessageRevision)),
  /** A UTCDate, not a boolean (compliance test 1.4); the record stays as a tombstone. */
  deletedAt: optionalNullable(UTCDate),
  deletedForAll: optionalNullable(Schema.Boolean)
}, "Message")
/** @see {@link Message} */
export interface Message extends Schema.Schema.Type<typeof Message> {}
