/**
 * RFC 8620 §5 standard method responses as schema factories (`GetResponse(T)`, `SetResponse(T)`, …)
 * and the `SetError` object. Every response is an open struct; `SetError.type` is open.
 *
 * @since 0.1.0
 */
import { Arbitrary, Effect, Either, Option, ParseResult, Schema, SchemaAST as AST } from "effect"
import { ParseError } from "./Errors.js"
import { decoderFor } from "./internal/json.js"
import { Id, OpenStruct, State, UnsignedInt, UTCDate } from "./Primitives.js"

/** An `Id[]` that servers may send as `null` or leave out where RFC 8620 requires a list; decodes to `[]`. */
const IdList = Schema.optionalToRequired(Schema.NullOr(Schema.Array(Id)), Schema.Array(Id), {
  decode: (o) => Option.getOrElse(Option.flatMap(o, Option.fromNullable), () => []),
  encode: (ids) => Option.some(ids)
})

/**
 * An object of a `/get` list, or a value of a `/set` `created` / `updated` map, that did not match
 * its schema: left out of the result and reported here instead, so one ill-formed object from a
 * server or a peer never costs the others (and is never silently dropped).
 */
export class InvalidItem extends Schema.Class<InvalidItem>("effect-jmap-chat/InvalidItem")({
  /** The object's `id` when the raw object has a string one; for a `/set` map, its key. */
  id: Schema.optional(Schema.String),
  /** Why it was left out; `path` starts at the response, e.g. `list[3].sentAt`. */
  error: ParseError
}) {}

/** The `invalid` entries of a decoded response, if it has any (`[]` for anything else). */
export const invalidItems = (response: unknown): ReadonlyArray<InvalidItem> => {
  const invalid = typeof response === "object" && response !== null
    ? (response as { readonly invalid?: unknown }).invalid
    : undefined
  return Array.isArray(invalid) && invalid.every((i) => i instanceof InvalidItem) ? invalid : []
}

const isObject = (u: unknown): u is Readonly<Record<string, unknown>> => typeof u === "object" && u !== null

const subjectOf = (item: Schema.Schema.Any): string =>
  Option.getOrElse(AST.getIdentifierAnnotation(item.ast), () => "item")

/** Decodes the elements of `raw` one by one: the valid ones are returned, the others added to `invalid`. */
const decodeEach = <A, I>(
  item: Schema.Schema<A, I, never>,
  raw: ReadonlyArray<unknown>,
  key: string,
  invalid: Array<InvalidItem>
): Array<A> => {
  const decode = decoderFor(item)
  const out: Array<A> = []
  for (let i = 0; i < raw.length; i++) {
    const result = decode(raw[i])
    if (Either.isRight(result)) {
      out.push(result.right)
    } else {
      const id = isObject(raw[i]) ? (raw[i] as { readonly id?: unknown }).id : undefined
      invalid.push(
        new InvalidItem({
          ...(typeof id === "string" ? { id } : {}),
          error: ParseError.fromSchema(subjectOf(item), result.left, [key, i])
        })
      )
    }
  }
  return out
}

/** {@link decodeEach} for the values of a map (`null` values kept as `null` when `nullable`). */
const decodeEachValue = <A, I>(
  item: Schema.Schema<A, I, never>,
  raw: Readonly<Record<string, unknown>>,
  key: string,
  invalid: Array<InvalidItem>,
  nullable: boolean
): Record<string, A | null> => {
  const decode = decoderFor(item)
  const out: Record<string, A | null> = {}
  for (const [id, value] of Object.entries(raw)) {
    if (value === null && nullable) {
      out[id] = null
      continue
    }
    const result = decode(value)
    if (Either.isRight(result)) out[id] = result.right
    else invalid.push(new InvalidItem({ id, error: ParseError.fromSchema(subjectOf(item), result.left, [key, id]) }))
  }
  return out
}

/**
 * A response schema whose item-bearing properties are decoded item by item: `wire` is the envelope
 * with those properties as raw JSON, `split` decodes it (collecting `invalid`), `join` encodes a
 * decoded response back. The decoded side is only checked for shape (the items were decoded by
 * `split`), so the items are not walked twice.
 */
const itemwise = <W, WI, T extends { readonly invalid: ReadonlyArray<InvalidItem> }>(
  identifier: string,
  wire: Schema.Schema<W, WI, never>,
  typed: Schema.Schema<Omit<T, "invalid">, any, never>,
  split: (wire: W, invalid: Array<InvalidItem>) => Omit<T, "invalid">,
  join: (value: T) => Effect.Effect<W, ParseResult.ParseIssue>
): Schema.Schema<T, WI, never> =>
  Schema.transformOrFail(
    wire,
    Schema.declare((u): u is T => isObject(u) && Array.isArray(u["invalid"]), {
      identifier,
      arbitrary: () => (fc) => Arbitrary.makeLazy(typed)(fc).map((value) => ({ ...value, invalid: [] }) as unknown as T)
    }),
    {
      strict: true,
      decode: (w) => {
        const invalid: Array<InvalidItem> = []
        const value = split(w, invalid)
        return ParseResult.succeed({ ...value, invalid } as unknown as T)
      },
      encode: (value) => join(value)
    }
  )

