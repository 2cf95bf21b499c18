/**
 * RFC 8620 §5 standard methods, data-driven: a {@link DataType} descriptor (type name, item
 * schema, capabilities) and one builder per method (`get`, `changes`, `query`, `queryChanges`,
 * `set`) that turns plain options into a typed {@link Invocation.Invocation}; the wire schemas of
 * their arguments; and {@link list}, `/query` then `/get` in one round trip (§3.7 result reference).
 *
 * Nothing here is specific to a data model: `JmapClient` and the chat client are tables of
 * descriptors on top.
 *
 * @since 0.1.0
 */
import { Effect, Either, Option, Schema, SchemaAST } from "effect"
import { type InvalidArgument, UnexpectedResponse } from "./Errors.js"
import * as Invocation from "./Invocation.js"
import {
  ChangesResponse,
  GetResponse,
  type InvalidItem,
  QueryChangesResponse,
  QueryResponse,
  SetResponse
} from "./MethodResponses.js"
import { Id, Int, JsonObject, OpenStruct, preserveUnknown, State, UnsignedInt } from "./Primitives.js"
import { ResultReference } from "./Wire.js"

/**
 * How every object of a type is found ({@link listAll}). RFC 8620 §5.1 lets a server refuse a
 * `/get` with `ids: null` (`requestTooLarge`) once the type has more objects than
 * `maxObjectsInGet`, so types that have a `/query` are listed through it, a page at a time:
 * - `Get`: one `/get` with `ids: null`; the only way for a type without `/query`.
 * - `Query`: pages of `/query`, each with the `/get` of its ids.
 * - `QueryWithin`: the same once per object of `parent`, filtered by `{ [property]: parentId }`,
 *   for a `/query` that needs that filter (draft-atwood-jmap-chat-00 §Message/query: `chatId`).
 */
export type Listing =
  | { readonly _tag: "Get" }
  | { readonly _tag: "Query" }
  | { readonly _tag: "QueryWithin"; readonly parent: DataType<any>; readonly property: string }

/** The {@link Listing} variants. */
export const Listing = {
  get: { _tag: "Get" } as Listing,
  query: { _tag: "Query" } as Listing,
  queryWithin: (parent: DataType<any>, property: string): Listing => ({ _tag: "QueryWithin", parent, property })
} as const

/** Describes one JMAP data type to the standard-method builders. */
export interface DataType<T extends { readonly id: string }> {
  /** The type name, e.g. `"Message"` (method names are `${name}/get`, …). */
  readonly name: string
  readonly item: Schema.Schema<T, any, never>
  /**
   * The RFC 8620 §5.3 `created` / `updated` shape: any subset of the properties, unknown ones
   * kept, decoded like `item` (see {@link partialOf}).
   */
  readonly partial: Schema.Schema<Partial<T>, any, never>
  /** Capabilities the methods need besides core, e.g. `["urn:ietf:params:jmap:chat"]`. */
  readonly using: ReadonlyArray<string>
  readonly getResponse: Schema.Schema<GetResponse<T>, any, never>
  readonly setResponse: Schema.Schema<SetResponse<Partial<T>, Partial<T>>, any, never>
  /** How {@link listAll} finds every object; `Get` unless the type has a `/query`. */
  readonly listing: Listing
}

/**
 * The RFC 8620 §5.3 `created` shape of `item`: every property optional, unknown ones kept. A plain
 * struct is made partial as it is, so properties that decode to another type (a `Redacted` secret)
 * do so here too. A struct with defaults (a transformation) is made partial on its type side
 * instead: a default must not be invented for a property the server left out of its answer.
 */
