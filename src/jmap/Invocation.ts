/**
 * Typed method calls: use `Invocation.make` to describe one RFC 8620 §3.2 call with the schema of
 * its answer, and `run` / `batch` (or `JmapClient.call` / `JmapClient.batch`, which do this on the
 * Session) to send one, or several in a single Request (§3.3) with result references (§3.7), each
 * result read on its own (§3.4). (`RequestBuilder` is the untyped assembler underneath.)
 *
 * Invocations are plain values built before any I/O, so the same one can go over HTTP, over an
 * RFC 8887 WebSocket or into a batch.
 *
 * @since 0.1.0
 */
import { Effect, Either, type Schema } from "effect"
import { InvalidArgument, type MethodError, type MethodNotFound, type ParseError } from "./Errors.js"
import { decodeValue } from "./internal/json.js"
import { invalidItems } from "./MethodResponses.js"
import { type Id, JsonObject } from "./Primitives.js"
import { extractResponse, RequestBuilder } from "./RequestBuilder.js"
import type { JmapRequest, JmapResponse, ResultReference } from "./Wire.js"

/** The method call id of single-invocation requests (the Rust client's `CALL_ID`). */
export const CALL_ID = "r1"

/** A method call ready to send: name, arguments, capabilities, and the decoder of its response. */
export interface Invocation<A, E = never> {
  readonly method: string
  /** The arguments, without `accountId` (added when sent if {@link accountScoped}). */
  readonly arguments: Readonly<Record<string, unknown>>
  /** Capabilities needed besides `urn:ietf:params:jmap:core`. */
  readonly using: ReadonlyArray<string>
  /** Whether `accountId` is sent; false for account-less methods such as RFC 8620 §7.2 `PushSubscription/*`. */
  readonly accountScoped: boolean
  /** Reads the response arguments. */
  readonly decode: (args: Readonly<Record<string, unknown>>) => Either.Either<A, E | ParseError>
}

/** Options of {@link make}. */
export interface MakeOptions {
  readonly using?: ReadonlyArray<string>
  /** Default true. */
  readonly accountScoped?: boolean
}

/** Describes one call: `method` with `args` (without `accountId`), its answer decoded with `schema`. */
export const make = <A, I>(
  method: string,
  args: Readonly<Record<string, unknown>>,
  schema: Schema.Schema<A, I, never>,
  options: MakeOptions = {}
): Invocation<A> => ({
  method,
  arguments: args,
  using: options.using ?? [],
  accountScoped: options.accountScoped ?? true,
  decode: (response) => decodeValue(schema, response, `${method} response`)
})

/** True for an {@link Invocation} (rather than the preparation of one). */
export const isInvocation = (u: unknown): u is Invocation<unknown, unknown> =>
  typeof u === "object" && u !== null && typeof (u as Invocation<unknown>).method === "string" &&
  typeof (u as Invocation<unknown>).decode === "function" && Array.isArray((u as Invocation<unknown>).using)

/** Post-processes a decoded response (e.g. turning a `rateLimited` SetError into a failure). */
export const flatMap = <A, E, B, E2>(
  self: Invocation<A, E>,
  f: (a: A) => Either.Either<B, E2>
): Invocation<B, E | E2> => ({
  ...self,
  decode: (response) => Either.flatMap(self.decode(response), f)
})

/** The errors of one call's result besides those of its own decoder. */
export type ResultError = MethodError | MethodNotFound | ParseError

/** A call added to a batch: its call id, a {@link ResultReference} maker, and its typed invocation. */
export interface Pending<A, E = never> {
  readonly callId: string
  readonly method: string
  /** An RFC 8620 §3.7 reference to `path` (a JSON Pointer such as `/ids`) in this call's result. */
  readonly ref: (path: string) => ResultReference
  readonly invocation: Invocation<A, E>
}

/** The result of one {@link Pending}. */
export type Result<P> = P extends Pending<infer A, infer E> ? Either.Either<A, E | ResultError> : P

/** The result of every {@link Pending} in `R` (one, or a record or tuple of them), each on its own. */
export type Results<R> = R extends Pending<any, any> ? Result<R> : { readonly [K in keyof R]: Result<R[K]> }

