/**
 * RFC 8620 §1.2–§1.4 primitive wire types, plus the two schema builders every JMAP object in this
 * package is made from: open structs (unknown properties survive decode → encode) and open enums
 * (unknown values decode and round-trip verbatim).
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * RFC 8620 §1.2 `Id`: 1–255 octets. Decoding is deliberately lenient about the character set
 * (servers in the wild and the drafts' own examples stray from `[A-Za-z0-9_-]`); use
 * {@link isStrictId} to check the RFC character set where it matters.
 */
export const Id = Schema.String.pipe(
  Schema.minLength(1, { message: () => "an Id may not be empty" }),
  Schema.maxLength(255, { message: () => "an Id may not be longer than 255 characters" })
).annotations({ identifier: "Id" })
/** @see {@link Id} */
export type Id = typeof Id.Type

const strictIdPattern = /^[A-Za-z0-9_-]{1,255}$/

/** True when `s` uses only the RFC 8620 §1.2 Id character set (`A–Z a–z 0–9 - _`) and is 1–255 long. */
export const isStrictId = (s: string): boolean => strictIdPattern.test(s)

/** RFC 8620 §1.2 opaque `State` string (also used for query states). */
export const State = Schema.String.annotations({ identifier: "State" })
/** @see {@link State} */
export type State = typeof State.Type

/**
 * RFC 8620 §1.4 `UTCDate` / `Date`: an RFC 3339 `date-time`. Decoding accepts any RFC 3339
 * offset (the drafts require `Z`, some servers send `+00:00`); the string is kept verbatim.
 */
export const UTCDate = Schema.String.pipe(
  Schema.pattern(/^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/, {
    message: () => "expected an RFC 3339 date-time such as 2026-04-26T12:00:00Z"
  })
).annotations({ identifier: "UTCDate" })
/** @see {@link UTCDate} */
export type UTCDate = typeof UTCDate.Type

/** RFC 8620 §1.3 `UnsignedInt`: an integer in 0 … 2^53−1. */
export const UnsignedInt = Schema.Number.pipe(
  Schema.int({ message: () => "expected an integer" }),
  Schema.between(0, Number.MAX_SAFE_INTEGER, { message: () => "expected an integer in 0 … 2^53−1" })
).annotations({ identifier: "UnsignedInt" })
/** @see {@link UnsignedInt} */
export type UnsignedInt = typeof UnsignedInt.Type

/** RFC 8620 §1.3 `Int`: an integer in −2^53+1 … 2^53−1. */
export const Int = Schema.Number.pipe(
  Schema.int({ message: () => "expected an integer" }),
  Schema.between(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, { message: () => "expected a safe integer" })
).annotations({ identifier: "Int" })
/** @see {@link Int} */
export type Int = typeof Int.Type

/** Any JSON object (`{ [key: string]: unknown }`), e.g. a capability object or a PatchObject. */
export const JsonObject = Schema.Record({ key: Schema.String, value: Schema.Unknown }).annotations({
  identifier: "JsonObject"
})
/** @see {@link JsonObject} */
export type JsonObject = typeof JsonObject.Type

/** Parse options shared by every open struct: unknown properties are kept on decode and on encode. */
export const preserveUnknown = { onExcessProperty: "preserve" } as const

/**
 * A struct whose unknown properties survive decode → encode (forward compatibility with servers
 * and extensions newer than this client). Every JMAP object schema in this package is built with it.
 */
export const OpenStruct = <Fields extends Schema.Struct.Fields>(
  fields: Fields,
  identifier?: string
): Schema.Struct<Fields> =>
  Schema.Struct(fields).annotations({
    parseOptions: preserveUnknown,
    ...(identifier === undefined ? {} : { identifier })
  })

/**
 * An open string enum: the listed values are typed, and any other string still decodes and
 * re-encodes verbatim (drafts add values; a client must not break when they do).
 */
export const OpenEnum = <const Values extends ReadonlyArray<string>>(
  ...values: Values
): Schema.Schema<Values[number] | (string & {}), string> =>
  Schema.Union(Schema.Literal(...values), Schema.String) as unknown as Schema.Schema<
    Values[number] | (string & {}),
    string
  >