export const partialOf = <T, I>(item: Schema.Schema<T, I, never>): Schema.Schema<Partial<T>, any, never> =>
  (item.ast._tag === "TypeLiteral"
    ? Schema.partialWith(item, { exact: true })
    : Schema.partialWith(Schema.typeSchema(item), { exact: true })).annotations({
      parseOptions: preserveUnknown,
      identifier: `Partial<${Option.getOrElse(SchemaAST.getIdentifierAnnotation(item.ast), () => "object")}>`
    }) as unknown as Schema.Schema<Partial<T>, any, never>

/** Builds a {@link DataType}. */
export const dataType = <T extends { readonly id: string }, I>(
  name: string,
  item: Schema.Schema<T, I, never>,
  options: { readonly using?: ReadonlyArray<string>; readonly listing?: Listing } = {}
): DataType<T> => {
  const partial = partialOf(item)
  return {
    name,
    item,
    partial,
    using: options.using ?? [],
    listing: options.listing ?? Listing.get,
    getResponse: GetResponse(item) as unknown as Schema.Schema<GetResponse<T>, any, never>,
    setResponse: SetResponse(partial, partial) as unknown as Schema.Schema<
      SetResponse<Partial<T>, Partial<T>>,
      any,
      never
    >
  }
}

const opt = <S extends Schema.Schema.All>(schema: S) => Schema.optionalWith(schema, { exact: true })

/** RFC 8620 §5.5 Comparator as sent. */
export const Comparator = OpenStruct({
  property: Schema.String,
  isAscending: opt(Schema.Boolean),
  collation: opt(Schema.String)
}, "Comparator")
/** @see {@link Comparator} */
export type Comparator = typeof Comparator.Type

/** RFC 8620 §5.1 `/get` arguments as sent (`#ids` when `ids` is a result reference). */
export const GetRequest = OpenStruct({
  accountId: opt(Id),
  ids: opt(Schema.NullOr(Schema.Array(Id))),
  "#ids": opt(ResultReference),
  properties: opt(Schema.NullOr(Schema.Array(Schema.String)))
}, "GetRequest")

/** RFC 8620 §5.2 `/changes` arguments as sent. */
export const ChangesRequest = OpenStruct({
  accountId: opt(Id),
  sinceState: State,
  maxChanges: opt(Schema.NullOr(UnsignedInt))
}, "ChangesRequest")

/** RFC 8620 §5.5 `/query` arguments as sent. */
export const QueryRequest = OpenStruct({
  accountId: opt(Id),
  filter: opt(Schema.NullOr(JsonObject)),
  sort: opt(Schema.NullOr(Schema.Array(Comparator))),
  position: opt(Int),
  anchor: opt(Schema.NullOr(Id)),
  anchorOffset: opt(Int),
  limit: opt(Schema.NullOr(UnsignedInt)),
  calculateTotal: opt(Schema.Boolean)
}, "QueryRequest")

/** RFC 8620 §5.6 `/queryChanges` arguments as sent. */
export const QueryChangesRequest = OpenStruct({
  accountId: opt(Id),
  filter: opt(Schema.NullOr(JsonObject)),
  sort: opt(Schema.NullOr(Schema.Array(Comparator))),
  sinceQueryState: State,
  maxChanges: opt(Schema.NullOr(UnsignedInt)),
  upToId: opt(Schema.NullOr(Id)),
  calculateTotal: opt(Schema.Boolean)
}, "QueryChangesRequest")

/** RFC 8620 §5.3 `/set` arguments as sent. */
export const SetRequest = OpenStruct({
  accountId: opt(Id),
  ifInState: opt(Schema.NullOr(State)),
  create: opt(Schema.NullOr(Schema.Record({ key: Schema.String, value: JsonObject }))),
  update: opt(Schema.NullOr(Schema.Record({ key: Id, value: JsonObject }))),
  destroy: opt(Schema.NullOr(Schema.Array(Id))),
  "#destroy": opt(ResultReference)
}, "SetRequest")

/** Options of {@link get}. `ids` absent or `null`: every object. */
export interface GetOptions {
  readonly ids?: ReadonlyArray<string> | ResultReference | null
  readonly properties?: ReadonlyArray<string> | null
}

