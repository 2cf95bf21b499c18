/**
 * The server → client frames of a JMAP Chat WebSocket (RFC 8887 §4.3 and
 * draft-atwood-jmap-chat-wss-00 §Ephemeral Chat Events) as a tagged union: {@link Response},
 * {@link RequestError}, {@link StateChange}, {@link ChatTypingEvent}, {@link ChatPresenceEvent},
 * {@link Unknown} (an unknown `@type`, which RFC 8887 and the WSS draft say to ignore, or a known one
 * that did not decode), {@link Invalid} (a frame that is not a JSON object: invalid JSON text or a
 * binary frame; the connection stays open), and {@link Connected} and {@link Reconnected}, emitted by
 * the resilient session when push first goes live and after each reconnection.
 *
 * Decoding ({@link decode}) is pure and total: invalid JSON is a `ParseError` in `Left`, everything
 * else is a frame. Raw payloads of unknown frames are `Redacted`: they never appear in
 * `toString`/`toJSON`/`inspect`.
 *
 * @since 0.1.0
 */
import { Either, Option, ParseResult, Redacted, Schema } from "effect"
import { ParseError, RequestError as RequestErrorClass, UnexpectedResponse, WebSocketError } from "../../jmap/Errors.js"
import { compileDecoder } from "../../jmap/internal/compile.js"
import { unsafeMake } from "../../jmap/internal/instance.js"
import { UTCDate } from "../../jmap/Primitives.js"
import * as Wire from "../../jmap/push/StateChange.js"
import { WebSocketRequestError, WebSocketResponse } from "../../jmap/push/WebSocketFrames.js"
import { JmapResponse } from "../../jmap/Wire.js"
import { Presence } from "../Enums.js"
import * as Ephemeral from "./Ephemeral.js"

const requestId = Schema.OptionFromSelf(Schema.String)

/** RFC 8887 §4.3.2 `Response` frame. `requestId` names the Request it answers. */
export class Response extends Schema.TaggedClass<Response>("effect-jmap-chat/ChatWsFrame/Response")("Response", {
  requestId,
  response: JmapResponse
}) {}

/** RFC 8887 §4.3.4 `RequestError` frame: an RFC 7807 problem, for the Request `requestId` when the server could read it. */
export class RequestError extends Schema.TaggedClass<RequestError>("effect-jmap-chat/ChatWsFrame/RequestError")(
  "RequestError",
  { requestId, error: RequestErrorClass }
) {}

/** RFC 8887 §4.3.5 `StateChange` push frame; `pushState` is the token to resume push from after a reconnect. */
export class StateChange extends Schema.TaggedClass<StateChange>("effect-jmap-chat/ChatWsFrame/StateChange")(
  "StateChange",
  { changed: Wire.StateChange.fields.changed, pushState: Schema.optionalWith(Schema.String, { exact: true }) }
) {}

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

/**
 * A JSON frame with an unknown `@type` (`"<no @type>"` when it had none), or with a known one whose
 * body did not decode (`error` says why). `raw` is the parsed JSON, redacted in every printed form.
 */
export class Unknown extends Schema.TaggedClass<Unknown>("effect-jmap-chat/ChatWsFrame/Unknown")("Unknown", {
  typeName: Schema.String,
  raw: Schema.RedactedFromSelf(Schema.Unknown),
  error: Schema.OptionFromSelf(ParseError)
}) {}

/**
 * A frame that could not be read at all: invalid JSON text (`ParseError`) or a binary frame, which
 * RFC 8887 §4.1 does not allow (`UnexpectedResponse`). The connection is kept.
 */
export class Invalid extends Schema.TaggedClass<Invalid>("effect-jmap-chat/ChatWsFrame/Invalid")("Invalid", {
  error: Schema.Union(ParseError, UnexpectedResponse)
}) {}

/**
 * Push is live on this session: the first `WebSocketPushEnable` has been sent on a ready
 * connection — by that connection's startup sequence when `pushEnable` was called before it was
 * ready, else by the `pushEnable` call itself — so no `StateChange` comes before it, and any state
 * change from here on is pushed. `pushState` is the one that enable resumed from (`None` for none).
 * Call `/changes` once if you fetched state before (see `ChatSseEvent.Connected`, which it maps to,
 * for why it is always emitted rather than opt-in). The enable is sent, not acknowledged (RFC 8887
 * has no acknowledgement): a call made on the same socket afterwards is read by the server after it,
 * while one made over HTTP is not ordered with it on the wire.
 *
 * Published once per session, to the subscribers of that moment (subscribe before `pushEnable`): a
 * later `pushEnable` (e.g. after `pushDisable`) does not repeat it, and reconnections publish
 * {@link Reconnected}. A session used only for calls never publishes it.
 */
export class Connected extends Schema.TaggedClass<Connected>("effect-jmap-chat/ChatWsFrame/Connected")("Connected", {
  pushState: Schema.OptionFromSelf(Schema.String)
}) {}

/**
 * The session reconnected after `cause` ended the previous connection; push enable and chat stream
 * enable have already been re-sent. Call `/changes` (at least for `Message`), clear typing
 * indicators and re-fetch presence: ephemeral events are never replayed. `attempt` counts the
 * reconnections of this session (1, 2, …).
 */
