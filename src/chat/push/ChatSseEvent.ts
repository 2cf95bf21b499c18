/**
 * The events of a JMAP Chat EventSource (RFC 8620 §7.3; draft-atwood-jmap-chat-00 §Push, spec-digest
 * §4.1) as a tagged union: `state` → {@link StateChange}, `typing` → {@link Typing}, `presence` →
 * {@link Presence}, `ping` → {@link Ping}, anything else or anything malformed → {@link Unknown} (a bad
 * event never ends the stream), plus {@link Connected}, emitted by the resilient stream when its
 * first connection is live (call `/changes` once), and {@link Reconnected}, emitted after it
 * reconnected (call `/changes`, clear typing indicators, re-fetch presence).
 *
 * Each event carries `id`: the EventSource's last event id when it was dispatched (WHATWG
 * `lastEventId`, see `SseDecoder.SseEvent`). Decoding ({@link fromSseEvent}) is pure and total.
 *
 * @since 0.1.0
 */
import { Either, Option, ParseResult, Redacted, Schema } from "effect"
import { ParseError } from "../../jmap/Errors.js"
import { compileDecoder } from "../../jmap/internal/compile.js"
import { unsafeMake } from "../../jmap/internal/instance.js"
import { UnsignedInt, UTCDate } from "../../jmap/Primitives.js"
import type { SseEvent } from "../../jmap/push/SseDecoder.js"
import * as Wire from "../../jmap/push/StateChange.js"
import { Presence as PresenceValue } from "../Enums.js"
import { ChatPresenceEvent, ChatTypingEvent } from "./Ephemeral.js"

const id = Schema.OptionFromSelf(Schema.String)

/** `event: state` (RFC 8620 §7.1): the data types whose state changed, per account. Call `Type/changes`. */
export class StateChange extends Schema.TaggedClass<StateChange>("effect-jmap-chat/ChatSseEvent/StateChange")(
  "StateChange",
  { id, changed: Wire.StateChange.fields.changed, pushState: Schema.optionalWith(Schema.String, { exact: true }) }
) {}

/** `event: typing` (core draft; data `{chatId, senderId, typing}`, no `@type`): ephemeral, never moves a state token. */
export class Typing extends Schema.TaggedClass<Typing>("effect-jmap-chat/ChatSseEvent/Typing")("Typing", {
  id,
  chatId: Schema.String,
  senderId: Schema.String,
  typing: Schema.Boolean
}) {}

/**
 * `event: presence` (core draft): a presence delta for one contact. For `statusText` and
 * `statusEmoji`, absent means unchanged and `null` means cleared.
 */
export class Presence extends Schema.TaggedClass<Presence>("effect-jmap-chat/ChatSseEvent/Presence")("Presence", {
  id,
  contactId: Schema.String,
  presence: PresenceValue,
  lastActiveAt: Schema.optionalWith(Schema.NullOr(UTCDate), { exact: true }),
  statusText: Schema.optionalWith(Schema.NullOr(Schema.String), { exact: true }),
  statusEmoji: Schema.optionalWith(Schema.NullOr(Schema.String), { exact: true })
}) {}

/** `event: ping` (RFC 8620 §7.3): keep-alive; `interval` is the server's ping interval in seconds. */
export class Ping extends Schema.TaggedClass<Ping>("effect-jmap-chat/ChatSseEvent/Ping")("Ping", {
  id,
  interval: UnsignedInt
}) {}

/**
 * An event this client does not know, or a known one whose data did not decode (`error` says why).
 * `data` is redacted in `toString`/`toJSON`/`inspect` (it may hold message content); read it with
 * `Redacted.value`.
 */
export class Unknown extends Schema.TaggedClass<Unknown>("effect-jmap-chat/ChatSseEvent/Unknown")("Unknown", {
  id,
  event: Schema.String,
  data: Schema.RedactedFromSelf(Schema.String),
  error: Schema.OptionFromSelf(ParseError)
}) {}

