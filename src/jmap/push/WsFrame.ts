/**
 * The server → client frames of an RFC 8887 JMAP WebSocket, decoded, as a tagged union:
 * {@link Response}, {@link RequestError}, {@link StateChange}, {@link Unknown} (an unknown `@type`,
 * which RFC 8887 §4.3 says to ignore, or a known one that did not decode), {@link Invalid} (a frame
 * that is not a JSON object: invalid JSON text or a binary frame; the connection stays open), and
 * {@link Connected} and {@link Reconnected}, emitted by the resilient session when push first goes
 * live and after each reconnection.
 *
 * An extension's frames (e.g. the chat draft's `ChatTypingEvent`) are plugged in with a
 * {@link Codec}: a decoder per `@type`, consulted for the types RFC 8887 does not define. The
 * decoded union is then `WsFrame<X>`: the frames above or an `X`.
 *
 * Decoding ({@link decode}) is pure and total: invalid JSON is a `ParseError` in `Left`, everything
 * else is a frame. Raw payloads of unknown frames are `Redacted`: they never appear in
 * `toString`/`toJSON`/`inspect`.
 *
 * @since 0.1.0
 */
import { Either, Option, type ParseResult, Redacted, Schema } from "effect"
import { ParseError, RequestError as RequestErrorClass, UnexpectedResponse, WebSocketError } from "../Errors.js"
import { compileDecoder } from "../internal/compile.js"
import { unsafeMake } from "../internal/instance.js"
import { JmapResponse } from "../Wire.js"
import * as Wire from "./StateChange.js"
import { WebSocketRequestError, WebSocketResponse } from "./WebSocketFrames.js"

const requestId = Schema.OptionFromSelf(Schema.String)

/** RFC 8887 §4.3.2 `Response` frame. `requestId` names the Request it answers. */
export class Response extends Schema.TaggedClass<Response>("effect-jmap-chat/WsFrame/Response")("Response", {
  requestId,
  response: JmapResponse
}) {}

/** RFC 8887 §4.3.4 `RequestError` frame: an RFC 7807 problem, for the Request `requestId` when the server could read it. */
export class RequestError extends Schema.TaggedClass<RequestError>("effect-jmap-chat/WsFrame/RequestError")(
  "RequestError",
  { requestId, error: RequestErrorClass }
) {}

/** RFC 8887 §4.3.5 `StateChange` push frame; `pushState` is the token to resume push from after a reconnect. */
export class StateChange extends Schema.TaggedClass<StateChange>("effect-jmap-chat/WsFrame/StateChange")(
  "StateChange",
  { changed: Wire.StateChange.fields.changed, pushState: Schema.optionalWith(Schema.String, { exact: true }) }
) {}

/**
 * A JSON frame with an unknown `@type` (`"<no @type>"` when it had none), or with a known one whose
 * body did not decode (`error` says why). `raw` is the parsed JSON, redacted in every printed form.
 */
export class Unknown extends Schema.TaggedClass<Unknown>("effect-jmap-chat/WsFrame/Unknown")("Unknown", {
  typeName: Schema.String,
  raw: Schema.RedactedFromSelf(Schema.Unknown),
  error: Schema.OptionFromSelf(ParseError)
}) {}

/**
 * A frame that could not be read at all: invalid JSON text (`ParseError`) or a binary frame, which
 * RFC 8887 §4.1 does not allow (`UnexpectedResponse`). The connection is kept.
 */
export class Invalid extends Schema.TaggedClass<Invalid>("effect-jmap-chat/WsFrame/Invalid")("Invalid", {
  error: Schema.Union(ParseError, UnexpectedResponse)
}) {}

/**
 * Push is live on this session: the first `WebSocketPushEnable` has been sent on a ready
 * connection — by that connection's startup sequence when `pushEnable` was called before it was
 * ready, else by the `pushEnable` call itself — so no `StateChange` comes before it, and any state
 * change from here on is pushed. `pushState` is the one that enable resumed from (`None` for none).
 * Call `/changes` once if you fetched state before (see `PushEvent.Connected`, which it maps to,
 * for why it is always emitted rather than opt-in). The enable is sent, not acknowledged (RFC 8887
 * has no acknowledgement): a call made on the same socket afterwards is read by the server after it,
 * while one made over HTTP is not ordered with it on the wire.
 *
 * Published once per session, to the subscribers of that moment (subscribe before `pushEnable`): a
 * later `pushEnable` (e.g. after `pushDisable`) does not repeat it, and reconnections publish
 * {@link Reconnected}. A session used only for calls never publishes it.
 */