export class Reconnected extends Schema.TaggedClass<Reconnected>("effect-jmap-chat/ChatWsFrame/Reconnected")(
  "Reconnected",
  { attempt: Schema.Number, cause: WebSocketError }
) {}

/** Any element of a chat WebSocket event stream. */
export const ChatWsFrame = Schema.Union(
  Response,
  RequestError,
  StateChange,
  ChatTypingEvent,
  ChatPresenceEvent,
  Unknown,
  Invalid,
  Connected,
  Reconnected
).annotations({ identifier: "ChatWsFrame" })
/** @see {@link ChatWsFrame} */
export type ChatWsFrame = typeof ChatWsFrame.Type

/** The `typeName` of {@link Unknown} for a frame without a string `@type` (as in the Rust seed). */
export const noType = "<no @type>"

// Frames whose unknown properties the union members do not keep are decoded with closed copies of
// their open structs (same fields, unknown properties skipped): about 3× faster. Responses keep
// theirs (they are returned to callers as they came).
const decodeResponse = compileDecoder(WebSocketResponse)
const decodeRequestError = compileDecoder(Schema.Struct(WebSocketRequestError.fields))
const decodeStateChange = compileDecoder(Schema.Struct(Wire.StateChange.fields))
const decodeTyping = compileDecoder(Schema.Struct(Ephemeral.ChatTypingEvent.fields))
const decodePresence = compileDecoder(Schema.Struct(Ephemeral.ChatPresenceEvent.fields))

const subject = (typeName: string) => `WebSocket ${typeName} frame`

const unknown = (typeName: string, json: unknown, error: Option.Option<ParseError>): Unknown =>
  new Unknown({ typeName, raw: Redacted.make(json), error }, true)

const invalidBody = (typeName: string, json: object, error: ParseResult.ParseError): Unknown =>
  unknown(typeName, json, Option.some(ParseError.fromSchema(subject(typeName), error)))

/**
 * Decodes one text frame. `Left(ParseError)` only for text that is not JSON; any JSON value gives a
 * frame (a non-object or an unknown `@type` gives {@link Unknown}).
 */
export const decode = (text: string): Either.Either<ChatWsFrame, ParseError> => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    return Either.left(
      new ParseError({
        subject: "WebSocket frame",
        path: "",
        description: `invalid JSON: ${e instanceof Error ? e.message : String(e)}`
      })
    )
  }
  return Either.right(decodeJson(json))
}

/** Decodes one already-parsed frame (total). */
export const decodeJson = (json: unknown): ChatWsFrame => {
  if (typeof json !== "object" || json === null || Array.isArray(json)) return unknown(noType, json, Option.none())
  const type = (json as { readonly "@type"?: unknown })["@type"]
  switch (type) {
    case "Response": {
      const decoded = decodeResponse(json)
      if (Either.isLeft(decoded)) return invalidBody(type, json, decoded.left)
      const { "@type": _type, requestId, ...response } = decoded.right
      return unsafeMake(Response, { requestId: Option.fromNullable(requestId), response })
    }
    case "RequestError": {
      const decoded = decodeRequestError(json)
      if (Either.isLeft(decoded)) return invalidBody(type, json, decoded.left)
      const { "@type": _type, requestId, type: problemType, status, title, detail, limit } = decoded.right
      return unsafeMake(RequestError, {
        requestId: Option.fromNullable(requestId),
        error: new RequestErrorClass({
          type: problemType,
          ...(status === undefined ? {} : { status }),
          ...(title === undefined ? {} : { title }),
          ...(detail === undefined ? {} : { detail }),
          ...(limit === undefined ? {} : { limit })
        })
      })
    }
    case "StateChange": {
      const decoded = decodeStateChange(json)
      if (Either.isLeft(decoded)) return invalidBody(type, json, decoded.left)
      const s = decoded.right
      return unsafeMake(StateChange, {
        changed: s.changed,
        ...(s.pushState === undefined ? {} : { pushState: s.pushState })
      })
    }
    case "ChatTypingEvent": {
      const decoded = decodeTyping(json)
      if (Either.isLeft(decoded)) return invalidBody(type, json, decoded.left)
      const t = decoded.right
      return unsafeMake(ChatTypingEvent, { chatId: t.chatId, senderId: t.senderId, typing: t.typing })
    }
    case "ChatPresenceEvent": {
      const decoded = decodePresence(json)
      if (Either.isLeft(decoded)) return invalidBody(type, json, decoded.left)
      const p = decoded.right
      return unsafeMake(ChatPresenceEvent, {
        contactId: p.contactId,
        presence: p.presence,
        ...(p.lastActiveAt === undefined ? {} : { lastActiveAt: p.lastActiveAt }),
        ...(p.statusText === undefined ? {} : { statusText: p.statusText }),
        ...(p.statusEmoji === undefined ? {} : { statusEmoji: p.statusEmoji })
      })
    }
    default:
      return unknown(typeof type === "string" ? type : noType, json, Option.none())
  }
}

/**
 * The `requestId` of a raw frame, when it has a string one: lets a session fail the matching call
 * when a `Response` or `RequestError` frame does not decode.
 */
export const rawRequestId = (frame: Unknown): Option.Option<string> => {
  const raw = Redacted.value(frame.raw)
  if (typeof raw !== "object" || raw === null) return Option.none()
  const id = (raw as { readonly requestId?: unknown }).requestId
  return typeof id === "string" ? Option.some(id) : Option.none()
}