/** True for a {@link ResultReference}-shaped value (`{resultOf, name, path}`). */
export const isResultReference = (u: unknown): u is ResultReference =>
  typeof u === "object" && u !== null && !Array.isArray(u) &&
  typeof (u as Record<string, unknown>)["resultOf"] === "string" &&
  typeof (u as Record<string, unknown>)["name"] === "string" &&
  typeof (u as Record<string, unknown>)["path"] === "string"

/**
 * How deeply arguments may nest. Deeper values are refused with `InvalidArgument` before anything
 * walks them recursively (serialising a value nested 100,000 levels deep overflows the stack), and
 * no JMAP method needs anything close.
 */
export const maxJsonDepth = 1000

/**
 * Where `value` stops being JSON (RFC 8259): `undefined` in an array, a non-finite number, a
 * bigint, function or symbol, an object that is not plain, a cycle, or nesting deeper than
 * {@link maxJsonDepth}. `undefined` object members are allowed (they are left out, i.e. absent).
 */
export const jsonProblem = (value: unknown, path = ""): string | undefined =>
  problemAt(value, path, new Set<object>(), 0)

const problemAt = (value: unknown, path: string, ancestors: Set<object>, depth: number): string | undefined => {
  switch (typeof value) {
    case "string":
    case "boolean":
      return undefined
    case "number":
      return Number.isFinite(value) ? undefined : `${path || "value"} is ${value}`
    case "object": {
      if (value === null) return undefined
      if (ancestors.has(value)) return `${path || "value"} is circular`
      if (depth >= maxJsonDepth) return `${path || "value"} nests deeper than ${maxJsonDepth} levels`
      const proto = Object.getPrototypeOf(value)
      if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) {
        return `${path || "value"} is not a plain object`
      }
      ancestors.add(value)
      try {
        if (Array.isArray(value)) {
          for (let i = 0; i < value.length; i++) {
            if (value[i] === undefined) return `${path}[${i}] is undefined`
            const problem = problemAt(value[i], `${path}[${i}]`, ancestors, depth + 1)
            if (problem !== undefined) return problem
          }
          return undefined
        }
        for (const [key, member] of Object.entries(value)) {
          if (member === undefined) continue
          const problem = problemAt(member, path === "" ? key : `${path}.${key}`, ancestors, depth + 1)
          if (problem !== undefined) return problem
        }
        return undefined
      } finally {
        ancestors.delete(value)
      }
    }
    default:
      return `${path || "value"} is a ${typeof value}`
  }
}

/**
 * How a method call is prepared: an `Either` when its guards and builder are pure, or an effect
 * when building it reads a service — e.g. the `Clock` for a default timestamp, so that `TestClock`
 * controls it. Either way a refused input is an `InvalidArgument`, before any I/O.
 */
export type Preparation<A, E = never> = Effect.Effect<Invocation<A, E>, InvalidArgument>

interface Entry {
  readonly callId: string
  invocation: Invocation<unknown, unknown>
  problem: InvalidArgument | undefined
  /** The effect that prepares the call, until {@link Batch.prepare} has run it. */
  effect: Preparation<unknown, unknown> | undefined
  /** References to this call handed out before its method name was known. */
  readonly refs: Array<{ resultOf: string; name: string; path: string }>
}

const notJson = (invocation: Invocation<unknown, unknown>): InvalidArgument | undefined => {
  const problem = jsonProblem(invocation.arguments)
  return problem === undefined
    ? undefined
    : new InvalidArgument({ description: `${invocation.method}: ${problem}, which is not JSON` })
}

/**
 * Collects invocations for one Request. Call ids are `r1`, `r2`, … in order; a failed
 * preparation, or arguments that are not JSON, fail the whole batch before any I/O. Calls
 * prepared by an effect are built by {@link Batch.prepare}, which {@link batch} runs before the
 * Request is built; until then their `method` is not known.
 */
export class Batch {
  private readonly entries: Array<Entry> = []

