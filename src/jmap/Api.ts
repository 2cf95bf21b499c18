/**
 * A typed JMAP API written once, as a table of prepared methods (namespace → method → input →
 * {@link Invocation.Preparation}), and read as effects, as calls added to a batch, or as the
 * prepared invocations themselves, through an {@link Interpretation}. `JmapClient` builds its table
 * from the RFC 8620 §5 standard methods of the data types a user declares; `ChatClient` from the
 * JMAP Chat methods with their guards. Both read it with the builders here, and get `list` and
 * `sync` from them.
 *
 * @since 0.1.0
 */
import { Effect, type Either } from "effect"
import * as DeltaSync from "./DeltaSync.js"
import type { InvalidArgument, UnexpectedResponse } from "./Errors.js"
import * as Invocation from "./Invocation.js"
import type { ChangesResponse, QueryResponse } from "./MethodResponses.js"
import * as StandardMethods from "./StandardMethods.js"

/**
 * How a method with result `A` and method-specific errors `E` is presented: `Out` reads `this["A"]`
 * and `this["E"]` (a type-level function, like `effect/HKT`).
 */
export interface Interpretation {
  readonly A: unknown
  readonly E: unknown
  readonly Out: unknown
}

/** `F` applied to `A` and `E`. */
export type Apply<F extends Interpretation, A, E> = (F & { readonly A: A; readonly E: E })["Out"]

/**
 * The prepared reading: the invocation, or the `InvalidArgument` of a guard. Pure (an `Either`)
 * except where building the call reads a service (e.g. Effect's `Clock` for a default timestamp,
 * so that `TestClock` controls it).
 */
export interface Prepared extends Interpretation {
  readonly Out: Invocation.Preparation<this["A"], this["E"]>
}

/** The batch reading: a call added to a batch, whose result is read after the Request. */
export interface Batched extends Interpretation {
  readonly Out: Invocation.Pending<this["A"], this["E"]>
}

/** What any method of an API can fail with, given the transport's errors `E`. */
export type CallError<E> = E | InvalidArgument | Invocation.ResultError

/** The effect reading: each method is an effect (with a span) that sends its call alone. */
export interface Effectful<E> extends Interpretation {
  readonly Out: Effect.Effect<this["A"], this["E"] | CallError<E>>
}

/** One method of a table: its input (checked at run time: the input may come from anywhere) to its preparation. */
export type Method = (input?: any) => Invocation.Preparation<unknown, unknown>

/** An API as data: namespace (`"Message"`, `"Email"`) → method name (`"get"`) → {@link Method}. */
export type Table = { readonly [namespace: string]: { readonly [method: string]: Method } }

/** The reading of every method of `table` with `f`, which gets the preparation (as a thunk) and `Namespace.method`. */
export const interpret = <Out>(
  table: Table,
  f: (prepare: () => Invocation.Preparation<unknown, unknown>, name: string) => Out
): { readonly [namespace: string]: { readonly [method: string]: (input?: unknown) => Out } } =>
  Object.fromEntries(
    Object.entries(table).map(([ns, methods]) => [
      ns,
      Object.fromEntries(
        Object.entries(methods).map(([name, method]) => [name, (input?: unknown) =>
          f(() => method(input), `${ns}.${name}`)]
        )
      )
    ])
  )

// No call-site stack trace on spans: capturing one cost about 40 µs per call.
const spanOptions = { captureStackTrace: false } as const

/** The effect reading of `table`: each method sends its call alone, in a span `${prefix}.${Namespace}.${method}`. */
export const effectful = <E>(executor: Invocation.Executor<E>, table: Table, prefix: string) =>
  interpret(
    table,
    (prepare, name) =>
      Effect.suspend(() => Invocation.run(executor, prepare())).pipe(Effect.withSpan(`${prefix}.${name}`, spanOptions))
  )

/**
 * Several methods of `table` in one Request: `f` adds calls with the same builders
 * (`b.Email.query(…)`, `b.Email.get({ ids: q.ref("/ids") })`) and returns them in a record or
 * tuple; the result holds each call's own success or failure. `b.add` adds any other invocation.
 */
export const batch = <E>(executor: Invocation.Executor<E>, table: Table, span: string) =>
<R>(
  f: (b: { readonly [namespace: string]: unknown } & { readonly add: Invocation.Batch["add"] }) => R
): Effect.Effect<Invocation.Results<R>, E | InvalidArgument> =>
  Invocation.batch(executor, (b) =>
    f({
      ...interpret(table, (prepare) => b.add(prepare())),
      add: (prepared) => b.add(prepared)
    })).pipe(Effect.withSpan(span, spanOptions))

/**
 * `list`: the type's `query` method (its guards included) then `/get` of the ids found, in one
 * Request (RFC 8620 §3.7; see `StandardMethods.list`).
 */
export const list = <E, T extends { readonly id: string }>(
  executor: Invocation.Executor<E>,
  type: StandardMethods.DataType<T>,
  query: Method,
  span: string
) =>
(input?: unknown): Effect.Effect<StandardMethods.ListResult<T>, CallError<E>> =>
  Effect.suspend(() =>
    StandardMethods.list(
      executor,
      type,
      query(input) as Either.Either<Invocation.Invocation<QueryResponse>, InvalidArgument>
    )
  ).pipe(Effect.withSpan(span, spanOptions))

/**
 * `sync`: the changes since a state with the objects fetched (RFC 8620 §5.2; see `DeltaSync.sync`),
 * each `/changes` prepared by the type's `changes` method; `check` reads the input first.
 */
export const sync = <E, T extends { readonly id: string }>(
  executor: Invocation.Executor<E>,
  type: StandardMethods.DataType<T>,
  changes: Method,
  check: (input: unknown) => Either.Either<DeltaSync.SyncOptions, InvalidArgument>,
  span: string
) =>
(input: unknown): Effect.Effect<DeltaSync.SyncResult<T>, CallError<E> | UnexpectedResponse> =>
  Effect.flatMap(check(input), (options) =>
    DeltaSync.sync(
      executor,
      type,
      (o) => changes(o) as Either.Either<Invocation.Invocation<ChangesResponse>, InvalidArgument>,
      options
    )).pipe(Effect.withSpan(span, spanOptions))
