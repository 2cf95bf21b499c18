/**
 * RFC 8887 WebSockets in browsers. A browser's `WebSocket` sends no custom header on the upgrade,
 * so the `Authorization` of RFC 8887 §4.2 / draft-atwood-jmap-chat-wss-00 §Authentication cannot
 * go: the connection authenticates with the cookies the browser sends itself (a same-site session),
 * or, opt-in, with the Bearer token as a URL query parameter (RFC 6750 §2.3, `access_token`) where
 * the deployment accepts one. With neither, `ChatPush.events` uses the EventSource (over `fetch`,
 * which sends headers). No protocol pings: keepalive uses `Core/echo`.
 *
 * @since 0.1.0
 */
import { Layer } from "effect"
import { type Request, type Service, WebSocketFactory } from "../jmap/push/WebSocketFactory.js"

/** Options of {@link make}. */
export interface Options {
  /**
   * Sends the configured Bearer token as this query parameter of the WebSocket URL (RFC 6750 §2.3,
   * usually `"access_token"`) — only where the server accepts it: URLs end up in server logs. The
   * token is read from the transport's `Authorization` on each attempt (so refreshed tokens are
   * used, and it is only sent to trusted origins); the URL with it appears in no error or span.
   */
  readonly tokenQueryParameter?: string | undefined
  /** The WebSocket constructor; default `globalThis.WebSocket`. */
  readonly webSocket?: ((url: string, protocols: Array<string>) => globalThis.WebSocket) | undefined
}

const bearer = /^Bearer +(\S+)$/i

/** The Bearer token among `headers`, when they hold nothing but that `Authorization`. */
const bearerOnly = (headers: Readonly<Record<string, string>>): string | undefined => {
  const names = Object.keys(headers)
  if (names.length !== 1 || names[0]!.toLowerCase() !== "authorization") return undefined
  return bearer.exec(headers[names[0]!]!)?.[1]
}

/** A `WebSocketFactory` over the browser's `WebSocket` (see the module comment). */
export const make = (options: Options = {}): Service => {
  const param = options.tokenQueryParameter
  const construct = options.webSocket ?? ((url, protocols) => new globalThis.WebSocket(url, protocols))
  return WebSocketFactory.of({
    supportsHeaders: false,
    accepts: (headers) =>
      Object.keys(headers).length === 0 || (param !== undefined && bearerOnly(headers) !== undefined),
    open: (request: Request) => {
      const token = param === undefined ? undefined : bearerOnly(request.headers)
      if (token === undefined) return { webSocket: construct(request.url, [...request.protocols]) }
      const url = new URL(request.url)
      url.searchParams.set(param!, token)
      return { webSocket: construct(url.href, [...request.protocols]) }
    }
  })
}

/** The browser `WebSocketFactory` as a layer. */
export const layer = (options: Options = {}): Layer.Layer<WebSocketFactory> =>
  Layer.succeed(WebSocketFactory, make(options))