  /** Adds an invocation, or a preparation of one (or the `InvalidArgument` its guards produced). */
  add<A, E>(call: Preparation<A, E> | Invocation<A, E>): Pending<A, E> {
    const prepared: Preparation<A, E> = isInvocation(call)
      ? Either.right(call as Invocation<A, E>)
      : call as Preparation<A, E>
    const callId = `r${this.entries.length + 1}`
    const pure = Either.isEither(prepared) ? prepared as Either.Either<Invocation<A, E>, InvalidArgument> : undefined
    const invocation: Invocation<unknown, unknown> = pure === undefined
      ? unprepared
      : Either.isRight(pure)
      ? pure.right
      : failed(pure.left)
    const entry: Entry = {
      callId,
      invocation,
      problem: pure === undefined ? undefined : Either.isLeft(pure) ? pure.left : notJson(invocation),
      effect: pure === undefined ? prepared as Preparation<unknown, unknown> : undefined,
      refs: []
    }
    const pending: Pending<A, E> = {
      callId,
      get method() {
        return entry.invocation.method
      },
      ref: (path) => {
        const ref = { resultOf: callId, name: entry.invocation.method, path }
        if (entry.effect !== undefined) entry.refs.push(ref)
        return ref
      },
      get invocation() {
        return entry.invocation as Invocation<A, E>
      }
    }
    this.entries.push(entry)
    return pending
  }

  /** Runs the effects that prepare calls, in order; a refused one fails the batch like a pure guard. */
  get prepare(): Effect.Effect<void> {
    return Effect.forEach(this.entries, (entry) => {
      const effect = entry.effect
      if (effect === undefined) return Effect.void
      return Effect.match(effect, {
        onFailure: (error) => {
          entry.invocation = failed(error)
          entry.problem = error
        },
        onSuccess: (invocation) => {
          entry.invocation = invocation
          entry.problem = notJson(invocation)
          for (const ref of entry.refs) ref.name = invocation.method
        }
      }).pipe(Effect.ensuring(Effect.sync(() => {
        entry.effect = undefined
      })))
    }, { discard: true })
  }

  /** The number of calls added so far. */
  get size(): number {
    return this.entries.length
  }

  /** The first guard failure of the calls added (in order), if any. */
  get failure(): InvalidArgument | undefined {
    if (this.entries.length === 0) return new InvalidArgument({ description: "batch: no method calls added" })
    for (const entry of this.entries) {
      if (entry.problem !== undefined) return entry.problem
      if (entry.effect !== undefined) {
        return new InvalidArgument({
          description: `batch: call ${entry.callId} was prepared by an effect that has not run`
        })
      }
    }
    return undefined
  }

  /**
   * The Request, its account-scoped calls acting on `accountId` (or on the account it gives for
   * each), or the first problem.
   */
  build(
    accountId: Id | undefined | ((invocation: Invocation<unknown, unknown>) => Id | undefined)
  ): Either.Either<JmapRequest, InvalidArgument> {
    const failure = this.failure
    if (failure !== undefined) return Either.left(failure)
    const builder = RequestBuilder.make()
    for (const { callId, invocation } of this.entries) {
      const args = invocation.accountScoped
        ? { accountId: typeof accountId === "function" ? accountId(invocation) : accountId, ...invocation.arguments }
        : invocation.arguments
      builder.add(invocation.method, args, { callId, using: invocation.using })
    }
    return builder.build()
  }

  /** Whether any call needs an `accountId`. */
  get needsAccount(): boolean {
    return this.entries.some((e) => e.invocation.accountScoped)
  }

  /** The calls that need an `accountId`. */
  get accountScoped(): ReadonlyArray<Invocation<unknown, unknown>> {
    return this.entries.filter((e) => e.invocation.accountScoped).map((e) => e.invocation)
  }
}

const failed = (error: InvalidArgument): Invocation<never> => ({
  method: "error",
  arguments: {},
  using: [],
  accountScoped: false,
  decode: () => Either.left(error) as unknown as Either.Either<never, ParseError>
})

const unprepared: Invocation<never> = failed(
  new InvalidArgument({ description: "a call prepared by an effect is read before the batch ran it" })
)

/** The result of `pending` in `response`: the seed's error-wins rule, then the invocation's decoder. */
export const resultOf = <A, E>(
  response: JmapResponse,
  pending: Pending<A, E>
): Either.Either<A, E | ResultError> =>
  Either.flatMap(
    extractResponse(response, pending.callId, JsonObject, pending.method),
    (args) => pending.invocation.decode(args)
  )

