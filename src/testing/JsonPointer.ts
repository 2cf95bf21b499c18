/**
 * JSON Pointer (RFC 6901) as JMAP uses it: result-reference paths with the `*` array wildcard
 * (RFC 8620 §3.7) and PatchObject paths for `/set` updates (RFC 8620 §5.3).
 *
 * @since 0.1.0
 */
import { Either, Option } from "effect"
import { isRecord, type JsonRecord, type JsonValue } from "./Json.js"

const unescape = (token: string): string => token.replace(/~1/g, "/").replace(/~0/g, "~")

/** Splits an absolute pointer (`""` or `/a/b`) into unescaped tokens; `None` when it is not a pointer. */
export const parse = (pointer: string): Option.Option<ReadonlyArray<string>> => {
  if (pointer === "") return Option.some([])
  if (!pointer.startsWith("/")) return Option.none()
  const tokens = pointer.slice(1).split("/")
  return /~[^01]|~$/.test(pointer) ? Option.none() : Option.some(tokens.map(unescape))
}

/**
 * Evaluates a result-reference path (RFC 8620 §3.7): plain RFC 6901 evaluation, except that a `*`
 * token applied to an array maps the rest of the path over its items, flattening items that are
 * themselves arrays. `None` when the path does not resolve.
 */
export const evaluate = (document: JsonValue, pointer: string): Option.Option<JsonValue> =>
  Option.flatMap(parse(pointer), (tokens) => walk(document, tokens))

const walk = (value: JsonValue, tokens: ReadonlyArray<string>): Option.Option<JsonValue> => {
  if (tokens.length === 0) return Option.some(value)
  const [token, ...rest] = tokens as [string, ...Array<string>]
  if (Array.isArray(value)) {
    if (token === "*") {
      const out: Array<JsonValue> = []
      for (const item of value as ReadonlyArray<JsonValue>) {
        const result = walk(item, rest)
        if (Option.isNone(result)) return Option.none()
        if (Array.isArray(result.value)) out.push(...(result.value as ReadonlyArray<JsonValue>))
        else out.push(result.value)
      }
      return Option.some(out)
    }
    if (!/^(0|[1-9][0-9]*)$/.test(token)) return Option.none()
    const item = (value as ReadonlyArray<JsonValue>)[Number(token)]
    return item === undefined ? Option.none() : walk(item, rest)
  }
  if (isRecord(value) && Object.prototype.hasOwnProperty.call(value, token)) {
    return walk(value[token] as JsonValue, rest)
  }
  return Option.none()
}

/**
 * Applies an RFC 8620 §5.3 PatchObject to a record. Keys are pointers relative to the record
 * (no leading `/`); every parent on the path must already exist and be an object (patches never
 * reach into arrays); a `null` value removes a nested key and sets a top-level property to `null`;
 * no key may be a prefix of another. `Left` carries the offending key.
 */
export const applyPatch = (record: JsonRecord, patch: JsonRecord): Either.Either<JsonRecord, string> => {
  const keys = Object.keys(patch)
  for (const a of keys) {
    for (const b of keys) {
      if (a !== b && b.startsWith(`${a}/`)) return Either.left(b)
    }
  }
  let result: JsonRecord = record
  for (const key of keys) {
    if (key === "" || /~[^01]|~$/.test(key)) return Either.left(key)
    const tokens = key.split("/").map(unescape)
    const next = setIn(result, tokens, patch[key] as JsonValue)
    if (Option.isNone(next)) return Either.left(key)
    result = next.value
  }
  return Either.right(result)
}

const setIn = (
  target: JsonRecord,
  tokens: ReadonlyArray<string>,
  value: JsonValue,
  depth = 0
): Option.Option<JsonRecord> => {
  const [token, ...rest] = tokens as [string, ...Array<string>]
  if (rest.length === 0) {
    const copy: Record<string, JsonValue> = { ...target }
    if (value === null && depth > 0) delete copy[token]
    else copy[token] = value
    return Option.some(copy)
  }
  const child = target[token]
  if (!isRecord(child)) return Option.none()
  return Option.map(setIn(child, rest, value, depth + 1), (updated) => ({ ...target, [token]: updated }))
}
