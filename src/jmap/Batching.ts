/**
 * Automatic request batching (RFC 8620 §3.3 allows many method calls per request): concurrent,
 * independent read-only requests issued by different fibers are sent as ONE HTTP request, and
 * concurrent `Foo/get`s of the same type and account are merged into ONE `Foo/get` whose result is
 * split back per caller.
 *
 * One caller's request never fails another's:
 * - requests are merged only when their `using` lists are equal, or when the Session advertises
 *   every capability they name (RFC 8620 §3.3: an unknown one fails the whole request);
 * - a request that breaks the server's limits on its own is not merged: it is sent alone, which
 *   fails it (and only it) with `InvalidArgument` before any I/O;
 * - merged requests stay within `maxCallsInRequest`, `maxObjectsInGet` and `maxSizeRequest`
 *   (RFC 8620 §2): a batch that would not fit is split into several requests;
 * - if a merged request still gets a request-level error (RFC 8620 §3.6.1 `unknownCapability`,
 *   `limit`, `notRequest`, `notJSON`, HTTP 413, or a merged request this client could not send),
 *   each member is sent again alone, so each caller gets its own answer.
 *
 * Only reads are batched: a write keeps its own request, so its creation ids cannot collide with
 * another caller's and it is never retried as part of an idempotent batch.
 *
 * @since 0.1.0
 */
import { Deferred, Duration, Effect, Either, Exit, type Scope } from "effect"
import { isIdempotentRequest } from "./HttpTransport.js"
import { utf8Length } from "./internal/bytes.js"
import { checkLimits, type CoreLimits } from "./Limits.js"
import type { Invocation, JmapRequest, JmapResponse } from "./Wire.js"

/** Options of {@link make}. */
export interface BatchingOptions {
  /**
   * How long to collect requests before sending. `0` (the default) collects everything issued in
   * the same scheduler turn, so a lone sequential call pays no timer.
   */
  readonly window?: Duration.DurationInput
}

/** What the server allows, from its Session (RFC 8620 §2). */
export interface ServerConstraints {
  /** The core limits; absent limits are not enforced. */
  readonly limits: CoreLimits
  /** The capability URIs the Session advertises: requests naming only these may share an HTTP request. */
  readonly capabilities: ReadonlySet<string>
}

interface Pending<E> {
  readonly request: JmapRequest
  readonly deferred: Deferred.Deferred<JmapResponse, E>
}

/** A read-only single `Foo/get` with literal `ids`, which can be merged with others like it. */
interface GetCall<E> {
  readonly pending: Pending<E>
  readonly method: string
  readonly args: Readonly<Record<string, unknown>>
  readonly callId: string
  readonly ids: ReadonlyArray<string>
}

const isStringArray = (u: unknown): u is ReadonlyArray<string> =>
  Array.isArray(u) && u.every((x) => typeof x === "string")

const asMergeableGet = <E>(pending: Pending<E>): GetCall<E> | undefined => {
  const calls = pending.request.methodCalls
  if (calls.length !== 1 || pending.request.createdIds !== undefined) return undefined
  const [method, args, callId] = calls[0]!
  if (!method.endsWith("/get")) return undefined
  const ids = args["ids"]
  if (!isStringArray(ids) || Object.keys(args).some((k) => k.startsWith("#"))) return undefined
  return { pending, method, args, callId, ids }
}

/** The key under which gets are merged: same method and same arguments apart from `ids`. */
const mergeKey = <E>(get: GetCall<E>): string => {
  const { ids: _ids, ...rest } = get.args
  return `${get.method}\u0000${JSON.stringify(rest, Object.keys(rest).sort())}`
}

/** One HTTP request of a batch and how to hand each caller its part of the response. */
interface Part<E> {
  readonly calls: Array<Invocation>
  readonly using: Set<string>
  /** The serialised size of `calls` (each call's JSON and the commas between them). */
  bytes: number
  /** The callers whose requests this part carries. */
  readonly members: Array<Pending<E>>
  readonly deliver: Array<(response: JmapResponse) => Effect.Effect<void>>
}

const requestLevelTypes = new Set(
  ["unknownCapability", "limit", "notRequest", "notJSON"].map((t) => `urn:ietf:params:jmap:error:${t}`)
)

/**
 * True for a failure of a merged request that may be caused by one of its members rather than by
 * the server or the connection: an RFC 8620 §3.6.1 request-level error, HTTP 413, or a request
 * this client refused to send (over a limit, not serialisable).
 */
export const isRequestLevelError = (error: unknown): boolean => {
  if (typeof error !== "object" || error === null || !("_tag" in error)) return false
  const e = error as { readonly _tag: string; readonly type?: unknown; readonly status?: unknown }
  switch (e._tag) {
    case "RequestError":
      return e.status === 413 || (typeof e.type === "string" && requestLevelTypes.has(e.type))
    case "HttpError":
      return e.status === 413
    case "InvalidArgument":
    case "SerializeError":
      return true
    default:
      return false
  }
}

const byteLength = (value: unknown): number => utf8Length(JSON.stringify(value))

