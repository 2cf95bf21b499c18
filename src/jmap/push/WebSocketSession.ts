/**
 * A resilient RFC 8887 JMAP-over-WebSocket session, on `@effect/platform/Socket`, generic over the
 * extension frames it understands (a {@link WsFrame.Codec}: e.g. the chat draft's ephemeral events,
 * which `src/chat` plugs in).
 *
 * - `call` sends `{"@type":"Request","id":…}` and completes with the `Response` whose `requestId`
 *   matches (any number in flight, answered in any order); a `RequestError` frame for it fails it.
 *   A call not answered within `requestTimeout` fails with a `Timeout` `WebSocketError` (the
 *   connection stays: the server may just be slow), and one that sees more than 64 consecutive
 *   non-text frames while it waits fails with `UnexpectedResponse`. Either way it stops waiting at
 *   once, and its answer, should it come later, is dropped. Ping and pong frames are not messages:
 *   they are never seen here, nor counted.
 * - `sendText` sends one raw text frame, for frames this SDK does not model.
 * - `pushEnable` / `pushDisable` (RFC 8887 §4.3.5) record the wanted push subscription and send it at
 *   once when connected; `enableExtension` / `disableExtension` do the same for an extension's
 *   subscription frames (e.g. `ChatStreamEnable`, draft-atwood-jmap-chat-wss-00).
 * - `events` streams every other frame, decoded to a {@link WsFrame.WsFrame} (the `codec`'s frames
 *   included). An unknown frame is `Unknown`; invalid JSON and binary frames are `Invalid`; none of
 *   them close the connection.
 * - Resilience: keepalive with protocol pings (or `Core/echo` requests where the platform has no
 *   pings) and a pong deadline; reconnection on any close, error or silence with a `Schedule` (reset
 *   after a connection that received something). After each reconnect, BEFORE any queued call, the
 *   session re-sends `WebSocketPushEnable` with the last `pushState` seen in a `StateChange` and the
 *   extensions' current enable frames (WSS guide startup sequence), then emits `Reconnected`. `Connected`
 *   is emitted once, right after push first goes live (the first `WebSocketPushEnable` sent on a
 *   ready connection), so that a consumer knows when to call `/changes` once. Calls in
 *   flight when a connection ends fail with that connection's `WebSocketError` (they are never
 *   silently re-sent: a `/set` may have been applied); calls made while reconnecting wait and go
 *   out on the next connection (within their `requestTimeout`).
 * - Ends (failing `events` and every call) on a refused upgrade with 401/403 or a close with 1008
 *   (credentials expired, WSS draft §Authentication) as `AuthFailed`; on an upgrade refused with
 *   another 4xx status (except 408/429) as a `Protocol` `WebSocketError`; on a failure of `headers`;
 *   or with the last `WebSocketError` when the schedule gives up.
 *
 * @since 0.1.0
 */
import { Socket } from "@effect/platform"
import {
  Cause,
  Deferred,
  Duration,
  Effect,
  Either,
  Exit,
  FiberId,
  Mailbox,
  Option,
  Schedule,
  type Scope,
  Stream
} from "effect"
import {
  AuthFailed,
  InvalidArgument,
  type ParseError,
  redactUrl,
  type RequestError,
  type SerializeError,
  UnexpectedResponse,
  WebSocketError
} from "../Errors.js"
import { utf8Length } from "../internal/bytes.js"
import { timeoutFail } from "../internal/timeout.js"
import { resolveWebSocketUrl } from "../internal/webSocketUrl.js"
import type { JmapRequest, JmapResponse } from "../Wire.js"
import { accepts, type Handle, refusal, WebSocketFactory } from "./WebSocketFactory.js"
import { encodeFrame, encodeRequest, WebSocketPushDisable, WebSocketPushEnable } from "./WebSocketFrames.js"
import * as WsFrame from "./WsFrame.js"

