/**
 * `JmapPush`: the state changes of any JMAP server as one resilient `Stream`, over the RFC 8887
 * WebSocket when the session offers push over it, and over the RFC 8620 §7.3 EventSource otherwise.
 * Either way the elements are the same {@link PushEvent.PushEvent}s, the stream reconnects by itself
 * (resuming from the last event id or `pushState`, with the server's `retry:` and `Retry-After`
 * honoured up to `ClientConfig.maxRetryAfter`), and it emits `Connected` once its first connection
 * is live and `Reconnected` after each reconnection, so consumers know when to call `/changes`.
 *
 * An extension adds its own events with an {@link Extension} ({@link makeWith}): `ChatPush` is this
 * service with the chat draft's typing and presence events.
 *
 * @example
 * const push = yield* JmapPush.JmapPush
 * yield* push.events({ types: ["Mailbox", "Email"] }).pipe(
 *   Stream.runForEach((event) => event._tag === "StateChange" ? syncMail : Effect.void)
 * )
 *
 * @since 0.1.0
 */
import { Context, Effect, Either, Layer, Option, type Schedule, type Scope, Stream } from "effect"
import {
  type AuthFailed,
  InvalidArgument,
  type InvalidHeaderValue,
  InvalidSession,
  type ParseError,
  type SseFrameTooLarge,
  type UnexpectedResponse,
  type WebSocketError
} from "../Errors.js"
import { type Session, WebSocketCapability, WebSocketCapabilityUri } from "../Session.js"
import { SessionService } from "../SessionService.js"
import type * as SessionServiceModule from "../SessionService.js"
import * as EventSourceStream from "./EventSourceStream.js"
import * as PushEvent from "./PushEvent.js"
import { accepts, refusal, WebSocketFactory } from "./WebSocketFactory.js"
import * as WebSocketSession from "./WebSocketSession.js"
import * as WsFrame from "./WsFrame.js"

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

/** The errors of the credentials of a push WebSocket's upgrades (they end its session). */
export type UpgradeError = AuthFailed | InvalidHeaderValue