/**
 * A response carrying a `list` of `item`s beside the envelope `fields` (an open struct), decoded
 * object by object: an ill-formed object is left out of `list` and reported in `invalid` (with its
 * id and `ParseError`) instead of failing the whole response. {@link GetResponse} is one.
 */
export const ListResponse = <Fields extends Schema.Struct.Fields, A, I>(
  identifier: string,
  fields: Fields,
  item: Schema.Schema<A, I, never>
): Schema.Schema<
  Schema.Struct.Type<Fields> & { readonly list: ReadonlyArray<A>; readonly invalid: ReadonlyArray<InvalidItem> },
  any,
  never
> => {
  type T = Schema.Struct.Type<Fields> & {
    readonly list: ReadonlyArray<A>
    readonly invalid: ReadonlyArray<InvalidItem>
  }
  const envelope = OpenStruct({ ...fields, list: Schema.Array(Schema.Unknown) })
  return itemwise<Record<string, unknown> & { readonly list: ReadonlyArray<unknown> }, unknown, T>(
    identifier,
    envelope as unknown as Schema.Schema<Record<string, unknown> & { readonly list: ReadonlyArray<unknown> }, unknown>,
    Schema.typeSchema(OpenStruct({ ...fields, list: Schema.Array(item) })) as unknown as Schema.Schema<
      Omit<T, "invalid">,
      any,
      never
    >,
    (wire, invalid) =>
      ({ ...wire, list: decodeEach(item, wire.list, "list", invalid) }) as unknown as Omit<T, "invalid">,
    ({ invalid: _, ...value }) =>
      Effect.map(ParseResult.encode(Schema.Array(item))(value.list), (list) => ({ ...value, list }))
  )
}

/**
 * RFC 8620 §5.1 `Foo/get` response for items of schema `item`. The list is decoded object by
 * object: an ill-formed object is left out of `list` and reported in `invalid` (with its id and
 * `ParseError`) instead of failing the whole response.
 */
export const GetResponse = <A, I>(item: Schema.Schema<A, I, never>): Schema.Schema<GetResponse<A>, any, never> =>
  ListResponse("GetResponse", { accountId: Id, state: State, notFound: IdList }, item)
/** @see {@link GetResponse} */
export type GetResponse<A> = {
  readonly accountId: Id
  readonly state: State
  readonly list: ReadonlyArray<A>
  readonly notFound: ReadonlyArray<Id>
  /** The objects left out of `list` because they did not match the schema (usually empty). */
  readonly invalid: ReadonlyArray<InvalidItem>
}

/** RFC 8620 §5.2 `Foo/changes` response. */
export const ChangesResponse = OpenStruct({
  accountId: Id,
  oldState: State,
  newState: State,
  hasMoreChanges: Schema.Boolean,
  created: Schema.Array(Id),
  updated: Schema.Array(Id),
  destroyed: Schema.Array(Id),
  /** RFC 8621-style hint some servers send with `Foo/changes`. */
  updatedProperties: Schema.optional(Schema.NullOr(Schema.Array(Schema.String)))
}, "ChangesResponse")
/** @see {@link ChangesResponse} */
export type ChangesResponse = typeof ChangesResponse.Type

/**
 * RFC 8620 §5.3 SetError. `type` is open (RFC types: forbidden, overQuota, tooLarge, rateLimit,
 * notFound, invalidPatch, willDestroy, invalidProperties, singleton, alreadyExists; the chat drafts
 * add rateLimited with `serverRetryAfter`, and others).
 */
export const SetError = OpenStruct({
  type: Schema.String,
  description: Schema.optional(Schema.NullOr(Schema.String)),
  properties: Schema.optional(Schema.NullOr(Schema.Array(Schema.String))),
  existingId: Schema.optional(Schema.NullOr(Id)),
  /** draft-atwood-jmap-chat-00: when a `rateLimited` create may be retried. */
  serverRetryAfter: Schema.optional(Schema.Unknown)
}, "SetError")
/** @see {@link SetError} */
export type SetError = typeof SetError.Type

/** The `serverRetryAfter` of a `rateLimited` SetError: absent, a valid UTCDate, or present but malformed. */
export const serverRetryAfter = (
  error: SetError
): { readonly _tag: "Absent" } | { readonly _tag: "Valid"; readonly value: UTCDate } | {
  readonly _tag: "Malformed"
  readonly raw: string
} => {
  if (error.serverRetryAfter === undefined) return { _tag: "Absent" }
  return Schema.is(UTCDate)(error.serverRetryAfter)
    ? { _tag: "Valid", value: error.serverRetryAfter }
    : { _tag: "Malformed", raw: JSON.stringify(error.serverRetryAfter) ?? "undefined" }
}

const SetErrorMap = Schema.Record({ key: Schema.String, value: SetError })

const RawMap = Schema.optional(Schema.NullOr(Schema.Record({ key: Schema.String, value: Schema.Unknown })))