/** Options of {@link make}. */
export interface Options<E = never, X = never> {
  /** The `url` of the `urn:ietf:params:jmap:websocket` capability. Relative URLs need `baseUrl`. */
  readonly url: string
  /** Resolves a relative or host-less `url` (e.g. the Session URL); `http:` maps to `ws:`, `https:` to `wss:`. */
  readonly baseUrl?: string | undefined
  /**
   * Headers for each upgrade request (e.g. `Authorization`), evaluated on every (re)connect so that
   * refreshed tokens are used; a function gets the resolved `ws:`/`wss:` URL (so
   * `HttpTransport.authHeaders` fits as is). Its failure ends the session.
   */
  readonly headers?:
    | Effect.Effect<Readonly<Record<string, string>>, E>
    | ((url: string) => Effect.Effect<Readonly<Record<string, string>>, E>)
    | undefined
  /** Largest accepted message, in bytes (default 1 MiB); a larger one drops the connection with a `Capacity` error. */
  readonly maxMessageBytes?: number | undefined
  /** Time allowed for TCP + TLS + upgrade (default 10 s). */
  readonly connectTimeout?: Duration.DurationInput | undefined
  /**
   * Time allowed for a `call` (or `sendText`), from the moment it is made: waiting for a connection
   * and for the answer (default 30 s, like `ClientConfig.requestTimeout`; `Duration.infinity`
   * waits forever). Past it the call fails with a `Timeout` `WebSocketError`.
   */
  readonly requestTimeout?: Duration.DurationInput | undefined
  /** Time between keepalive pings (default 30 s, WSS guide: 30–60 s); `Duration.infinity` disables keepalive. */
  readonly pingInterval?: Duration.DurationInput | undefined
  /** Time to wait for the pong (or `Core/echo` response) before declaring the connection dead (default 10 s). */
  readonly pongTimeout?: Duration.DurationInput | undefined
  /**
   * Delays between reconnection attempts; its input is the error that ended the last connection,
   * and the session ends with that error when it completes. Default: 1 s doubling to 60 s, ±20 %
   * jitter, forever (WSS guide). Restarts after a connection that received anything.
   */
  readonly schedule?: Schedule.Schedule<unknown, WebSocketError> | undefined
  /**
   * Frames buffered per `events` subscriber (default 1024). A subscriber that falls further behind
   * is ended, not skipped: its stream delivers the frames already buffered, in order, then fails
   * with a `WebSocketError` (`Capacity`); no later frame reaches it. The connection, the calls and
   * the other subscribers carry on. To resume, subscribe again and re-enable push with the last
   * `pushState` (the server replays what changed since), or call `/changes`. It bounds bursts too:
   * the frames of one network read are all buffered before any consumer runs, so keep it well above
   * the largest burst the server may send.
   */
  readonly eventBufferSize?: number | undefined
  /**
   * The extension frames to decode besides RFC 8887's (e.g. `ChatWsFrame.codec`); without it a frame
   * of any other `@type` is `Unknown`.
   */
  readonly codec?: WsFrame.Codec<X> | undefined
}

/** A client → server frame (`WebSocketPushEnable`, an extension's enable or disable frame, …). */
export interface ControlFrame {
  readonly "@type": string
  readonly [property: string]: unknown
}

/** What ends a session. */
export type SessionError<E> = AuthFailed | WebSocketError | InvalidArgument | E

/**
 * The failures of {@link WebSocketSession.call}: besides what ends the session, a `WebSocketError`
 * (`Timeout` after `requestTimeout`, or the connection it was sent on ended), a `RequestError`
 * frame, an undecodable answer, a request JSON cannot represent, or more than 64 consecutive
 * non-text frames while it waited (`UnexpectedResponse`).
 */
export type CallError<E> = SessionError<E> | RequestError | ParseError | SerializeError | UnexpectedResponse

/**
 * A live RFC 8887 session whose events include the extension frames `X` of its codec. It stays
 * usable across reconnections until its scope closes or it ends.
 */
export interface WebSocketSession<E = never, X = never> {
  /** The resolved `ws:`/`wss:` URL, without query or credentials. */
  readonly url: string
  /**
   * Every frame not consumed by `call` (push, ephemeral events, answers to ids this session never
   * sent, `Unknown`, `Invalid`), a `Connected` when push first goes live and a `Reconnected` after
   * each reconnection. Subscribes when run; each run gets every frame from then on. Ends when the
   * session's scope closes; fails when the session ends, or with a `Capacity` `WebSocketError` when
   * this subscriber falls more than `eventBufferSize` frames behind (see {@link Options}).
   */
  readonly events: Stream.Stream<WsFrame.WsFrame<X>, SessionError<E>>
  /** Subscribes now, consumes later (subscribe before `pushEnable` to miss nothing). */
  readonly subscribe: Effect.Effect<Stream.Stream<WsFrame.WsFrame<X>, SessionError<E>>, never, Scope.Scope>
  /** Sends an RFC 8620 Request (RFC 8887 §4.3.1) and awaits its Response, within `requestTimeout`. */
  readonly call: (request: JmapRequest) => Effect.Effect<JmapResponse, CallError<E>>
  /**
   * Sends `text` as one raw text frame, once a connection is ready (within `requestTimeout`), for
   * frames this SDK does not model. Nothing is awaited, and it is not re-sent after a reconnect.
   */
  readonly sendText: (text: string) => Effect.Effect<void, SessionError<E>>
  /**
   * `WebSocketPushEnable` (`null` = all types), now and after every reconnect (then with the last
   * `pushState`). The first one sent on a ready connection publishes `Connected`.
   */
  readonly pushEnable: (
    dataTypes: ReadonlyArray<string> | null,
    pushState?: string
  ) => Effect.Effect<void, SessionError<E>>
  /** `WebSocketPushDisable`; not re-sent after reconnects (push is off on a new connection). */
  readonly pushDisable: Effect.Effect<void, SessionError<E>>
  /**
   * An extension's subscription frame (e.g. the chat draft's `ChatStreamEnable`), kept under `key`
   * in place of the previous one: sent now when connected, and on every new connection right after
   * `WebSocketPushEnable` and before any queued call (WSS guide startup sequence). Frames under
   * different keys go in the order they were enabled (a replaced frame keeps its place).
   */
  readonly enableExtension: (key: string, frame: ControlFrame) => Effect.Effect<void, SessionError<E>>
  /**
   * Forgets the frame kept under `key` (it is no longer re-sent) and sends `frame` (e.g.
   * `ChatStreamDisable`), if given, now when connected.
   */
  readonly disableExtension: (key: string, frame?: ControlFrame) => Effect.Effect<void, SessionError<E>>
  /** The last `pushState` received (persist it to resume push after a restart). */
  readonly pushState: Effect.Effect<Option.Option<string>>
}

