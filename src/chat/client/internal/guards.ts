/**
 * The client-side argument guards of the chat client (seed-api §2.5): every failure is an
 * `InvalidArgument` produced before any I/O, worded like the Rust client's
 * (`<method>: <argument> may not be empty`).
 *
 * @internal
 */
import { Either, type ParseResult, Schema } from "effect"
import { InvalidArgument, ParseError } from "../../../jmap/Errors.js"
import { compileDecoder } from "../../../jmap/internal/compile.js"

/** A guard's verdict: the failure, or `undefined` when the input passes. */
export type Guard = InvalidArgument | undefined

/** `sinceQueryState` → `since_query_state`. */
export const snake = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)

/** The Rust client's method name used in messages: `("ChatContact", "queryChanges")` → `chat_contact_query_changes`. */
export const seedName = (type: string, operation: string): string =>
  `${snake(type.charAt(0).toLowerCase() + type.slice(1))}_${snake(operation)}`

/** `InvalidArgument("<where>: <what>")`. */
export const invalid = (where: string, what: string): InvalidArgument =>
  new InvalidArgument({ description: `${where}: ${what}` })

/** Refuses an empty string (absent values pass). */
export const nonEmpty = (where: string, field: string, value: string | undefined | null): Guard =>
  value === "" ? invalid(where, `${snake(field)} may not be empty`) : undefined

/** Refuses an empty element of an id list and, when `required`, an empty list. References and absent lists pass. */
export const idList = (where: string, field: string, ids: unknown, required = false): Guard => {
  if (!Array.isArray(ids)) return undefined
  if (required && ids.length === 0) return invalid(where, `${snake(field)} may not be empty`)
  const index = ids.indexOf("")
  return index === -1 ? undefined : invalid(where, `${snake(field)}[${index}] may not be empty`)
}

/** The first failing guard. */
export const firstOf = (...guards: ReadonlyArray<Guard>): Guard => guards.find((g) => g !== undefined)

const decoders = new WeakMap<Schema.Schema.Any, (u: unknown) => Either.Either<unknown, ParseResult.ParseError>>()

/** The compiled decoder (same results as Effect's, every parse option of the input schemas included). */
const decoderFor = <A, I>(schema: Schema.Schema<A, I, never>) => {
  let decoder = decoders.get(schema)
  if (decoder === undefined) {
    decoder = compileDecoder(schema as Schema.Schema<unknown, unknown, never>)
    decoders.set(schema, decoder)
  }
  return decoder as (u: unknown) => Either.Either<A, ParseResult.ParseError>
}

/** How deep {@link validate} looks for `"__proto__"` keys: as deep as the input schemas' objects go. */
const protoKeyDepth = 4

/** True when `value`, or an object or array within `depth` levels of it, has an own `"__proto__"` key. */
const hasProtoKey = (value: unknown, depth: number): boolean => {
  if (typeof value !== "object" || value === null || depth < 0) return false
  if (!Array.isArray(value) && Object.prototype.hasOwnProperty.call(value, "__proto__")) return true
  for (const member of Array.isArray(value) ? value : Object.values(value)) {
    if (hasProtoKey(member, depth - 1)) return true
  }
  return false
}

/**
 * Decodes `input` with `schema` (a wrongly typed value is an `InvalidArgument`), then runs `guard`.
 * An own `"__proto__"` property (possible in parsed JSON) is refused: inputs keep unknown
 * properties, and copying that one would replace the object's prototype instead of sending it.
 */
export const validate = <A, I>(
  where: string,
  schema: Schema.Schema<A, I, never>,
  input: unknown,
  guard: (a: A) => Guard = () => undefined
): Either.Either<A, InvalidArgument> =>
  hasProtoKey(input, protoKeyDepth)
    ? Either.left(invalid(where, "\"__proto__\" may not be a property name"))
    : Either.flatMap(
      Either.mapLeft(decoderFor(schema)(input), (error) => {
        const parsed = ParseError.fromSchema(where, error)
        return invalid(where, parsed.path === "" ? parsed.description : `${parsed.path}: ${parsed.description}`)
      }),
      (a) => {
        const failure = guard(a)
        return failure === undefined ? Either.right(a) : Either.left(failure)
      }
    )