/** The key of the group a request may be merged within (see the module comment). */
const usingKey = (request: JmapRequest, capabilities: ReadonlySet<string>): string =>
  request.using.every((uri) => capabilities.has(uri))
    ? "\u0000advertised"
    : Array.from(new Set(request.using)).sort().join("\u0000")

const prefixRefs = (args: Readonly<Record<string, unknown>>, prefix: string): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(args)) {
    if (key.startsWith("#") && typeof value === "object" && value !== null && "resultOf" in value) {
      const ref = value as { resultOf: unknown }
      out[key] = { ...value, resultOf: `${prefix}${String(ref.resultOf)}` }
    } else {
      out[key] = value
    }
  }
  return out
}

/**
 * Wraps `call` so concurrent read-only requests are batched. The returned function has the same
 * contract as `call`: each caller gets exactly the invocations of its own request, or its own
 * failure. `constraints` is read once per batch.
 */
export const make = <E>(
  call: (request: JmapRequest) => Effect.Effect<JmapResponse, E>,
  constraints: Effect.Effect<ServerConstraints, E>,
  options: BatchingOptions = {}
): Effect.Effect<(request: JmapRequest) => Effect.Effect<JmapResponse, E>, never, Scope.Scope> =>
  Effect.gen(function*() {
    const scope = yield* Effect.scope
    const window = Duration.decode(options.window ?? 0)
    let queue: Array<Pending<E>> = []
    let scheduled = false

    const complete = (pending: Pending<E>) => (response: JmapResponse) =>
      Effect.asVoid(Deferred.succeed(pending.deferred, response))
    const alone = (pending: Pending<E>) => Effect.asVoid(Deferred.complete(pending.deferred, call(pending.request)))

    /** Splits one group of mergeable requests into parts within the limits. */
    const plan = (group: ReadonlyArray<Pending<E>>, limits: CoreLimits, counter: { n: number }) => {
      const maxCalls = limits.maxCallsInRequest ?? Infinity
      const maxIds = limits.maxObjectsInGet ?? Infinity
      const maxBytes = limits.maxSizeRequest
      const using = new Set(group.flatMap((p) => p.request.using))
      // The envelope with every `using` of the group: an upper bound of each part's own.
      const envelope = maxBytes === undefined ? 0 : byteLength({ using: Array.from(using), methodCalls: [] })
      const parts: Array<Part<E>> = []
      const partFor = (calls: ReadonlyArray<Invocation>): Part<E> => {
        const bytes = maxBytes === undefined ? 0 : calls.reduce((sum, c) => sum + byteLength(c) + 1, 0)
        const last = parts[parts.length - 1]
        if (
          last !== undefined && last.calls.length + calls.length <= maxCalls &&
          (maxBytes === undefined || envelope + last.bytes + bytes <= maxBytes)
        ) {
          last.bytes += bytes
          return last
        }
        const part: Part<E> = { calls: [], using: new Set(), bytes, members: [], deliver: [] }
        parts.push(part)
        return part
      }

      // 1. Merge gets of the same type and arguments.
      const groups = new Map<string, Array<GetCall<E>>>()
      const others: Array<Pending<E>> = []
      for (const pending of group) {
        const get = asMergeableGet(pending)
        if (get === undefined) others.push(pending)
        else groups.set(mergeKey(get), [...(groups.get(mergeKey(get)) ?? []), get])
      }
      for (const gets of groups.values()) {
        // Chunk the union of ids by maxObjectsInGet; each caller lands in the chunk holding its ids.
        let chunk: Array<GetCall<E>> = []
        let chunkIds = new Set<string>()
        const flush = () => {
          if (chunk.length === 0) return
          const members = chunk
          const first = members[0]!
          const callId = `g${counter.n++}`
          const merged: Invocation = [first.method, { ...first.args, ids: Array.from(chunkIds) }, callId]
          const part = partFor([merged])
          part.calls.push(merged)
          for (const member of members) {
            for (const uri of member.pending.request.using) part.using.add(uri)
            part.members.push(member.pending)
          }
          part.deliver.push((response) =>
            Effect.forEach(members, (member) => complete(member.pending)(splitGet(response, callId, member)), {
              discard: true
            })
          )
          chunk = []
          chunkIds = new Set()
        }
        for (const get of gets) {
          const union = new Set([...chunkIds, ...get.ids])
          if (chunk.length > 0 && union.size > maxIds) flush()
          chunk.push(get)
          for (const id of get.ids) chunkIds.add(id)
        }
        flush()
      }

      // 2. Concatenate every other request, renaming its call ids (and references to them).
      for (const pending of others) {
        const prefix = `q${counter.n++}.`
        const calls = pending.request.methodCalls.map(([method, args, callId]): Invocation => [
          method,
          prefixRefs(args, prefix),
          `${prefix}${callId}`
        ])
        const part = partFor(calls)
        part.calls.push(...calls)
        for (const uri of pending.request.using) part.using.add(uri)
        part.members.push(pending)
        part.deliver.push((response) =>
          complete(pending)({
            ...response,
            methodResponses: response.methodResponses
              .filter(([, , id]) => id.startsWith(prefix))
              .map(([name, args, id]) => [name, args, id.slice(prefix.length)] as const)
          })
        )
      }
      return parts
    }

    /** Sends one part; a request-level failure of a merged part is answered member by member. */
    const send = (part: Part<E>): Effect.Effect<void> =>
      call({ using: Array.from(part.using), methodCalls: part.calls }).pipe(
        Effect.matchEffect({
          onFailure: (error) =>
            part.members.length > 1 && isRequestLevelError(error)
              ? Effect.forEach(part.members, alone, { concurrency: "unbounded", discard: true })
              : Effect.forEach(part.members, (member) => Deferred.fail(member.deferred, error), { discard: true }),
          onSuccess: (response) => Effect.forEach(part.deliver, (d) => d(response), { discard: true })
        })
      )

    const dispatch = (batch: ReadonlyArray<Pending<E>>): Effect.Effect<void> =>
      Effect.gen(function*() {
        if (batch.length === 1) return yield* alone(batch[0]!)
        const known = yield* Effect.either(constraints)
        const limits = Either.isRight(known) ? known.right.limits : {}
        const capabilities = Either.isRight(known) ? known.right.capabilities : new Set<string>()
        // A request that breaks a limit on its own is sent alone: it fails by itself before any I/O.
        const solo: Array<Pending<E>> = []
        const groups = new Map<string, Array<Pending<E>>>()
        for (const pending of batch) {
          if (Either.isLeft(checkLimits(pending.request, limits))) {
            solo.push(pending)
            continue
          }
          const key = usingKey(pending.request, capabilities)
          groups.set(key, [...(groups.get(key) ?? []), pending])
        }
        const counter = { n: 0 }
        const parts = Array.from(groups.values()).flatMap((group) => plan(group, limits, counter))
        yield* Effect.all([
          Effect.forEach(solo, alone, { concurrency: "unbounded", discard: true }),
          Effect.forEach(parts, (part) => part.members.length === 1 ? alone(part.members[0]!) : send(part), {
            concurrency: "unbounded",
            discard: true
          })
        ], { concurrency: "unbounded", discard: true })
      }).pipe(
        Effect.withSpan("Batching.dispatch", {
          captureStackTrace: false,
          attributes: { "jmap.batch_size": batch.length }
        })
      )

    const collect = Duration.isZero(window) ? Effect.yieldNow() : Effect.sleep(window)

    // The first caller of a round leads it: it yields (or sleeps for the window) so that calls
    // issued meanwhile join the queue, then takes the queue. Alone, it sends its own request in its
    // own fiber (no fork, no hand-off: a lone call costs almost nothing extra, and interrupting it
    // aborts its HTTP request). With company, the batch is dispatched in a fiber of the service's
    // scope, so that interrupting one caller never strands the others, and each awaits its part.
    const lead = (request: JmapRequest): Effect.Effect<JmapResponse, E> =>
      Effect.uninterruptibleMask((restore) =>
        Effect.gen(function*() {
          const self: Pending<E> = { request, deferred: yield* Deferred.make<JmapResponse, E>() }
          queue.push(self)
          scheduled = true
          const collected = yield* Effect.exit(restore(collect))
          const batch = queue
          queue = []
          scheduled = false
          if (Exit.isFailure(collected)) {
            const others = batch.filter((p) => p !== self)
            if (others.length > 0) yield* Effect.forkIn(dispatch(others), scope)
            return yield* Effect.failCause(collected.cause)
          }
          if (batch.length === 1) return yield* restore(call(request))
          yield* Effect.forkIn(dispatch(batch), scope)
          return yield* restore(Deferred.await(self.deferred))
        })
      )

    const join = (request: JmapRequest): Effect.Effect<JmapResponse, E> =>
      Effect.flatMap(Deferred.make<JmapResponse, E>(), (deferred) => {
        queue.push({ request, deferred })
        return Deferred.await(deferred)
      })

    return (request: JmapRequest): Effect.Effect<JmapResponse, E> => {
      if (!isIdempotentRequest(request) || request.createdIds !== undefined) return call(request)
      return Effect.suspend(() => (scheduled ? join(request) : lead(request)))
    }
  })

/** The part of a merged `Foo/get` response that belongs to one caller. */
const splitGet = <E>(response: JmapResponse, callId: string, member: GetCall<E>): JmapResponse => {
  const wanted = new Set(member.ids)
  const methodResponses = response.methodResponses.filter(([, , id]) => id === callId).map(([name, args]) => {
    if (name === "error") return [name, args, member.callId] as const
    const list = Array.isArray(args["list"])
      ? (args["list"] as ReadonlyArray<unknown>).filter((item) =>
        typeof item === "object" && item !== null && wanted.has(String((item as { id?: unknown }).id))
      )
      : args["list"]
    const notFound = Array.isArray(args["notFound"])
      ? (args["notFound"] as ReadonlyArray<unknown>).filter((id) => wanted.has(String(id)))
      : args["notFound"]
    return [name, { ...args, list, notFound }, member.callId] as const
  })
  return { ...response, methodResponses }
}
