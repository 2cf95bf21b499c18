/**
 * The ephemeral-event frames of draft-atwood-jmap-chat-wss-00 §Ephemeral Chat Events: the client's
 * `ChatStreamEnable` / `ChatStreamDisable` subscription controls and the server's `ChatTypingEvent`
 * / `ChatPresenceEvent`. The event payloads double as the `data` of the core draft's EventSource
 * `typing` and `presence` events, which carry no `@type` (spec-digest §4.1, §7.16).
 *
 * All are open structs: unknown properties survive decode → encode.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { Id, OpenStruct, UTCDate } from "../../jmap/Primitives.js"
import { type ephemeralDataTypes, Presence } from "../Enums.js"

/** A `ChatStreamEnable.dataTypes` value: `"typing"`, `"presence"`, or a companion value such as `"vtc"`. */
export type ChatStreamDataType = (typeof ephemeralDataTypes)[number] | (string & {})

/**
 * `ChatStreamEnable` (c→s, WSS draft §Enabling Ephemeral Push): replaces the whole ephemeral
 * subscription. `dataTypes` must be non-empty and contain `"typing"` or `"presence"` (else the
 * server answers with an `invalidArguments` RequestError). `chatIds` scopes typing and `contactIds`
 * scopes presence; `null` (or absent) means all chats / all contacts. Not kept across connections:
 * re-send it after every reconnect.
 */
export const ChatStreamEnable = OpenStruct({
  "@type": Schema.tag("ChatStreamEnable"),
  dataTypes: Schema.Array(Schema.String),
  chatIds: Schema.optionalWith(Schema.NullOr(Schema.Array(Id)), { exact: true }),
  contactIds: Schema.optionalWith(Schema.NullOr(Schema.Array(Schema.String)), { exact: true })
}, "ChatStreamEnable")
/** @see {@link ChatStreamEnable} */
export type ChatStreamEnable = typeof ChatStreamEnable.Type

/** `ChatStreamDisable` (c→s, WSS draft §Disabling Ephemeral Push): stop all ephemeral events; push and the connection are unaffected. */
export const ChatStreamDisable = OpenStruct({
  "@type": Schema.tag("ChatStreamDisable")
}, "ChatStreamDisable")
/** @see {@link ChatStreamDisable} */
export type ChatStreamDisable = typeof ChatStreamDisable.Type

/**
 * `ChatTypingEvent` (s→c, WSS draft §ChatTypingEvent; core draft EventSource `typing`): `senderId`
 * (a ChatContact id, never `"self"`) started or stopped typing in `chatId`. Hide the indicator on
 * `typing: false`, or about 10 s after the last `true`.
 *
 * `@type` is optional and kept as received: the WebSocket frame has it, the EventSource data does not.
 */
export const ChatTypingEvent = OpenStruct({
  "@type": Schema.optionalWith(Schema.Literal("ChatTypingEvent"), { exact: true }),
  chatId: Id,
  senderId: Schema.String,
  typing: Schema.Boolean
}, "ChatTypingEvent")
/** @see {@link ChatTypingEvent} */
export type ChatTypingEvent = typeof ChatTypingEvent.Type

/**
 * `ChatPresenceEvent` (s→c, WSS draft §ChatPresenceEvent; core draft EventSource `presence`): a
 * delta for one contact. `presence` is always present; `lastActiveAt` when known. For `statusText`
 * and `statusEmoji`, an ABSENT property means "unchanged" and `null` means "cleared" (compliance
 * test 8.1); the two decode and re-encode distinctly.
 *
 * `@type` is optional and kept as received: the WebSocket frame has it, the EventSource data does not.
 * `lastActiveAt` also accepts `null` (lenient decoding, spec-digest §0.2).
 */
export const ChatPresenceEvent = OpenStruct({
  "@type": Schema.optionalWith(Schema.Literal("ChatPresenceEvent"), { exact: true }),
  contactId: Schema.String,
  presence: Presence,
  lastActiveAt: Schema.optionalWith(Schema.NullOr(UTCDate), { exact: true }),
  statusText: Schema.optionalWith(Schema.NullOr(Schema.String), { exact: true }),
  statusEmoji: Schema.optionalWith(Schema.NullOr(Schema.String), { exact: true })
}, "ChatPresenceEvent")
/** @see {@link ChatPresenceEvent} */
export type ChatPresenceEvent = typeof ChatPresenceEvent.Type
