/**
 * The events of a JMAP push stream, whichever transport carries them (RFC 8620 §7.3 EventSource or
 * RFC 8887 WebSocket), as a tagged union: {@link StateChange} (RFC 8620 §7.1: call `/changes`),
 * {@link Ping}, {@link Unknown} (anything else, or anything malformed: a bad event never ends the
 * stream), {@link Connected}, emitted when the stream's first connection is live (call `/changes`
 * once), and {@link Reconnected}, emitted after it reconnected (call `/changes`).
 *
 * An extension's events (e.g. the chat draft's `typing` and `presence`) are plugged in with an
 * {@link SseCodec}, a decoder per EventSource event name; the union is then `PushEvent<X>`.
 *
 * Each event carries `id`: over the EventSource, its last event id when it was dispatched (WHATWG
 * `lastEventId`, see `SseDecoder.SseEvent`); over the WebSocket, `None`. Decoding is pure and total.
 *
 * @since 0.1.0
 */
import { Either, Option, type ParseResult, Redacted, Schema } from "effect"
import { ParseError } from "../Errors.js"
import { compileDecoder } from "../internal/compile.js"
import { unsafeMake } from "../internal/instance.js"
import { UnsignedInt } from "../Primitives.js"
import type * as EventSourceStream from "./EventSourceStream.js"
import type { SseEvent } from "./SseDecoder.js"
import * as Wire from "./StateChange.js"
import type * as WsFrame from "./WsFrame.js"

const id = Schema.OptionFromSelf(Schema.String)

/**
 * RFC 8620 §7.1 `StateChange` (EventSource `event: state`, or the RFC 8887 frame): the data types
 * whose state changed, per account. Call `Type/changes`. `pushState` (WebSocket only) is the token
 * to resume push from.
 */
export class StateChange extends Schema.TaggedClass<StateChange>("effect-jmap-chat/PushEvent/StateChange")(
  "StateChange",
  { id, changed: Wire.StateChange.fields.changed, pushState: Schema.optionalWith(Schema.String, { exact: true }) }
) {}

/** `event: ping` (RFC 8620 §7.3): keep-alive; `interval` is the server's ping interval in seconds. */
export class Ping extends Schema.TaggedClass<Ping>("effect-jmap-chat/PushEvent/Ping")("Ping", {
  id,
  interval: UnsignedInt
}) {}

/**
 * An event this client does not know, or a known one whose data did not decode (`error` says why).
 * `data` is redacted in `toString`/`toJSON`/`inspect` (it may hold private content); read it with
 * `Redacted.value`. Over the WebSocket, `event` is the frame's `@type` and `data` its JSON.
 */
export class Unknown extends Schema.TaggedClass<Unknown>("effect-jmap-chat/PushEvent/Unknown")("Unknown", {
  id,
  event: Schema.String,
  data: Schema.RedactedFromSelf(Schema.String),
  error: Schema.OptionFromSelf(ParseError)
}) {}

/**
 * The stream's first connection is live: from here on every state change is pushed. Over the
 * EventSource the server has answered the request with an event stream; over the WebSocket the
 * first `WebSocketPushEnable` has been sent (see `WsFrame.Connected`). It comes once, before any
 * `StateChange` of the stream; every later connection gives {@link Reconnected} instead.
 *
 * A consumer that fetched state before opening the stream calls `/changes` once on it: that closes
 * the window between its fetch and the subscription, in which a change would have gone unnoticed.
 * `lastEventId` (EventSource) or `pushState` (WebSocket) is the point the stream started from:
 * `None` for a fresh start, and always `None` for the other transport.
 *
 * Always emitted, not opt-in. The element type is the contract: an opt-in flag would either keep
 * `Connected` in the union while not emitting it by default (so exhaustive switches break all the
 * same, for an element that never comes) or need conditional types on every push API. A `switch`
 * with a `default` branch (as in the README) needs no change; an exhaustive one stops compiling
 * exactly where the new case needs a decision; code counting elements sees one more, first. Without
 * it, a consumer cannot tell when the subscription is in place, so the race-free way should be the
 * default one (and this package is 0.x).
 */
