/**
 * The blob2 objects a JMAP Chat client reads (draft-ietf-jmap-blobext `Blob/lookup` and
 * `Blob/convert`; draft-atwood-jmap-chat-00 §Blob Storage). The upload response lives with the
 * transport.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { Id, OpenStruct, UnsignedInt } from "../jmap/Primitives.js"
import { dataMap, optionalNullable } from "./internal/schema.js"

/**
 * One entry of a `Blob/lookup` response: for blob `id`, the ids of the objects that reference it,
 * per data type name (e.g. `{ "Message": [...] }`). A blob the caller may not see comes back with
 * an empty `matchedIds` rather than an error.
 */
export const BlobLookupEntry = OpenStruct({
  id: Id,
  matchedIds: dataMap(Schema.String, Schema.Array(Id))
}, "BlobLookupEntry")
/** @see {@link BlobLookupEntry} */
export type BlobLookupEntry = typeof BlobLookupEntry.Type

/**
 * A blob created by `Blob/convert` (a `created` value of its response). `type` and `size` may be
 * absent while the server still works on it.
 */
export const BlobObject = OpenStruct({
  id: Id,
  type: optionalNullable(Schema.String),
  size: optionalNullable(UnsignedInt)
}, "BlobObject")
/** @see {@link BlobObject} */
export type BlobObject = typeof BlobObject.Type
