/**
 * The optimistic writes of a `ChatStore`: sending a message, reacting, editing and marking read
 * (draft-atwood-jmap-chat-00 §Message/set, §ReadPosition/set). Each is shown at once, sent in
 * order, retried while its failure is transient, and kept (persisted) until the server confirmed
 * it or the user discarded it.
 *
 * Sending is made safe to retry with the one client-chosen value the draft echoes back: the draft
 * has no idempotency key or client-assigned id for `Message/set` create (ids are assigned by the
 * receiving mailbox, `senderMsgId` by the server, and creation ids live for one Request only), but
 * `sentAt` is set by the client and stored verbatim. Every send gets a `sentAt` of its own, to the
 * millisecond, and before a send that may have reached the server is sent again, the store looks
 * for the owner's message with that `sentAt` in the chat ({@link matchesSend}).
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import {
  AuthFailed,
  type ClientError,
  InvalidArgument,
  InvalidHeaderValue,
  InvalidSession,
  MethodError,
  MethodNotFound,
  ObjectGone,
  ParseError,
  RequestError,
  ResponseTooLarge,
  SerializeError,
  SetFailed,
  UnexpectedResponse
} from "../../jmap/Errors.js"
import { UTCDate } from "../../jmap/Primitives.js"
import { MessageCreateInput } from "../client/Inputs.js"
import { BodyType } from "../Enums.js"
import { isSelf, type Message } from "../Message.js"
import type { ReadPosition } from "../ReadPosition.js"

/** `Message/set` create; `input.sentAt` is always set (it identifies the message, see the module doc). */
export const Send = Schema.TaggedStruct("Send", { writeId: Schema.String, input: MessageCreateInput })
/** @see {@link Send} */
export type Send = typeof Send.Type

/** A reaction added (`reaction`) or removed (`null`) under `reactionId` (core draft §Reaction). */
export const React = Schema.TaggedStruct("React", {
  writeId: Schema.String,
  messageId: Schema.String,
  reactionId: Schema.String,
  reaction: Schema.NullOr(Schema.Struct({
    emoji: Schema.String,
    customEmojiId: Schema.optionalWith(Schema.String, { exact: true }),
    sentAt: UTCDate
  }))
})
/** @see {@link React} */
export type React = typeof React.Type

/** An edit of one of the owner's messages. */
export const Edit = Schema.TaggedStruct("Edit", {
  writeId: Schema.String,
  messageId: Schema.String,
  body: Schema.String,
  bodyType: Schema.optionalWith(BodyType, { exact: true })
})
/** @see {@link Edit} */
export type Edit = typeof Edit.Type

/** The chat's ReadPosition moved to `messageId` (core draft §ReadPosition). */
export const MarkRead = Schema.TaggedStruct("MarkRead", {
  writeId: Schema.String,
  chatId: Schema.String,
  messageId: Schema.String
})
/** @see {@link MarkRead} */
export type MarkRead = typeof MarkRead.Type

/** Any optimistic write. */
export const Write = Schema.Union(Send, React, Edit, MarkRead)
/** @see {@link Write} */
export type Write = typeof Write.Type

/** What a write can fail with: the client's errors, and those of the single-object forms. */
export type WriteError = ClientError | SetFailed | ObjectGone

/**
 * Where a write is: `queued` (waiting for the writes before it), `sending`, `retrying` (a transient
 * failure: it is tried again), `failed` (the server refused it: retry or discard it), `confirmed`
 * (the server applied it; the entry goes once the store has synced past it).
 */
export type Status = "queued" | "sending" | "retrying" | "failed" | "confirmed"

/** A write and where it is. */
export interface Entry {
  readonly write: Write
  readonly status: Status
  /** Attempts started (each may have reached the server), the one under way included. */
  readonly attempts: number
  /** The last failure (`retrying`, `failed`). */
  readonly error: WriteError | undefined
  /** The server's object, once `confirmed`. */
  readonly result: Message | ReadPosition | undefined
  /** Once `confirmed`: the entry goes after the first sync round numbered above this one. */
  readonly settleAfter: number
}

/** A new entry, queued. */
export const entry = (write: Write, attempts = 0): Entry => ({
  write,
  status: "queued",
  attempts,
  error: undefined,
  result: undefined,
  settleAfter: 0
})

/** True for a write still to be done (not confirmed). */
export const isOpen = (self: Entry): boolean => self.status !== "confirmed"

/** True while the write's intent should show: it is not refused (`failed`). */
export const isShown = (self: Entry): boolean => self.status !== "failed"

/**
 * True for a failure worth trying again by itself: the connection or the server was momentarily
 * unavailable, or asked to slow down. Anything else (a refusal, an answer this client cannot
 * read) waits for the user to retry or discard the write.
 */
export const isTransient = (error: WriteError): boolean => {
  switch (error._tag) {
    case "HttpError":
      return error.isTransient || error.status === 429
    case "RateLimited":
    case "WebSocketError":
      return true
    default:
      return false
  }
}

/** The owner's message that `send` created: same chat and `sentAt`, and the body it was sent with. */
export const matchesSend = (send: Send, message: Message): boolean =>
  isSelf(message.senderId) && message.chatId === send.input.chatId && message.sentAt === send.input.sentAt &&
  (message.editHistory?.[0]?.body ?? message.body) === send.input.body

/** The failures a persisted write keeps (plain data; transient ones are simply tried again after a restart). */
const PersistedFailure = Schema.Union(
  SetFailed,
  MethodError,
  InvalidArgument,
  RequestError,
  AuthFailed,
  ObjectGone,
  InvalidSession,
  MethodNotFound,
  ParseError,
  UnexpectedResponse,
  ResponseTooLarge,
  SerializeError,
  InvalidHeaderValue
)

/** A write as persisted: still to do, or refused with its error. */
export const Persisted = Schema.Struct({
  write: Write,
  attempts: Schema.Number,
  failure: Schema.optionalWith(PersistedFailure, { exact: true })
})
/** @see {@link Persisted} */
export type Persisted = typeof Persisted.Type

const persistable = Schema.is(PersistedFailure)

/** The open writes, as persisted. */
export const persist = (entries: ReadonlyArray<Entry>): ReadonlyArray<Persisted> =>
  entries.filter(isOpen).map((e) =>
    e.status === "failed" && e.error !== undefined && persistable(e.error)
      ? { write: e.write, attempts: e.attempts, failure: e.error }
      : { write: e.write, attempts: e.attempts }
  )

/** The entries of persisted writes: refused ones stay `failed`, the others are queued again. */
export const restore = (persisted: ReadonlyArray<Persisted>): ReadonlyArray<Entry> =>
  persisted.map((p) =>
    p.failure === undefined
      ? entry(p.write, p.attempts)
      : { ...entry(p.write, p.attempts), status: "failed", error: p.failure }
  )