export class Connected extends Schema.TaggedClass<Connected>("effect-jmap-chat/PushEvent/Connected")("Connected", {
  lastEventId: id,
  pushState: Schema.OptionFromSelf(Schema.String)
}) {}

/**
 * The stream reconnected (after an end of stream or a transport error) and resumed from
 * `lastEventId` (or the last `pushState`). Events may have been missed if the server does not
 * honour them, and ephemeral events are never replayed: call `/changes`. `attempt` counts the
 * reconnections of this stream (1, 2, …).
 */
export class Reconnected extends Schema.TaggedClass<Reconnected>("effect-jmap-chat/PushEvent/Reconnected")(
  "Reconnected",
  { attempt: Schema.Number, lastEventId: id }
) {}

/** Any RFC 8620 element of a push stream. */
export const PushEvent = Schema.Union(StateChange, Ping, Unknown, Connected, Reconnected).annotations({
  identifier: "PushEvent"
})
/** An element of a push stream: an RFC 8620 event, or an extension's event `X` (see {@link SseCodec}). */
export type PushEvent<X = never> = typeof PushEvent.Type | X

/**
 * Decodes the JSON `data` of one EventSource event of an extension (its name already matched) into
 * its event, given the event's `id`; or says why it does not fit.
 */
export type SseDecoder<X> = (data: unknown, id: Option.Option<string>) => Either.Either<X, ParseResult.ParseError>

/**
 * An extension's EventSource events: a decoder per event name. It is asked only for the names RFC
 * 8620 does not define (`state`, `ping` and `message` cannot be overridden); a name it does not know
 * is {@link Unknown}, and data that is not JSON or that a decoder refuses is {@link Unknown} with the
 * error. The `_tag`s of `X` must differ from those of {@link PushEvent}.
 */
export interface SseCodec<X> {
  readonly decoders: ReadonlyMap<string, SseDecoder<X>>
}

/** An {@link SseCodec} from a record of decoders by event name. */
export const sseCodec = <X>(decoders: { readonly [event: string]: SseDecoder<X> }): SseCodec<X> => ({
  decoders: new Map(Object.entries(decoders))
})

/** The codec of a stream that knows only RFC 8620 events. */
export const core: SseCodec<never> = sseCodec<never>({})

// The members keep only the known fields, so the payloads are decoded with closed copies of their
// open structs (unknown properties skipped, not copied): about 3× faster.
const decodeStateChange = compileDecoder(Schema.Struct(Wire.StateChange.fields))
const decodePing = compileDecoder(Schema.Struct({ interval: UnsignedInt }))

const subjectOf = (event: SseEvent) => `EventSource "${event.event}" event`

const parseJson = (event: SseEvent): Either.Either<unknown, ParseError> => {
  try {
    return Either.right(JSON.parse(event.data))
  } catch (e) {
    return Either.left(
      new ParseError({
        subject: subjectOf(event),
        path: "",
        description: `invalid JSON: ${e instanceof Error ? e.message : String(e)}`
      })
    )
  }
}

const decodeWith = <A>(
  event: SseEvent,
  decode: (u: unknown) => Either.Either<A, ParseResult.ParseError>
): Either.Either<A, ParseError> => {
  const json = parseJson(event)
  if (Either.isLeft(json)) return Either.left(json.left)
  const decoded = decode(json.right)
  return Either.isLeft(decoded)
    ? Either.left(ParseError.fromSchema(subjectOf(event), decoded.left))
    : Either.right(decoded.right)
}

const hasStateChangeType = (json: unknown): boolean =>
  typeof json === "object" && json !== null && (json as { readonly "@type"?: unknown })["@type"] === "StateChange"

const unknown = (event: SseEvent, error: Option.Option<ParseError>): Unknown =>
  new Unknown({ id: event.id, event: event.event, data: Redacted.make(event.data), error }, true)

const stateChange = (event: SseEvent, s: Wire.StateChange): StateChange =>
  unsafeMake(StateChange, {
    id: event.id,
    changed: s.changed,
    ...(s.pushState === undefined ? {} : { pushState: s.pushState })
  })

