/**
 * RFC 8620 §5 standard method responses as schema factories (`GetResponse(T)`, `SetResponse(T)`, …)
 * and the `SetError` object. Every response is an open struct; `SetError.type` is open.
 *
 * @since 0.1.0
 */
import { Option, Schema } from "effect"
import { Id, OpenStruct, State, UnsignedInt, UTCDate } from "./Primitives.js"

/** An `Id[]` that servers may send as `null` or leave out where RFC 8620 requires a list; decodes to `[]`. */
const IdList = Schema.optionalToRequired(Schema.NullOr(Schema.Array(Id)), Schema.Array(Id), {
  decode: (o) => Option.getOrElse(Option.flatMap(o, Option.fromNullable), () => []),
  encode: (ids) => Option.some(ids)
})

/** RFC 8620 §5.1 `Foo/get` response for items of schema `item`. */
export const GetResponse = <A, I, R>(item: Schema.Schema<A, I, R>) =>
  OpenStruct({
    accountId: Id,
    state: State,
    list: Schema.Array(item),
    notFound: IdList
  })
/** @see {@link GetResponse} */
export type GetResponse<A> = {
  readonly accountId: Id
  readonly state: State
  readonly list: ReadonlyArray<A>
  readonly notFound: ReadonlyArray<Id>
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

/**
 * RFC 8620 §5.3 `Foo/set` response. `created` holds, per creation id, the server-set properties of
 * the new object (decoded with `created`); `updated` holds null or the properties the server changed.
 */
export const SetResponse = <A, I, R, UA = unknown, UI = unknown, UR = never>(
  created: Schema.Schema<A, I, R>,
  updated: Schema.Schema<UA, UI, UR> = Schema.Unknown as unknown as Schema.Schema<UA, UI, UR>
) =>
  OpenStruct({
    accountId: Id,
    oldState: Schema.optional(Schema.NullOr(State)),
    newState: Schema.optional(Schema.NullOr(State)),
    created: Schema.optional(Schema.NullOr(Schema.Record({ key: Schema.String, value: created }))),
    updated: Schema.optional(Schema.NullOr(Schema.Record({ key: Schema.String, value: Schema.NullOr(updated) }))),
    destroyed: Schema.optional(Schema.NullOr(Schema.Array(Id))),
    notCreated: Schema.optional(Schema.NullOr(SetErrorMap)),
    notUpdated: Schema.optional(Schema.NullOr(SetErrorMap)),
    notDestroyed: Schema.optional(Schema.NullOr(SetErrorMap))
  })
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
