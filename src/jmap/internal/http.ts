/**
 * Boundary helpers of `HttpTransport`: server-URL rules, capped body reading, status → error mapping
 * and `Retry-After` parsing. Platform errors are mapped to the SDK's errors here, once.
 *
 * @internal
 */
import type { HttpClientError, HttpClientResponse } from "@effect/platform"
import { Duration, Effect, Either, Option, Schema, Stream } from "effect"
import {
  AuthFailed,
  HttpError,
  InvalidArgument,
  RateLimited,
  redactUrl,
  RequestError,
  ResponseTooLarge
} from "../Errors.js"
import { ProblemDetails } from "../Wire.js"
import { concat } from "./bytes.js"

/** Where a client finds a server: its origin (credentials go there) and the URL of its Session resource. */
export interface ServerUrl {
  /** `scheme://host[:port]`, without a trailing `/`. */
  readonly origin: string
  /**
   * The URL the Session is first fetched from: `{origin}/.well-known/jmap` for a bare origin (RFC
   * 8620 §2.2 discovery), else the given URL with its path (a Session resource URL, RFC 8620 §2).
   */
  readonly sessionUrl: string
}

/**
 * The checks shared by server URLs and origins: a valid http(s) URL without user-info, query or
 * fragment. Nothing of the input is echoed: it may carry a password or a token, which belong in
 * `auth`, and a server's URL has no use for them.
 */
const parseHttpServer = (input: string, what: string): Either.Either<URL, InvalidArgument> => {
  const invalid = (description: string) => Either.left(new InvalidArgument({ description: `${what} ${description}` }))
  if (input.trim() === "") return invalid("may not be empty")
  let url: URL
  try {
    url = new URL(input)
  } catch {
    return invalid("is not a valid URL")
  }
  if (url.username !== "" || url.password !== "") {
    return invalid("may not contain user-info; pass credentials as auth instead")
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return invalid(`scheme must be http or https, got: ${url.protocol.slice(0, 20)}`)
  }
  if (url.search !== "" || input.includes("?")) return invalid("must not have a query string")
  if (url.hash !== "" || input.includes("#")) return invalid("must not have a fragment")
  return Either.right(url)
}

const isBare = (url: URL): boolean => url.pathname === "/" || url.pathname === ""

/**
 * Validates the URL a client is given for a server (RFC 8620 §2, §2.2): an http(s) origin
 * (`https://host`, a trailing `/` allowed), whose Session is discovered at `/.well-known/jmap`, or
 * the URL of the Session resource itself (`https://host/jmap/session`), fetched as is. User-info,
 * query and fragment are refused (see `parseHttpServer`).
 */
export const parseServerUrl = (input: string): Either.Either<ServerUrl, InvalidArgument> =>
  Either.map(parseHttpServer(input, "server URL"), (url) => ({
    origin: url.origin,
    sessionUrl: isBare(url) ? `${url.origin}/.well-known/jmap` : `${url.origin}${url.pathname}`
  }))

/** Validates an origin (e.g. a trusted origin): like {@link parseServerUrl}, and no path either. */
export const parseBaseUrl = (input: string, what = "base URL"): Either.Either<string, InvalidArgument> =>
  Either.flatMap(parseHttpServer(input, what), (url) =>
    isBare(url)
      ? Either.right(url.origin)
      : Either.left(new InvalidArgument({ description: `${what} must not have a path component` })))

/** Parses `url` and requires an http(s) scheme (an SSRF guard for URLs that come from a server). */
export const httpUrl = (url: string, what: string): Either.Either<URL, InvalidArgument> => {
  try {
    const parsed = new URL(url)
    return parsed.protocol === "http:" || parsed.protocol === "https:"
      ? Either.right(parsed)
      : Either.left(
        new InvalidArgument({ description: `${what} must have an http or https scheme, got: ${parsed.protocol}` })
      )
  } catch {
    return Either.left(new InvalidArgument({ description: `${what} is not a valid absolute URL` }))
  }
}

