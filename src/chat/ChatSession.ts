/**
 * What a JMAP Chat client reads from the RFC 8620 §2 Session (seed-api §2.8): the chat account,
 * its chat and chat-push capabilities, and which companion capabilities the server offers
 * (draft-atwood-jmap-chat-00 §Capability, the push and WSS drafts, draft-atwood-jmap-cid-00).
 *
 * @since 0.1.0
 */
import { Either, Option, type Schema } from "effect"
import type { ParseError } from "../jmap/Errors.js"
import { decodeValue } from "../jmap/internal/json.js"
import type { Id } from "../jmap/Primitives.js"
import type { Session } from "../jmap/Session.js"
import { CapabilityUri, ChatCapability, ChatPushCapability } from "./Capabilities.js"

const own = (o: object, key: string): unknown =>
  Object.prototype.hasOwnProperty.call(o, key) ? (o as Record<string, unknown>)[key] : undefined

const accountCapability = <A, I>(
  session: Session,
  accountId: string,
  uri: string,
  schema: Schema.Schema<A, I, never>
): Either.Either<Option.Option<A>, ParseError> => {
  const account = own(session.accounts, accountId) as Session["accounts"][string] | undefined
  const value = account === undefined ? undefined : own(account.accountCapabilities, uri)
  return value === undefined
    ? Either.right(Option.none())
    : Either.map(decodeValue(schema, value, `account capability ${uri}`), Option.some)
}

/** `primaryAccounts["urn:ietf:params:jmap:chat"]`: the account the chat methods act on. */
export const chatAccountId = (session: Session): Option.Option<Id> =>
  Option.fromNullable(own(session.primaryAccounts, CapabilityUri.chat) as Id | undefined)

/** The chat capability of `accountId` (core draft §Account-Level Capability Object); `None` when absent. */
export const chatCapability = (
  session: Session,
  accountId: string
): Either.Either<Option.Option<ChatCapability>, ParseError> =>
  accountCapability(session, accountId, CapabilityUri.chat, ChatCapability)

/** The chat-push capability of `accountId` (push draft §Capability); `None` when absent. */
export const chatPushCapability = (
  session: Session,
  accountId: string
): Either.Either<Option.Option<ChatPushCapability>, ParseError> =>
  accountCapability(session, accountId, CapabilityUri.chatPush, ChatPushCapability)

const has = (uri: string) => (session: Session): boolean => own(session.capabilities, uri) !== undefined

/** Whether the server sends typing and presence frames over RFC 8887 (WSS draft); the URL is in the WebSocket capability. */
export const supportsChatWebSocket: (session: Session) => boolean = has(CapabilityUri.chatWebSocket)
/** Whether result references may appear inside `/set` bodies and filters (draft-ietf-jmap-refplus). */
export const supportsRefplus: (session: Session) => boolean = has(CapabilityUri.refplus)
/** Whether `Quota/get` and `Quota/changes` are available (RFC 9425). */
export const supportsQuotas: (session: Session) => boolean = has(CapabilityUri.quota)
/** Whether upload responses carry `sha256` (draft-atwood-jmap-cid-00). */
export const supportsCid: (session: Session) => boolean = has(CapabilityUri.cid)
/** Whether `Blob/lookup` and `Blob/convert` are available (draft-ietf-jmap-blobext). */
export const supportsBlob2: (session: Session) => boolean = has(CapabilityUri.blob2)

/** The server's VAPID public key for Web Push (draft-ietf-jmap-webpush-vapid), when it is a string. */
export const vapidPublicKey = (session: Session): Option.Option<string> => {
  const capability = own(session.capabilities, CapabilityUri.webpushVapid)
  const key = typeof capability === "object" && capability !== null ? own(capability, "vapidPublicKey") : undefined
  return typeof key === "string" ? Option.some(key) : Option.none()
}
