/**
 * Raw Requests: use `RequestBuilder` only to assemble an RFC 8620 §3.3 Request by hand (untyped
 * arguments, your own call ids, §3.7 result references) and read its §3.4 Response with
 * `extractResponse` (one call's result, decoded with a schema) or `extractAll` (every invocation's
 * result separately). For typed calls use `Invocation` or `JmapClient`, which build on it.
 *
 * @since 0.1.0
 */
import { Either, type Schema } from "effect"
import { InvalidArgument, MethodError, MethodNotFound, ParseError } from "./Errors.js"
import { decodeValue } from "./internal/json.js"
import { CoreCapabilityUri } from "./Session.js"
import type { JmapRequest, JmapResponse, ResultReference } from "./Wire.js"

/** A method call added to a {@link RequestBuilder}; use {@link CallRef.ref} to refer to its result. */
export interface CallRef {
  readonly method: string
  readonly callId: string
  /** An RFC 8620 §3.7 ResultReference to `path` (a JSON Pointer, e.g. `/ids`) in this call's result. */
  readonly ref: (path: string) => ResultReference
}

/** Options of {@link RequestBuilder.add}. */
export interface AddOptions {
  /** Defaults to `c0`, `c1`, … in order of addition. */
  readonly callId?: string
  /** Capabilities this call needs besides `urn:ietf:params:jmap:core`. */
  readonly using?: ReadonlyArray<string>
}

/**
 * Accumulates method calls. `using` is computed from the capabilities each call declares (core is
 * always included). Duplicate call ids and empty requests are reported by {@link build} as
 * `InvalidArgument`, never thrown.
 */
export class RequestBuilder {
  private readonly calls: Array<readonly [string, Record<string, unknown>, string]> = []
  private readonly ids = new Set<string>()
  private readonly capabilities = new Set<string>([CoreCapabilityUri])
  private problem: InvalidArgument | undefined

  /** A new, empty Request under assembly (raw: see the module doc); `using` lists capabilities every call needs. */
  static make(using: ReadonlyArray<string> = []): RequestBuilder {
    const builder = new RequestBuilder()
    for (const uri of using) builder.capabilities.add(uri)
    return builder
  }

  /** Adds `[method, args, callId]`. Arguments may hold `#name` keys whose values are {@link CallRef.ref}s. */
  add(method: string, args: Record<string, unknown>, options: AddOptions = {}): CallRef {
    const callId = options.callId ?? `c${this.calls.length}`
    if (this.ids.has(callId)) {
      this.problem ??= new InvalidArgument({ description: `RequestBuilder: duplicate call id "${callId}"` })
    }
    this.ids.add(callId)
    for (const uri of options.using ?? []) this.capabilities.add(uri)
    this.calls.push([method, args, callId])
    return {
      method,
      callId,
      ref: (path) => ({ resultOf: callId, name: method, path })
    }
  }

  /** The number of calls added so far. */
  get size(): number {
    return this.calls.length
  }

  /** The finished Request, or `InvalidArgument` for an empty request or a duplicate call id. */
  build(createdIds?: Readonly<Record<string, string>>): Either.Either<JmapRequest, InvalidArgument> {
    if (this.problem !== undefined) return Either.left(this.problem)
    if (this.calls.length === 0) {
      return Either.left(new InvalidArgument({ description: "RequestBuilder: no method calls added" }))
    }
    return Either.right({
      using: Array.from(this.capabilities),
      methodCalls: this.calls.map(([m, a, c]) => [m, a, c] as const),
      ...(createdIds === undefined ? {} : { createdIds })
    })
  }
}

/**
 * The result of call `callId`, decoded with `schema` (the Rust client's rule): if any invocation
 * with that id is an `"error"`, it wins (`MethodError`, type defaulting to `serverError`);
 * otherwise the first matching invocation is decoded; no match is `MethodNotFound`.
 */
export const extractResponse = <A, I>(
  response: JmapResponse,
  callId: string,
  schema: Schema.Schema<A, I, never>,
  method?: string
): Either.Either<A, MethodError | MethodNotFound | ParseError> => {
  let first: Record<string, unknown> | undefined
  let firstName = ""
  for (const [name, args, id] of response.methodResponses) {
    if (id !== callId) continue
    if (name === "error") return Either.left(toMethodError(args, callId, method))
    if (first === undefined) {
      first = args
      firstName = name
    }
  }
  if (first === undefined) return Either.left(new MethodNotFound({ callId }))
  return decodeValue(schema, first, `${method ?? firstName} response`)
}

/** One invocation of a Response, as returned by {@link extractAll}. */
export interface InvocationResult {
  readonly method: string
  readonly callId: string
  /** The arguments object, or the method error the server returned instead. */
  readonly result: Either.Either<Readonly<Record<string, unknown>>, MethodError>
}

/** Every invocation of `response`, in order, each with its own success or `MethodError`. */
export const extractAll = (response: JmapResponse): ReadonlyArray<InvocationResult> =>
  response.methodResponses.map(([name, args, callId]) => ({
    method: name,
    callId,
    result: name === "error" ? Either.left(toMethodError(args, callId)) : Either.right(args)
  }))

/**
 * Every invocation of `response` by call id (the jmapchat-client's batch call, seed-api §1.6):
 * each with its own arguments or `MethodError`. A call id answered more than once is a `ParseError`
 * naming it — the map cannot hold both answers. (RFC 8620 §3.4 lets one method call produce several
 * invocations, e.g. an implicit `Foo/set`; read such responses with {@link extractAll}.)
 */
export const extractById = (
  response: JmapResponse
): Either.Either<ReadonlyMap<string, InvocationResult>, ParseError> => {
  const byId = new Map<string, InvocationResult>()
  for (const result of extractAll(response)) {
    if (byId.has(result.callId)) {
      return Either.left(
        new ParseError({
          subject: "JMAP response",
          path: "methodResponses",
          description: `server returned duplicate call id ${JSON.stringify(result.callId)} in batch response`
        })
      )
    }
    byId.set(result.callId, result)
  }
  return Either.right(byId)
}

/** Builds a `MethodError` from the arguments of an `"error"` invocation (RFC 8620 §3.6.2). */
export const toMethodError = (args: Readonly<Record<string, unknown>>, callId: string, method?: string): MethodError =>
  new MethodError({
    type: typeof args["type"] === "string" ? args["type"] : "serverError",
    ...(typeof args["description"] === "string" ? { description: args["description"] } : {}),
    callId,
    ...(method === undefined ? {} : { method }),
    arguments: args
  })
