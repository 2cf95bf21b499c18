/**
 * The server → client frames of a JMAP Chat WebSocket: the RFC 8887 frames of {@link WsFrame}
 * (re-exported here) and the ephemeral events of draft-atwood-jmap-chat-wss-00 §Ephemeral Chat
 * Events, {@link ChatTypingEvent} and {@link ChatPresenceEvent}, which {@link codec} plugs into a
 * `WebSocketSession`.
 *
 * Decoding ({@link decode}) is pure and total: invalid JSON is a `ParseError` in `Left`, everything
 * else is a frame. Raw payloads of unknown frames are `Redacted`: they never appear in
 * `toString`/`toJSON`/`inspect`.
 *
 * @since 0.1.0
 */
import { Either, type ParseResult, Schema } from "effect"
import type { ParseError as JmapParseError } from "../../jmap/Errors.js"
import { compileDecoder } from "../../jmap/internal/compile.js"
import { unsafeMake } from "../../jmap/internal/instance.js"
import { UTCDate } from "../../jmap/Primitives.js"
import * as WsFrame from "../../jmap/push/WsFrame.js"
import { Presence } from "../Enums.js"
import * as Ephemeral from "./Ephemeral.js"

export {
  /** @see {@link WsFrame.Connected} */
  Connected,
  /** @see {@link WsFrame.Invalid} */
  Invalid,
  /** @see {@link WsFrame.noType} */
  noType,
  /** @see {@link WsFrame.rawRequestId} */
  rawRequestId,
  /** @see {@link WsFrame.Reconnected} */
  Reconnected,
  /** @see {@link WsFrame.RequestError} */
  RequestError,
  /** @see {@link WsFrame.Response} */
  Response,
  /** @see {@link WsFrame.StateChange} */
  StateChange,
  /** @see {@link WsFrame.Unknown} */
  Unknown
} from "../../jmap/push/WsFrame.js"

/** WSS draft §ChatTypingEvent: `senderId` started or stopped typing in `chatId`. Ephemeral. */
export class ChatTypingEvent
  extends Schema.TaggedClass<ChatTypingEvent>("effect-jmap-chat/ChatWsFrame/ChatTypingEvent")(
    "ChatTypingEvent",
    { chatId: Schema.String, senderId: Schema.String, typing: Schema.Boolean }
  )
{}

/**
 * WSS draft §ChatPresenceEvent: a presence delta. For `statusText` and `statusEmoji`, absent means
 * unchanged and `null` means cleared (compliance test 8.1). Ephemeral.
 */
export class ChatPresenceEvent extends Schema.TaggedClass<ChatPresenceEvent>(
  "effect-jmap-chat/ChatWsFrame/ChatPresenceEvent"
)("ChatPresenceEvent", {
  contactId: Schema.String,
  presence: Presence,
  lastActiveAt: Schema.optionalWith(Schema.NullOr(UTCDate), { exact: true }),
  statusText: Schema.optionalWith(Schema.NullOr(Schema.String), { exact: true }),
  statusEmoji: Schema.optionalWith(Schema.NullOr(Schema.String), { exact: true })
}) {}

/** The chat extension's frames: what {@link codec} adds to the RFC 8887 ones. */
export type EphemeralFrame = ChatTypingEvent | ChatPresenceEvent

/** Any element of a chat WebSocket event stream. */
export const ChatWsFrame = Schema.Union(...WsFrame.WsFrame.members, ChatTypingEvent, ChatPresenceEvent)
  .annotations({ identifier: "ChatWsFrame" })
/** @see {@link ChatWsFrame} */
export type ChatWsFrame = WsFrame.WsFrame<EphemeralFrame>

// The members keep only the known fields, so the payloads are decoded with closed copies of their
// open structs (unknown properties skipped, not copied): about 3× faster.
const decodeTyping = compileDecoder(Schema.Struct(Ephemeral.ChatTypingEvent.fields))
const decodePresence = compileDecoder(Schema.Struct(Ephemeral.ChatPresenceEvent.fields))

/** The WSS draft's ephemeral frames, for `WebSocketSession.make`'s `codec` option. */
export const codec: WsFrame.Codec<EphemeralFrame> = WsFrame.codec<EphemeralFrame>({
  ChatTypingEvent: (json): Either.Either<EphemeralFrame, ParseResult.ParseError> =>
    Either.map(
      decodeTyping(json),
      (t) => unsafeMake(ChatTypingEvent, { chatId: t.chatId, senderId: t.senderId, typing: t.typing })
    ),
  ChatPresenceEvent: (json) =>
    Either.map(decodePresence(json), (p) =>
      unsafeMake(ChatPresenceEvent, {
        contactId: p.contactId,
        presence: p.presence,
        ...(p.lastActiveAt === undefined ? {} : { lastActiveAt: p.lastActiveAt }),
        ...(p.statusText === undefined ? {} : { statusText: p.statusText }),
        ...(p.statusEmoji === undefined ? {} : { statusEmoji: p.statusEmoji })
      }))
})

/**
 * Decodes one text frame. `Left(ParseError)` only for text that is not JSON; any JSON value gives a
 * frame (a non-object or an unknown `@type` gives `Unknown`).
 */
export const decode = (text: string): Either.Either<ChatWsFrame, JmapParseError> => WsFrame.decode(text, codec)

/** Decodes one already-parsed frame (total). */
export const decodeJson = (json: unknown): ChatWsFrame => WsFrame.decodeJson(json, codec)
