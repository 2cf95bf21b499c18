/**
 * The two property rules every object of the chat data model shares.
 *
 * @internal
 */
import { Schema } from "effect"

/**
 * An optional property that also accepts `null` (spec-digest §0.2, §7.3): the drafts write
 * "optional" for absent, while compliance tests 1.2, 1.7 and 1.10 send `null`. Both decode, and the
 * value re-encodes exactly as received, so absent and `null` stay distinct wherever the drafts give
 * them different meanings. `undefined` is not a JSON value and is refused.
 */
export const optionalNullable = <S extends Schema.Schema.All>(schema: S) =>
  Schema.optionalWith(Schema.NullOr(schema), { exact: true })

/**
 * The key of a data-keyed map (`reactions`, `deliveryReceipts`, `matchedIds`). An entry keyed
 * `"__proto__"` is dropped on decode: `Schema.Record` would otherwise make its value the decoded
 * map's prototype.
 */
export const mapKey = <S extends Schema.Schema<string>>(key: S) =>
  key.pipe(Schema.filter((k) => k !== "__proto__", { message: () => "\"__proto__\" may not be a map key" }))

/**
 * A free-form JSON object (`Endpoint.metadata`, `MessageAction.metadata`): like `JsonObject`, but
 * with the {@link mapKey} rule for `"__proto__"`.
 */
export const Metadata = Schema.Record({ key: mapKey(Schema.String), value: Schema.Unknown }).annotations({
  identifier: "Metadata"
})