/**
 * The stream's first connection is live: from here on every state change is pushed. Over the
 * EventSource the server has answered the request with an event stream; over the WebSocket the
 * first `WebSocketPushEnable` has been sent (see `ChatWsFrame.Connected`). It comes once, before any
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
export class Connected extends Schema.TaggedClass<Connected>("effect-jmap-chat/ChatSseEvent/Connected")("Connected", {
  lastEventId: id,
  pushState: Schema.OptionFromSelf(Schema.String)
}) {}

/**
 * The stream reconnected (after an end of stream or a transport error) and resumed from
 * `lastEventId`. Events may have been missed if the server does not honour `Last-Event-ID`, and
 * ephemeral events are never replayed: call `/changes`, clear typing indicators, re-fetch presence.
 * `attempt` counts the reconnections of this stream (1, 2, …).
 */
export class Reconnected extends Schema.TaggedClass<Reconnected>("effect-jmap-chat/ChatSseEvent/Reconnected")(
  "Reconnected",
  { attempt: Schema.Number, lastEventId: id }
) {}

/** Any element of a chat EventSource stream. */
export const ChatSseEvent = Schema.Union(StateChange, Typing, Presence, Ping, Unknown, Connected, Reconnected)
  .annotations({
    identifier: "ChatSseEvent"
  })
/** @see {@link ChatSseEvent} */
export type ChatSseEvent = typeof ChatSseEvent.Type

// The members keep only the known fields, so the payloads are decoded with closed copies of their
// open structs (unknown properties skipped, not copied): about 3× faster.
const decodeStateChange = compileDecoder(Schema.Struct(Wire.StateChange.fields))
const decodeTyping = compileDecoder(Schema.Struct(ChatTypingEvent.fields))
const decodePresence = compileDecoder(Schema.Struct(ChatPresenceEvent.fields))
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

/**
 * Decodes one EventSource event. Never fails: an unknown name, invalid JSON or a payload that does
 * not match its schema gives {@link Unknown}. A default-named (`message`) event whose data is a
 * `StateChange` object is accepted as `state`, for servers that omit `event: state`.
 */
export const fromSseEvent = (event: SseEvent): ChatSseEvent => {
  switch (event.event) {
    case "state": {
      const decoded = decodeWith(event, decodeStateChange)
      return Either.isLeft(decoded) ? unknown(event, Option.some(decoded.left)) : stateChange(event, decoded.right)
    }
    case "typing": {
      const decoded = decodeWith(event, decodeTyping)
      if (Either.isLeft(decoded)) return unknown(event, Option.some(decoded.left))
      const t = decoded.right
      return unsafeMake(Typing, { id: event.id, chatId: t.chatId, senderId: t.senderId, typing: t.typing })
    }
    case "presence": {
      const decoded = decodeWith(event, decodePresence)
      if (Either.isLeft(decoded)) return unknown(event, Option.some(decoded.left))
      const { "@type": _type, contactId, presence, ...optional } = decoded.right
      return unsafeMake(Presence, {
        id: event.id,
        contactId,
        presence,
        ...(optional.lastActiveAt === undefined ? {} : { lastActiveAt: optional.lastActiveAt }),
        ...(optional.statusText === undefined ? {} : { statusText: optional.statusText }),
        ...(optional.statusEmoji === undefined ? {} : { statusEmoji: optional.statusEmoji })
      })
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
    default:
      return unknown(event, Option.none())
  }
}

const unknown = (event: SseEvent, error: Option.Option<ParseError>): Unknown =>
  new Unknown({ id: event.id, event: event.event, data: Redacted.make(event.data), error }, true)

const stateChange = (event: SseEvent, s: Wire.StateChange): StateChange =>
  unsafeMake(StateChange, {
    id: event.id,
    changed: s.changed,
    ...(s.pushState === undefined ? {} : { pushState: s.pushState })
  })
