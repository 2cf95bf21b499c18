/**
 * RFC 8620 §2 Session resource, its accounts and the core capability, plus the RFC 8887 §4
 * WebSocket capability. Capability objects are kept raw (`JsonObject`) so that extension
 * capabilities are never stripped; decode them on demand with `SessionService.capability`.
 *
 * @since 0.1.0
 */
import { Either, Schema } from "effect"
import { NodeInspectSymbol } from "effect/Inspectable"
import { InvalidSession } from "./Errors.js"
import { Id, JsonObject, OpenStruct, State, UnsignedInt } from "./Primitives.js"
import { resolveTemplate } from "./UriTemplate.js"

/** The core capability URI (RFC 8620 §2). */
export const CoreCapabilityUri = "urn:ietf:params:jmap:core"
/** The WebSocket capability URI (RFC 8887 §4). */
export const WebSocketCapabilityUri = "urn:ietf:params:jmap:websocket"

/** RFC 8620 §2 `urn:ietf:params:jmap:core` capability object: the server's limits. */
export const CoreCapability = OpenStruct({
  maxSizeUpload: UnsignedInt,
  maxConcurrentUpload: UnsignedInt,
  maxSizeRequest: UnsignedInt,
  maxConcurrentRequests: UnsignedInt,
  maxCallsInRequest: UnsignedInt,
  maxObjectsInGet: UnsignedInt,
  maxObjectsInSet: UnsignedInt,
  collationAlgorithms: Schema.Array(Schema.String)
}, "CoreCapability")
/** @see {@link CoreCapability} */
export type CoreCapability = typeof CoreCapability.Type

/** RFC 8887 §4 `urn:ietf:params:jmap:websocket` capability: the socket URL and whether push is offered. */
export const WebSocketCapability = OpenStruct({
  url: Schema.String,
  supportsPush: Schema.optionalWith(Schema.Boolean, { default: () => false })
}, "WebSocketCapability")
/** @see {@link WebSocketCapability} */
export type WebSocketCapability = typeof WebSocketCapability.Type

/** RFC 8620 §2 Account object. */
export const AccountInfo = OpenStruct({
  name: Schema.String,
  isPersonal: Schema.Boolean,
  isReadOnly: Schema.Boolean,
  accountCapabilities: JsonObject
}, "AccountInfo")
/** @see {@link AccountInfo} */
export type AccountInfo = typeof AccountInfo.Type

/**
 * RFC 8620 §2 Session resource. Every field is required; unknown fields are preserved. Map keys are
 * plain strings: a refined key schema would let Effect keep a non-matching entry unchecked.
 */
export const Session = OpenStruct({
  capabilities: JsonObject,
  accounts: Schema.Record({ key: Schema.String, value: AccountInfo }),
  primaryAccounts: Schema.Record({ key: Schema.String, value: Id }),
  username: Schema.String,
  apiUrl: Schema.String,
  downloadUrl: Schema.String,
  uploadUrl: Schema.String,
  eventSourceUrl: Schema.String,
  state: State
}, "Session")
/** @see {@link Session} */
export type Session = typeof Session.Type

/** RFC 8620 §6.1 blob upload response (with the `sha256` of draft-atwood-jmap-cid-00 §3 when offered). */
export const BlobUploadResponse = OpenStruct({
  accountId: Id,
  blobId: Id,
  type: Schema.String,
  size: UnsignedInt,
  sha256: Schema.optional(
    Schema.String.pipe(Schema.pattern(/^[0-9a-f]{64}$/, { message: () => "sha256 must be 64 lowercase hex digits" }))
  )
}, "BlobUploadResponse")
/** @see {@link BlobUploadResponse} */
export type BlobUploadResponse = typeof BlobUploadResponse.Type

const urlFields = ["apiUrl", "uploadUrl", "downloadUrl", "eventSourceUrl"] as const

/**
 * Checks the Session's URLs and resolves them against the URL the Session was served from (they
 * may be relative, RFC 8620 §2): each must be non-empty and http(s), else `InvalidSession`.
 */