export class Connected extends Schema.TaggedClass<Connected>("effect-jmap-chat/WsFrame/Connected")("Connected", {
  pushState: Schema.OptionFromSelf(Schema.String)
}) {}

/**
 * The session reconnected after `cause` ended the previous connection; push enable and the
 * extensions' enables have already been re-sent. Call `/changes`: nothing pushed while the session
 * was down is replayed unless the server resumes from the `pushState` (and ephemeral events never
 * are). `attempt` counts the reconnections of this session (1, 2, …).
 */
export class Reconnected extends Schema.TaggedClass<Reconnected>("effect-jmap-chat/WsFrame/Reconnected")(
  "Reconnected",
  { attempt: Schema.Number, cause: WebSocketError }
) {}

/** Any RFC 8887 element of a WebSocket event stream. */
export const WsFrame = Schema.Union(Response, RequestError, StateChange, Unknown, Invalid, Connected, Reconnected)
  .annotations({ identifier: "WsFrame" })
/** An element of a WebSocket event stream: an RFC 8887 frame, or an extension frame `X` (see {@link Codec}). */
export type WsFrame<X = never> = typeof WsFrame.Type | X

/** Decodes the JSON object of one extension frame (its `@type` already matched), or says why it does not fit. */
export type Decoder<X> = (json: object) => Either.Either<X, ParseResult.ParseError>

/**
 * How a session reads an extension's server → client frames: a decoder per `@type`. It is asked
 * only for the types RFC 8887 does not define (`Response`, `RequestError` and `StateChange` cannot
 * be overridden); a type it does not know is {@link Unknown}, and a decoder's failure is
 * {@link Unknown} with the error. The `_tag`s of `X` must differ from those of {@link WsFrame}.
 */
export interface Codec<X> {
  readonly decoders: ReadonlyMap<string, Decoder<X>>
}

/** A {@link Codec} from a record of decoders by `@type`. */
export const codec = <X>(decoders: { readonly [type: string]: Decoder<X> }): Codec<X> => ({
  decoders: new Map(Object.entries(decoders))
})

/** The codec of a session that knows only RFC 8887 frames. */
export const core: Codec<never> = codec<never>({})

/** The `typeName` of {@link Unknown} for a frame without a string `@type` (as in the Rust seed). */
export const noType = "<no @type>"

// Frames whose unknown properties the union members do not keep are decoded with closed copies of
// their open structs (same fields, unknown properties skipped): about 3× faster. Responses keep
// theirs (they are returned to callers as they came).
const decodeResponse = compileDecoder(WebSocketResponse)
const decodeRequestError = compileDecoder(Schema.Struct(WebSocketRequestError.fields))
const decodeStateChange = compileDecoder(Schema.Struct(Wire.StateChange.fields))

const subject = (typeName: string) => `WebSocket ${typeName} frame`

const unknown = (typeName: string, json: unknown, error: Option.Option<ParseError>): Unknown =>
  new Unknown({ typeName, raw: Redacted.make(json), error }, true)

const invalidBody = (typeName: string, json: object, error: ParseResult.ParseError): Unknown =>
  unknown(typeName, json, Option.some(ParseError.fromSchema(subject(typeName), error)))

/**
 * Decodes one text frame. `Left(ParseError)` only for text that is not JSON; any JSON value gives a
 * frame (a non-object or an unknown `@type` gives {@link Unknown}).
 */
export const decode = <X = never>(
  text: string,
  codec: Codec<X> = core as Codec<X>
): Either.Either<WsFrame<X>, ParseError> => {
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
  return Either.right(decodeJson(json, codec))
}

/** Decodes one already-parsed frame (total). */
export const decodeJson = <X = never>(json: unknown, codec: Codec<X> = core as Codec<X>): WsFrame<X> => {
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
  }
  if (typeof type !== "string") return unknown(noType, json, Option.none())
  const decoder = codec.decoders.get(type)
  if (decoder === undefined) return unknown(type, json, Option.none())
  const decoded = decoder(json)
  return Either.isLeft(decoded) ? invalidBody(type, json, decoded.left) : decoded.right
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
