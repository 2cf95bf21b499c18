/**
 * Schema and object helpers shared by the chat client's inputs, patches and request table.
 *
 * @internal
 */
import { Clock, Effect, Either, Schema } from "effect"

/** An optional property that must be left out rather than set to `undefined`. */
export const optional = <S extends Schema.Schema.All>(schema: S) => Schema.optionalWith(schema, { exact: true })

/**
 * The name of a vendor extension property, `prefix:name` (e.g. `"com.example:x"`): typed as allowed
 * in create inputs and patches, whose other unknown properties are still sent (see {@link extensible}).
 */
export const VendorProperty = Schema.TemplateLiteral(Schema.String, ":", Schema.String)

/** The value of a vendor extension property: any JSON (generated as such by `Arbitrary`). */
const VendorValue = Schema.Unknown.annotations({
  // Through JSON once, so that generated values survive it unchanged (`-0` becomes `0`).
  arbitrary: () => (fc) => fc.jsonValue({ maxDepth: 1 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown)
})

/**
 * A create input or patch object (RFC 8620 §5.3): `fields` are checked, and every other property —
 * a vendor extension such as `"com.example:x"` — is kept and sent to the server, never dropped;
 * the server answers what it does not know with `invalidProperties` (a `SetFailed`).
 */
export const extensible = <Fields extends Schema.Struct.Fields>(fields: Fields) =>
  Schema.Struct(fields, Schema.Record({ key: VendorProperty, value: VendorValue })).annotations({
    parseOptions: { onExcessProperty: "preserve" }
  })

/** A patch property that may be kept (absent), cleared (`null`) or set. */
export const clearable = <S extends Schema.Schema.All>(schema: S) =>
  Schema.optionalWith(Schema.NullOr(schema), { exact: true })

/**
 * A map keyed by caller data (reaction ids, accountIds) in an input: a `"__proto__"` key is
 * refused (as a plain key it would become the decoded map's prototype).
 */
export const inputMap = <V extends Schema.Schema.Any>(value: V) =>
  Schema.Record({
    key: Schema.String.pipe(
      Schema.filter((k) => k !== "__proto__", { message: () => "\"__proto__\" may not be a key" })
    ),
    value
  }).annotations({ parseOptions: { onExcessProperty: "error" } })

/** The value of an own property (never one inherited from `Object.prototype`). */
export const own = <V>(map: { readonly [key: string]: V } | null | undefined, key: string): V | undefined =>
  map != null && Object.prototype.hasOwnProperty.call(map, key) ? map[key] : undefined

/** The properties that are present (not `undefined`), in order. */
export const present = (o: object): Record<string, unknown> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined))

/** `millis` (since the epoch) as an RFC 8620 UTCDate, without fractional seconds. */
export const utcDate = (millis: number): string => new Date(millis).toISOString().replace(/\.\d+Z$/, "Z")

/** The current time of Effect's `Clock` (so `TestClock` controls it) as an RFC 8620 UTCDate. */
export const now: Effect.Effect<string> = Effect.map(Clock.currentTimeMillis, utcDate)

/**
 * `f` over the outcome of a preparation, which is pure (an `Either`) unless it had to read a
 * service such as the `Clock` (an `Effect`); a pure one stays pure.
 */
export const mapPrepared = <A, B, E>(self: Effect.Effect<A, E>, f: (a: A) => B): Effect.Effect<B, E> =>
  Either.isEither(self) ? Either.map(self as Either.Either<A, E>, f) : Effect.map(self, f)

/** {@link mapPrepared} for an `f` that prepares further. */
export const flatMapPrepared = <A, B, E, E2>(
  self: Effect.Effect<A, E>,
  f: (a: A) => Effect.Effect<B, E2>
): Effect.Effect<B, E | E2> =>
  Either.isEither(self)
    ? Either.isLeft(self as Either.Either<A, E>)
      ? self as unknown as Either.Either<never, E>
      : f((self as Either.Right<E, A>).right)
    : Effect.flatMap(self, f)
