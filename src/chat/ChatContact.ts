/**
 * ChatContact, the remote users known to a mailbox, with their ids and out-of-band endpoints
 * (draft-atwood-jmap-chat-00 §ChatContact, §Endpoint).
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { LenientStruct, OpenStruct, UTCDate } from "../jmap/Primitives.js"
import { EndpointType, Presence } from "./Enums.js"
import { Metadata, optionalNullable } from "./internal/schema.js"

/**
 * A user id: `ChatContact.id`, exactly the identity string of the authentication layer (core draft
 * §Conventions "id / userId"). It is opaque and any non-empty string, e.g.
 * `user:alice@example.com` or `did:web:alice.example`, so it is NOT an RFC 8620 `Id` and is
 * compared byte for byte (spec-digest §7.2). Used for `senderId`, `contactId`, member ids,
 * `userId`, `createdBy`, `bannedBy`, `invitedBy` and the keys of `deliveryReceipts`.
 */
export const ContactId = Schema.String.pipe(
  Schema.minLength(1, { message: () => "a contact id may not be empty" })
).annotations({ identifier: "ContactId" })
/** @see {@link ContactId} */
export type ContactId = typeof ContactId.Type

/**
 * An out-of-band capability a contact (or the Session's `ownerEndpoints`) advertises (core draft
 * §Endpoint). `uri` is peer-supplied and untrusted; clients MUST ignore unknown `type`s and unknown
 * `metadata` keys, and MUST NOT act on an endpoint without explicit user intent.
 *
 * A `metadata` (or `label`) that does not fit its shape is ignored, as the draft requires of
 * clients: the property is left out and its raw value kept under `IllFormed` (see `LenientStruct`).
 */
export const Endpoint = LenientStruct(
  {
    type: EndpointType,
    uri: Schema.String,
    label: optionalNullable(Schema.String),
    metadata: optionalNullable(Metadata)
  },
  ["label", "metadata"],
  "Endpoint"
)
/** @see {@link Endpoint} */
export type Endpoint = typeof Endpoint.Type

/**
 * A remote user known to this mailbox (core draft §ChatContact). Servers create contacts; clients
 * may only update `blocked` and `displayName`. Display name fallback: `displayName` → `login` →
 * `id`. `serverUrl` and `directAddress` come from the federation draft, `did` from the chat:did
 * companion.
 */
export const ChatContact = OpenStruct({
  id: ContactId,
  login: Schema.String,
  displayName: optionalNullable(Schema.String),
  firstSeenAt: UTCDate,
  lastSeenAt: UTCDate,
  /** Absent: the presence state is unknown to this server. */
  presence: optionalNullable(Presence),
  lastActiveAt: optionalNullable(UTCDate),
  statusText: optionalNullable(Schema.String),
  statusEmoji: optionalNullable(Schema.String),
  endpoints: optionalNullable(Schema.Array(Endpoint)),
  /** When `true`, messages, typing and presence from this contact are dropped silently. */
  blocked: Schema.Boolean,
  serverUrl: optionalNullable(Schema.String),
  directAddress: optionalNullable(Schema.String),
  did: optionalNullable(Schema.String)
}, "ChatContact")
/** @see {@link ChatContact} */
export interface ChatContact extends Schema.Schema.Type<typeof ChatContact> {}
