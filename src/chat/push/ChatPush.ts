/**
 * `ChatPush`: real-time JMAP Chat events as one resilient `Stream`, over the RFC 8887 WebSocket
 * when the session advertises chat over WebSocket (draft-atwood-jmap-chat-wss-00) and over the RFC
 * 8620 §7.3 EventSource otherwise. Either way the elements are the same {@link ChatPushEvent}s, the
 * stream reconnects by itself (resuming from the last event id or `pushState`), and it emits
 * `Connected` once its first connection is live and `Reconnected` after each reconnection, so
 * consumers know when to call `/changes`.
 *
 * @since 0.1.0
 */
import { Context, Effect, Either, Layer, Option, Redacted, type Schedule, type Scope, Stream } from "effect"
import {
  type AuthFailed,
  InvalidArgument,
  type InvalidHeaderValue,
  InvalidSession,
  type ParseError,
  type SseFrameTooLarge,
  type UnexpectedResponse,
  type WebSocketError
} from "../../jmap/Errors.js"
import { accepts, refusal, WebSocketFactory } from "../../jmap/push/WebSocketFactory.js"
import * as WebSocketSession from "../../jmap/push/WebSocketSession.js"
import { WebSocketCapability, WebSocketCapabilityUri } from "../../jmap/Session.js"
import { SessionService } from "../../jmap/SessionService.js"
import type * as SessionServiceModule from "../../jmap/SessionService.js"
import { CapabilityUri } from "../Capabilities.js"
import * as ChatClient from "../ChatClient.js"
import { supportsChatWebSocket } from "../ChatSession.js"
import { DataTypes } from "../client/Requests.js"
import * as ChatEventSource from "./ChatEventSource.js"
import * as ChatSseEvent from "./ChatSseEvent.js"
import type * as ChatWsFrame from "./ChatWsFrame.js"

/**
 * What {@link Service.events} yields, whichever transport carries it: `Connected` (first, once the
 * subscription is in place: call `/changes` once if you fetched state before), `StateChange` (call
 * `/changes`), `Typing`, `Presence`, `Ping`, `Unknown` and `Reconnected` (call `/changes`). Over the
 * WebSocket the elements carry no SSE `id` (`Option.none()`).
 */
export type ChatPushEvent = ChatSseEvent.ChatSseEvent

/** The failures that end a push stream (everything else reconnects). */
export type PushError =
  | SessionServiceModule.SessionError
  | AuthFailed
  | InvalidArgument
  | InvalidHeaderValue
  | InvalidSession
  | ParseError
  | SseFrameTooLarge
  | UnexpectedResponse
  | WebSocketError

/** The transport failures of a {@link Service.webSocketClient}'s calls. */
export type WebSocketCallError =
  | WebSocketSession.CallError<AuthFailed | InvalidHeaderValue>
  | SessionServiceModule.SessionError
  | InvalidSession

/** Options of {@link Service.events}. */
export interface EventsOptions {
  /**
   * `"auto"` (default): the WebSocket when the session offers chat over WebSocket, its URL is usable
   * and the credentials can go on a WebSocket; else the EventSource (saying why in a log).
   * `"websocket"` fails at once (`InvalidSession`, `InvalidArgument`) where auto would fall back.
   */
  readonly via?: "auto" | "websocket" | "eventsource"
  /**
   * Data types whose state changes to receive (e.g. `["Message", "Chat"]`); default all: `*` over
   * the EventSource, {@link chatDataTypes} in `WebSocketPushEnable` (some servers read its
   * `dataTypes: null`, which RFC 8887 §4.3.5.2 defines as "all", as "none").
   */
  readonly types?: ReadonlyArray<string>
  /**
   * Ephemeral events over the WebSocket (`ChatStreamEnable`): default typing and presence for all
   * chats and contacts; `false` for none. The EventSource always carries them (spec-digest §4.1).
   */
  readonly chatStream?: WebSocketSession.ChatStreamOptions | false
  /** EventSource keep-alive interval in seconds (default 30); the connection is re-made after 2.5× of silence. */
  readonly ping?: number
  /** Reconnect backoff (default: exponential from 1 s, capped at 60 s, jittered, forever). */
  readonly schedule?: Schedule.Schedule<unknown, any>
  /** Resume point from a previous run: an EventSource event id … */
  readonly lastEventId?: string
  /** … or a WebSocket `pushState`. */
  readonly pushState?: string
  /**
   * WebSocket only: events buffered for a consumer that is slower than the server (default 1024).
   * A consumer further behind ends the stream with a `WebSocketError` (`Capacity`) after the events
   * already buffered, rather than losing events silently: start `events` again with the `pushState`
   * of the last `StateChange` it handled, and the server replays what changed since. (The
   * EventSource is pulled: a slow consumer just slows the connection down.)
   */
  readonly eventBufferSize?: number
  /** WebSocket only: the URL to connect to instead of the capability's (see {@link WebSocketOptions.webSocketUrl}). */
  readonly webSocketUrl?: string
}

