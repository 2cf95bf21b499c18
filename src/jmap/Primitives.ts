/**
 * RFC 8620 §1.2–§1.4 primitive wire types, plus the two schema builders every JMAP object in this
 * package is made from: open structs (unknown properties survive decode → encode) and open enums
 * (unknown values decode and round-trip verbatim).
 *
 * @since 0.1.0
 */
import { Arbitrary, Either, Schema } from "effect"
import { compileDecoder } from "./internal/compile.js"

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

/**
 * The key under which an object decoded by {@link LenientStruct} keeps the raw values of the
 * optional properties it ignored as ill-formed. A symbol: it is never sent on the wire
 * (`JSON.stringify` skips it), and encoding the object with its schema puts the values back.
 */
export const IllFormed: unique symbol = Symbol.for("effect-jmap-chat/IllFormed")

/** What {@link LenientStruct} adds to the decoded object: the ignored raw values, by property name. */
export interface IllFormedProperties {
  readonly [IllFormed]?: { readonly [property: string]: unknown }
}

const hasOwnProperty = (o: object, key: string) => Object.prototype.hasOwnProperty.call(o, key)

/**
 * An {@link OpenStruct} whose `lenient` properties (optional ones) are ignored when their value does
 * not fit: the object still decodes, without that property, and the raw value is kept under
 * {@link IllFormed}, so the object re-encodes exactly as received. For properties a client MUST
 * ignore when they do not fit their shape (draft-atwood-jmap-chat-00 §Endpoint `metadata`), and
 * for data that is forwarded uninspected (§MessageAction), where one odd value must cost nothing else.
 */
export const LenientStruct = <Fields extends Schema.Struct.Fields, const K extends keyof Fields & string>(
  fields: Fields,
  lenient: ReadonlyArray<K>,
  identifier: string
): Schema.Schema<Schema.Struct.Type<Fields> & IllFormedProperties, Schema.Struct.Encoded<Fields>, never> => {
  const fits = lenient.map((key) => {
    const decode = compileDecoder(Schema.Struct({ [key]: fields[key]! }) as unknown as Schema.Schema<unknown>)
    return [key, (value: unknown) => Either.isRight(decode({ [key]: value }))] as const
  })
  const typed = OpenStruct({
    ...fields,
    [IllFormed]: Schema.optionalWith(Schema.Record({ key: Schema.String, value: Schema.Unknown }), { exact: true })
  })
  return Schema.transform(JsonObject, typed, {
    strict: false,
    decode: (raw) => {
      let ignored: Record<string, unknown> | undefined
      for (const [key, fit] of fits) {
        if (hasOwnProperty(raw, key) && !fit(raw[key])) (ignored ??= {})[key] = raw[key]
      }
      if (ignored === undefined) return raw
      const kept: Record<string | symbol, unknown> = {}
      for (const key of Object.keys(raw)) if (!hasOwnProperty(ignored, key)) kept[key] = raw[key]
      kept[IllFormed] = ignored
      return kept
    },
    encode: (value) => {
      const { [IllFormed]: ignored, ...rest } = value as Record<string | symbol, unknown>
      if (ignored === undefined) return rest
      const out: Record<string, unknown> = { ...rest }
      for (const [key, raw] of Object.entries(ignored as object)) if (!hasOwnProperty(out, key)) out[key] = raw
      return out
    }
  }).annotations({
    identifier,
    parseOptions: preserveUnknown,
    // Generated values are well-formed: the raw values of ignored properties only come from the wire.
    arbitrary: () => Arbitrary.makeLazy(OpenStruct(fields))
  }) as unknown as Schema.Schema<
    Schema.Struct.Type<Fields> & IllFormedProperties,
    Schema.Struct.Encoded<Fields>,
    never
  >
}
