/**
 * The chat-aware resilient EventSource (draft-atwood-jmap-chat-00 §Push over RFC 8620 §7.3): the
 * reconnecting {@link EventSourceStream.make} stream with every event decoded to a
 * {@link ChatSseEvent.ChatSseEvent} (its `Connected` and `Reconnected` mapped to the chat classes).
 * Undecodable events become `Unknown` and never end the stream.
 *
 * @since 0.1.0
 */
import { Option, Stream } from "effect"
import type { InvalidArgument, SseFrameTooLarge } from "../../jmap/Errors.js"
import * as EventSourceStream from "../../jmap/push/EventSourceStream.js"
import * as ChatSseEvent from "./ChatSseEvent.js"

const noPushState = Option.none<string>()

/** Maps one element of the raw resilient stream to a chat event (pure, total). */
export const fromElement = (element: EventSourceStream.Element): ChatSseEvent.ChatSseEvent => {
  switch (element._tag) {
    case "SseEvent":
      return ChatSseEvent.fromSseEvent(element)
    case "Connected":
      return new ChatSseEvent.Connected({ lastEventId: element.lastEventId, pushState: noPushState }, true)
    case "Reconnected":
      return new ChatSseEvent.Reconnected({ attempt: element.attempt, lastEventId: element.lastEventId }, true)
  }
}

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
export const lastEventIdOf = (event: ChatSseEvent.ChatSseEvent): Option.Option<string> =>
  event._tag === "Connected" || event._tag === "Reconnected" ? event.lastEventId : event.id