const MiB = 1024 * 1024

/** The default reconnect schedule: exponential from 1 s, capped at 60 s, ±20 % jitter, forever. */
export const defaultSchedule: Schedule.Schedule<unknown> = Schedule.exponential("1 second").pipe(
  Schedule.union(Schedule.spaced("60 seconds")),
  Schedule.jittered
)

/**
 * Resolves the WebSocket URL (before any I/O) to an absolute `ws:`/`wss:` URL: `ws(s)://host/…`
 * is kept and `http(s)://host/…` mapped to `ws(s):`; a URL without a host (`/jmap/ws`,
 * `wss:/jmap/ws/`) or without a scheme (`//host/ws`) is resolved against `baseUrl` with `http:` →
 * `ws:` and `https:` → `wss:`. Any other scheme, a fragment, or an unresolvable URL is an
 * `InvalidArgument` (the URL is not echoed).
 */
export const resolveUrl = (url: string, baseUrl?: string): Either.Either<string, InvalidArgument> =>
  Either.mapLeft(
    resolveWebSocketUrl(url, baseUrl),
    (problem) => new InvalidArgument({ description: `WebSocket URL: ${problem}` })
  )

/** Consecutive non-text frames a call sits through before it gives up (seed-api §1.10). */
const maxNonTextFrames = 64

/** A call awaiting its answer on a connection. */
interface PendingCall<E> {
  readonly deferred: Deferred.Deferred<JmapResponse, CallError<E>>
  /** The connection's `textFrames` when `skipped` was last reset. */
  textFrames: number
  /** Non-text frames received since that text frame (or since the call was sent). */
  skipped: number
}

/** One connection attempt's state. Everything here is touched synchronously, on the JS thread. */
interface Connection<E> {
  readonly handle: Handle
  readonly pending: Map<string, PendingCall<E>>
  /** Text frames received so far (to count non-text frames per call, see `PendingCall`). */
  textFrames: number
  readonly kill: Deferred.Deferred<never, WebSocketError>
  /** Frames received before the startup sequence finished (delivered right after `Reconnected`). */
  early: Array<WsFrame.WsFrame<unknown>> | undefined
  ended: boolean
  /** Being dropped by the session (oversize message, dead peer): later frames are ignored. */
  dropped: boolean
  /** Completed when the connection has ended. */
  readonly closed: Deferred.Deferred<void>
  /** Received anything (a frame or a pong): the backoff restarts after this connection. */
  healthy: boolean
  pong: Deferred.Deferred<void> | undefined
}

type State<E> =
  | { readonly _tag: "Connecting" }
  | { readonly _tag: "Ready"; readonly connection: Connection<E> }
  | { readonly _tag: "Ended"; readonly error: Option.Option<SessionError<E>> }

const closedError = new WebSocketError({ reason: "ConnectionClosed", description: "the WebSocket session was closed" })

/**
 * Starts a session in the current scope; it connects in the background (calls wait for the first
 * connection). Fails with `InvalidArgument` before any I/O for a bad URL or limit. Closing the scope
 * closes the socket with 1000 and fails waiting calls with a `ConnectionClosed` error.
 */