/** Options of {@link Push.events}. */
export interface EventsOptions {
  /**
   * `"auto"` (default): the WebSocket when the session's RFC 8887 capability has `supportsPush` (and
   * the extension wants it), its URL is usable and the credentials can go on a WebSocket; else the
   * EventSource (saying why in a log). `"websocket"` fails at once (`InvalidSession`,
   * `InvalidArgument`) where auto would fall back.
   */
  readonly via?: "auto" | "websocket" | "eventsource"
  /**
   * Data types whose state changes to receive (e.g. `["Mailbox", "Email"]`); default all: `*` over
   * the EventSource, and over the WebSocket the extension's list, else `null` (RFC 8887 §4.3.5.2:
   * all types; some servers read it as none, so name the types for those).
   */
  readonly types?: ReadonlyArray<string>
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

/** Options of {@link Push.eventSource}. */
export type EventSourceOptions = Omit<EventsOptions, "via" | "pushState">

/** Options of {@link Push.webSocket}. */
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

/**
 * The push operations for the events `X` and WebSocket frames `W` of an extension, whose `events`
 * take its options `O` too. Every method has `R = never`.
 */
export interface Push<X = never, W = never, O = {}> {
  /** Push events over the best transport the session offers (see {@link EventsOptions}). */
  readonly events: (options?: EventsOptions & O) => Stream.Stream<PushEvent.PushEvent<X>, PushError>
  /** The resilient EventSource (RFC 8620 §7.3) of the session's `eventSourceUrl`. */
  readonly eventSource: (options?: EventSourceOptions) => Stream.Stream<PushEvent.PushEvent<X>, PushError>
  /**
   * A connected, self-reconnecting RFC 8887 session for the session's WebSocket URL (credentials sent
   * on the upgrade only to trusted origins), for calls and push control.
   */
  readonly webSocket: (
    options?: WebSocketOptions
  ) => Effect.Effect<WebSocketSession.WebSocketSession<UpgradeError, W>, PushError, Scope.Scope>
}

/** The operations of `JmapPush`: RFC 8620 and RFC 8887 events only. */
export interface Service extends Push {}

/** The `JmapPush` tag. */
export class JmapPush extends Context.Tag("effect-jmap-chat/JmapPush")<JmapPush, Service>() {}

/**
 * What an extension adds to push: its events over each transport, and its WebSocket set-up. The
 * reconnection, resumption and transport choice stay {@link makeWith}'s.
 */
export interface Extension<X, W, O> {
  /** Names the spans (`${name}.events`, …) and the log lines of the service. */
  readonly name: string
  /** The extension's EventSource events, by event name. */
  readonly eventSource: PushEvent.SseCodec<X>
  /** The extension's WebSocket frames, by `@type`. */
  readonly webSocket: WsFrame.Codec<W>
  /** The event a WebSocket frame of the extension is (`None`: not an event). */
  readonly fromFrame: (frame: W) => Option.Option<X>
  /** Data types `WebSocketPushEnable` names when the caller names none (default `null`: all). */
  readonly dataTypes?: ReadonlyArray<string> | undefined
  /** Whether `auto` may pick the WebSocket for this session (besides the capability's `supportsPush`). */
  readonly prefersWebSocket?: ((session: Session) => boolean) | undefined
  /** Runs on the WebSocket of `events` right after push is enabled (e.g. the chat stream enable). */
  readonly onWebSocket?:
    | ((
      session: WebSocketSession.WebSocketSession<UpgradeError, W>,
      options: O
    ) => Effect.Effect<void, PushError>)
    | undefined
}

/** No extension: RFC 8620 and RFC 8887 only. */
export const core: Extension<never, never, {}> = {
  name: "JmapPush",
  eventSource: PushEvent.core,
  webSocket: WsFrame.core,
  fromFrame: () => Option.none()
}

/** Builds the push operations of `extension` from the session (and its transport) and a WebSocket factory. */
export const makeWith = <X, W, O>(
  extension: Extension<X, W, O>
): Effect.Effect<Push<X, W, O>, never, SessionService | WebSocketFactory> =>
  Effect.gen(function*() {
    const session = yield* SessionService
    const factory = yield* WebSocketFactory
    const transport = session.transport
    const name = extension.name
    const spanOptions = { captureStackTrace: false } as const

    // The caller's override, else the `url` of the session's RFC 8887 capability (resolved).
    const webSocketUrl = (override: string | undefined): Effect.Effect<string, PushError> =>
      override !== undefined ?
        Effect.succeed(override) :
        Effect.flatMap(session.webSocketCapability, (capability) =>
          Option.isSome(capability)
            ? Effect.succeed(capability.value.url)
            : new InvalidSession({ description: "the server offers no urn:ietf:params:jmap:websocket capability" }))

    // Why the factory cannot authenticate a WebSocket to `url` with the transport's credentials
    // (a browser's cannot send an Authorization header), if it cannot.
    const webSocketAuthRefusal = (url: string, baseUrl: string) =>
      Effect.gen(function*() {
        const headers = yield* transport.authHeaders(yield* WebSocketSession.resolveUrl(url, baseUrl))
        return accepts(factory, headers) ? Option.none() : Option.some(refusal(headers))
      })

    const eventSource: Push<X, W, O>["eventSource"] = (options = {}) =>
      Stream.unwrap(Effect.gen(function*() {
        const ping = options.ping ?? 30
        const url = yield* session.eventSourceUrl({
          types: options.types === undefined || options.types.length === 0 ? "*" : options.types.join(","),
          closeafter: "no",
          ping
        })
        const elements = EventSourceStream.make({
          open: (lastEventId) => transport.openEventSource(url, { lastEventId: Option.getOrUndefined(lastEventId) }),
          maxFrameBytes: transport.config.maxSseFrameBytes,
          maxRetryAfter: transport.config.maxRetryAfter,
          ...(ping > 0 ? { idleTimeout: `${Math.ceil(ping * 2.5)} seconds` as const } : {}),
          ...(options.schedule === undefined ? {} : { schedule: options.schedule }),
          ...(options.lastEventId === undefined ? {} : { lastEventId: Option.some(options.lastEventId) })
        })
        return Stream.map(elements, (element) => PushEvent.fromElement(element, extension.eventSource))
      })).pipe(Stream.withSpan(`${name}.eventSource`, spanOptions))

    const webSocket: Push<X, W, O>["webSocket"] = (options = {}) =>
      Effect.gen(function*() {
        const baseUrl = yield* session.sessionUrl
        const url = yield* webSocketUrl(options.webSocketUrl)
        const refused = yield* webSocketAuthRefusal(url, baseUrl)
        if (Option.isSome(refused)) return yield* new InvalidArgument({ description: refused.value })
        return yield* WebSocketSession.make<UpgradeError, W>({
          url,
          baseUrl,
          headers: transport.authHeaders,
          codec: extension.webSocket,
          maxMessageBytes: transport.config.maxWsMessageBytes,
          connectTimeout: transport.config.connectTimeout,
          requestTimeout: transport.config.requestTimeout,
          ...(options.schedule === undefined ? {} : { schedule: options.schedule }),
          ...(options.pingInterval === undefined ? {} : { pingInterval: options.pingInterval }),
          ...(options.pongTimeout === undefined ? {} : { pongTimeout: options.pongTimeout }),
          ...(options.eventBufferSize === undefined ? {} : { eventBufferSize: options.eventBufferSize })
        }).pipe(Effect.provideService(WebSocketFactory, factory))
      }).pipe(Effect.withSpan(`${name}.webSocket`, spanOptions))

    const overWebSocket = (options: EventsOptions & O) =>
      Stream.unwrapScoped(Effect.gen(function*() {
        const ws = yield* webSocket({
          ...(options.webSocketUrl === undefined ? {} : { webSocketUrl: options.webSocketUrl }),
          ...(options.schedule === undefined ? {} : { schedule: options.schedule }),
          ...(options.eventBufferSize === undefined ? {} : { eventBufferSize: options.eventBufferSize })
        })
        // Subscribe before enabling push so that no frame is missed, Connected included; push before
        // the extension's enables, so that Connected comes before any of their events.
        const frames = yield* ws.subscribe
        yield* ws.pushEnable(
          options.types === undefined || options.types.length === 0 ? extension.dataTypes ?? null : options.types,
          options.pushState
        )
        if (extension.onWebSocket !== undefined) yield* extension.onWebSocket(ws, options)
        return Stream.filterMap(frames, (frame) => PushEvent.fromWsFrame(frame, extension.fromFrame))
      }))

    const events: Push<X, W, O>["events"] = (options = {} as EventsOptions & O) =>
      Stream.unwrap(Effect.gen(function*() {
        const via = options.via ?? "auto"
        if (via === "websocket") return overWebSocket(options)
        if (via === "eventsource") return eventSource(options)
        if (extension.prefersWebSocket !== undefined && !extension.prefersWebSocket(yield* session.get)) {
          return eventSource(options)
        }
        // The capability's `supportsPush` decides, not its `url`: a `webSocketUrl` may replace that.
        const offered = yield* session.capability(WebSocketCapabilityUri, WebSocketCapability)
        if (Option.isNone(offered) || !offered.value.supportsPush) return eventSource(options)
        // Auto: a WebSocket URL that cannot be used, or a WebSocket that could not authenticate,
        // would fail; the EventSource (over fetch) can still deliver the same events.
        // (An explicit `webSocketUrl` that cannot be used still fails, with InvalidArgument.)
        const url = yield* Effect.either(webSocketUrl(options.webSocketUrl))
        if (Either.isLeft(url)) {
          if (url.left._tag !== "InvalidSession") return yield* url.left
          yield* Effect.logWarning(`${name}.events: using the EventSource, as ${url.left.message}`)
          return eventSource(options)
        }
        const refused = yield* webSocketAuthRefusal(url.right, yield* session.sessionUrl)
        if (Option.isNone(refused)) return overWebSocket(options)
        yield* Effect.logDebug(`${name}.events: using the EventSource, as ${refused.value}`)
        return eventSource(options)
      })).pipe(Stream.withSpan(`${name}.events`, spanOptions))

    return { events, eventSource, webSocket }
  })

/** Builds the `JmapPush` service (no extension) from the session and a WebSocket factory. */
export const make: Effect.Effect<Service, never, SessionService | WebSocketFactory> = makeWith(core)

/** The `JmapPush` layer; needs `SessionService` and a `WebSocketFactory` (e.g. `NodeWebSocket.layer`). */
export const layer: Layer.Layer<JmapPush, never, SessionService | WebSocketFactory> = Layer.effect(JmapPush, make)