/** Options of {@link Service.webSocket}. */
export interface WebSocketOptions {
  /**
   * The WebSocket URL to use instead of the `url` of the session's RFC 8887 capability (for a
   * server that advertises a wrong one, or none). Resolved like it: relative and host-less values
   * against the session URL, `http(s)` → `ws(s)`; an unusable one fails with `InvalidArgument`
   * before any connection attempt. Credentials still go only to trusted origins.
   */
  readonly webSocketUrl?: string
  readonly schedule?: Schedule.Schedule<unknown, WebSocketError>
  /** Keep-alive ping interval (default 30 s) and the pong deadline (default 10 s). */
  readonly pingInterval?: WebSocketSession.Options["pingInterval"]
  readonly pongTimeout?: WebSocketSession.Options["pongTimeout"]
  /** Frames buffered per `events` subscriber (default 1024; see `WebSocketSession.Options`). */
  readonly eventBufferSize?: WebSocketSession.Options["eventBufferSize"]
}

/** The operations of `ChatPush`. Every method has `R = never`. */
export interface Service {
  /** Push events over the best transport the session offers (see {@link EventsOptions}). */
  readonly events: (options?: EventsOptions) => Stream.Stream<ChatPushEvent, PushError>
  /** The resilient chat EventSource (RFC 8620 §7.3) for the session's `eventSourceUrl`. */
  readonly eventSource: (options?: Omit<EventsOptions, "via" | "chatStream" | "pushState">) => Stream.Stream<
    ChatSseEvent.ChatSseEvent,
    PushError
  >
  /**
   * A connected, self-reconnecting RFC 8887 session for the session's WebSocket URL (credentials sent
   * on the upgrade only to trusted origins), for calls and push control.
   */
  readonly webSocket: (
    options?: WebSocketOptions
  ) => Effect.Effect<WebSocketSession.WebSocketSession<AuthFailed | InvalidHeaderValue>, PushError, Scope.Scope>
  /** A `ChatClient` whose calls go over a WebSocket session (blobs still go over HTTP). */
  readonly webSocketClient: (
    options?: WebSocketOptions
  ) => Effect.Effect<
    {
      readonly session: WebSocketSession.WebSocketSession<AuthFailed | InvalidHeaderValue>
      readonly client: ChatClient.Service<WebSocketCallError>
    },
    PushError,
    Scope.Scope
  >
}

/** The `ChatPush` tag. */
export class ChatPush extends Context.Tag("effect-jmap-chat/ChatPush")<ChatPush, Service>() {}

const noId = Option.none<string>()

