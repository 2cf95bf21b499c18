/**
 * HTTP in browsers: `@effect/platform`'s `FetchHttpClient` (streamed bodies, so the EventSource
 * of RFC 8620 §7.3 works with headers), with the `credentials` mode that decides whether cookies go
 * to another origin, and the `HttpTransport` layer on top of it. Blob digests use the portable
 * default of `Sha256`.
 *
 * @since 0.1.0
 */
import { FetchHttpClient, type HttpClient } from "@effect/platform"
import { Layer } from "effect"
import type { InvalidArgument, InvalidHeaderValue } from "../jmap/Errors.js"
import * as HttpTransport from "../jmap/HttpTransport.js"

/** Options of the browser `HttpClient`. */
export interface BrowserHttpOptions {
  /**
   * `fetch`'s credentials mode: `"include"` sends cookies to the JMAP server on another origin (a
   * cookie session; the server must allow it with CORS credentials), `"omit"` never sends them.
   * Default: `fetch`'s own (`"same-origin"`).
   */
  readonly credentials?: RequestCredentials | undefined
}

/** A `fetch` `HttpClient` with the given credentials mode. */
export const layerHttpClient = (options: BrowserHttpOptions = {}): Layer.Layer<HttpClient.HttpClient> =>
  options.credentials === undefined
    ? FetchHttpClient.layer
    : FetchHttpClient.layer.pipe(
      Layer.provide(Layer.succeed(FetchHttpClient.RequestInit, { credentials: options.credentials }))
    )

/** `HttpTransport` over `fetch`: `layer({ url, auth })` needs nothing else. */
export const layer = (
  options: HttpTransport.Options & BrowserHttpOptions
): Layer.Layer<HttpTransport.HttpTransport, InvalidArgument | InvalidHeaderValue> =>
  HttpTransport.layer(options).pipe(Layer.provide(layerHttpClient(options)))