/** The origin a ws(s) or http(s) URL would present credentials to, in http(s) form. */
export const credentialOrigin = (url: string): string | undefined => {
  try {
    const u = new URL(url)
    const protocol = u.protocol === "ws:" ? "http:" : u.protocol === "wss:" ? "https:" : u.protocol
    return `${protocol}//${u.host}`
  } catch {
    return undefined
  }
}

/** Maps a platform `HttpClientError` to the SDK's `HttpError`. */
export const fromPlatformError = (method: string, url: string) => (error: HttpClientError.HttpClientError): HttpError =>
  new HttpError({
    reason: error._tag === "RequestError"
      ? error.reason === "Transport"
        ? isTlsFailure(error.cause) ? "Tls" : isInvalidArgument(error.cause) ? "RequestBody" : "Connect"
        : error.reason === "Encode"
        ? "RequestBody"
        : "Other"
      : error.reason === "StatusCode"
      ? "Status"
      : "ResponseBody",
    method,
    url: redactUrl(url),
    ...(error._tag === "ResponseError" ? { status: error.response.status } : {}),
    description: describeCause(error.cause) ?? error.reason
  })

const errorCode = (cause: unknown): string | undefined => {
  for (let c = cause, depth = 0; c instanceof Error && depth < 4; c = c.cause, depth++) {
    const code = (c as { code?: unknown }).code
    if (typeof code === "string") return code
  }
  return undefined
}

/** The HTTP client refused the request before sending it (e.g. an illegal header value): retrying cannot help. */
const isInvalidArgument = (cause: unknown): boolean => errorCode(cause) === "UND_ERR_INVALID_ARG"

/** Certificate and handshake failures (Node/OpenSSL error codes): retrying cannot fix them. */
const isTlsFailure = (cause: unknown): boolean => {
  const code = errorCode(cause)
  return code !== undefined &&
    (code.includes("CERT") || code.startsWith("ERR_TLS") || code.startsWith("ERR_SSL") ||
      code.startsWith("UNABLE_TO_") || code.includes("SELF_SIGNED"))
}

const describeCause = (cause: unknown): string | undefined => {
  if (cause instanceof Error) {
    const code = errorCode(cause)
    const message = cause.cause instanceof Error ? cause.cause.message : cause.message
    return code === undefined ? message : `${code}: ${message}`
  }
  return undefined
}

/**
 * Parses `Retry-After` (RFC 9110 §10.2.3): delta-seconds or an HTTP-date, relative to `nowMillis`.
 * Malformed values are ignored.
 */
export const parseRetryAfter = (value: string | undefined, nowMillis: number): Option.Option<Duration.Duration> => {
  if (value === undefined) return Option.none()
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Option.some(Duration.seconds(Number(trimmed)))
  const date = Date.parse(trimmed)
  if (Number.isNaN(date) || !/[A-Za-z]/.test(trimmed)) return Option.none()
  return Option.some(Duration.millis(Math.max(0, date - nowMillis)))
}

/**
 * Reads a body into memory, failing with `ResponseTooLarge` as soon as it is known to exceed
 * `limit`: up front from `Content-Length`, otherwise from the running total while streaming, so a
 * never-ending body costs at most `limit` bytes.
 */
export const readCapped = (
  response: HttpClientResponse.HttpClientResponse,
  limit: number,
  method: string,
  url: string
): Effect.Effect<Uint8Array, ResponseTooLarge | HttpError> =>
  Effect.suspend(() => {
    const declared = contentLength(response)
    if (declared !== undefined && declared > limit) {
      return Effect.fail(new ResponseTooLarge({ limit, actual: declared, url: redactUrl(url) }))
    }
    if (declared !== undefined) {
      // HTTP framing bounds the body by Content-Length, so it can be read in one go (much faster
      // than streaming chunk by chunk).
      return response.arrayBuffer.pipe(
        Effect.mapError(fromPlatformError(method, url)),
        Effect.map((buffer) => new Uint8Array(buffer))
      )
    }
    const chunks: Array<Uint8Array> = []
    let total = 0
    return response.stream.pipe(
      Stream.mapError(fromPlatformError(method, url)),
      Stream.runForEachChunk((chunk) => {
        for (const bytes of chunk) {
          total += bytes.length
          if (total > limit) return Effect.fail(new ResponseTooLarge({ limit, url: redactUrl(url) }))
          chunks.push(bytes)
        }
        return Effect.void
      }),
      Effect.map(() => concat(chunks, total))
    )
  })