export const make = <E = never, X = never>(
  options: Options<E, X>
): Effect.Effect<WebSocketSession<E, X>, InvalidArgument, Scope.Scope | WebSocketFactory> =>
  Effect.gen(function*() {
    const url = yield* resolveUrl(options.url, options.baseUrl)
    const maxMessageBytes = options.maxMessageBytes ?? MiB
    const eventBufferSize = options.eventBufferSize ?? 1024
    if (!Number.isSafeInteger(maxMessageBytes) || maxMessageBytes <= 0) {
      return yield* new InvalidArgument({ description: "WebSocketSession: maxMessageBytes must be a positive integer" })
    }
    if (!Number.isSafeInteger(eventBufferSize) || eventBufferSize <= 0) {
      return yield* new InvalidArgument({ description: "WebSocketSession: eventBufferSize must be a positive integer" })
    }
    const connectTimeout = Duration.decode(options.connectTimeout ?? "10 seconds")
    const requestTimeout = Duration.decode(options.requestTimeout ?? "30 seconds")
    if (!Duration.greaterThan(requestTimeout, Duration.zero)) {
      return yield* new InvalidArgument({ description: "WebSocketSession: requestTimeout must be > 0" })
    }
    const pingInterval = Duration.decode(options.pingInterval ?? "30 seconds")
    const pongTimeout = Duration.decode(options.pongTimeout ?? "10 seconds")
    const headers = options.headers === undefined
      ? Effect.succeed({})
      : typeof options.headers === "function"
      ? Effect.suspend(() =>
        (options.headers as (url: string) => Effect.Effect<Readonly<Record<string, string>>, E>)(url)
      )
      : options.headers
    const factory = yield* WebSocketFactory
    const safeUrl = redactUrl(url)

    // ---- session state (mutated only synchronously) ----
    let state: State<E> = { _tag: "Connecting" }
    const ready = yield* Effect.makeLatch(false)
    const control = yield* Effect.makeSemaphore(1)
    const codec = options.codec ?? (WsFrame.core as WsFrame.Codec<X>)
    const subscribers = new Set<Mailbox.Mailbox<WsFrame.WsFrame<X>, SessionError<E>>>()
    let wantedPush: { readonly dataTypes: ReadonlyArray<string> | null } | undefined
    // The extensions' enable frames, re-sent on every connection (in the order of their keys).
    const wantedExtensions = new Map<string, ControlFrame>()
    let lastPushState: Option.Option<string> = Option.none()
    let nextId = 0
    let reconnects = 0
    // `Connected` was published: push went live once.
    let pushLive = false

    const publish = (frame: WsFrame.WsFrame<X>): void => {
      for (const mailbox of subscribers) {
        if (!mailbox.unsafeOffer(frame)) {
          subscribers.delete(mailbox)
          mailbox.unsafeDone(Exit.fail(
            new WebSocketError({
              reason: "Capacity",
              description: `an events subscriber fell more than ${eventBufferSize} frames (eventBufferSize) behind ` +
                "and was ended after the frames it had buffered; the session and other subscribers go on: " +
                "subscribe again and re-enable push with the last pushState, or call /changes"
            })
          ))
        }
      }
    }

    const send = (connection: Connection<E>, text: string): boolean => {
      const ws = connection.handle.webSocket
      if (connection.ended || ws.readyState !== 1) return false
      try {
        ws.send(text)
        return true
      } catch {
        return false
      }
    }

    const sendFrame = (connection: Connection<E>, frame: ControlFrame): boolean => {
      const text = encodeFrame(frame)
      return Either.isRight(text) && send(connection, text.right)
    }

    // Sends a WebSocketPushEnable; the first one sent publishes Connected (if it could not be sent,
    // the connection is ending, and the next one's startup sends it again).
    const sendPushEnable = (
      connection: Connection<E>,
      dataTypes: ReadonlyArray<string> | null,
      pushState: Option.Option<string>
    ): void => {
      if (sendFrame(connection, pushEnableFrame(dataTypes, pushState)) && !pushLive) {
        pushLive = true
        publish(new WsFrame.Connected({ pushState }, true))
      }
    }

    const pushEnableFrame = (dataTypes: ReadonlyArray<string> | null, pushState: Option.Option<string>) =>
      WebSocketPushEnable.make({
        dataTypes,
        ...(Option.isSome(pushState) ? { pushState: pushState.value } : {})
      })

    // Keepalive requests: their ids start with this prefix, and a late answer is dropped, not published.
    const keepalivePrefix = "K"
    const keepaliveRequest: JmapRequest = {
      using: ["urn:ietf:params:jmap:core"],
      methodCalls: [["Core/echo", {}, "k"]]
    }

    // ---- inbound frames ----
    const dispatch = (connection: Connection<E>, frame: WsFrame.WsFrame<X>): void => {
      // Only RFC 8887 frames are dispatched on; an extension's frames are published as they are.
      switch ((frame as WsFrame.WsFrame)._tag) {
        case "Response":
        case "RequestError": {
          const known = frame as WsFrame.Response | WsFrame.RequestError
          const call = Option.isSome(known.requestId) ? connection.pending.get(known.requestId.value) : undefined
          if (call !== undefined) {
            connection.pending.delete((known.requestId as Option.Some<string>).value)
            Deferred.unsafeDone(
              call.deferred,
              known._tag === "Response" ? Exit.succeed(known.response) : Exit.fail(known.error)
            )
            return
          }
          // The late answer of a call that stopped waiting (timed out, interrupted) or of a keepalive.
          if (Option.isSome(known.requestId) && isOwnRequestId(known.requestId.value)) return
          break
        }
        case "Unknown": {
          const unknown = frame as WsFrame.Unknown
          if (
            (unknown.typeName === "Response" || unknown.typeName === "RequestError") && Option.isSome(unknown.error)
          ) {
            const id = WsFrame.rawRequestId(unknown)
            const call = Option.isSome(id) ? connection.pending.get(id.value) : undefined
            if (call !== undefined) {
              connection.pending.delete((id as Option.Some<string>).value)
              Deferred.unsafeDone(call.deferred, Exit.fail(unknown.error.value))
              return
            }
          }
          break
        }
        case "StateChange": {
          const pushState = (frame as WsFrame.StateChange).pushState
          if (pushState !== undefined) lastPushState = Option.some(pushState)
          break
        }
      }
      publish(frame)
    }

    const drop = (connection: Connection<E>, error: WebSocketError): void => {
      connection.dropped = true
      Deferred.unsafeDone(connection.kill, Exit.fail(error))
    }

    const receive = (connection: Connection<E>) => (data: string | Uint8Array): void => {
      if (connection.dropped) return
      connection.healthy = true
      let frame: WsFrame.WsFrame<X>
      if (typeof data !== "string") {
        skipNonText(connection)
        frame = new WsFrame.Invalid({
          error: new UnexpectedResponse({ description: "binary WebSocket frame (RFC 8887 §4.1 requires text frames)" })
        }, true)
      } else if (
        data.length * 3 > maxMessageBytes && (data.length > maxMessageBytes || utf8Length(data) > maxMessageBytes)
      ) {
        return drop(connection, tooLarge())
      } else {
        connection.textFrames++
        frame = Either.getOrElse(WsFrame.decode(data, codec), (error) => new WsFrame.Invalid({ error }, true))
      }
      if (connection.early === undefined) return dispatch(connection, frame)
      if (connection.early.length >= eventBufferSize) {
        return drop(
          connection,
          new WebSocketError({ reason: "Capacity", description: "too many frames before the startup sequence ended" })
        )
      }
      connection.early.push(frame)
    }

    // A non-text frame: every waiting call counts it, and one past the cap fails (seed-api §1.10).
    const skipNonText = (connection: Connection<E>): void => {
      for (const [id, call] of connection.pending) {
        if (call.textFrames !== connection.textFrames) {
          call.textFrames = connection.textFrames
          call.skipped = 0
        }
        if (++call.skipped > maxNonTextFrames) {
          connection.pending.delete(id)
          Deferred.unsafeDone(call.deferred, Exit.fail(tooManyNonText))
        }
      }
    }

    const tooLarge = () =>
      new WebSocketError({
        reason: "Capacity",
        description: `a message exceeded the limit of ${maxMessageBytes} bytes`
      })

    // ---- the startup sequence, run once the socket is open ----
    const startup = (connection: Connection<E>, previous: WebSocketError | undefined) =>
      control.withPermits(1)(Effect.sync(() => {
        if (wantedPush !== undefined) sendPushEnable(connection, wantedPush.dataTypes, lastPushState)
        for (const frame of wantedExtensions.values()) sendFrame(connection, frame)
        state = { _tag: "Ready", connection }
        ready.unsafeOpen()
        // A Connected published just above (push went live on this connection) comes first.
        if (previous !== undefined) {
          publish(new WsFrame.Reconnected({ attempt: ++reconnects, cause: previous }, true))
        }
        const early = connection.early ?? []
        connection.early = undefined
        for (const frame of early) dispatch(connection, frame as WsFrame.WsFrame<X>)
      }))

    // ---- keepalive: a ping (or Core/echo) every pingInterval, answered within pongTimeout ----
    const keepalive = (connection: Connection<E>) =>
      Effect.gen(function*() {
        const { handle } = connection
        if (handle.ping !== undefined && handle.onPong !== undefined) {
          handle.onPong(() => {
            connection.healthy = true
            if (connection.pong !== undefined) Deferred.unsafeDone(connection.pong, Exit.void)
          })
        }
        for (;;) {
          yield* Effect.sleep(pingInterval)
          let answered: Option.Option<unknown>
          if (handle.ping !== undefined && handle.onPong !== undefined) {
            const pong = yield* Deferred.make<void>()
            connection.pong = pong
            handle.ping()
            answered = yield* Effect.timeoutOption(Deferred.await(pong), pongTimeout)
          } else {
            answered = yield* Effect.timeoutOption(
              Effect.either(exchange(connection, keepaliveRequest, keepalivePrefix)),
              pongTimeout
            )
          }
          if (Option.isNone(answered)) {
            handle.terminate?.()
            return yield* new WebSocketError({
              reason: "Timeout",
              description: `no keepalive answer within ${Duration.format(pongTimeout)}: the connection is dead`
            })
          }
        }
      })

    // Sends a request on `connection` and awaits its answer.
    const exchange = (
      connection: Connection<E>,
      request: JmapRequest,
      prefix = "R"
    ): Effect.Effect<JmapResponse, CallError<E>> =>
      Effect.suspend(() => {
        const id = `${prefix}${(++nextId).toString(36)}`
        const text = encodeRequest(request, id)
        if (Either.isLeft(text)) return Effect.fail(text.left)
        const deferred = Deferred.unsafeMake<JmapResponse, CallError<E>>(FiberId.none)
        connection.pending.set(id, { deferred, textFrames: connection.textFrames, skipped: 0 })
        if (!send(connection, text.right)) {
          connection.pending.delete(id)
          return Effect.fail(notSent)
        }
        return Deferred.await(deferred).pipe(Effect.ensuring(Effect.sync(() => connection.pending.delete(id))))
      })

    const tooManyNonText = new UnexpectedResponse({
      description:
        `WebSocket: more than ${maxNonTextFrames} consecutive non-text frames while waiting for a response; ` +
        "possible server misbehaviour"
    })

    const notSent = new WebSocketError({
      reason: "ConnectionClosed",
      description: "the connection closed before the request was sent"
    })

    // Ids this session gave its requests: `R` (calls) or `K` (keepalives) and a base-36 counter.
    const isOwnRequestId = (id: string): boolean =>
      /^[RK][0-9a-z]{1,10}$/.test(id) && Number.parseInt(id.slice(1), 36) <= nextId

    // Bounds a call (or a raw send) by `requestTimeout`; the interrupted exchange leaves no pending entry.
    const withRequestTimeout = <A, E1>(self: Effect.Effect<A, E1>): Effect.Effect<A, E1 | WebSocketError> =>
      Duration.isFinite(requestTimeout)
        ? timeoutFail(self, requestTimeout, () =>
          new WebSocketError({
            reason: "Timeout",
            description: `no response within ${Duration.format(requestTimeout)} (requestTimeout)`
          }))
        : self

    // A call: waits for a ready connection; a request that could not even be sent (the socket was
    // closing) waits for the next connection instead of failing.
    const callOnce = (request: JmapRequest): Effect.Effect<JmapResponse, CallError<E>> =>
      Effect.flatMap(awaitConnection, (connection) =>
        exchange(connection, request).pipe(
          Effect.catchIf(
            (e) => e === notSent,
            () => Effect.zipRight(Deferred.await(connection.closed), callOnce(request))
          )
        ))

    const call = (request: JmapRequest): Effect.Effect<JmapResponse, CallError<E>> =>
      withRequestTimeout(callOnce(request))

    // A raw frame, sent like a call's request: on the next connection if this one was closing.
    const sendTextOnce = (text: string): Effect.Effect<void, SessionError<E>> =>
      Effect.flatMap(awaitConnection, (connection) =>
        send(connection, text)
          ? Effect.void
          : Effect.zipRight(Deferred.await(connection.closed), sendTextOnce(text)))

    const sendText = (text: string): Effect.Effect<void, SessionError<E>> =>
      typeof text === "string"
        ? withRequestTimeout(sendTextOnce(text))
        : Effect.fail(new InvalidArgument({ description: "WebSocketSession.sendText: the frame must be a string" }))

    // ---- one connection: open, run until it ends, report why ----
    type Ended = {
      readonly _tag: "Retry"
      readonly cause: WebSocketError
      /** Received anything: restart the backoff. */
      readonly healthy: boolean
      /** Had become ready (so the next ready connection is a reconnection). */
      readonly wasReady: boolean
    } | {
      readonly _tag: "Fatal"
      readonly error: SessionError<E>
    }

    const classify = (error: Socket.SocketError | WebSocketError, handle: Handle): Ended => {
      const retry = (cause: WebSocketError): Ended => ({ _tag: "Retry", cause, healthy: false, wasReady: false })
      if (error._tag === "WebSocketError") return retry(error)
      if (error.reason === "Close") {
        if (error.code === 1008) {
          return {
            _tag: "Fatal",
            error: new AuthFailed({
              status: 401,
              url: safeUrl,
              description:
                "the server closed the WebSocket with 1008 (policy violation: credentials expired or refused)"
            })
          }
        }
        return retry(
          new WebSocketError({
            reason: error.code === 1009 ? "Capacity" : "ConnectionClosed",
            closeCode: error.code,
            description: `closed with code ${error.code}` +
              (error.closeReason ? `: ${error.closeReason.slice(0, 120)}` : "")
          })
        )
      }
      const failure = handle.failure?.()
      switch (error.reason) {
        case "OpenTimeout":
          return retry(
            new WebSocketError({
              reason: "Timeout",
              description: `connect timed out after ${Duration.format(connectTimeout)}`
            })
          )
        case "Open": {
          const status = failure?.httpStatus
          if (status === 401 || status === 403) {
            return {
              _tag: "Fatal",
              error: new AuthFailed({ status, url: safeUrl, description: "WebSocket upgrade refused" })
            }
          }
          if (status !== undefined && status !== 408 && status !== 429 && status < 500) {
            return {
              _tag: "Fatal",
              error: new WebSocketError({
                reason: "Protocol",
                description: `WebSocket upgrade refused with HTTP ${status}`
              })
            }
          }
          return retry(
            new WebSocketError({
              reason: "Io",
              description: status === undefined ? "could not connect" : `WebSocket upgrade refused with HTTP ${status}`
            })
          )
        }
        case "Read":
          return failure?.messageTooLarge === true
            ? retry(tooLarge())
            : retry(new WebSocketError({ reason: "Io", description: "read error" }))
        case "Write":
          return retry(new WebSocketError({ reason: "Io", description: "write error" }))
      }
    }

    const runConnection = (previous: WebSocketError | undefined): Effect.Effect<Ended, never> =>
      Effect.scoped(Effect.gen(function*() {
        const scope = yield* Effect.scope
        const headerValues = yield* Effect.either(headers)
        if (Either.isLeft(headerValues)) return { _tag: "Fatal", error: headerValues.left } as Ended
        if (!accepts(factory, headerValues.right)) {
          return {
            _tag: "Fatal",
            error: new InvalidArgument({ description: refusal(headerValues.right) })
          } as Ended
        }
        const created = Either.try(() =>
          factory.open({ url, protocols: ["jmap"], headers: headerValues.right, maxMessageBytes })
        )
        if (Either.isLeft(created)) {
          return {
            _tag: "Fatal",
            error: new WebSocketError({
              reason: "Url",
              description: "the WebSocket could not be created (invalid URL or header)"
            })
          } as Ended
        }
        const handle = created.right
        handle.webSocket.binaryType = "arraybuffer"
        const connection: Connection<E> = {
          handle,
          pending: new Map(),
          textFrames: 0,
          kill: yield* Deferred.make<never, WebSocketError>(),
          early: [],
          ended: false,
          dropped: false,
          closed: yield* Deferred.make<void>(),
          healthy: false,
          pong: undefined
        }
        const socket = yield* Socket.makeWebSocket(url, {
          protocols: "jmap",
          openTimeout: connectTimeout,
          closeCodeIsError: () => true
        }).pipe(Effect.provideService(Socket.WebSocketConstructor, () => handle.webSocket))
        const onOpen = Effect.zipRight(
          startup(connection, previous),
          Effect.forkIn(
            Effect.catchAll(keepalive(connection), (error) => Effect.sync(() => drop(connection, error))),
            scope
          )
        )
        const error = yield* socket.runRaw(receive(connection), { onOpen: Effect.asVoid(onOpen) }).pipe(
          Effect.zipRight(Effect.fail(new WebSocketError({ reason: "ConnectionClosed", description: "closed" }))),
          Effect.raceFirst(Deferred.await(connection.kill)),
          Effect.flip
        )
        const classified = classify(error, handle)
        const ended = classified._tag === "Retry"
          ? { ...classified, healthy: connection.healthy, wasReady: connection.early === undefined }
          : classified
        endConnection(connection, ended)
        return ended
      }))

    // The connection is over: no call may stay pending on it, new calls wait for the next one.
    const endConnection = (connection: Connection<E>, ended: Ended): void => {
      connection.ended = true
      if (state._tag === "Ready" && state.connection === connection) {
        state = { _tag: "Connecting" }
        ready.unsafeClose()
      }
      const error = ended._tag === "Retry" ? ended.cause : ended.error
      for (const call of connection.pending.values()) Deferred.unsafeDone(call.deferred, Exit.fail(error))
      connection.pending.clear()
      Deferred.unsafeDone(connection.closed, Exit.void)
    }

    const end = (error: Option.Option<SessionError<E>>): void => {
      if (state._tag === "Ended") return
      if (state._tag === "Ready") {
        state.connection.ended = true
        for (const call of state.connection.pending.values()) {
          Deferred.unsafeDone(call.deferred, Exit.fail(Option.getOrElse(error, () => closedError)))
        }
        state.connection.pending.clear()
        Deferred.unsafeDone(state.connection.closed, Exit.void)
      }
      state = { _tag: "Ended", error }
      ready.unsafeOpen()
      for (const mailbox of subscribers) {
        mailbox.unsafeDone(Option.isSome(error) ? Exit.fail(error.value) : Exit.void)
      }
      subscribers.clear()
    }

    const loop = Effect.gen(function*() {
      const driver = yield* Schedule.driver(options.schedule ?? defaultSchedule)
      // Why the last connection that had become ready was lost (reported by the next Reconnected).
      let lost: WebSocketError | undefined
      for (;;) {
        const ended = yield* runConnection(lost)
        if (ended._tag === "Fatal") return yield* Effect.fail(ended.error)
        if (ended.healthy) yield* driver.reset
        if (ended.wasReady) lost = ended.cause
        yield* Effect.catchAll(driver.next(ended.cause), () => Effect.fail(ended.cause))
      }
    })

    yield* Effect.addFinalizer(() => Effect.sync(() => end(Option.none())))
    yield* loop.pipe(
      Effect.catchAllCause((cause) =>
        Effect.sync(() => {
          if (Cause.isInterruptedOnly(cause)) return end(Option.none())
          const failure = Cause.failureOption(cause)
          end(Option.some(
            Option.getOrElse(
              failure,
              () =>
                new WebSocketError({
                  reason: "Other",
                  description: `the session failed: ${Cause.pretty(cause).slice(0, 200)}`
                })
            )
          ))
        })
      ),
      Effect.forkScoped
    )

    // ---- the public API ----
    const whenActive = <A>(f: () => A): Effect.Effect<A, SessionError<E>> =>
      Effect.suspend(() =>
        state._tag === "Ended" ? Effect.fail(Option.getOrElse(state.error, () => closedError)) : Effect.sync(f)
      )

    const awaitConnection: Effect.Effect<Connection<E>, SessionError<E>> = Effect.suspend(() => {
      switch (state._tag) {
        case "Ready":
          return Effect.succeed(state.connection)
        case "Ended":
          return Effect.fail(Option.getOrElse(state.error, () => closedError))
        case "Connecting":
          return Effect.zipRight(ready.await, awaitConnection)
      }
    })

    const subscribe: WebSocketSession<E, X>["subscribe"] = Effect.acquireRelease(
      Effect.tap(
        Mailbox.make<WsFrame.WsFrame<X>, SessionError<E>>(eventBufferSize),
        (mailbox) =>
          Effect.sync(() => {
            if (state._tag !== "Ended") subscribers.add(mailbox)
            else mailbox.unsafeDone(Option.isSome(state.error) ? Exit.fail(state.error.value) : Exit.void)
          })
      ),
      (mailbox) =>
        Effect.sync(() => {
          subscribers.delete(mailbox)
          mailbox.unsafeDone(Exit.void)
        })
    ).pipe(Effect.map(Mailbox.toStream))

    const session: WebSocketSession<E, X> = {
      url: safeUrl,
      events: Stream.unwrapScoped(subscribe),
      subscribe,
      call,
      sendText,
      pushEnable: (dataTypes, pushState) =>
        control.withPermits(1)(whenActive(() => {
          wantedPush = { dataTypes: dataTypes === null ? null : [...dataTypes] }
          if (pushState !== undefined) lastPushState = Option.some(pushState)
          if (state._tag === "Ready") {
            sendPushEnable(state.connection, wantedPush.dataTypes, Option.fromNullable(pushState))
          }
        })),
      pushDisable: control.withPermits(1)(whenActive(() => {
        wantedPush = undefined
        if (state._tag === "Ready") sendFrame(state.connection, WebSocketPushDisable.make({}))
      })),
      enableExtension: (key, frame) =>
        control.withPermits(1)(whenActive(() => {
          wantedExtensions.set(key, frame)
          if (state._tag === "Ready") sendFrame(state.connection, frame)
        })),
      disableExtension: (key, frame) =>
        control.withPermits(1)(whenActive(() => {
          wantedExtensions.delete(key)
          if (frame !== undefined && state._tag === "Ready") sendFrame(state.connection, frame)
        })),
      pushState: Effect.sync(() => lastPushState)
    }
    return session
  })
