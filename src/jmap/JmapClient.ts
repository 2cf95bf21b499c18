/**
 * `JmapClient`: any JMAP capability, typed (RFC 8620 §3, §5). Declare a data type once — its
 * schema, the capability it belongs to and which standard methods it has — and get typed `get`,
 * `changes`, `query`, `queryChanges`, `set`, `state`, `list` (`/query` + `/get` in one round trip)
 * and `sync` (delta sync), built by the same generic builders as `ChatClient`'s. For any other
 * method, `call` sends one, and `batch` sends several in one Request with result references.
 *
 * @example
 * const Mailbox = JmapClient.dataType({
 *   name: "Mailbox",
 *   schema: Schema.Struct({ id: Schema.String, name: Schema.String, role: Schema.NullOr(Schema.String) }),
 *   capability: "urn:ietf:params:jmap:mail",
 *   methods: ["get", "changes"]
 * })
 *
 * const program = Effect.gen(function*() {
 *   const mail = (yield* JmapClient.JmapClient).api({ Mailbox })
 *   const { list } = yield* mail.Mailbox.get()
 *   const delta = yield* mail.Mailbox.sync({ sinceState: "…" })
 * })
 *
 * Each type's methods act on the Session's primary account for its capability (RFC 8620 §2
 * `primaryAccounts`), unless the client is made with another.
 *
 * @since 0.1.0
 */
import { Context, Effect, Either, Layer, Schema } from "effect"
import * as Api from "./Api.js"
import type * as DeltaSync from "./DeltaSync.js"
import { InvalidArgument, type UnexpectedResponse } from "./Errors.js"
import * as Invocation from "./Invocation.js"
import type {
  ChangesResponse,
  GetResponse,
  QueryChangesResponse,
  QueryResponse,
  SetResponse
} from "./MethodResponses.js"
import type { Id, State } from "./Primitives.js"
import { SessionService } from "./SessionService.js"
import type * as SessionServiceModule from "./SessionService.js"
import * as StandardMethods from "./StandardMethods.js"
import type { JmapRequest, JmapResponse, ResultReference } from "./Wire.js"

/** An RFC 8620 §5 standard method a data type may have. */
export type StandardMethod = "get" | "changes" | "query" | "queryChanges" | "set"

/** A data type of some capability, described to the generic client (see {@link dataType}). */
export interface DataType<T extends { readonly id: string } = any, M extends StandardMethod = StandardMethod>
  extends StandardMethods.DataType<T>
{
  /** The capability the type belongs to: its methods act on the primary account for it. */
  readonly capability: string
  /** The standard methods the type has. */
  readonly methods: ReadonlyArray<M>
}

/** Options of {@link dataType}. */
export interface DataTypeOptions<T, I, M extends StandardMethod> {
  /** The type name: methods are `${name}/get`, … */
  readonly name: string
  /** The objects, as the server sends them; properties it does not declare are ignored. */
  readonly schema: Schema.Schema<T, I, never>
  /** The capability URI, e.g. `"urn:ietf:params:jmap:mail"` (sent in `using`, and names the account). */
  readonly capability: string
  /** The standard methods the type has, e.g. `["get", "changes", "query", "queryChanges", "set"]`. */
  readonly methods: ReadonlyArray<M>
  /** Other capabilities its methods need. */
  readonly using?: ReadonlyArray<string>
  /**
   * How `listAll` (and a `sync` told `cannotCalculateChanges`) finds every object: by default
   * pages of `/query` when the type has one, else one `/get`.
   */
  readonly listing?: StandardMethods.Listing
}

/** Declares a data type: its schema, capability and standard methods. */
export const dataType = <T extends { readonly id: string }, I, const M extends StandardMethod>(
  options: DataTypeOptions<T, I, M>
): DataType<T, M> => ({
  ...StandardMethods.dataType(options.name, options.schema, {
    using: [options.capability, ...(options.using ?? [])],
    listing: options.listing ??
      ((options.methods as ReadonlyArray<StandardMethod>).includes("query")
        ? StandardMethods.Listing.query
        : StandardMethods.Listing.get)
  }),
  capability: options.capability,
  methods: options.methods
})

