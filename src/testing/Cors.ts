/**
 * Cross-origin access to the reference server (Fetch standard §3.2, CORS), for a web page served
 * from another origin: preflights answered for the allowed origins with the headers a JMAP client
 * sends (`Authorization`, `Content-Type`, `Last-Event-ID`), the origin echoed on responses, and
 * `credentials` (cookies) when configured. Browsers do not apply CORS to WebSockets, so an upgrade
 * from an origin that is not allowed is refused (cross-site WebSocket hijacking).
 *
 * @since 0.1.0
 */
import { HttpApp, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect } from "effect"
import { problemResponse } from "./HttpSupport.js"
import { RequestProblem } from "./ProtocolErrors.js"
import type { CorsOptions } from "./ServerConfig.js"

export type { CorsOptions } from "./ServerConfig.js"

/** The request headers a page may send. */
export const allowedHeaders = ["Authorization", "Content-Type", "Accept", "Last-Event-ID", "Cache-Control"]
/** The response headers a page may read beyond the CORS-safelisted ones. */
export const exposedHeaders = ["Retry-After", "WWW-Authenticate", "Location"]

const forbidden = (detail: string) => problemResponse(new RequestProblem({ type: "about:blank", status: 403, detail }))

/**
 * Wraps the server's app with CORS for `options`; `self` is the server's own origin (always
 * allowed). Requests without an `Origin` header pass through untouched.
 */
export const middleware = (options: CorsOptions, self: string) => <E, R>(app: HttpApp.Default<E, R>) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const origin = request.headers["origin"]
    if (origin === undefined) return yield* app
    const allowed = origin === self || options.allowedOrigins === "*" || options.allowedOrigins.includes(origin)
    const credentials = options.credentials === true
    const isPreflight = request.method === "OPTIONS" && request.headers["access-control-request-method"] !== undefined
    if (!allowed) {
      if (isPreflight) return forbidden("origin not allowed")
      if ((request.headers["upgrade"] ?? "").toLowerCase() === "websocket") {
        return forbidden("WebSocket from an origin that is not allowed")
      }
      return yield* app
    }
    const headers: Record<string, string> = {
      "access-control-allow-origin": options.allowedOrigins === "*" && !credentials ? "*" : origin,
      vary: "Origin",
      ...(credentials ? { "access-control-allow-credentials": "true" } : {})
    }
    if (isPreflight) {
      return HttpServerResponse.empty({
        status: 204,
        headers: {
          ...headers,
          "access-control-allow-methods": "GET, POST, OPTIONS",
          "access-control-allow-headers": allowedHeaders.join(", "),
          "access-control-max-age": String(options.maxAge ?? 600)
        }
      })
    }
    yield* HttpApp.appendPreResponseHandler((_, response) =>
      Effect.succeed(
        HttpServerResponse.setHeaders(response, {
          ...headers,
          "access-control-expose-headers": exposedHeaders.join(", ")
        })
      )
    )
    return yield* app
  })
