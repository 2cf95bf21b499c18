/**
 * The one optional-property rule of the chat data model.
 *
 * @internal
 */
import { Schema } from "effect"

/**
 * An optional property that also accepts `null` (spec-digest §0.2, §7.3): the drafts write
 * "optional" for absent, while compliance tests 1.2, 1.7 and 1.10 send `null`. Both decode, and the
 * value re-encodes exactly as received, so absent and `null` stay distinct wherever the drafts give
 * them different meanings.
 */
export const optionalNullable = <S extends Schema.Schema.All>(schema: S) => Schema.optional(Schema.NullOr(schema))