/** Options of `get`: `ids` absent or `null` for every object; a result reference for ids found earlier in the same Request. */
export interface GetOptions {
  readonly ids?: ReadonlyArray<string> | ResultReference | null
}

/** The standard methods of `T` read through `F`, before picking those the type has. */
interface AllMethods<F extends Api.Interpretation, T> {
  /** `Foo/get` (RFC 8620 §5.1); with `properties`, the objects carry only those (and `id`). */
  readonly get: {
    <const K extends keyof T & string>(
      options: GetOptions & { readonly properties: ReadonlyArray<K> }
    ): Api.Apply<F, GetResponse<Pick<T, K | ("id" & keyof T)>>, never>
    (options?: GetOptions & { readonly properties?: null }): Api.Apply<F, GetResponse<T>, never>
  }
  /** The type's current state: `Foo/get` with `ids: []` (RFC 8620 §5.1). */
  readonly state: () => Api.Apply<F, State, never>
  /** `Foo/changes` (RFC 8620 §5.2). */
  readonly changes: (options: StandardMethods.ChangesOptions) => Api.Apply<F, ChangesResponse, never>
  /** `Foo/query` (RFC 8620 §5.5): `filter` and `sort` as the capability defines them. */
  readonly query: (options?: StandardMethods.QueryOptions) => Api.Apply<F, QueryResponse, never>
  /** `Foo/queryChanges` (RFC 8620 §5.6). */
  readonly queryChanges: (
    options: StandardMethods.QueryChangesOptions
  ) => Api.Apply<F, QueryChangesResponse, never>
  /** `Foo/set` (RFC 8620 §5.3): `create`, `update` (PatchObjects) and `destroy` in wire form. */
  readonly set: (
    options: StandardMethods.SetOptions
  ) => Api.Apply<F, SetResponse<Partial<T>, Partial<T>>, never>
}

/** Which standard method each member needs. */
interface Needs {
  readonly get: "get"
  readonly state: "get"
  readonly changes: "changes"
  readonly query: "query"
  readonly queryChanges: "queryChanges"
  readonly set: "set"
}

/** The methods of a type with standard methods `M`, read through `F`. */
export type Methods<F extends Api.Interpretation, T, M extends StandardMethod> = Pick<
  AllMethods<F, T>,
  { readonly [K in keyof Needs]: Needs[K] extends M ? K : never }[keyof Needs]
>

/** The client-side forms: `list` needs `query` and `get`, `sync` needs `changes` and `get`, `listAll` needs `get`. */
interface AllForms<T, E> {
  /** `/query` then `/get` of the ids found, in one Request (RFC 8620 §3.7). */
  readonly list: (
    options?: StandardMethods.QueryOptions
  ) => Effect.Effect<StandardMethods.ListResult<T>, Api.CallError<E>>
  /** The changes since a state, with the objects fetched (RFC 8620 §5.2; see `DeltaSync`). */
  readonly sync: (
    options: DeltaSync.SyncOptions
  ) => Effect.Effect<DeltaSync.SyncResult<T>, Api.CallError<E> | UnexpectedResponse>
  /** Every object, within the server's `maxObjectsInGet` (see `StandardMethods.listAll`). */
  readonly listAll: Effect.Effect<StandardMethods.ListAllResult<T>, Api.CallError<E> | UnexpectedResponse>
}

/** The forms of a type with standard methods `M`. */
export type Forms<T, E, M extends StandardMethod> =
  & ("get" extends M ? Pick<AllForms<T, E>, "listAll"> : {})
  & ("get" | "query" extends M ? Pick<AllForms<T, E>, "list"> : {})
  & ("get" | "changes" extends M ? Pick<AllForms<T, E>, "sync"> : {})

/** The object type of a {@link DataType}. */
export type ObjectOf<D> = D extends DataType<infer T, any> ? T : never
/** The standard methods of a {@link DataType}. */
export type MethodsOf<D> = D extends DataType<any, infer M> ? M : never

/** Calls of the types of `Types` (`b.Email.get(…)`) and any invocation (`b.add`, `b.call`), for a batch. */
export type BatchBuilder<Types> =
  & { readonly [K in keyof Types]: Methods<Api.Batched, ObjectOf<Types[K]>, MethodsOf<Types[K]>> }
  & Builder