/** Maps a WebSocket frame to the common event type; `Response`/`RequestError` frames (answers to calls) are dropped. */
export const fromWsFrame = (frame: ChatWsFrame.ChatWsFrame): Option.Option<ChatPushEvent> => {
  switch (frame._tag) {
    case "StateChange":
      return Option.some(
        new ChatSseEvent.StateChange(
          {
            id: noId,
            changed: frame.changed,
            ...(frame.pushState === undefined ? {} : { pushState: frame.pushState })
          },
          true
        )
      )
    case "ChatTypingEvent":
      return Option.some(
        new ChatSseEvent.Typing(
          { id: noId, chatId: frame.chatId, senderId: frame.senderId, typing: frame.typing },
          true
        )
      )
    case "ChatPresenceEvent": {
      const { _tag, ...fields } = frame
      return Option.some(new ChatSseEvent.Presence({ id: noId, ...fields }, true))
    }
    case "Unknown":
      return Option.some(
        new ChatSseEvent.Unknown({
          id: noId,
          event: frame.typeName,
          data: Redacted.make(JSON.stringify(Redacted.value(frame.raw)) ?? ""),
          error: frame.error
        }, true)
      )
    case "Invalid":
      return Option.some(
        new ChatSseEvent.Unknown({
          id: noId,
          event: "<invalid frame>",
          data: Redacted.make(""),
          error: frame.error._tag === "ParseError" ? Option.some(frame.error) : Option.none()
        }, true)
      )
    case "Connected":
      return Option.some(new ChatSseEvent.Connected({ lastEventId: noId, pushState: frame.pushState }, true))
    case "Reconnected":
      return Option.some(new ChatSseEvent.Reconnected({ attempt: frame.attempt, lastEventId: noId }, true))
    case "Response":
    case "RequestError":
      return Option.none()
  }
}

const defaultChatStream: WebSocketSession.ChatStreamOptions = { dataTypes: ["typing", "presence"] }

/**
 * The data types `WebSocketPushEnable` names when the caller names none: every JMAP Chat type
 * (draft-atwood-jmap-chat-00) and Quota (RFC 9425), rather than `null`.
 */
export const chatDataTypes: ReadonlyArray<string> = Object.keys(DataTypes)