/**
 * Decodes one EventSource event. Never fails: an unknown name, invalid JSON or a payload that does
 * not match its schema gives {@link Unknown}. A default-named (`message`) event whose data is a
 * `StateChange` object is accepted as `state`, for servers that omit `event: state`.
 */
export const fromSseEvent = <X = never>(event: SseEvent, codec: SseCodec<X> = core as SseCodec<X>): PushEvent<X> => {
  switch (event.event) {
    case "state": {
      const decoded = decodeWith(event, decodeStateChange)
      return Either.isLeft(decoded) ? unknown(event, Option.some(decoded.left)) : stateChange(event, decoded.right)
    }
    case "ping": {
      const decoded = decodeWith(event, decodePing)
      return Either.isLeft(decoded)
        ? unknown(event, Option.some(decoded.left))
        : unsafeMake(Ping, { id: event.id, interval: decoded.right.interval })
    }
    case "message": {
      const json = parseJson(event)
      if (Either.isRight(json) && hasStateChangeType(json.right)) {
        const decoded = decodeStateChange(json.right)
        return Either.isLeft(decoded)
          ? unknown(event, Option.some(ParseError.fromSchema(subjectOf(event), decoded.left)))
          : stateChange(event, decoded.right)
      }
      return unknown(event, Option.none())
    }
  }
  const decoder = codec.decoders.get(event.event)
  if (decoder === undefined) return unknown(event, Option.none())
  const decoded = decodeWith(event, (json) => decoder(json, event.id))
  return Either.isLeft(decoded) ? unknown(event, Option.some(decoded.left)) : decoded.right
}

const noPushState = Option.none<string>()

/** Maps one element of the resilient EventSource stream to an event (pure, total). */
export const fromElement = <X = never>(
  element: EventSourceStream.Element,
  codec: SseCodec<X> = core as SseCodec<X>
): PushEvent<X> => {
  switch (element._tag) {
    case "SseEvent":
      return fromSseEvent(element, codec)
    case "Connected":
      return new Connected({ lastEventId: element.lastEventId, pushState: noPushState }, true)
    case "Reconnected":
      return new Reconnected({ attempt: element.attempt, lastEventId: element.lastEventId }, true)
  }
}

const noId = Option.none<string>()

/**
 * Maps one WebSocket frame to an event: RFC 8887 frames here, the extension's with `extension`
 * (`None` drops it); `Response`/`RequestError` frames (answers to calls) are dropped.
 */
export const fromWsFrame = <W = never, X = never>(
  frame: WsFrame.WsFrame<W>,
  extension: (frame: W) => Option.Option<X> = () => Option.none()
): Option.Option<PushEvent<X>> => {
  const core = frame as WsFrame.WsFrame
  switch (core._tag) {
    case "StateChange":
      return Option.some(
        new StateChange(
          { id: noId, changed: core.changed, ...(core.pushState === undefined ? {} : { pushState: core.pushState }) },
          true
        )
      )
    case "Unknown":
      return Option.some(
        new Unknown({
          id: noId,
          event: core.typeName,
          data: Redacted.make(JSON.stringify(Redacted.value(core.raw)) ?? ""),
          error: core.error
        }, true)
      )
    case "Invalid":
      return Option.some(
        new Unknown({
          id: noId,
          event: "<invalid frame>",
          data: Redacted.make(""),
          error: core.error._tag === "ParseError" ? Option.some(core.error) : Option.none()
        }, true)
      )
    case "Connected":
      return Option.some(new Connected({ lastEventId: noId, pushState: core.pushState }, true))
    case "Reconnected":
      return Option.some(new Reconnected({ attempt: core.attempt, lastEventId: noId }, true))
    case "Response":
    case "RequestError":
      return Option.none()
    default:
      return extension(frame as W)
  }
}

/** The id to persist for resuming an EventSource later: the `id` of the last delivered event, if any. */
export const lastEventIdOf = (
  event: PushEvent<{ readonly _tag: string; readonly id: Option.Option<string> }>
): Option.Option<string> =>
  event instanceof Connected || event instanceof Reconnected
    ? event.lastEventId
    : (event as { readonly id: Option.Option<string> }).id