/** A body stream that fails with `ResponseTooLarge` once more than `limit` bytes have passed (no buffering). */
export const capStream = <E>(
  stream: Stream.Stream<Uint8Array, E>,
  limit: number,
  url: string
): Stream.Stream<Uint8Array, E | ResponseTooLarge> =>
  Stream.suspend(() => {
    let total = 0
    return Stream.mapChunksEffect(stream, (chunk) => {
      for (const bytes of chunk) total += bytes.length
      return total > limit ? Effect.fail(new ResponseTooLarge({ limit, url: redactUrl(url) })) : Effect.succeed(chunk)
    })
  })

/** The `Content-Length` of a response, when it is a valid number. */
export const contentLength = (response: HttpClientResponse.HttpClientResponse): number | undefined => {
  const raw = response.headers["content-length"]
  if (raw === undefined || !/^\d+$/.test(raw.trim())) return undefined
  return Number(raw)
}

const textDecoder = new TextDecoder("utf-8", { fatal: false })

/** Decodes UTF-8 bytes (a BOM is dropped; invalid sequences become U+FFFD). */
export const utf8 = (bytes: Uint8Array): string => textDecoder.decode(bytes)

/** How much of an error response is read to look for an RFC 7807 body. */
const errorBodyLimit = 64 * 1024

const isProblem = Schema.is(ProblemDetails)

/**
 * Maps a non-2xx response to the SDK's errors: 401/403 → `AuthFailed`, 429 → `RateLimited`
 * (with `Retry-After`), an RFC 7807 body with a JMAP error type → `RequestError`, anything else →
 * `HttpError` with the status. At most 64 KiB of the body is read.
 */
export const failStatus = (
  response: HttpClientResponse.HttpClientResponse,
  method: string,
  url: string,
  nowMillis: number
): Effect.Effect<never, HttpError | AuthFailed | RateLimited | RequestError> => {
  const status = response.status
  const safeUrl = redactUrl(url)
  const body = readCapped(response, errorBodyLimit, method, url).pipe(
    Effect.map((bytes) => {
      try {
        return JSON.parse(utf8(bytes)) as unknown
      } catch {
        return undefined
      }
    }),
    Effect.orElseSucceed(() => undefined)
  )
  if (status === 401 || status === 403) {
    return Effect.flatMap(body, () => Effect.fail(new AuthFailed({ status, url: safeUrl })))
  }
  const retryAfter = parseRetryAfter(response.headers["retry-after"], nowMillis)
  if (status === 429) {
    return Effect.flatMap(body, () =>
      Effect.fail(
        new RateLimited({ url: safeUrl, ...(Option.isSome(retryAfter) ? { retryAfter: retryAfter.value } : {}) })
      ))
  }
  return Effect.flatMap(body, (json): Effect.Effect<never, HttpError | RequestError> => {
    if (isProblem(json) && json.type.startsWith("urn:ietf:params:jmap:error:")) {
      return Effect.fail(
        new RequestError({
          type: json.type,
          status: json.status ?? status,
          ...(json.title === undefined ? {} : { title: json.title }),
          ...(json.detail === undefined ? {} : { detail: json.detail }),
          ...(json.limit === undefined ? {} : { limit: json.limit })
        })
      )
    }
    return Effect.fail(
      new HttpError({
        reason: "Status",
        method,
        url: safeUrl,
        status,
        ...(Option.isSome(retryAfter) ? { retryAfter: retryAfter.value } : {})
      })
    )
  })
}
