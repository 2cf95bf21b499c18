/**
 * The typed failures of the SDK: one `Schema.TaggedError` per failure kind (the variants of the
 * Rust client's `ClientError`, plus `RequestError` for RFC 8620 §3.6.1 / RFC 7807 problem bodies).
 * Messages are written for people and never contain a credential or a URL query string.
 *
 * @since 0.1.0
 */
import { Duration, ParseResult, Schema } from "effect"

const prefix = "effect-jmap-chat/"

/** Removes user-info, query and fragment from a URL so it can appear in an error or span. */
export const redactUrl = (url: string): string => {
  try {
    const u = new URL(url)
    return `${u.protocol}//${u.host}${u.pathname}`
  } catch {
    return "<invalid URL>"
  }
}

/**
 * Transport-level failure: DNS, TCP, TLS, timeout, a redirect loop, a broken body, or a non-2xx
 * status that has no more specific error (RFC 8620 gives none for it). `status` is set for the
 * latter.
 */
export class HttpError extends Schema.TaggedError<HttpError>(`${prefix}HttpError`)("HttpError", {
  reason: Schema.Literal(
    "Timeout",
    "Connect",
    "Tls",
    "Redirect",
    "Status",
    "RequestBody",
    "ResponseBody",
    "Decode",
    "Other"
  ),
  method: Schema.String,
  url: Schema.String,
  status: Schema.optional(Schema.Number),
  description: Schema.optional(Schema.String),
  /** A `Retry-After` the server sent with the status (e.g. 503), when it did. */
  retryAfter: Schema.optional(Schema.DurationFromSelf)
}) {
  /** The request did not complete within `ClientConfig.requestTimeout`. */
  get isTimeout(): boolean {
    return this.reason === "Timeout"
  }
  /** The server answered with a status this client treats as a failure. */
  get isStatus(): boolean {
    return this.reason === "Status"
  }
  /** The connection could not be made (DNS, TCP). Certificate failures are `reason: "Tls"` and never retried. */
  get isConnect(): boolean {
    return this.reason === "Connect"
  }
  /** A transient failure worth retrying for an idempotent request (timeouts, connection faults, 408/5xx). */
  get isTransient(): boolean {
    if (this.reason === "Status") {
      return this.status === 408 || this.status === 500 || this.status === 502 || this.status === 503 ||
        this.status === 504
    }
    return this.reason === "Timeout" || this.reason === "Connect" || this.reason === "ResponseBody" ||
      this.reason === "Other"
  }
  override get message(): string {
    const what = this.reason === "Status" ? `HTTP ${this.status ?? "?"}` : this.reason.toLowerCase()
    return `HTTP error (${what}) on ${this.method} ${this.url}` + (this.description ? `: ${this.description}` : "")
  }
}

/** HTTP 401 or 403 (RFC 8620 §3.1 authentication), on any request or on a push connection. */
export class AuthFailed extends Schema.TaggedError<AuthFailed>(`${prefix}AuthFailed`)("AuthFailed", {
  status: Schema.Number,
  url: Schema.String,
  description: Schema.optional(Schema.String)
}) {
  override get message(): string {
    return `authentication or authorization failure: HTTP ${this.status} on ${this.url}` +
      (this.description ? ` (${this.description})` : "")
  }
}

/** A response (or a capability, a push frame, a fixture) did not match its schema. `path` says where. */
export class ParseError extends Schema.TaggedError<ParseError>(`${prefix}ParseError`)("ParseError", {
  /** What was being decoded, e.g. `"Session"` or `"Message/get response"`. */
  subject: Schema.String,
  /** JSON path of the first failing value, e.g. `methodResponses[0][1].list[3].sentAt`; empty for the root. */
  path: Schema.String,
  description: Schema.String
}) {
  override get message(): string {
    return `parse error in ${this.subject}${this.path ? ` at ${this.path}` : ""}: ${this.description}`
  }

  /**
   * Builds a `ParseError` from an Effect Schema failure, keeping the path of the first issue
   * (after `at`, the path of the decoded value within what `subject` names).
   */
  static fromSchema(
    subject: string,
    error: ParseResult.ParseError,
    at: ReadonlyArray<PropertyKey> = []
  ): ParseError {
    const issues = ParseResult.ArrayFormatter.formatErrorSync(error)
    const first = issues[0]
    return new ParseError({
      subject,
      path: formatPath([...at, ...(first ? first.path : [])]),
      description: first ? first.message : error.message
    })
  }
}

const formatPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>((acc, key) => {
    if (typeof key === "number") return `${acc}[${key}]`
    const k = String(key)
    return /^[A-Za-z_$@][\w$@-]*$/.test(k) ? (acc === "" ? k : `${acc}.${k}`) : `${acc}[${JSON.stringify(k)}]`
  }, "")

/** The caller passed a value the SDK refuses before any I/O (empty ids, bad URLs, zero limits, …). */
export class InvalidArgument extends Schema.TaggedError<InvalidArgument>(`${prefix}InvalidArgument`)(
  "InvalidArgument",
  { description: Schema.String }
) {
  override get message(): string {
    return `invalid argument: ${this.description}`
  }
}

/** The server's Session object cannot be used (RFC 8620 §2): bad URLs, missing accounts or templates. */
export class InvalidSession extends Schema.TaggedError<InvalidSession>(`${prefix}InvalidSession`)("InvalidSession", {
  description: Schema.String
}) {
  override get message(): string {
    return `invalid session: ${this.description}`
  }
}

/** No invocation in `methodResponses` carries the call id that was asked for (RFC 8620 §3.4). */
export class MethodNotFound extends Schema.TaggedError<MethodNotFound>(`${prefix}MethodNotFound`)("MethodNotFound", {
  callId: Schema.String
}) {
  override get message(): string {
    return `method not found in response: no invocation with call id "${this.callId}"`
  }
}

/**
 * The server answered a method call with an `"error"` invocation (RFC 8620 §3.6.2). `type` is
 * open: unknown error types decode as they are.
 */
export class MethodError extends Schema.TaggedError<MethodError>(`${prefix}MethodError`)("MethodError", {
  type: Schema.String,
  description: Schema.optional(Schema.String),
  callId: Schema.optional(Schema.String),
  /** The method that was called, when known. */
  method: Schema.optional(Schema.String),
  /** The whole error object as the server sent it (extra fields such as `properties`). */
  arguments: Schema.optional(Schema.Unknown)
}) {
  override get message(): string {
    return `JMAP method error: ${this.type}` + (this.method ? ` (${this.method})` : "") +
      (this.description ? `: ${this.description}` : "")
  }
}

/** A blob's SHA-256 did not match (draft-atwood-jmap-cid-00): `expected` was stated up front, `actual` observed. */
export class BlobIntegrityMismatch extends Schema.TaggedError<BlobIntegrityMismatch>(`${prefix}BlobIntegrityMismatch`)(
  "BlobIntegrityMismatch",
  { expected: Schema.String, actual: Schema.String }
) {
  override get message(): string {
    return `blob integrity check failed: expected ${this.expected}, got ${this.actual}`
  }
}

/**
 * A blob download (RFC 8620 §6.2) was answered 404: the server has no blob `blobId` in the account,
 * or the caller may not read it. Distinct from other HTTP failures so callers can tell a missing
 * attachment from a broken connection; retrying will not help.
 */
export class BlobNotFound extends Schema.TaggedError<BlobNotFound>(`${prefix}BlobNotFound`)("BlobNotFound", {
  blobId: Schema.String,
  accountId: Schema.String,
  /** The download URL without its query string. */
  url: Schema.String
}) {
  override get message(): string {
    return `blob not found: the server has no blob ${JSON.stringify(this.blobId)} in account ${
      JSON.stringify(this.accountId)
    } (HTTP 404 on GET ${this.url})`
  }
}