export const resolveSessionUrls = (session: Session, base: string): Either.Either<Session, InvalidSession> => {
  const resolved: Record<string, string> = {}
  for (const field of urlFields) {
    if (session[field].trim() === "") return Either.left(new InvalidSession({ description: `${field} is empty` }))
    const url = resolveTemplate(session[field], base)
    if (Either.isLeft(url)) return Either.left(new InvalidSession({ description: `${field} is not a valid URL` }))
    const scheme = url.right.slice(0, url.right.indexOf(":")).toLowerCase()
    if (scheme !== "http" && scheme !== "https") {
      return Either.left(new InvalidSession({ description: `session URL has non-http/https scheme: ${field}` }))
    }
    resolved[field] = url.right
  }
  return Either.right({ ...session, ...resolved })
}

/**
 * Redacts a URL (or URL template) for display: each query parameter value and any fragment
 * becomes `<redacted>` (servers may put tokens there), except values that are exactly one
 * template variable such as `{types}`. Not a URL parser: templates are not URLs.
 */
export const redactUrlQuery = (url: string): string => {
  const hash = url.indexOf("#")
  const withoutHash = hash < 0 ? url : url.slice(0, hash)
  const question = withoutHash.indexOf("?")
  const head = question < 0 ? withoutHash : withoutHash.slice(0, question)
  const query = question < 0
    ? ""
    : "?" + withoutHash.slice(question + 1).split("&").map((pair) => {
      const eq = pair.indexOf("=")
      if (eq < 0) return pair === "" || /^\{[^{}]*\}$/.test(pair) ? pair : "<redacted>"
      const value = pair.slice(eq + 1)
      return /^\{[^{}]*\}$/.test(value) || value === "" ? pair : `${pair.slice(0, eq)}=<redacted>`
    }).join("&")
  return head + query + (hash < 0 ? "" : "#<redacted>")
}

const redactCapabilityUrls = (capabilities: Session["capabilities"]): Session["capabilities"] =>
  Object.fromEntries(
    Object.entries(capabilities).map(([uri, value]) => {
      if (typeof value !== "object" || value === null || Array.isArray(value)) return [uri, value]
      const url = (value as Record<string, unknown>)["url"]
      return [uri, typeof url === "string" ? { ...value, url: redactUrlQuery(url) } : value]
    })
  )

/**
 * What `inspect`, `console.log` and `JSON.stringify` show of a Session (RFC 8620 §2): the user
 * name, the state and the account names are hidden (they identify a person), and so are the query
 * values of its URLs and of capability `url`s (servers may put tokens there).
 */
export const redactSession = (session: Session): Record<string, unknown> => ({
  ...session,
  username: "<redacted>",
  state: "<opaque>",
  apiUrl: redactUrlQuery(session.apiUrl),
  downloadUrl: redactUrlQuery(session.downloadUrl),
  uploadUrl: redactUrlQuery(session.uploadUrl),
  eventSourceUrl: redactUrlQuery(session.eventSourceUrl),
  capabilities: redactCapabilityUrls(session.capabilities),
  accounts: Object.fromEntries(
    Object.entries(session.accounts).map(([id, account]) => [id, { ...account, name: "<redacted>" }])
  )
})

/**
 * Makes `inspect`/`console.log` and `toJSON` (so `JSON.stringify` and Effect's loggers) of
 * `session` show {@link redactSession}; the fields themselves are unchanged. Both are
 * non-enumerable, so spreading or encoding the Session (`Schema.encode(Session)`, which is how to
 * persist one) keeps every value.
 */
export const withRedactedInspection = (session: Session): Session => {
  const view = () => redactSession(session)
  Object.defineProperty(session, NodeInspectSymbol, { enumerable: false, configurable: true, value: view })
  Object.defineProperty(session, "toJSON", { enumerable: false, configurable: true, value: view })
  return session
}
