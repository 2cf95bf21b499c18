/**
 * The reference server's plain HTTP endpoints: the Session resource (RFC 8620 §2), the API
 * endpoint (§3), blob upload (§6.1, with `sha256` per draft-atwood-jmap-cid-00) and download
 * (§6.2).
 *
 * @since 0.1.0
 */
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect, Option } from "effect"
import {
  applyFault,
  authenticated,
  type FrontEnd,
  jsonResponse,
  limitConcurrency,
  problemResponse,
  readBody
} from "./HttpSupport.js"
import { RequestProblem } from "./ProtocolErrors.js"
import { Paths } from "./Session.js"

const recover = <A, R>(effect: Effect.Effect<A, RequestProblem, R>) =>
  Effect.catchTag(effect, "RequestProblem", (problem) => Effect.succeed(problemResponse(problem)))

const session = (fe: FrontEnd) =>
  authenticated(fe, (user, request) =>
    Effect.gen(function*() {
      const fault = yield* applyFault(fe, "session", request)
      if (Option.isSome(fault.response)) return fault.response.value
      return jsonResponse(yield* fe.backend.session(user))
    }))

const api = (fe: FrontEnd) =>
  authenticated(fe, (user, request) => {
    const limits = fe.backend.limits
    return limitConcurrency(
      fe,
      `api:${user.userId}`,
      limits.maxConcurrentRequests,
      "maxConcurrentRequests",
      Effect.gen(function*() {
        const fault = yield* applyFault(fe, "api", request)
        if (Option.isSome(fault.response)) return fault.response.value
        if (!/^application\/json\b/i.test(request.headers["content-type"] ?? "")) {
          return yield* RequestProblem.notJSON("the request content type must be application/json")
        }
        const bytes = yield* readBody(request, limits.maxSizeRequest, () =>
          RequestProblem.limit(
            "maxSizeRequest",
            `the request is larger than maxSizeRequest (${limits.maxSizeRequest} bytes)`
          ))
        let body: unknown
        try {
          body = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes))
        } catch {
          return yield* RequestProblem.notJSON("the request body is not valid UTF-8 JSON")
        }
        const response = yield* fe.backend.handle(user, body)
        return fault.oversize === undefined
          ? jsonResponse(response)
          : jsonResponse({ ...response, padding: "x".repeat(fault.oversize) })
      })
    ).pipe(recover)
  })

const upload = (fe: FrontEnd) =>
  authenticated(fe, (user, request) =>
    Effect.gen(function*() {
      const fault = yield* applyFault(fe, "upload", request)
      if (Option.isSome(fault.response)) return fault.response.value
      const { accountId } = yield* HttpRouter.params
      const limits = fe.backend.limits
      return yield* limitConcurrency(
        fe,
        `upload:${user.userId}`,
        limits.maxConcurrentUpload,
        "maxConcurrentUpload",
        Effect.gen(function*() {
          const bytes = yield* readBody(request, limits.maxSizeUpload, () =>
            new RequestProblem({
              type: "urn:ietf:params:jmap:error:limit",
              status: 413,
              limit: "maxSizeUpload",
              detail: `the upload is larger than maxSizeUpload (${limits.maxSizeUpload} bytes)`
            }))
          const type = request.headers["content-type"] ?? "application/octet-stream"
          return jsonResponse(yield* fe.backend.upload(user, accountId ?? "", bytes, type), 201)
        })
      ).pipe(recover)
    }))

const download = (fe: FrontEnd) =>
  authenticated(fe, (user, request) =>
    Effect.gen(function*() {
      const fault = yield* applyFault(fe, "download", request)
      if (Option.isSome(fault.response)) return fault.response.value
      const { accountId, blobId, name } = yield* HttpRouter.params
      const blob = yield* fe.backend.download(user, accountId ?? "", blobId ?? "")
      if (Option.isNone(blob)) {
        return problemResponse(new RequestProblem({ type: "about:blank", status: 404, detail: "no such blob" }))
      }
      const accept = new URL(request.url, "http://localhost").searchParams.get("accept")
      const filename = (name ?? "blob").replace(/["\\\r\n]/g, "_")
      return HttpServerResponse.uint8Array(blob.value.bytes, {
        contentType: accept !== null && accept !== "" ? accept : blob.value.type,
        headers: {
          "content-disposition": `attachment; filename="${filename}"`,
          "cache-control": "private, immutable, max-age=31536000"
        }
      })
    }))

/**
 * `/.well-known/jmap` redirecting to the Session's own path (`ServerQuirks.sessionPath`), without
 * authentication; a `"session"` fault applies to it as to the Session.
 */
const redirectTo = (fe: FrontEnd, path: string) =>
  Effect.gen(function*() {
    const fault = yield* applyFault(fe, "session", yield* HttpServerRequest.HttpServerRequest)
    if (Option.isSome(fault.response)) return fault.response.value
    return HttpServerResponse.empty({ status: 307, headers: { location: path } })
  })

/** Routes for the Session, API, upload and download endpoints. */
export const apiRoutes = (fe: FrontEnd) =>
  HttpRouter.empty.pipe(
    (router) =>
      fe.quirks.sessionPath === undefined || fe.quirks.sessionPath === Paths.session
        ? HttpRouter.get(router, Paths.session, session(fe))
        : router.pipe(
          HttpRouter.get(Paths.session, redirectTo(fe, fe.quirks.sessionPath)),
          HttpRouter.get(fe.quirks.sessionPath, session(fe))
        ),
    HttpRouter.post("/jmap/api", api(fe)),
    HttpRouter.post("/jmap/upload/:accountId/", upload(fe)),
    HttpRouter.get("/jmap/download/:accountId/:blobId/:name", download(fe))
  )