/** How to send Requests: a transport `call` and the account id of account-scoped methods. */
export interface Executor<E> {
  readonly call: (request: JmapRequest) => Effect.Effect<JmapResponse, E>
  /** The account every account-scoped call acts on (unless `accountFor` is given). */
  readonly accountId: Effect.Effect<Id, E>
  /**
   * The account of one account-scoped call, where accounts differ by call (e.g. the Session's
   * primary account for the call's capability, RFC 8620 §2); it replaces `accountId`.
   */
  readonly accountFor?: (invocation: Invocation<unknown, unknown>) => Effect.Effect<Id, E | InvalidArgument>
}

/** The account of each account-scoped call of `b` (one lookup per call), or the one account of all. */
const accountsOf = <E>(
  executor: Executor<E>,
  b: Batch
): Effect.Effect<Id | undefined | ((invocation: Invocation<unknown, unknown>) => Id), E | InvalidArgument> => {
  if (!b.needsAccount) return Effect.succeed(undefined)
  const accountFor = executor.accountFor
  if (accountFor === undefined) return executor.accountId
  return Effect.map(
    Effect.forEach(
      b.accountScoped,
      (invocation) => Effect.map(accountFor(invocation), (id) => [invocation, id] as const)
    ),
    (pairs) => {
      const ids = new Map(pairs)
      return (invocation: Invocation<unknown, unknown>) => ids.get(invocation)!
    }
  )
}

/**
 * Builds a batch with `f`, sends it as one Request and returns the result of every call on its own
 * (`Results<R>`): one failed method does not discard the others. Guards fail the whole batch with
 * `InvalidArgument` before any I/O.
 */
export const batch = <E, R>(
  executor: Executor<E>,
  f: (batch: Batch) => R
): Effect.Effect<Results<R>, E | InvalidArgument> =>
  Effect.suspend(() => {
    const b = new Batch()
    const shape = f(b)
    return Effect.gen(function*() {
      yield* b.prepare
      if (b.failure !== undefined) return yield* b.failure
      const request = yield* b.build(yield* accountsOf(executor, b))
      const response = yield* executor.call(request)
      const warnings: Array<Effect.Effect<void>> = []
      const results = mapResults(shape, (p) => {
        const result = resultOf(response, p)
        if (Either.isRight(result)) warnings.push(warnInvalid(p.method, result.right))
        return result
      })
      yield* Effect.all(warnings, { discard: true })
      return results as Results<R>
    })
  })

/** How many left-out objects a warning names. */
const namedInWarning = 5

/**
 * Logs, at warning level, the objects a response left out because they were ill-formed (its
 * `invalid` entries): they are reported in the result, and they are never dropped silently.
 */
const warnInvalid = (method: string, result: unknown): Effect.Effect<void> => {
  const invalid = invalidItems(result)
  if (invalid.length === 0) return Effect.void
  const named = invalid.slice(0, namedInWarning).map((i) => `${i.id ?? "(no id)"}: ${i.error.message}`)
  const more = invalid.length > namedInWarning ? `; and ${invalid.length - namedInWarning} more` : ""
  return Effect.logWarning(
    `${method}: left out ${invalid.length} ill-formed object(s), reported in \`invalid\`: ${named.join("; ")}${more}`
  ).pipe(Effect.annotateLogs({ "jmap.method": method, "jmap.invalid_count": invalid.length }))
}

const isPending = (u: unknown): u is Pending<unknown, unknown> =>
  typeof u === "object" && u !== null && "invocation" in u && "callId" in u

const mapResults = (shape: unknown, f: (p: Pending<unknown, unknown>) => unknown): unknown => {
  if (isPending(shape)) return f(shape)
  if (Array.isArray(shape)) return shape.map((x) => (isPending(x) ? f(x) : x))
  if (typeof shape === "object" && shape !== null) {
    return Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, isPending(v) ? f(v) : v]))
  }
  return shape
}

/** Sends one invocation (or a preparation of one) as a single-invocation Request with call id {@link CALL_ID}. */
export const run = <E, A, EA>(
  executor: Executor<E>,
  prepared: Preparation<A, EA> | Invocation<A, EA>
): Effect.Effect<A, E | EA | InvalidArgument | ResultError> => Effect.flatten(batch(executor, (b) => b.add(prepared)))