/** Adds any call to a batch. */
export interface Builder {
  /** Adds a prepared invocation (e.g. `Invocation.make("Email/import", args, schema, { using })`). */
  readonly add: <A, E>(prepared: Invocation.Preparation<A, E> | Invocation.Invocation<A, E>) => Invocation.Pending<A, E>
  /**
   * Adds `method` with `args` as they are (give `accountId` yourself: see `JmapClient.accountId`),
   * its result the response arguments, or decoded with `schema`. Arguments may hold `#name`
   * result references (`{ "#ids": q.ref("/ids") }`).
   */
  readonly call: {
    (
      method: string,
      args: Readonly<Record<string, unknown>>,
      using: ReadonlyArray<string>
    ): Invocation.Pending<Readonly<Record<string, unknown>>>
    <A, I>(
      method: string,
      args: Readonly<Record<string, unknown>>,
      using: ReadonlyArray<string>,
      schema: Schema.Schema<A, I, never>
    ): Invocation.Pending<A>
  }
}

/** The typed API of `Types` ({@link Service.api}): one namespace per type, and `batch` over them. */
export type TypedApi<Types, E> =
  & {
    readonly [K in keyof Types]:
      & Methods<Api.Effectful<E>, ObjectOf<Types[K]>, MethodsOf<Types[K]>>
      & Forms<ObjectOf<Types[K]>, E, MethodsOf<Types[K]>>
  }
  & {
    /**
     * Several calls in one Request: `f` adds them with the typed builders and returns them in a
     * record or tuple; each result is its own success or failure. The account of the batch is the
     * primary account of each call's capability.
     */
    readonly batch: <R>(f: (b: BatchBuilder<Types>) => R) => Effect.Effect<Invocation.Results<R>, E | InvalidArgument>
  }

/** The operations of a `JmapClient` whose transport fails with `E`. Every method has `R = never`. */
export interface Service<E = SessionServiceModule.CallError> {
  /** The typed methods of the declared `types`: `api({ Mailbox, Email }).Email.query(…)`. */
  readonly api: <const Types extends { readonly [name: string]: DataType<any, any> }>(
    types: Types
  ) => TypedApi<Types, E>
  /**
   * One call of any method: `args` are sent as they are (give `accountId` yourself), and the result
   * is the response arguments, or decoded with `schema`; a method error is a `MethodError`.
   */
  readonly call: {
    (
      method: string,
      args: Readonly<Record<string, unknown>>,
      using: ReadonlyArray<string>
    ): Effect.Effect<Readonly<Record<string, unknown>>, Api.CallError<E>>
    <A, I>(
      method: string,
      args: Readonly<Record<string, unknown>>,
      using: ReadonlyArray<string>,
      schema: Schema.Schema<A, I, never>
    ): Effect.Effect<A, Api.CallError<E>>
  }
  /** Several calls of any methods in one Request, with result references; each result on its own. */
  readonly batch: <R>(f: (b: Builder) => R) => Effect.Effect<Invocation.Results<R>, E | InvalidArgument>
  /** The account a capability's methods act on (the Session's `primaryAccounts[capability]`). */
  readonly accountId: (capability: string) => Effect.Effect<Id, E>
}

/** Options of {@link makeWith}: the transport, and the accounts. */
export interface MakeOptions<E> {
  /** Sends one RFC 8620 Request (over HTTP, an RFC 8887 WebSocket, …). */
  readonly call: (request: JmapRequest) => Effect.Effect<JmapResponse, E>
  /** The account of a capability's methods, e.g. `SessionService.primaryAccountId`. */
  readonly accountId: (capability: string) => Effect.Effect<Id, E>
}

const Arguments = Schema.Record({ key: Schema.String, value: Schema.Unknown })

const isObject = (u: unknown): u is Readonly<Record<string, unknown>> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

/** The options object of a call (absent: `{}`), or why it is not one. */
const optionsOf = (where: string, input: unknown): Either.Either<object, InvalidArgument> =>
  input === undefined
    ? Either.right({})
    : isObject(input)
    ? Either.right(input)
    : Either.left(new InvalidArgument({ description: `${where}: the options must be an object` }))