/** Options of {@link changes}. */
export interface ChangesOptions {
  readonly sinceState: string
  readonly maxChanges?: number | null
}

/** The filter and sort of {@link query} and {@link queryChanges}, already in wire form. */
export interface QueryShape {
  /** Omitted when absent; `null` is sent as `null`. */
  readonly filter?: Readonly<Record<string, unknown>> | null
  readonly sort?: ReadonlyArray<Comparator> | null
}

/** Options of {@link query}. */
export interface QueryOptions extends QueryShape {
  readonly position?: number
  readonly anchor?: string | null
  readonly anchorOffset?: number
  readonly limit?: number | null
  readonly calculateTotal?: boolean
}

/** Options of {@link queryChanges}. */
export interface QueryChangesOptions extends QueryShape {
  readonly sinceQueryState: string
  readonly maxChanges?: number | null
  readonly upToId?: string | null
  readonly calculateTotal?: boolean
}

/** Options of {@link set}: PatchObjects and creation objects in wire form. */
export interface SetOptions {
  readonly ifInState?: string | null
  readonly create?: Readonly<Record<string, Readonly<Record<string, unknown>>>> | null
  readonly update?: Readonly<Record<string, Readonly<Record<string, unknown>>>> | null
  readonly destroy?: ReadonlyArray<string> | ResultReference | null
}

/**
 * The arguments object of `options`: absent (`undefined`) options are left out, and an option
 * whose value is a result reference is sent as `#name` (RFC 8620 §3.7).
 */
export const toArguments = (options: object): Record<string, unknown> => {
  const args: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue
    if (Invocation.isResultReference(value)) args[`#${key}`] = value
    else args[key] = value
  }
  return args
}

const using = (type: DataType<any>) => ({ using: type.using })

/** `Foo/get` (RFC 8620 §5.1). */
export const get = <T extends { readonly id: string }>(
  type: DataType<T>,
  options: GetOptions = {}
): Invocation.Invocation<GetResponse<T>> =>
  Invocation.make(`${type.name}/get`, toArguments(options), type.getResponse, using(type))

/**
 * `Foo/get` for some `properties` only: the items are decoded with just those properties (and
 * `id`, which RFC 8620 §5.1 always returns).
 */
export const getProperties = <T extends { readonly id: string }, K extends keyof T & string>(
  type: DataType<T>,
  options: GetOptions & { readonly properties: ReadonlyArray<K> }
): Invocation.Invocation<GetResponse<Pick<T, K | "id">>> => {
  const keys = Array.from(new Set<keyof T & string>(["id", ...options.properties]))
  const item = type.item.pipe(Schema.pick(...keys)) as unknown as Schema.Schema<Pick<T, K | "id">, any, never>
  return Invocation.make(
    `${type.name}/get`,
    toArguments(options),
    GetResponse(item) as unknown as Schema.Schema<GetResponse<Pick<T, K | "id">>, any, never>,
    using(type)
  )
}

const StateOnly = OpenStruct({ state: State }, "GetState")

/**
 * The current `state` of `type`: `Foo/get` with `ids: []` (RFC 8620 §5.1 — an empty list asks for
 * no records, and every `/get` response carries the state), decoded to the state string alone.
 */
export const state = (type: DataType<any>): Invocation.Invocation<State> =>
  Invocation.flatMap(
    Invocation.make(`${type.name}/get`, { ids: [] }, StateOnly, using(type)),
    (response) => Either.right(response.state)
  )

/** `Foo/changes` (RFC 8620 §5.2). */
export const changes = (
  type: DataType<any>,
  options: ChangesOptions
): Invocation.Invocation<ChangesResponse> =>
  Invocation.make(`${type.name}/changes`, toArguments(options), ChangesResponse, using(type))

