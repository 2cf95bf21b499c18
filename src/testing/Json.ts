/**
 * The JSON value model the reference server works in: every request argument, stored record and
 * response is plain JSON (RFC 8259), compared structurally.
 *
 * @since 0.1.0
 */

/** Any JSON value. */
export type JsonValue = null | boolean | number | string | ReadonlyArray<JsonValue> | JsonRecord

/** A JSON object. */
export interface JsonRecord {
  readonly [key: string]: JsonValue
}

/** True for a JSON object (not an array, not `null`). */
export const isRecord = (u: unknown): u is JsonRecord => typeof u === "object" && u !== null && !Array.isArray(u)

/** True for an array whose items are all strings. */
export const isStringArray = (u: unknown): u is ReadonlyArray<string> =>
  Array.isArray(u) && u.every((item) => typeof item === "string")

/** Structural equality of two JSON values (object key order is irrelevant). */
export const jsonEqual = (a: JsonValue | undefined, b: JsonValue | undefined): boolean => {
  if (a === b) return true
  if (a === undefined || b === undefined || a === null || b === null) return false
  if (typeof a !== "object" || typeof b !== "object") return false
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false
    return a.every((item, i) => jsonEqual(item, b[i]))
  }
  const ra = a as JsonRecord
  const rb = b as JsonRecord
  const keys = Object.keys(ra)
  if (keys.length !== Object.keys(rb).length) return false
  return keys.every((key) => Object.prototype.hasOwnProperty.call(rb, key) && jsonEqual(ra[key], rb[key]))
}

/**
 * Builds a record from entries, leaving out those whose value is `undefined` (the way optional
 * properties are absent on the wire rather than `null`).
 */
export const compact = (fields: { readonly [key: string]: JsonValue | undefined }): JsonRecord => {
  const out: Record<string, JsonValue> = {}
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) out[key] = value
  }
  return out
}

/** Keeps only the listed properties of a record (plus `id`, which RFC 8620 §5.1 always returns). */
export const pick = (record: JsonRecord, properties: ReadonlyArray<string>): JsonRecord => {
  const out: Record<string, JsonValue> = {}
  for (const key of ["id", ...properties]) {
    const value = record[key]
    if (value !== undefined) out[key] = value
  }
  return out
}

/** A map, or `null` when it is empty (RFC 8620 `/set` response maps are `null` when there is nothing to report). */
export const nullIfEmpty = (map: { readonly [key: string]: JsonValue }): JsonRecord | null =>
  Object.keys(map).length > 0 ? map : null

/** Byte length of a string in UTF-8. */
export const utf8Length = (s: string): number => Buffer.byteLength(s, "utf8")