const nonEmpty = (where: string, key: string, value: unknown): InvalidArgument | undefined =>
  typeof value === "string" && value !== ""
    ? undefined
    : new InvalidArgument({ description: `${where}: ${key} must be a non-empty string` })

/** A method of the table: `build` the invocation from the options, after `guard`. */
const method = <O extends object>(
  where: string,
  build: (options: O) => Invocation.Invocation<unknown>,
  guard: (options: O) => InvalidArgument | undefined = () => undefined
): Api.Method =>
(input?: unknown) =>
  Either.flatMap(optionsOf(where, input), (options) => {
    const problem = guard(options as O)
    return problem === undefined ? Either.right(build(options as O)) : Either.left(problem)
  })

const isIdList = (ids: unknown): boolean =>
  ids === undefined || ids === null || Invocation.isResultReference(ids) ||
  (Array.isArray(ids) && ids.every((id) => typeof id === "string"))

/** The prepared standard methods of `type` (those it has). */
export const requests = (type: DataType<any, any>): { readonly [method: string]: Api.Method } => {
  const has = (m: StandardMethod) => (type.methods as ReadonlyArray<StandardMethod>).includes(m)
  const at = (m: string) => `${type.name}/${m}`
  const all: Record<string, Api.Method> = {
    get: method<StandardMethods.GetOptions>(
      at("get"),
      (o) =>
        Array.isArray(o.properties)
          ? StandardMethods.getProperties(type, { ...o, properties: o.properties })
          : StandardMethods.get(type, o),
      (o) =>
        isIdList(o.ids) ? undefined : new InvalidArgument({
          description: `${at("get")}: ids must be a list of ids, a result reference or null`
        })
    ),
    state: () => Either.right(StandardMethods.state(type)),
    changes: method<StandardMethods.ChangesOptions>(
      at("changes"),
      (o) => StandardMethods.changes(type, o),
      (o) => nonEmpty(at("changes"), "sinceState", o.sinceState)
    ),
    query: method<StandardMethods.QueryOptions>(at("query"), (o) => StandardMethods.query(type, o)),
    queryChanges: method<StandardMethods.QueryChangesOptions>(
      at("queryChanges"),
      (o) => StandardMethods.queryChanges(type, o),
      (o) => nonEmpty(at("queryChanges"), "sinceQueryState", o.sinceQueryState)
    ),
    set: method<StandardMethods.SetOptions>(at("set"), (o) => StandardMethods.set(type, o))
  }
  const needs: Needs = {
    get: "get",
    state: "get",
    changes: "changes",
    query: "query",
    queryChanges: "queryChanges",
    set: "set"
  }
  return Object.fromEntries(Object.entries(all).filter(([name]) => has(needs[name as keyof Needs])))
}

const syncOptions = (where: string) => (input: unknown): Either.Either<DeltaSync.SyncOptions, InvalidArgument> =>
  Either.flatMap(optionsOf(where, input ?? null), (o) => {
    const { maxChanges, sinceState } = o as Partial<DeltaSync.SyncOptions>
    const problem = nonEmpty(where, "sinceState", sinceState)
    if (problem !== undefined) return Either.left(problem)
    return Either.right({ sinceState: sinceState!, ...(maxChanges === undefined ? {} : { maxChanges }) })
  })

const capabilityOf = (invocation: Invocation.Invocation<unknown, unknown>): string | undefined => invocation.using[0]

/**
 * A `JmapClient` over any transport: `call` sends a Request, `accountId` names the account of a
 * capability. Use it to run the client over an RFC 8887 WebSocket (`call: ws.call` with `ws` from
 * `JmapPush.webSocket()`, `accountId: session.primaryAccountId`) or against a test double.
 */
