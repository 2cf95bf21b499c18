/**
 * `HttpTransport`: every HTTP exchange with a JMAP server (RFC 8620 §2 session, §3 API, §6 blobs,
 * §7.3 EventSource), built on `@effect/platform` `HttpClient`, with body caps enforced while
 * streaming, typed errors, credentials scoped to the configured origin, and retries of idempotent
 * requests that honour `Retry-After`.
 *
 * @since 0.1.0
 */
import { HttpClient, HttpClientRequest, type HttpClientResponse } from "@effect/platform"
import {
  Clock,
  Config,
  type ConfigError,
  Context,
  Duration,
  Effect,
  Either,
  Layer,
  Option,
  Redacted,
  Schedule,
  type Scope,
  Stream
} from "effect"
import * as Auth from "./Auth.js"
import { type ClientConfig, type ClientConfigInput, makeClientConfig } from "./ClientConfig.js"
import {
  type AuthFailed,
  BlobIntegrityMismatch,
  BlobNotFound,
  HttpError,
  InvalidArgument,
  InvalidHeaderValue,
  InvalidSession,
  ParseError,
  type RateLimited,
  redactUrl,
  type RequestError,
  type ResponseTooLarge,
  SerializeError,
  UnexpectedResponse
} from "./Errors.js"
import {
  capStream,
  credentialOrigin,
  failStatus,
  fromPlatformError,
  httpUrl,
  parseBaseUrl,
  parseServerUrl,
  readCapped
} from "./internal/http.js"
import { decodeJson } from "./internal/json.js"
import { timeoutFail } from "./internal/timeout.js"
import { checkEventStreamContentType } from "./push/EventSourceStream.js"
import { BlobUploadResponse, resolveSessionUrls, Session, withRedactedInspection } from "./Session.js"
import * as Sha256 from "./Sha256.js"
import { expandTemplate, templateVariables } from "./UriTemplate.js"
import { JmapRequest, JmapResponse } from "./Wire.js"

/** The errors of one HTTP exchange, before its body is decoded. */
export type ExchangeError = HttpError | AuthFailed | RateLimited | RequestError | ResponseTooLarge

/** Errors of {@link Service.fetchSession}. */
export type FetchSessionError = ExchangeError | ParseError | InvalidSession | InvalidHeaderValue

/** Errors of {@link Service.call}. */
export type CallError = ExchangeError | ParseError | InvalidArgument | SerializeError | InvalidHeaderValue

/** Errors of {@link Service.upload}. */
export type UploadError =
  | ExchangeError
  | ParseError
  | InvalidArgument
  | InvalidSession
  | InvalidHeaderValue
  | UnexpectedResponse
  | BlobIntegrityMismatch

/** Errors of {@link Service.download} and {@link Service.downloadStream}. */
export type DownloadError =
  | ExchangeError
  | InvalidArgument
  | InvalidSession
  | InvalidHeaderValue
  | BlobIntegrityMismatch
  | BlobNotFound

/** Errors of opening an EventSource connection ({@link Service.openEventSource}). */
export type EventSourceOpenError = ExchangeError | InvalidArgument | InvalidHeaderValue | UnexpectedResponse

/** The Session resource and the URL it was finally served from (after redirects), for resolving relative URLs. */
export interface FetchedSession {
  readonly session: Session
  readonly url: string
}

/** Options of {@link Service.call}. */
export interface CallOptions {
  /**
   * Whether the request may be retried after a transient failure. Defaults to true exactly when
   * every method is a read (`/get`, `/changes`, `/query`, `/queryChanges`, `Blob/lookup`, `Core/echo`).
   */
  readonly idempotent?: boolean
}

/** Options of {@link Service.upload} (RFC 8620 §6.1). */
export interface UploadOptions<E = never> {
  /** The session's `uploadUrl` template (absolute). */
  readonly uploadUrl: string
  readonly accountId: string
  readonly contentType: string
  readonly body: Uint8Array | Stream.Stream<Uint8Array, E>
}