const SetEnvelope = OpenStruct({
  accountId: Id,
  oldState: Schema.optional(Schema.NullOr(State)),
  newState: Schema.optional(Schema.NullOr(State)),
  created: RawMap,
  updated: RawMap,
  destroyed: Schema.optional(Schema.NullOr(Schema.Array(Id))),
  notCreated: Schema.optional(Schema.NullOr(SetErrorMap)),
  notUpdated: Schema.optional(Schema.NullOr(SetErrorMap)),
  notDestroyed: Schema.optional(Schema.NullOr(SetErrorMap))
})

/**
 * RFC 8620 §5.3 `Foo/set` response. `created` holds, per creation id, the server-set properties of
 * the new object (decoded with `created`); `updated` holds null or the properties the server changed.
 * Both maps are decoded entry by entry: an ill-formed entry is left out of its map and reported in
 * `invalid` (keyed by its creation id or object id), so the rest of the answer is never lost.
 */
export const SetResponse = <A, I, UA = unknown, UI = unknown>(
  created: Schema.Schema<A, I, never>,
  updated: Schema.Schema<UA, UI, never> = Schema.Unknown as unknown as Schema.Schema<UA, UI, never>
): Schema.Schema<SetResponse<A, UA>, any, never> =>
  itemwise<typeof SetEnvelope.Type, typeof SetEnvelope.Encoded, SetResponse<A, UA>>(
    "SetResponse",
    SetEnvelope,
    OpenStruct({
      ...SetEnvelope.fields,
      created: Schema.optional(Schema.NullOr(Schema.Record({ key: Schema.String, value: Schema.typeSchema(created) }))),
      updated: Schema.optional(
        Schema.NullOr(Schema.Record({ key: Schema.String, value: Schema.NullOr(Schema.typeSchema(updated)) }))
      )
    }) as unknown as Schema.Schema<Omit<SetResponse<A, UA>, "invalid">, any, never>,
    (wire, invalid) => ({
      ...wire as Omit<SetResponse<A, UA>, "invalid">,
      ...(isObject(wire.created)
        ? { created: decodeEachValue(created, wire.created, "created", invalid, false) as Record<string, A> }
        : {}),
      ...(isObject(wire.updated) ? { updated: decodeEachValue(updated, wire.updated, "updated", invalid, true) } : {})
    }),
    ({ invalid: _, ...value }) =>
      Effect.map(
        Effect.all({
          created: isObject(value.created)
            ? ParseResult.encode(Schema.Record({ key: Schema.String, value: created }))(value.created)
            : Effect.succeed(value.created),
          updated: isObject(value.updated)
            ? ParseResult.encode(Schema.Record({ key: Schema.String, value: Schema.NullOr(updated) }))(value.updated)
            : Effect.succeed(value.updated)
        }),
        (maps) =>
          ({
            ...value,
            ...(value.created === undefined ? {} : { created: maps.created }),
            ...(value.updated === undefined ? {} : { updated: maps.updated })
          }) as typeof SetEnvelope.Type
      )
  )
/** @see {@link SetResponse} */
export type SetResponse<A, U = unknown> = {
  readonly accountId: Id
  readonly oldState?: State | null | undefined
  readonly newState?: State | null | undefined
  readonly created?: { readonly [creationId: string]: A } | null | undefined
  readonly updated?: { readonly [id: string]: U | null } | null | undefined
  readonly destroyed?: ReadonlyArray<Id> | null | undefined
  readonly notCreated?: { readonly [creationId: string]: SetError } | null | undefined
  readonly notUpdated?: { readonly [id: string]: SetError } | null | undefined
  readonly notDestroyed?: { readonly [id: string]: SetError } | null | undefined
  /** The `created` / `updated` entries left out because they did not match the schema (usually empty). */
  readonly invalid: ReadonlyArray<InvalidItem>
}

/** RFC 8620 §5.5 `Foo/query` response. */
export const QueryResponse = OpenStruct({
  accountId: Id,
  queryState: State,
  canCalculateChanges: Schema.Boolean,
  position: UnsignedInt,
  ids: Schema.Array(Id),
  total: Schema.optional(UnsignedInt),
  limit: Schema.optional(UnsignedInt)
}, "QueryResponse")
/** @see {@link QueryResponse} */
export type QueryResponse = typeof QueryResponse.Type

/** RFC 8620 §5.6 AddedItem of a `Foo/queryChanges` response. */
export const AddedItem = OpenStruct({ id: Id, index: UnsignedInt }, "AddedItem")
/** @see {@link AddedItem} */
export type AddedItem = typeof AddedItem.Type

/** RFC 8620 §5.6 `Foo/queryChanges` response. */
export const QueryChangesResponse = OpenStruct({
  accountId: Id,
  oldQueryState: State,
  newQueryState: State,
  total: Schema.optional(UnsignedInt),
  removed: Schema.Array(Id),
  added: Schema.Array(AddedItem)
}, "QueryChangesResponse")
/** @see {@link QueryChangesResponse} */
export type QueryChangesResponse = typeof QueryChangesResponse.Type
