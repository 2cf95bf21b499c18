/**
 * Automatic request batching (RFC 8620 §3.3 allows many method calls per request): concurrent,
 * independent read-only requests issued by different fibers are sent as ONE HTTP request, and
 * concurrent `Foo/get`s of the same type and account are merged into ONE `Foo/get` whose result is
 * split back per caller — within the server's `maxCallsInRequest` and `maxObjectsInGet`.
 *
 * Only reads are batched: a write keeps its own request, so its creation ids cannot collide with
 * another caller's and it is never retried as part of an idempotent batch.
 *
 * @since 0.1.0
 */
import { Deferred, Duration, Effect, Exit, type Scope } from "effect"
import { isIdempotentRequest } from "./HttpTransport.js"
import type { CoreLimits } from "./SessionService.js"
import type { Invocation, JmapRequest, JmapResponse } from "./Wire.js"

/** Options of {@link make}. */
export interface BatchingOptions {
  /**
   * How long to collect requests before sending. `0` (the default) collects everything issued in
   * the same scheduler turn, so a lone sequential call pays no timer.
   */
  readonly window?: Duration.DurationInput
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
  readonly deliver: Array<(response: JmapResponse) => Effect.Effect<void>>
  readonly fail: Array<(error: E) => Effect.Effect<void>>
}

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
 * contract as `call`: each caller gets exactly the invocations of its own request.
 */
export const make = <E>(
  call: (request: JmapRequest) => Effect.Effect<JmapResponse, E>,
  limits: Effect.Effect<CoreLimits, E>,
  options: BatchingOptions = {}
): Effect.Effect<(request: JmapRequest) => Effect.Effect<JmapResponse, E>, never, Scope.Scope> =>
  Effect.gen(function*() {
    const scope = yield* Effect.scope
    const window = Duration.decode(options.window ?? 0)
    let queue: Array<Pending<E>> = []
    let scheduled = false

    const complete = (pending: Pending<E>) => (response: JmapResponse) =>
      Effect.asVoid(Deferred.succeed(pending.deferred, response))
    const failWith = (pending: Pending<E>) => (error: E) => Effect.asVoid(Deferred.fail(pending.deferred, error))

    const dispatch = (batch: ReadonlyArray<Pending<E>>): Effect.Effect<void> =>
      Effect.gen(function*() {
        if (batch.length === 1) {
          const only = batch[0]!
          return yield* Deferred.complete(only.deferred, call(only.request))
        }
        const limit = yield* Effect.either(limits)
        const maxCalls = limit._tag === "Right" ? limit.right.maxCallsInRequest ?? Infinity : Infinity
        const maxIds = limit._tag === "Right" ? limit.right.maxObjectsInGet ?? Infinity : Infinity
        const parts: Array<Part<E>> = []
        const partFor = (size: number): Part<E> => {
          const last = parts[parts.length - 1]
          if (last !== undefined && last.calls.length + size <= maxCalls) return last
          const part: Part<E> = { calls: [], using: new Set(), deliver: [], fail: [] }
          parts.push(part)
          return part
        }

        // 1. Merge gets of the same type and arguments.
        const groups = new Map<string, Array<GetCall<E>>>()
        const others: Array<Pending<E>> = []
        for (const pending of batch) {
          const get = asMergeableGet(pending)
          if (get === undefined) others.push(pending)
          else groups.set(mergeKey(get), [...(groups.get(mergeKey(get)) ?? []), get])
        }
        let n = 0
        for (const gets of groups.values()) {
          // Chunk the union of ids by maxObjectsInGet; each caller lands in the chunk holding its ids.
          let chunk: Array<GetCall<E>> = []
          let chunkIds = new Set<string>()
          const flush = () => {
            if (chunk.length === 0) return
            const members = chunk
            const ids = Array.from(chunkIds)
            const first = members[0]!
            const callId = `g${n++}`
            const part = partFor(1)
            part.calls.push([first.method, { ...first.args, ids }, callId])
            for (const member of members) for (const uri of member.pending.request.using) part.using.add(uri)
            part.deliver.push((response) =>
              Effect.forEach(members, (member) => complete(member.pending)(splitGet(response, callId, member)), {
                discard: true
              })
            )
            part.fail.push((error) =>
              Effect.forEach(members, (member) => failWith(member.pending)(error), { discard: true })
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
          const prefix = `q${n++}.`
          const part = partFor(pending.request.methodCalls.length)
          for (const [method, args, callId] of pending.request.methodCalls) {
            part.calls.push([method, prefixRefs(args, prefix), `${prefix}${callId}`])
          }
          for (const uri of pending.request.using) part.using.add(uri)
          part.deliver.push((response) =>
            complete(pending)({
              ...response,
              methodResponses: response.methodResponses
                .filter(([, , id]) => id.startsWith(prefix))
                .map(([name, args, id]) => [name, args, id.slice(prefix.length)] as const)
            })
          )
          part.fail.push(failWith(pending))
        }

        yield* Effect.forEach(parts, (part) =>
          call({ using: Array.from(part.using), methodCalls: part.calls }).pipe(
            Effect.matchEffect({
              onFailure: (error) => Effect.forEach(part.fail, (f) => f(error), { discard: true }),
              onSuccess: (response) => Effect.forEach(part.deliver, (d) => d(response), { discard: true })
            })
          ), { concurrency: "unbounded", discard: true })
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
