/**
 * The events of a JMAP Chat EventSource (RFC 8620 §7.3; draft-atwood-jmap-chat-00 §Push, spec-digest
 * §4.1): the RFC 8620 events of {@link PushEvent} (re-exported here: `StateChange`, `Ping`,
 * `Unknown`, `Connected`, `Reconnected`) and the chat draft's ephemeral `typing` → {@link Typing}
 * and `presence` → {@link Presence}, which {@link codec} plugs into the generic decoder.
 *
 * Each event carries `id`: the EventSource's last event id when it was dispatched (WHATWG
 * `lastEventId`, see `SseDecoder.SseEvent`). Decoding ({@link fromSseEvent}) is pure and total.
 *
 * @since 0.1.0
 */
import { Either, Schema } from "effect"
import { compileDecoder } from "../../jmap/internal/compile.js"
import { unsafeMake } from "../../jmap/internal/instance.js"
import { UTCDate } from "../../jmap/Primitives.js"
import * as PushEvent from "../../jmap/push/PushEvent.js"
import type { SseEvent } from "../../jmap/push/SseDecoder.js"
import { Presence as PresenceValue } from "../Enums.js"
import { ChatPresenceEvent, ChatTypingEvent } from "./Ephemeral.js"

export {
  /** @see {@link PushEvent.Connected} */
  Connected,
  /** @see {@link PushEvent.Ping} */
  Ping,
  /** @see {@link PushEvent.Reconnected} */
  Reconnected,
  /** @see {@link PushEvent.StateChange} */
  StateChange,
  /** @see {@link PushEvent.Unknown} */
  Unknown
} from "../../jmap/push/PushEvent.js"

const id = Schema.OptionFromSelf(Schema.String)

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

/** The chat extension's events: what {@link codec} adds to the RFC 8620 ones. */
export type EphemeralEvent = Typing | Presence

/** Any element of a chat push stream. */
export const ChatSseEvent = Schema.Union(...PushEvent.PushEvent.members, Typing, Presence).annotations({
  identifier: "ChatSseEvent"
})
/** @see {@link ChatSseEvent} */
export type ChatSseEvent = PushEvent.PushEvent<EphemeralEvent>

// The members keep only the known fields, so the payloads are decoded with closed copies of their
// open structs (unknown properties skipped, not copied): about 3× faster.
const decodeTyping = compileDecoder(Schema.Struct(ChatTypingEvent.fields))
const decodePresence = compileDecoder(Schema.Struct(ChatPresenceEvent.fields))

/** The chat draft's EventSource events (`typing`, `presence`), for `PushEvent.fromSseEvent`. */
export const codec: PushEvent.SseCodec<EphemeralEvent> = PushEvent.sseCodec<EphemeralEvent>({
  typing: (data, id) =>
    Either.map(
      decodeTyping(data),
      (t) => unsafeMake(Typing, { id, chatId: t.chatId, senderId: t.senderId, typing: t.typing })
    ),
  presence: (data, id) =>
    Either.map(decodePresence(data), ({ "@type": _type, contactId, presence, ...optional }) =>
      unsafeMake(Presence, {
        id,
        contactId,
        presence,
        ...(optional.lastActiveAt === undefined ? {} : { lastActiveAt: optional.lastActiveAt }),
        ...(optional.statusText === undefined ? {} : { statusText: optional.statusText }),
        ...(optional.statusEmoji === undefined ? {} : { statusEmoji: optional.statusEmoji })
      }))
})

/**
 * Decodes one EventSource event. Never fails: an unknown name, invalid JSON or a payload that does
 * not match its schema gives `Unknown`. A default-named (`message`) event whose data is a
 * `StateChange` object is accepted as `state`, for servers that omit `event: state`.
 */
export const fromSseEvent = (event: SseEvent): ChatSseEvent => PushEvent.fromSseEvent(event, codec)
