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
 * A map keyed by data (`reactions`, `deliveryReceipts`, `matchedIds`, `metadata`). Every value is
 * validated. An entry whose key `key` refuses, or whose key is `"__proto__"`, is dropped on decode
 * (a documented recovery rather than a failure of the whole object): with the open structs'
 * `preserve` option such an entry would otherwise be kept unvalidated, and `Schema.Record` would
 * make a `"__proto__"` value the decoded map's prototype.
 */
export const dataMap = <K extends Schema.Schema<string>, V extends Schema.Schema.Any>(key: K, value: V) =>
  Schema.Record({ key: key.pipe(Schema.filter((k) => k !== "__proto__")), value }).annotations({
    parseOptions: { onExcessProperty: "ignore" }
  })

/** A free-form JSON object (`Endpoint.metadata`, `MessageAction.metadata`), with the {@link dataMap} key rules. */
export const Metadata = dataMap(Schema.String, Schema.Unknown).annotations({ identifier: "Metadata" })