/** A response body exceeded its cap from `ClientConfig`. `actual` is known when Content-Length said so. */
export class ResponseTooLarge extends Schema.TaggedError<ResponseTooLarge>(`${prefix}ResponseTooLarge`)(
  "ResponseTooLarge",
  { limit: Schema.Number, actual: Schema.optional(Schema.Number), url: Schema.optional(Schema.String) }
) {
  override get message(): string {
    return this.actual === undefined
      ? `response too large: exceeds limit of ${this.limit} bytes`
      : `response too large: ${this.actual} bytes exceeds limit of ${this.limit} bytes`
  }
}

/** One EventSource event was larger than `ClientConfig.maxSseFrame`; the stream ends. */
export class SseFrameTooLarge extends Schema.TaggedError<SseFrameTooLarge>(`${prefix}SseFrameTooLarge`)(
  "SseFrameTooLarge",
  { limit: Schema.Number }
) {
  override get message(): string {
    return `SSE frame too large (limit: ${this.limit} bytes)`
  }
}

/** RFC 8887 WebSocket failure: connect, handshake, I/O, protocol, capacity or close. */
export class WebSocketError extends Schema.TaggedError<WebSocketError>(`${prefix}WebSocketError`)("WebSocketError", {
  reason: Schema.Literal("ConnectionClosed", "Url", "Protocol", "Capacity", "Io", "Timeout", "Other"),
  closeCode: Schema.optional(Schema.Number),
  description: Schema.String
}) {
  override get message(): string {
    return `WebSocket error (${this.reason}${
      this.closeCode === undefined ? "" : ` ${this.closeCode}`
    }): ${this.description}`
  }
}

/** The server answered in a way the protocol does not allow (wrong content type, size mismatch, binary frame, …). */
export class UnexpectedResponse extends Schema.TaggedError<UnexpectedResponse>(`${prefix}UnexpectedResponse`)(
  "UnexpectedResponse",
  { description: Schema.String }
) {
  override get message(): string {
    return `unexpected server response: ${this.description}`
  }
}

/** A request could not be serialised to JSON (e.g. a cycle or a BigInt in user-supplied arguments). */
export class SerializeError extends Schema.TaggedError<SerializeError>(`${prefix}SerializeError`)("SerializeError", {
  description: Schema.String
}) {
  override get message(): string {
    return `serialization error: ${this.description}`
  }
}

/** A header value (credential, content type) is not a legal HTTP header value. The value is never echoed. */
export class InvalidHeaderValue extends Schema.TaggedError<InvalidHeaderValue>(`${prefix}InvalidHeaderValue`)(
  "InvalidHeaderValue",
  { description: Schema.String }
) {
  override get message(): string {
    return `invalid header value: ${this.description}`
  }
}

/**
 * The server asked the client to slow down: HTTP 429 with `Retry-After` (RFC 9110 §10.2.3), or a
 * `rateLimited` SetError of a capability that defines one (e.g. JMAP Chat's `Message/set`,
 * draft-atwood-jmap-chat-00), with `serverRetryAfter` when the server sent one. With neither `retryAfter` nor `serverRetryAfter` the retry time is unknown.
 */
export class RateLimited extends Schema.TaggedError<RateLimited>(`${prefix}RateLimited`)("RateLimited", {
  /** How long to wait, when the server said. */
  retryAfter: Schema.optional(Schema.DurationFromSelf),
  /** The `serverRetryAfter` UTCDate of a `rateLimited` SetError, verbatim. */
  serverRetryAfter: Schema.optional(Schema.String),
  url: Schema.optional(Schema.String)
}) {
  override get message(): string {
    if (this.serverRetryAfter !== undefined) return `rate limited; retry after ${this.serverRetryAfter}`
    if (this.retryAfter !== undefined) return `rate limited; retry after ${Duration.format(this.retryAfter)}`
    return "rate limited"
  }
}

/**
 * A request-level error (RFC 8620 §3.6.1): an RFC 7807 problem body such as
 * `urn:ietf:params:jmap:error:limit` or `…:notRequest`, over HTTP or as an RFC 8887 `RequestError` frame.
 */
