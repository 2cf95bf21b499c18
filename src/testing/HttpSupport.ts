/**
 * HTTP plumbing shared by the reference server's endpoints: RFC 7807 problem responses,
 * authentication (RFC 8620 §3.1 leaves it to HTTP: Bearer, Basic, and `?access_token=` for
 * browser push connections), request bodies read under a byte cap, and the fault hook.
 *
 * @since 0.1.0
 */
import { HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Chunk, Effect, Option, Stream } from "effect"
import type { ChatBackend, UserInfo } from "./ChatBackend.js"
import type { Endpoint, FaultState } from "./Faults.js"
import type { JsonRecord } from "./Json.js"
import { RequestProblem } from "./ProtocolErrors.js"
import type { ServerQuirks } from "./ServerConfig.js"

/** What the endpoint handlers share. */
export interface FrontEnd {
  readonly backend: ChatBackend.Service
  readonly faults: FaultState
  /** Requests in flight per user and endpoint kind (maxConcurrentRequests / maxConcurrentUpload). */
  readonly inFlight: Map<string, number>
  readonly quirks: ServerQuirks
}

/** An RFC 7807 `application/problem+json` response. */
export const problemResponse = (problem: RequestProblem, headers: Record<string, string> = {}) =>
  HttpServerResponse.unsafeJson(problem.body, {
    status: problem.status,
    contentType: "application/problem+json",
    headers
  })

/** A JSON response. */
export const jsonResponse = (body: JsonRecord, status = 200) =>
  HttpServerResponse.unsafeJson(body, { status, headers: { "cache-control": "no-cache, no-store" } })

const unauthorized = problemResponse(RequestProblem.unauthorized(), {
  "www-authenticate": "Bearer realm=\"jmap\", Basic realm=\"jmap\""
})

/**
 * Runs `handler` for the authenticated user, or answers 401. With `allowQueryToken`, an
 * `access_token` query parameter is accepted too (browsers cannot set headers on EventSource or
 * WebSocket).
 */
export const authenticated = <E, R>(
  fe: FrontEnd,
  handler: (user: UserInfo, request: HttpServerRequest.HttpServerRequest) => Effect.Effect<
    HttpServerResponse.HttpServerResponse,
    E,
    R
  >,
  options?: { readonly allowQueryToken?: boolean }
) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    let user = fe.backend.authenticate(request.headers["authorization"])
    if (Option.isNone(user) && options?.allowQueryToken) {
      const token = new URL(request.url, "http://localhost").searchParams.get("access_token")
      if (token !== null) user = fe.backend.userByToken(token)
    }
    if (Option.isNone(user)) return unauthorized
    return yield* handler(user.value, request)
  })

/**
 * Records the request and applies its queued fault: `Some(response)` short-circuits, `None`
 * proceeds (after any delay). Oversize faults are returned to the caller, which owns the body.
 */
export const applyFault = (fe: FrontEnd, endpoint: Endpoint, request: HttpServerRequest.HttpServerRequest) =>
  Effect.gen(function*() {
    const fault = fe.faults.receive({
      endpoint,
      method: request.method,
      path: new URL(request.url, "http://localhost").pathname
    })
    if (fault === undefined) return { response: Option.none(), oversize: undefined }
    switch (fault._tag) {
      case "Delay":
        yield* Effect.sleep(fault.delay)
        return { response: Option.none(), oversize: undefined }
      case "Oversize":
        return { response: Option.none(), oversize: fault.bytes }
      case "Fail": {
        const problem = new RequestProblem({
          type: "about:blank",
          status: fault.status,
          detail: `fault injected: HTTP ${fault.status}`
        })
        const headers: Record<string, string> = fault.retryAfterSeconds === undefined
          ? {}
          : { "retry-after": String(fault.retryAfterSeconds) }
        return { response: Option.some(problemResponse(problem, headers)), oversize: undefined }
      }
    }
  })

/** Counts a request in flight for the duration of `effect`; fails with a limit problem past `max`. */
export const limitConcurrency = <A, E, R>(
  fe: FrontEnd,
  key: string,
  max: number,
  limitName: string,
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E | RequestProblem, R> =>
  Effect.acquireUseRelease(
    Effect.sync(() => {
      const n = (fe.inFlight.get(key) ?? 0) + 1
      fe.inFlight.set(key, n)
      return n
    }),
    (n): Effect.Effect<A, E | RequestProblem, R> =>
      n > max
        ? Effect.fail(RequestProblem.limit(limitName, `more than ${max} concurrent requests`))
        : effect,
    () => Effect.sync(() => fe.inFlight.set(key, (fe.inFlight.get(key) ?? 1) - 1))
  )

/**
 * Reads the request body, failing with `tooLarge(size)` as soon as it exceeds `max` bytes
 * (using Content-Length up front when present).
 */
export const readBody = <E>(
  request: HttpServerRequest.HttpServerRequest,
  max: number,
  tooLarge: () => E
): Effect.Effect<Uint8Array, E | RequestProblem> => {
  const declared = Number(request.headers["content-length"])
  if (Number.isFinite(declared) && declared > max) return Effect.fail(tooLarge())
  return request.stream.pipe(
    Stream.mapError(() => RequestProblem.notRequest("the request body could not be read")),
    Stream.runFoldEffect({ size: 0, chunks: Chunk.empty<Uint8Array>() }, (acc, chunk) => {
      const size = acc.size + chunk.length
      return size > max ? Effect.fail(tooLarge()) : Effect.succeed({ size, chunks: Chunk.append(acc.chunks, chunk) })
    }),
    Effect.map(({ chunks }) => Buffer.concat(Chunk.toReadonlyArray(chunks)))
  )
}
