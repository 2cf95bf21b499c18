/**
 * RFC 8620 §2 Session resource, its accounts and the core capability, plus the RFC 8887 §4
 * WebSocket capability. Capability objects are kept raw (`JsonObject`) so that extension
 * capabilities are never stripped; decode them on demand with `SessionService.capability`.
 *
 * @since 0.1.0
 */
import { Either, Schema } from "effect"
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