export const makeWith = <E>(options: MakeOptions<E>): Service<E> => {
  const executor = (capability: string | undefined): Invocation.Executor<E> => ({
    call: options.call,
    accountId: capability === undefined
      ? Effect.dieMessage("JmapClient: an account-scoped call names no capability")
      : options.accountId(capability),
    accountFor: (invocation) => {
      const uri = capabilityOf(invocation) ?? capability
      return uri === undefined
        ? Effect.dieMessage("JmapClient: an account-scoped call names no capability")
        : options.accountId(uri)
    }
  })
  const any = executor(undefined)

  const toInvocation = (
    method: string,
    args: Readonly<Record<string, unknown>>,
    using: ReadonlyArray<string>,
    schema?: Schema.Schema<any, any, never>
  ): Invocation.Preparation<unknown> =>
    typeof method !== "string" || method === "" || !isObject(args) || !Array.isArray(using)
      ? Either.left(
        new InvalidArgument({ description: "JmapClient.call: a method name, an arguments object and a using list" })
      )
      : Either.right(Invocation.make(method, args, schema ?? Arguments, { using, accountScoped: false }))

  const builder = (b: Invocation.Batch): Builder => ({
    add: (invocation) => b.add(invocation),
    call:
      ((method: string, args: Readonly<Record<string, unknown>>, using: ReadonlyArray<string>, schema?: any) =>
        b.add(toInvocation(method, args, using, schema))) as Builder["call"]
  })

  const api = (types: { readonly [name: string]: DataType<any, any> }) => {
    const table: Api.Table = Object.fromEntries(Object.entries(types).map(([ns, type]) => [ns, requests(type)]))
    const first = Object.values(types)[0]?.capability
    const namespaces = Object.fromEntries(
      Object.entries(types).map(([ns, type]) => {
        const typeExecutor = executor(type.capability)
        const methods = Api.effectful(typeExecutor, { [ns]: table[ns]! }, "JmapClient")[ns]!
        const has = (m: StandardMethod) => (type.methods as ReadonlyArray<StandardMethod>).includes(m)
        const span = (form: string) => `JmapClient.${ns}.${form}`
        return [ns, {
          ...methods,
          ...(has("get")
            ? {
              listAll: Effect.suspend(() => StandardMethods.listAll(typeExecutor, type)).pipe(
                Effect.withSpan(span("listAll"), { captureStackTrace: false })
              )
            }
            : {}),
          ...(has("get") && has("query")
            ? { list: Api.list(typeExecutor, type, table[ns]!["query"]!, span("list")) }
            : {}),
          ...(has("get") && has("changes")
            ? {
              sync: Api.sync(typeExecutor, type, table[ns]!["changes"]!, syncOptions(`${type.name}.sync`), span("sync"))
            }
            : {})
        }]
      })
    )
    return {
      ...namespaces,
      batch: (f: (b: any) => unknown) =>
        Invocation.batch(
          executor(first),
          (b) => f({ ...Api.interpret(table, (prepare) => b.add(prepare())), ...builder(b) })
        ).pipe(
          Effect.withSpan("JmapClient.batch", { captureStackTrace: false })
        )
    } as unknown as TypedApi<any, E>
  }

  const call =
    ((method: string, args: Readonly<Record<string, unknown>>, using: ReadonlyArray<string>, schema?: any) =>
      Invocation.run(any, toInvocation(method, args, using, schema)).pipe(
        Effect.withSpan("JmapClient.call", { attributes: { "jmap.method": String(method) }, captureStackTrace: false })
      )) as Service<E>["call"]

  return {
    api: api as Service<E>["api"],
    call,
    batch: (f) =>
      Invocation.batch(any, (b) => f(builder(b))).pipe(
        Effect.withSpan("JmapClient.batch", { captureStackTrace: false })
      ),
    accountId: options.accountId
  }
}

/** A `JmapClient` over `SessionService`: the session's API URL, primary accounts and limits. */
export const make: Effect.Effect<Service, never, SessionService> = Effect.map(SessionService, (session) =>
  makeWith({
    call: (request) => session.call(request),
    accountId: session.primaryAccountId
  }))

/** The `JmapClient` tag. */
export class JmapClient extends Context.Tag("effect-jmap-chat/JmapClient")<JmapClient, Service>() {}

/** The `JmapClient` layer; needs `SessionService`. */
export const layer: Layer.Layer<JmapClient, never, SessionService> = Layer.effect(JmapClient, make)
