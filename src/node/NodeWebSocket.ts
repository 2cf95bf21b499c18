/**
 * WebSockets on Node over the `ws` package, for RFC 8887 JMAP: headers (such as `Authorization`,
 * draft-atwood-jmap-chat-wss-00 §Authentication) are sent on the upgrade request, `maxPayload`
 * refuses oversize messages inside `ws` before they are buffered, protocol pings are available for
 * keepalive, and a refused upgrade reports its HTTP status. Node 20 has no global `WebSocket`, and
 * `NodeSocket.layerWebSocketConstructor` cannot send headers.
 *
 * @since 0.1.0
 */
import { Socket } from "@effect/platform"
import { Layer } from "effect"
import WebSocket from "ws"
import { type Failure, type Handle, type Request, WebSocketFactory } from "../jmap/push/WebSocketFactory.js"

const unexpectedResponse = /Unexpected server response: (\d{3})/

/**
 * Opens one `ws` WebSocket for `request` and wraps it as a {@link Handle}. Throws like the `ws`
 * constructor does (invalid URL, fragment, invalid header); sessions catch that.
 */
export const open = (request: Request): Handle => {
  const ws = new WebSocket(request.url, [...request.protocols], {
    headers: { ...request.headers },
    // 0 means "no limit" to ws; the session still checks every message.
    maxPayload: request.maxMessageBytes > 0 ? request.maxMessageBytes : 0,
    followRedirects: false
  })
  let failure: Failure | undefined
  ws.on("error", (error: Error & { readonly code?: string }) => {
    const status = unexpectedResponse.exec(error.message)
    if (status !== null) failure = { httpStatus: Number(status[1]) }
    else if (error.code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH") failure = { messageTooLarge: true }
  })
  return {
    webSocket: ws as unknown as globalThis.WebSocket,
    ping: () => {
      if (ws.readyState === WebSocket.OPEN) ws.ping()
    },
    onPong: (listener) => {
      ws.on("pong", listener)
    },
    terminate: () => ws.terminate(),
    failure: () => failure
  }
}

/** The `WebSocketFactory` for Node, over `ws`. */
export const layer: Layer.Layer<WebSocketFactory> = Layer.succeed(
  WebSocketFactory,
  WebSocketFactory.of({ supportsHeaders: true, open })
)

/**
 * A `Socket.WebSocketConstructor` over `ws` that sends fixed `headers` on every upgrade and refuses
 * messages over `maxPayload` bytes, for code that uses `@effect/platform/Socket` directly. Sessions
 * whose headers change per connection use {@link layer} instead.
 */
export const layerWebSocketConstructor = (options?: {
  readonly headers?: Readonly<Record<string, string>> | undefined
  readonly maxPayload?: number | undefined
}): Layer.Layer<Socket.WebSocketConstructor> =>
  Layer.succeed(
    Socket.WebSocketConstructor,
    (url, protocols) =>
      open({
        url,
        protocols: protocols === undefined ? [] : typeof protocols === "string" ? [protocols] : protocols,
        headers: options?.headers ?? {},
        maxMessageBytes: options?.maxPayload ?? 0
      }).webSocket
  )