export class RequestError extends Schema.TaggedError<RequestError>(`${prefix}RequestError`)("RequestError", {
  type: Schema.String,
  status: Schema.optional(Schema.Number),
  title: Schema.optional(Schema.String),
  detail: Schema.optional(Schema.String),
  /** For `urn:ietf:params:jmap:error:limit`: the name of the limit that was hit. */
  limit: Schema.optional(Schema.String)
}) {
  override get message(): string {
    return `request error: ${this.type}` + (this.limit ? ` (limit: ${this.limit})` : "") +
      (this.detail ? `: ${this.detail}` : this.title ? `: ${this.title}` : "")
  }
}

/**
 * One object of a `/set` call was rejected (RFC 8620 §5.3 `notCreated` / `notUpdated` /
 * `notDestroyed`): raised by the single-object convenience forms so a rejected write is never
 * silently lost. `type` is the SetError type (open), `error` the whole SetError object.
 */
export class SetFailed extends Schema.TaggedError<SetFailed>(`${prefix}SetFailed`)("SetFailed", {
  operation: Schema.Literal("create", "update", "destroy"),
  /** The creation id (for create) or the object id. */
  id: Schema.String,
  method: Schema.String,
  type: Schema.String,
  description: Schema.optional(Schema.String),
  properties: Schema.optional(Schema.Array(Schema.String)),
  error: Schema.Unknown
}) {
  override get message(): string {
    return `${this.method} could not ${this.operation} ${this.id}: ${this.type}` +
      (this.properties && this.properties.length > 0 ? ` (${this.properties.join(", ")})` : "") +
      (this.description ? `: ${this.description}` : "")
  }
}

/**
 * A write succeeded but its object no longer exists: the server reported the update (RFC 8620 §5.3
 * `updated`) and then has no such object (§5.1 `notFound`): the update itself destroyed it, as
 * marking a JMAP Chat `burnOnRead` message read does (the receiving server hard-deletes it right
 * after setting `readAt`, draft-atwood-jmap-chat-00 §Message). Nothing is to be retried; drop the
 * object from caches (`/changes` reports it destroyed).
 */
export class ObjectGone extends Schema.TaggedError<ObjectGone>(`${prefix}ObjectGone`)("ObjectGone", {
  operation: Schema.Literal("update"),
  id: Schema.String,
  method: Schema.String
}) {
  override get message(): string {
    return `${this.method} applied the ${this.operation} of ${this.id}, and the server no longer has it ` +
      "(destroyed by the update, as a burnOnRead message is once read)"
  }
}

/** Every failure the SDK can produce. Each public effect declares the subset it can actually fail with. */
export type ClientError =
  | HttpError
  | AuthFailed
  | ParseError
  | InvalidArgument
  | InvalidSession
  | MethodNotFound
  | MethodError
  | BlobIntegrityMismatch
  | BlobNotFound
  | ResponseTooLarge
  | SseFrameTooLarge
  | WebSocketError
  | UnexpectedResponse
  | SerializeError
  | InvalidHeaderValue
  | RateLimited
  | RequestError
  | SetFailed
  | ObjectGone

/** Schema of {@link ClientError}, e.g. to send errors across a worker or RPC boundary. */
export const ClientError = Schema.Union(
  HttpError,
  AuthFailed,
  ParseError,
  InvalidArgument,
  InvalidSession,
  MethodNotFound,
  MethodError,
  BlobIntegrityMismatch,
  BlobNotFound,
  ResponseTooLarge,
  SseFrameTooLarge,
  WebSocketError,
  UnexpectedResponse,
  SerializeError,
  InvalidHeaderValue,
  RateLimited,
  RequestError,
  SetFailed,
  ObjectGone
)

/** The failures of any HTTP exchange with the server (what `HttpTransport` maps platform errors to). */
export type TransportError = HttpError | AuthFailed | RateLimited | RequestError | ResponseTooLarge
