/**
 * The responses of the methods JMAP Chat adds beside the RFC 8620 §5 standard ones:
 * `Chat/typing` and `Space/join` (draft-atwood-jmap-chat-00 §Chat/typing, §Space/join) and the
 * blob2 `Blob/lookup` and `Blob/convert` (draft-ietf-jmap-blobext).
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { SetError } from "../../jmap/MethodResponses.js"
import { Id, OpenStruct } from "../../jmap/Primitives.js"
import { BlobLookupEntry, BlobObject } from "../Blob.js"

/** `Chat/typing` response: `{accountId}` (core draft §Chat/typing). */
export const TypingResponse = OpenStruct({ accountId: Id }, "TypingResponse")
/** @see {@link TypingResponse} */
export type TypingResponse = typeof TypingResponse.Type

/** `Space/join` response: the Space joined (core draft §Space/join). */
export const SpaceJoinResponse = OpenStruct({ accountId: Id, spaceId: Id }, "SpaceJoinResponse")
/** @see {@link SpaceJoinResponse} */
export type SpaceJoinResponse = typeof SpaceJoinResponse.Type

/** `Blob/lookup` response (RFC 9404 §4.5; seed-api §2.12). `notFound` defaults to `[]`. */
export const BlobLookupResponse = OpenStruct({
  accountId: Id,
  list: Schema.Array(BlobLookupEntry),
  notFound: Schema.optionalWith(Schema.Array(Id), { nullable: true, default: () => [] })
}, "BlobLookupResponse")
/** @see {@link BlobLookupResponse} */
export type BlobLookupResponse = typeof BlobLookupResponse.Type

/** `Blob/convert` response (draft-ietf-jmap-blobext; seed-api §2.12): results per creation id. */
export const BlobConvertResponse = OpenStruct({
  accountId: Id,
  created: Schema.optional(Schema.NullOr(Schema.Record({ key: Schema.String, value: BlobObject }))),
  notCreated: Schema.optional(Schema.NullOr(Schema.Record({ key: Schema.String, value: SetError })))
}, "BlobConvertResponse")
/** @see {@link BlobConvertResponse} */
export type BlobConvertResponse = typeof BlobConvertResponse.Type
