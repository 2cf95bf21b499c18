/**
 * The chat-aware resilient EventSource (draft-atwood-jmap-chat-00 §Push over RFC 8620 §7.3): the
 * reconnecting {@link EventSourceStream.make} stream with every event decoded to a
 * {@link ChatSseEvent.ChatSseEvent} (its `Connected` and `Reconnected` mapped to `PushEvent`'s).
 * Undecodable events become `Unknown` and never end the stream.
 *
 * @since 0.1.0
 */
import { type Option, Stream } from "effect"
import type { InvalidArgument, SseFrameTooLarge } from "../../jmap/Errors.js"
import * as EventSourceStream from "../../jmap/push/EventSourceStream.js"
import * as PushEvent from "../../jmap/push/PushEvent.js"
import * as ChatSseEvent from "./ChatSseEvent.js"

/** Maps one element of the raw resilient stream to a chat event (pure, total). */
export const fromElement = (element: EventSourceStream.Element): ChatSseEvent.ChatSseEvent =>
  PushEvent.fromElement(element, ChatSseEvent.codec)

/**
 * A chat EventSource stream: see {@link EventSourceStream.make} for the options, the reconnect
 * behaviour and the errors.
 *
 * @example
 * ChatEventSource.make({
 *   open: (lastEventId) => transport.openEventSource(session.eventSourceUrl, { lastEventId: Option.getOrUndefined(lastEventId) }),
 *   maxFrameBytes: 1024 * 1024,
 *   idleTimeout: "70 seconds" // with ping=30 in the URL
 * })
 */
export const make = <E, R = never>(
  options: EventSourceStream.Options<E, R>
): Stream.Stream<ChatSseEvent.ChatSseEvent, E | SseFrameTooLarge | InvalidArgument, R> =>
  Stream.map(EventSourceStream.make(options), fromElement)

/** The id to persist for resuming later: the `id` of the last delivered event, if any. */
export const lastEventIdOf: (event: ChatSseEvent.ChatSseEvent) => Option.Option<string> = PushEvent.lastEventIdOf