/** `Foo/query` (RFC 8620 §5.5). */
export const query = (type: DataType<any>, options: QueryOptions = {}): Invocation.Invocation<QueryResponse> =>
  Invocation.make(`${type.name}/query`, toArguments(options), QueryResponse, using(type))

/** `Foo/queryChanges` (RFC 8620 §5.6). */
export const queryChanges = (
  type: DataType<any>,
  options: QueryChangesOptions
): Invocation.Invocation<QueryChangesResponse> =>
  Invocation.make(`${type.name}/queryChanges`, toArguments(options), QueryChangesResponse, using(type))

/** `Foo/set` (RFC 8620 §5.3), with `created` / `updated` decoded as partial objects of the type. */
export const set = <T extends { readonly id: string }>(
  type: DataType<T>,
  options: SetOptions
): Invocation.Invocation<SetResponse<Partial<T>, Partial<T>>> =>
  Invocation.make(`${type.name}/set`, toArguments(options), type.setResponse, using(type))

/** The result of {@link list}: the query and the objects it found, in query order. */
export interface ListResult<T> {
  readonly query: QueryResponse
  /** The `state` of the `/get`. */
  readonly state: string
  readonly list: ReadonlyArray<T>
  /** Ids the query returned that `/get` did not find (destroyed in between, or not visible). */
  readonly notFound: ReadonlyArray<string>
  /** Objects the `/get` returned ill-formed, left out of `list` (see `GetResponse`). */
  readonly invalid: ReadonlyArray<InvalidItem>
}

/**
 * `Foo/query` then `Foo/get` with `#ids` pointing at the query's `/ids`, in one Request
 * (RFC 8620 §3.7). The query's guards run before any I/O.
 */
export const list = <E, T extends { readonly id: string }>(
  executor: Invocation.Executor<E>,
  type: DataType<T>,
  queryInvocation: Either.Either<Invocation.Invocation<QueryResponse>, InvalidArgument>
): Effect.Effect<ListResult<T>, E | InvalidArgument | Invocation.ResultError> =>
  Invocation.batch(executor, (b) => {
    const q = b.add(queryInvocation)
    const g = b.add(Either.right(get(type, { ids: q.ref("/ids") })))
    return { q, g }
  }).pipe(
    Effect.flatMap(({ g, q }) =>
      Effect.all([q, g]).pipe(
        Effect.map(([query, got]) => ({
          query,
          state: got.state,
          list: got.list,
          notFound: got.notFound,
          invalid: got.invalid
        }))
      )
    )
  )

/** The result of {@link listAll}. */
export interface ListAllResult<T> {
  /** The type's state from before the listing began: `/changes` from it covers anything the listing missed. */
  readonly state: string
  readonly list: ReadonlyArray<T>
  /** Objects the server returned ill-formed, left out of `list` (see `GetResponse`). */
  readonly invalid: ReadonlyArray<InvalidItem>
  /** How many Requests were sent. */
  readonly requests: number
}

const isMethodError = (error: Invocation.ResultError, type: string): boolean =>
  error._tag === "MethodError" && error.type === type

/**
 * Every result of `type`'s `/query` with `filter`, one page per Request (`/query`, and with
 * `objects` the `/get` of its `#ids`). Pages follow the last id seen (`anchor`, `anchorOffset: 1`),
 * so objects destroyed meanwhile do not shift later ones out of sight; a page whose `/get` the
 * server refuses as `requestTooLarge` is asked for again with half as many ids (its `/query` cap
 * may exceed `maxObjectsInGet`).
 */
const queryAll = <E, T extends { readonly id: string }>(
  executor: Invocation.Executor<E>,
  type: DataType<T>,
  filter: Readonly<Record<string, unknown>> | null,
  objects: boolean
): Effect.Effect<
  {
    readonly found: Map<string, T | undefined>
    readonly invalid: ReadonlyArray<InvalidItem>
    readonly requests: number
  },
  E | InvalidArgument | Invocation.ResultError | UnexpectedResponse