/** Options of {@link Service.download} (RFC 8620 §6.2). */
export interface DownloadOptions {
  /** The session's `downloadUrl` template (absolute). */
  readonly downloadUrl: string
  readonly accountId: string
  readonly blobId: string
  readonly name: string
  /** Sent as `{type}`; the empty string when absent. */
  readonly type?: string
  /** Lowercase hex SHA-256 the bytes must have (draft-atwood-jmap-cid-00); mismatch → `BlobIntegrityMismatch`. */
  readonly expectedSha256?: string
}

/** Options of {@link Service.downloadStream}. */
export interface DownloadStreamOptions extends DownloadOptions {
  /** Optional cap on the streamed bytes (unbounded by default: nothing is buffered). */
  readonly maxBytes?: number
}

/** The operations of an `HttpTransport`. Every method has `R = never`. */
export interface Service {
  /** The configured origin, e.g. `https://jmap.example.com`. Credentials are only sent here (and to `trustedOrigins`). */
  readonly origin: string
  /**
   * Where the Session is fetched from: `{origin}/.well-known/jmap` (RFC 8620 §2.2) when the
   * configured URL is a bare origin, else the configured Session resource URL.
   */
  readonly sessionUrl: string
  readonly config: ClientConfig
  /**
   * `GET {sessionUrl}` (RFC 8620 §2, §2.2), following redirects (credentials only to trusted
   * origins, hop by hop); decoded, with its URLs resolved against the final URL and required to be
   * http(s).
   */
  readonly fetchSession: Effect.Effect<FetchedSession, FetchSessionError>
  /** POSTs a Request to `apiUrl` (RFC 8620 §3.1) and decodes the Response envelope. */
  readonly call: (apiUrl: string, request: JmapRequest, options?: CallOptions) => Effect.Effect<JmapResponse, CallError>
  /** Uploads a blob (RFC 8620 §6.1), checking size and the server's SHA-256 against local ones. */
  readonly upload: <E = never>(options: UploadOptions<E>) => Effect.Effect<BlobUploadResponse, UploadError | E>
  /**
   * Downloads a blob into memory (capped by `maxDownloadBytes`), optionally checking its SHA-256;
   * a 404 is `BlobNotFound`.
   */
  readonly download: (options: DownloadOptions) => Effect.Effect<Uint8Array, DownloadError>
  /** Streams a blob without buffering it; a 404 is `BlobNotFound`, a SHA-256 mismatch fails the stream at its end. */
  readonly downloadStream: (options: DownloadStreamOptions) => Stream.Stream<Uint8Array, DownloadError>
  /**
   * Opens an EventSource connection (RFC 8620 §7.3) with `Accept: text/event-stream`, auth and
   * `Last-Event-ID`, and returns its raw body; the connection lives as long as the scope.
   */
  readonly openEventSource: (
    url: string,
    options?: { readonly lastEventId?: string | undefined }
  ) => Effect.Effect<Stream.Stream<Uint8Array, HttpError>, EventSourceOpenError, Scope.Scope>
  /** The authentication headers for `url` (empty unless its origin is trusted), e.g. for a WebSocket upgrade. */
  readonly authHeaders: (
    url: string
  ) => Effect.Effect<Readonly<Record<string, string>>, AuthFailed | InvalidHeaderValue>
}

/** Options of {@link make}. */
export interface Options {
  /**
   * The server: its origin (`https://host[:port]`), whose Session is discovered at
   * `/.well-known/jmap` (RFC 8620 §2.2), or the Session resource's own URL
   * (`https://host/jmap/session`), fetched as is. Credentials go to this URL's origin only (and to
   * `trustedOrigins`). User-info, a query or a fragment is refused with `InvalidArgument`, without
   * echoing the URL: credentials belong in `auth`.
   */
  readonly url: string
  readonly auth?: Auth.Auth
  readonly config?: ClientConfigInput
  /** Further origins that may receive credentials (e.g. an API host the session points to). */
  readonly trustedOrigins?: ReadonlyArray<string>
  /** Maximum redirects followed when fetching the session. Default 5. */
  readonly maxRedirects?: number
}

/** The `HttpTransport` service tag. */
export class HttpTransport extends Context.Tag("effect-jmap-chat/HttpTransport")<HttpTransport, Service>() {}

