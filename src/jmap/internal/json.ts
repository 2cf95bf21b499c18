/**
 * JSON body decoding with cached, compiled schema decoders; every failure is a `ParseError` that
 * names what was decoded and where it failed.
 *
 * @internal
 */
import { Effect, Either, type ParseResult, Schema } from "effect"
import { ParseError } from "../Errors.js"
import { compileDecoder } from "./compile.js"
import { utf8 } from "./http.js"

const decoders = new WeakMap<Schema.Schema.Any, (u: unknown) => Either.Either<unknown, ParseResult.ParseError>>()

/** A compiled `decodeUnknownEither` for `schema`, built once per schema. */
export const decoderFor = <A, I>(
  schema: Schema.Schema<A, I, never>
): (u: unknown) => Either.Either<A, ParseResult.ParseError> => {
  let decoder = decoders.get(schema)
  if (decoder === undefined) {
    decoder = compileDecoder(schema as Schema.Schema<unknown, unknown, never>)
    decoders.set(schema, decoder)
  }
  return decoder as (u: unknown) => Either.Either<A, ParseResult.ParseError>
}

/** Decodes an already-parsed value with `schema`, mapping failures to `ParseError`. */
export const decodeValue = <A, I>(
  schema: Schema.Schema<A, I, never>,
  value: unknown,
  subject: string
): Either.Either<A, ParseError> =>
  Either.mapLeft(decoderFor(schema)(value), (error) => ParseError.fromSchema(subject, error))

const dropProto = (key: string, value: unknown) => (key === "__proto__" ? undefined : value)

/**
 * `JSON.parse` for untrusted text: a `"__proto__"` member is dropped (Schema decoding copies members
 * with assignment, which would turn it into the decoded object's prototype). The reviver only runs
 * when the text mentions `"__proto__"` at all, so the common path stays native speed.
 */
export const parseUntrusted = (text: string): unknown =>
  text.includes("\"__proto__\"") ? JSON.parse(text, dropProto) : JSON.parse(text)

/** Parses UTF-8 JSON bytes and decodes them with `schema`. */
export const decodeJson = <A, I>(
  schema: Schema.Schema<A, I, never>,
  bytes: Uint8Array,
  subject: string
): Effect.Effect<A, ParseError> =>
  Effect.suspend(() => {
    let json: unknown
    try {
      json = parseUntrusted(utf8(bytes))
    } catch (e) {
      return Effect.fail(
        new ParseError({
          subject,
          path: "",
          description: `invalid JSON: ${e instanceof Error ? e.message : String(e)}`
        })
      )
    }
    return decodeValue(schema, json, subject)
  })
