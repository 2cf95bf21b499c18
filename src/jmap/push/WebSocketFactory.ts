/**
 * `WebSocketFactory`: how a {@link WebSocketSession} creates the WHATWG `WebSocket` of one RFC 8887
 * connection attempt. `@effect/platform`'s `Socket.WebSocketConstructor` is `(url, protocols) =>
 * WebSocket` and cannot send headers, while RFC 8887 §4.2 / draft-atwood-jmap-chat-wss-00
 * §Authentication authenticate the HTTP upgrade (`Authorization`), with headers that may change on
 * every reconnect (refreshed tokens). A factory takes the headers per attempt, and exposes what the
 * platform offers beyond the WHATWG API: protocol pings (RFC 6455 §5.5.2), abrupt termination, and
 * why a connection failed.
 *
 * `src/node/NodeWebSocket.ts` provides one over the `ws` package, `src/browser/BrowserWebSocket.ts`
 * one over the browser's (cookies, or a token in the URL); {@link layerFromConstructor} adapts any
 * `Socket.WebSocketConstructor` (no headers, no pings).
 *
 * @since 0.1.0
 */
import { Socket } from "@effect/platform"
import { Context, Effect, Layer } from "effect"

/** One connection attempt. */
export interface Request {
  /** A `ws:` or `wss:` URL without fragment. */
  readonly url: string
  readonly protocols: ReadonlyArray<string>
  /** Headers to send on the upgrade request (e.g. `Authorization`). */
  readonly headers: Readonly<Record<string, string>>
  /** Refuse (and fail the connection on) any message larger than this many bytes. */
  readonly maxMessageBytes: number
}

/** Why a connection failed, when the platform can tell. */
export interface Failure {
  /** The HTTP status of a refused upgrade (e.g. 401). */
  readonly httpStatus?: number | undefined
  /** A message exceeded `maxMessageBytes`. */
  readonly messageTooLarge?: boolean | undefined
}

/** A created WebSocket plus the optional controls of its platform. */
export interface Handle {
  readonly webSocket: globalThis.WebSocket
  /** Sends a protocol-level ping frame; absent when the platform cannot (then keepalive uses `Core/echo`). */
  readonly ping?: (() => void) | undefined
  /** Registers a listener for pong frames (for the life of this socket). Present exactly when `ping` is. */
  readonly onPong?: ((listener: () => void) => void) | undefined
  /** Drops the connection at once, without a closing handshake (for a dead peer). */
  readonly terminate?: (() => void) | undefined
  /** Why the connection failed, once it has. */
  readonly failure?: (() => Failure | undefined) | undefined
}

/** The service: creates the socket of one attempt. `open` may throw (bad URL, bad header); callers catch. */
export interface Service {
  /** Whether `Request.headers` are sent. When false, a session refuses non-empty headers. */
  readonly supportsHeaders: boolean
  /**
   * Whether `open` can authenticate with these upgrade headers, for a factory that carries them
   * some other way (a browser's: a Bearer token as a URL query parameter). Absent: exactly when
   * `supportsHeaders` or there are none. See {@link accepts}.
   */
  readonly accepts?: ((headers: Readonly<Record<string, string>>) => boolean) | undefined
  readonly open: (request: Request) => Handle
}

/** Why `headers` cannot go on this platform's upgrade request (names only: never a value). */
export const refusal = (headers: Readonly<Record<string, string>>): string =>
  `this platform's WebSocket cannot send the upgrade header(s) ${Object.keys(headers).join(", ")} ` +
  "(a browser's sends none): authenticate it with cookies, a token in the URL " +
  "(BrowserWebSocket's tokenQueryParameter) or a socket factory of your own"

/** Whether `factory` can open a connection authenticated by `headers` (see {@link Service.accepts}). */
export const accepts = (factory: Service, headers: Readonly<Record<string, string>>): boolean =>
  factory.accepts !== undefined
    ? factory.accepts(headers)
    : factory.supportsHeaders || Object.keys(headers).length === 0

/** The `WebSocketFactory` service tag. */
export class WebSocketFactory extends Context.Tag("effect-jmap-chat/WebSocketFactory")<WebSocketFactory, Service>() {}

/**
 * A factory over a platform `Socket.WebSocketConstructor` (e.g. `Socket.layerWebSocketConstructorGlobal`
 * in browsers): no headers (authenticate with cookies), no protocol pings, and the message size is
 * enforced by the session after the message arrived.
 */
export const layerFromConstructor: Layer.Layer<WebSocketFactory, never, Socket.WebSocketConstructor> = Layer.effect(
  WebSocketFactory,
  Effect.map(Socket.WebSocketConstructor, (construct) =>
    WebSocketFactory.of({
      supportsHeaders: false,
      open: (request) => ({ webSocket: construct(request.url, [...request.protocols]) })
    }))
)

/** {@link layerFromConstructor} over `globalThis.WebSocket` (browsers, Deno, Node ≥ 22). */
export const layerGlobal: Layer.Layer<WebSocketFactory> = layerFromConstructor.pipe(
  Layer.provide(Socket.layerWebSocketConstructorGlobal)
)