const idempotentSuffixes = ["/get", "/changes", "/query", "/queryChanges"]
const idempotentMethods = new Set(["Blob/lookup", "Core/echo"])

/** True when every method of `request` only reads (so a retry cannot repeat a write). */
export const isIdempotentRequest = (request: JmapRequest): boolean =>
  request.methodCalls.every(([name]) => idempotentMethods.has(name) || idempotentSuffixes.some((s) => name.endsWith(s)))

/** A header value's bytes (RFC 9110 §5.5): the UTF-8 octets of `value`, one character each. */
const utf8Octets = (value: string): string => {
  let out = ""
  for (const byte of new TextEncoder().encode(value)) out += String.fromCharCode(byte)
  return out
}

const sha256Pattern = /^[0-9a-f]{64}$/

const redirectStatuses = new Set([301, 302, 303, 307, 308])

/**
 * Builds the transport: validates the base URL, auth and config before any I/O (failing with
 * `InvalidArgument` / `InvalidHeaderValue`), and captures the `HttpClient`.
 */
export const make = (
  options: Options
): Effect.Effect<Service, InvalidArgument | InvalidHeaderValue, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const { origin, sessionUrl } = yield* parseServerUrl(options.url)
    const auth = options.auth ?? Auth.none
    yield* Auth.validate(auth)
    const config = yield* makeClientConfig(options.config)
    const trusted = new Set<string>([origin])
    for (const o of options.trustedOrigins ?? []) {
      const parsed = yield* parseBaseUrl(o, "trusted origin")
      trusted.add(parsed)
    }
    const maxRedirects = options.maxRedirects ?? 5
    const sha256 = yield* Sha256.Sha256
    // Each exchange is traced by our own span (`HttpTransport.call`, …) with the method, host and
    // status, never the query or headers. The platform's request span is off: it records
    // `url.full`/`url.query` (a query may carry a token, e.g. `?access_token=` on event-source
    // URLs) and every header not on its redaction list (a custom auth header is not), and it cost
    // about a sixth of a call's client CPU.
    const client = (yield* HttpClient.HttpClient).pipe(
      HttpClient.withTracerPropagation(false),
      HttpClient.withTracerDisabledWhen(() => true)
    )

    const authHeaders = (url: string): Effect.Effect<Record<string, string>, AuthFailed | InvalidHeaderValue> => {
      const target = credentialOrigin(url)
      if (target === undefined || !trusted.has(target)) return Effect.succeed({})
      return Effect.map(
        Auth.header(auth),
        Option.match({
          onNone: () => ({}),
          onSome: (h) => ({ [h.name]: Redacted.value(h.value) })
        })
      )
    }

    /** Sends one request with auth for trusted origins; non-2xx responses become typed errors. */
    const exchange = (
      request: HttpClientRequest.HttpClientRequest,
      accept: (status: number) => boolean = (s) => s >= 200 && s < 300
    ): Effect.Effect<HttpClientResponse.HttpClientResponse, ExchangeError | InvalidHeaderValue> =>
      Effect.gen(function*() {
        const headers = yield* authHeaders(request.url)
        const response = yield* client.execute(HttpClientRequest.setHeaders(request, headers)).pipe(
          Effect.mapError(fromPlatformError(request.method, request.url))
        )
        yield* Effect.annotateCurrentSpan({
          "http.request.method": request.method,
          "http.response.status_code": response.status
        })
        if (accept(response.status)) return response
        const now = yield* Clock.currentTimeMillis
        return yield* failStatus(response, request.method, request.url, now)
      })

    const withTimeout = <A, E, R>(self: Effect.Effect<A, E, R>, method: string, url: string) =>
      timeoutFail(self, config.requestTimeout, () =>
        new HttpError({
          reason: "Timeout",
          method,
          url: redactUrl(url),
          description: `no complete response within ${Duration.format(config.requestTimeout)}`
        }))

    const retryable = (error: unknown): boolean => {
      if (typeof error !== "object" || error === null || !("_tag" in error)) return false
      if (error instanceof HttpError) {
        return error.isTransient &&
          (error.retryAfter === undefined || Duration.lessThanOrEqualTo(error.retryAfter, config.maxRetryAfter))
      }
      if ((error as { _tag: string })._tag === "RateLimited") {
        const after = (error as RateLimited).retryAfter
        return after === undefined || Duration.lessThanOrEqualTo(after, config.maxRetryAfter)
      }
      return false
    }

    /**
     * Retries an idempotent exchange on transient failures; a `Retry-After` lengthens the delay.
     * The schedule is only started once an attempt has failed: the first retry replays that
     * failure to it, so a call that succeeds at once pays nothing for being retryable.
     */
    const withRetry = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
      Effect.catchIf(self, retryable, (first) => {
        let replay = true
        return Effect.retry(
          Effect.suspend(() => {
            if (!replay) return self
            replay = false
            return Effect.fail(first)
          }),
          {
            schedule: config.retrySchedule.pipe(
              Schedule.intersect(Schedule.identity<E>()),
              Schedule.modifyDelay(([, error], delay) => {
                const after = (error as { readonly retryAfter?: Duration.Duration }).retryAfter
                return after !== undefined && Duration.greaterThan(after, delay) ? after : delay
              })
            ),
            while: retryable
          }
        )
      })

    const fetchSession: Service["fetchSession"] = Effect.gen(function*() {
      let url = sessionUrl
      for (let hop = 0;; hop++) {
        const response = yield* exchange(
          HttpClientRequest.get(url).pipe(HttpClientRequest.acceptJson),
          (s) => (s >= 200 && s < 300) || redirectStatuses.has(s)
        )
        if (redirectStatuses.has(response.status)) {
          const location = response.headers["location"]
          if (location === undefined || hop >= maxRedirects) {
            return yield* new HttpError({
              reason: "Redirect",
              method: "GET",
              url: redactUrl(url),
              status: response.status,
              description: location === undefined ? "redirect without Location" : `more than ${maxRedirects} redirects`
            })
          }
          const next = httpUrl(new URL(location, url).href, "session redirect")
          if (Either.isLeft(next)) {
            return yield* new HttpError({
              reason: "Redirect",
              method: "GET",
              url: redactUrl(url),
              description: "redirect to a non-http(s) URL"
            })
          }
          url = next.right.href
          continue
        }
        const bytes = yield* readCapped(response, config.maxSessionBytes, "GET", url)
        const decoded = yield* decodeJson(Session, bytes, "Session")
        const session = yield* resolveSessionUrls(decoded, url)
        return { session: withRedactedInspection(session), url }
      }
    }).pipe(
      (self) => withTimeout(self, "GET", sessionUrl),
      withRetry,
      Effect.withSpan("HttpTransport.fetchSession", { captureStackTrace: false, attributes: { "jmap.origin": origin } })
    )

    const call: Service["call"] = (apiUrl, request, callOptions) =>
      Effect.gen(function*() {
        const url = yield* httpUrl(apiUrl, "apiUrl")
        const body = yield* Effect.try({
          try: () => JSON.stringify(request),
          catch: (e) => new SerializeError({ description: e instanceof Error ? e.message : "request is not JSON" })
        })
        const attempt = Effect.gen(function*() {
          const response = yield* exchange(
            HttpClientRequest.post(url.href).pipe(
              HttpClientRequest.acceptJson,
              HttpClientRequest.bodyText(body, "application/json")
            )
          )
          const bytes = yield* readCapped(response, config.maxCallBytes, "POST", url.href)
          return yield* decodeJson(JmapResponse, bytes, "JMAP response")
        }).pipe((self) => withTimeout(self, "POST", url.href))
        return yield* (callOptions?.idempotent ?? isIdempotentRequest(request)) ? withRetry(attempt) : attempt
      }).pipe(
        Effect.withSpan("HttpTransport.call", {
          captureStackTrace: false,
          attributes: {
            "jmap.methods": request.methodCalls.map(([name]) => name).join(","),
            "jmap.call_count": request.methodCalls.length
          }
        })
      )

    const upload: Service["upload"] = <E>(o: UploadOptions<E>) =>
      Effect.gen(function*() {
        yield* httpUrl(o.uploadUrl, "uploadUrl")
        if (!Auth.isHeaderValue(o.contentType) || o.contentType === "") {
          return yield* new InvalidHeaderValue({ description: "upload content type is not a legal header value" })
        }
        const extra = templateVariables(o.uploadUrl).filter((v) => v !== "accountId")
        if (extra.length > 0) {
          return yield* new InvalidSession({
            description: `uploadUrl uses variables other than accountId: ${extra.join(", ")}`
          })
        }
        const url = yield* expandTemplate(o.uploadUrl, { accountId: o.accountId })
        const hash = sha256.create()
        let size = 0
        const request = HttpClientRequest.post(url).pipe(HttpClientRequest.acceptJson)
        const withBody = o.body instanceof Uint8Array
          ? (hash.update(o.body),
            size = o.body.length,
            HttpClientRequest.bodyUint8Array(request, o.body, o.contentType))
          : HttpClientRequest.bodyStream(
            request,
            Stream.tap(o.body, (chunk) =>
              Effect.sync(() => {
                hash.update(chunk)
                size += chunk.length
              })),
            { contentType: o.contentType }
          )
        const response = yield* exchange(withBody)
        const bytes = yield* readCapped(response, config.maxUploadResponseBytes, "POST", url)
        const reply = yield* decodeJson(BlobUploadResponse, bytes, "upload response")
        if (reply.size !== size) {
          return yield* new UnexpectedResponse({
            description: `blob upload size mismatch: client uploaded ${size} bytes, server reports ${reply.size} bytes`
          })
        }
        const local = hash.digestHex()
        if (reply.sha256 !== undefined && !Sha256.sameDigest(local, reply.sha256)) {
          return yield* new BlobIntegrityMismatch({ expected: local, actual: reply.sha256 })
        }
        return reply
      }).pipe(
        // A streamed body may be slow by nature; the timeout still bounds a stalled server.
        (self) => withTimeout(self, "POST", o.uploadUrl),
        Effect.withSpan("HttpTransport.upload", {
          captureStackTrace: false,
          attributes: { "jmap.account_id": o.accountId }
        })
      ) as Effect.Effect<BlobUploadResponse, UploadError | E>

    const downloadRequest = (o: DownloadOptions) =>
      Effect.gen(function*() {
        yield* httpUrl(o.downloadUrl, "downloadUrl")
        if (o.expectedSha256 !== undefined && !sha256Pattern.test(o.expectedSha256)) {
          return yield* new InvalidArgument({ description: "expectedSha256 must be 64 lowercase hex digits" })
        }
        const url = yield* expandTemplate(o.downloadUrl, {
          accountId: o.accountId,
          blobId: o.blobId,
          name: o.name,
          type: o.type ?? ""
        })
        return yield* httpUrl(url, "download URL")
      })

    /** The blob's GET; a 404 is `BlobNotFound` (RFC 8620 §6.2), other statuses stay as `exchange` maps them. */
    const fetchBlob = (o: DownloadOptions, url: URL) =>
      Effect.catchIf(
        exchange(HttpClientRequest.get(url.href)),
        (error) => (error._tag === "HttpError" || error._tag === "RequestError") && error.status === 404,
        () => Effect.fail(new BlobNotFound({ blobId: o.blobId, accountId: o.accountId, url: redactUrl(url.href) }))
      )

    const download: Service["download"] = (o) =>
      Effect.gen(function*() {
        const url = yield* downloadRequest(o)
        const bytes = yield* Effect.gen(function*() {
          const response = yield* fetchBlob(o, url)
          return yield* readCapped(response, config.maxDownloadBytes, "GET", url.href)
        }).pipe((self) => withTimeout(self, "GET", url.href), withRetry)
        if (o.expectedSha256 !== undefined) {
          const actual = Sha256.hex(sha256, bytes)
          if (!Sha256.sameDigest(o.expectedSha256, actual)) {
            return yield* new BlobIntegrityMismatch({ expected: o.expectedSha256, actual })
          }
        }
        return bytes
      }).pipe(
        Effect.withSpan("HttpTransport.download", {
          captureStackTrace: false,
          attributes: { "jmap.blob_id": o.blobId }
        })
      )

    const downloadStream: Service["downloadStream"] = (o) =>
      Stream.unwrapScoped(Effect.gen(function*() {
        const url = yield* downloadRequest(o)
        const response = yield* fetchBlob(o, url).pipe(
          (self) => withTimeout(self, "GET", url.href),
          withRetry
        )
        const body = Stream.mapError(response.stream, fromPlatformError("GET", url.href))
        const capped = o.maxBytes === undefined ? body : capStream(body, o.maxBytes, url.href)
        if (o.expectedSha256 === undefined) return capped
        const expected = o.expectedSha256
        const hash = sha256.create()
        return Stream.concat(
          Stream.tap(capped, (chunk) => Effect.sync(() => hash.update(chunk))),
          Stream.fromEffect(Effect.suspend(() => {
            const actual = hash.digestHex()
            return Sha256.sameDigest(expected, actual)
              ? Effect.void
              : Effect.fail(new BlobIntegrityMismatch({ expected, actual }))
          })).pipe(Stream.drain)
        )
      })).pipe(
        Stream.withSpan("HttpTransport.downloadStream", {
          captureStackTrace: false,
          attributes: { "jmap.blob_id": o.blobId }
        })
      )

    const openEventSource: Service["openEventSource"] = (rawUrl, eventOptions) =>
      Effect.gen(function*() {
        const url = yield* httpUrl(rawUrl, "eventSourceUrl")
        const lastEventId = eventOptions?.lastEventId
        const response = yield* exchange(
          HttpClientRequest.get(url.href).pipe(
            HttpClientRequest.setHeaders({
              accept: "text/event-stream",
              "cache-control": "no-cache",
              // Header values are bytes: a non-ASCII id (WHATWG allows any id without NUL, CR, LF)
              // is sent as its UTF-8 octets.
              ...(lastEventId === undefined
                ? {}
                : { "last-event-id": utf8Octets(lastEventId) })
            })
          )
        ).pipe((self) => withTimeout(self, "GET", url.href))
        yield* checkEventStreamContentType(response.headers)
        return Stream.mapError(response.stream, fromPlatformError("GET", url.href))
      }).pipe(Effect.withSpan("HttpTransport.openEventSource", { captureStackTrace: false }))

    return HttpTransport.of({
      origin,
      sessionUrl,
      config,
      fetchSession,
      call,
      upload,
      download,
      downloadStream,
      openEventSource,
      authHeaders
    })
  })