> =>
  Effect.gen(function*() {
    const found = new Map<string, T | undefined>()
    const invalid: Array<InvalidItem> = []
    let anchor: string | undefined
    let limit: number | undefined
    let restarts = 0
    let requests = 0
    for (;;) {
      const page = yield* Invocation.batch(executor, (b) => {
        const q = b.add(Either.right(query(type, {
          filter,
          calculateTotal: true,
          ...(anchor === undefined ? {} : { anchor, anchorOffset: 1 }),
          ...(limit === undefined ? {} : { limit })
        })))
        return { q, g: objects ? b.add(Either.right(get(type, { ids: q.ref("/ids") }))) : undefined }
      })
      requests++
      if (Either.isLeft(page.q)) {
        // The anchor was destroyed since the last page: start over (what was found is kept).
        if (anchor !== undefined && restarts < 3 && isMethodError(page.q.left, "anchorNotFound")) {
          restarts++
          anchor = undefined
          continue
        }
        return yield* page.q.left
      }
      const { ids, position, total } = page.q.right
      if (page.g !== undefined) {
        if (Either.isLeft(page.g)) {
          if (ids.length > 1 && isMethodError(page.g.left, "requestTooLarge")) {
            limit = Math.floor(ids.length / 2)
            continue
          }
          return yield* page.g.left
        }
        for (const item of page.g.right.list) found.set(item.id, item)
        invalid.push(...page.g.right.invalid)
      } else {
        for (const id of ids) found.set(id, undefined)
      }
      const last = ids.at(-1)
      if (last === undefined || (total !== undefined && position + ids.length >= total)) {
        return { found, invalid, requests }
      }
      if (last === anchor) {
        return yield* new UnexpectedResponse({
          description: `${type.name}/query did not move past its anchor ${anchor}`
        })
      }
      anchor = last
    }
  })

/**
 * Every object of `type` the account can see, within the server's `maxObjectsInGet`, as its
 * {@link Listing} says; e.g. for a full resync after `cannotCalculateChanges` (RFC 8620 §5.2,
 * draft-atwood-jmap-chat-00 §Push: "fall back to /get"). A `Get` listing of more objects than the
 * server allows in one `/get` fails with the server's `requestTooLarge` `MethodError`: such a type
 * has no other way to be listed.
 */
export const listAll = <E, T extends { readonly id: string }>(
  executor: Invocation.Executor<E>,
  type: DataType<T>
): Effect.Effect<ListAllResult<T>, E | InvalidArgument | Invocation.ResultError | UnexpectedResponse> =>
  Effect.gen(function*() {
    const listing = type.listing
    if (listing._tag === "Get") {
      const all = yield* Invocation.run(executor, Either.right(get(type, { ids: null })))
      return { state: all.state, list: all.list, invalid: all.invalid, requests: 1 }
    }
    const before = yield* Invocation.run(executor, Either.right(state(type)))
    const objects = (found: Map<string, T | undefined>) =>
      Array.from(found.values()).filter((item): item is T => item !== undefined)
    if (listing._tag === "Query") {
      const { found, invalid, requests } = yield* queryAll(executor, type, null, true)
      return { state: before, list: objects(found), invalid, requests: requests + 1 }
    }
    const parents = yield* queryAll(executor, listing.parent, null, false)
    const found = new Map<string, T | undefined>()
    const invalid: Array<InvalidItem> = []
    let requests = 1 + parents.requests
    for (const parentId of parents.found.keys()) {
      const page = yield* queryAll(executor, type, { [listing.property]: parentId }, true)
      for (const [id, item] of page.found) found.set(id, item)
      invalid.push(...page.invalid)
      requests += page.requests
    }
    return { state: before, list: objects(found), invalid, requests }
  }).pipe(Effect.withSpan("StandardMethods.listAll", { attributes: { "jmap.type": type.name } }))