/** Builds the service from the session (and its transport) and a WebSocket factory. */
export const make: Effect.Effect<Service, never, SessionService | WebSocketFactory> = Effect.gen(function*() {
  const session = yield* SessionService
  const factory = yield* WebSocketFactory
  const transport = session.transport

  // Why the factory cannot authenticate a WebSocket to `url` with the transport's credentials
  // (a browser's cannot send an Authorization header), if it cannot.
  // The caller's override, else the `url` of the session's RFC 8887 capability (resolved).
  const webSocketUrl = (override: string | undefined): Effect.Effect<string, PushError> =>
    override !== undefined ?
      Effect.succeed(override) :
      Effect.flatMap(session.webSocketCapability, (capability) =>
        Option.isSome(capability)
          ? Effect.succeed(capability.value.url)
          : new InvalidSession({ description: "the server offers no urn:ietf:params:jmap:websocket capability" }))

  const webSocketAuthRefusal = (url: string, baseUrl: string) =>
    Effect.gen(function*() {
      const headers = yield* transport.authHeaders(yield* WebSocketSession.resolveUrl(url, baseUrl))
      return accepts(factory, headers) ? Option.none() : Option.some(refusal(headers))
    })

  const eventSource: Service["eventSource"] = (options = {}) =>
    Stream.unwrap(Effect.gen(function*() {
      const ping = options.ping ?? 30
      const url = yield* session.eventSourceUrl({
        types: options.types === undefined || options.types.length === 0 ? "*" : options.types.join(","),
        closeafter: "no",
        ping
      })
      return ChatEventSource.make({
        open: (lastEventId) => transport.openEventSource(url, { lastEventId: Option.getOrUndefined(lastEventId) }),
        maxFrameBytes: transport.config.maxSseFrameBytes,
        maxRetryAfter: transport.config.maxRetryAfter,
        ...(ping > 0 ? { idleTimeout: `${Math.ceil(ping * 2.5)} seconds` as const } : {}),
        ...(options.schedule === undefined ? {} : { schedule: options.schedule }),
        ...(options.lastEventId === undefined ? {} : { lastEventId: Option.some(options.lastEventId) })
      })
    })).pipe(Stream.withSpan("ChatPush.eventSource", { captureStackTrace: false }))

  const webSocket: Service["webSocket"] = (options = {}) =>
    Effect.gen(function*() {
      const baseUrl = yield* session.sessionUrl
      const url = yield* webSocketUrl(options.webSocketUrl)
      const refused = yield* webSocketAuthRefusal(url, baseUrl)
      if (Option.isSome(refused)) return yield* new InvalidArgument({ description: refused.value })
      return yield* WebSocketSession.make({
        url,
        baseUrl,
        headers: transport.authHeaders,
        maxMessageBytes: transport.config.maxWsMessageBytes,
        connectTimeout: transport.config.connectTimeout,
        requestTimeout: transport.config.requestTimeout,
        ...(options.schedule === undefined ? {} : { schedule: options.schedule }),
        ...(options.pingInterval === undefined ? {} : { pingInterval: options.pingInterval }),
        ...(options.pongTimeout === undefined ? {} : { pongTimeout: options.pongTimeout }),
        ...(options.eventBufferSize === undefined ? {} : { eventBufferSize: options.eventBufferSize })
      }).pipe(Effect.provideService(WebSocketFactory, factory))
    }).pipe(Effect.withSpan("ChatPush.webSocket", { captureStackTrace: false }))

  const overWebSocket = (options: EventsOptions) =>
    Stream.unwrapScoped(Effect.gen(function*() {
      const ws = yield* webSocket({
        ...(options.webSocketUrl === undefined ? {} : { webSocketUrl: options.webSocketUrl }),
        ...(options.schedule === undefined ? {} : { schedule: options.schedule }),
        ...(options.eventBufferSize === undefined ? {} : { eventBufferSize: options.eventBufferSize })
      })
      // Subscribe before enabling push so that no frame is missed, Connected included; push before
      // the chat stream, so that Connected comes before any ephemeral event.
      const frames = yield* ws.subscribe
      yield* ws.pushEnable(
        options.types === undefined || options.types.length === 0 ? chatDataTypes : options.types,
        options.pushState
      )
      const chatStream = options.chatStream ?? defaultChatStream
      if (chatStream !== false) yield* ws.chatStreamEnable(chatStream)
      return Stream.filterMap(frames, fromWsFrame)
    }))

  const events: Service["events"] = (options = {}) =>
    Stream.unwrap(Effect.gen(function*() {
      const via = options.via ?? "auto"
      if (via === "websocket") return overWebSocket(options)
      if (via === "eventsource" || !supportsChatWebSocket(yield* session.get)) return eventSource(options)
      // The capability's `supportsPush` decides, not its `url`: a `webSocketUrl` may replace that.
      const offered = yield* session.capability(WebSocketCapabilityUri, WebSocketCapability)
      if (Option.isNone(offered) || !offered.value.supportsPush) return eventSource(options)
      // Auto: a WebSocket URL that cannot be used, or a WebSocket that could not authenticate,
      // would fail; the EventSource (over fetch) can still deliver the same events.
      // (An explicit `webSocketUrl` that cannot be used still fails, with InvalidArgument.)
      const url = yield* Effect.either(webSocketUrl(options.webSocketUrl))
      if (Either.isLeft(url)) {
        if (url.left._tag !== "InvalidSession") return yield* url.left
        yield* Effect.logWarning(`ChatPush.events: using the EventSource, as ${url.left.message}`)
        return eventSource(options)
      }
      const refused = yield* webSocketAuthRefusal(url.right, yield* session.sessionUrl)
      if (Option.isNone(refused)) return overWebSocket(options)
      yield* Effect.logDebug(`ChatPush.events: using the EventSource, as ${refused.value}`)
      return eventSource(options)
    })).pipe(Stream.withSpan("ChatPush.events", { captureStackTrace: false }))

  const webSocketClient: Service["webSocketClient"] = (options) =>
    Effect.map(webSocket(options), (ws) => ({
      session: ws,
      client: ChatClient.makeWith<WebSocketCallError>({
        call: ws.call,
        accountId: session.primaryAccountId(CapabilityUri.chat),
        upload: session.upload,
        download: session.download
      })
    }))

  return ChatPush.of({ events, eventSource, webSocket, webSocketClient })
})

/** The `ChatPush` layer; needs `SessionService` and a `WebSocketFactory` (e.g. `NodeWebSocket.layer`). */
export const layer: Layer.Layer<ChatPush, never, SessionService | WebSocketFactory> = Layer.effect(ChatPush, make)