/** A layer from options; needs an `HttpClient` (e.g. `NodeHttpClient.layerUndici` or `FetchHttpClient.layer`). */
export const layer = (
  options: Options
): Layer.Layer<HttpTransport, InvalidArgument | InvalidHeaderValue, HttpClient.HttpClient> =>
  Layer.effect(HttpTransport, make(options))

/**
 * A layer configured from the environment: `JMAP_URL` (an origin or a Session URL, see
 * {@link Options.url}) plus `JMAP_TOKEN` (Bearer) or `JMAP_USERNAME` + `JMAP_PASSWORD` (Basic), or
 * none of them.
 */
export const layerConfig = (
  options: { readonly config?: ClientConfigInput; readonly trustedOrigins?: ReadonlyArray<string> } = {}
): Layer.Layer<HttpTransport, InvalidArgument | InvalidHeaderValue | ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.effect(
    HttpTransport,
    Effect.gen(function*() {
      const env = yield* Config.all({
        url: Config.string("JMAP_URL"),
        token: Config.option(Config.redacted("JMAP_TOKEN")),
        username: Config.option(Config.string("JMAP_USERNAME")),
        password: Config.option(Config.redacted("JMAP_PASSWORD"))
      })
      const auth = Option.isSome(env.token)
        ? Auth.bearer(env.token.value)
        : Option.isSome(env.username)
        ? Auth.basic(env.username.value, Option.getOrElse(env.password, () => Redacted.make("")))
        : Auth.none
      return yield* make({ ...options, url: env.url, auth })
    })
  )
