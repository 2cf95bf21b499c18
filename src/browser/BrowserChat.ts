/**
 * The whole client stack in a browser in one line: `ChatClient` and `ChatPush` → `SessionService`
 * → `HttpTransport` → `fetch` (and the browser's `WebSocket` for RFC 8887). Every service is
 * provided, so raw calls can use them too.
 *
 * ```ts
 * import { Auth, ChatClient } from "effect-jmap-chat"
 * import { BrowserChat } from "effect-jmap-chat/browser"
 *
 * const live = BrowserChat.layer({ url: "https://jmap.example.com", auth: Auth.bearer(token) })
 * ```
 *
 * @since 0.1.0
 */
import { type ConfigError, Layer } from "effect"
import * as ChatClient from "../chat/ChatClient.js"
import * as ChatPush from "../chat/push/ChatPush.js"
import type { InvalidArgument, InvalidHeaderValue } from "../jmap/Errors.js"
import * as HttpTransport from "../jmap/HttpTransport.js"
import { type Service as WebSocketFactoryService, WebSocketFactory } from "../jmap/push/WebSocketFactory.js"
import * as SessionService from "../jmap/SessionService.js"
import * as BrowserHttp from "./BrowserHttp.js"
import * as BrowserWebSocket from "./BrowserWebSocket.js"

/** Everything {@link layer} provides. */
export type Services =
  | ChatClient.ChatClient
  | ChatPush.ChatPush
  | SessionService.SessionService
  | HttpTransport.HttpTransport

/** Options of {@link layer}: server origin, auth, cookies, WebSocket authentication, limits, batching. */
export type Options = HttpTransport.Options & BrowserHttp.BrowserHttpOptions & SessionService.Options & {
  /**
   * How RFC 8887 WebSockets authenticate: the browser's `WebSocket` with cookies only (default),
   * or also a Bearer token in the URL (`{ tokenQueryParameter: "access_token" }`), or a factory of
   * your own. When the configured auth cannot go on the WebSocket, `ChatPush.events` uses the
   * EventSource.
   */
  readonly webSocket?: BrowserWebSocket.Options | WebSocketFactoryService | undefined
}

const clients = (options: Pick<Options, "webSocket">) =>
  Layer.merge(
    ChatClient.layer,
    ChatPush.layer.pipe(Layer.provide(
      options.webSocket !== undefined && "open" in options.webSocket
        ? Layer.succeed(WebSocketFactory, options.webSocket)
        : BrowserWebSocket.layer(options.webSocket)
    ))
  )

/** The stack for `options.url` with `options.auth`, e.g. `BrowserChat.layer({ url, auth: Auth.bearer(token) })`. */
export const layer = (options: Options): Layer.Layer<Services, InvalidArgument | InvalidHeaderValue> =>
  clients(options).pipe(
    Layer.provideMerge(SessionService.layerWith(options)),
    Layer.provideMerge(BrowserHttp.layer(options))
  )

/**
 * The stack configured from Effect's `ConfigProvider` (in a browser, provide one, e.g.
 * `ConfigProvider.fromJson`): `JMAP_URL` plus `JMAP_TOKEN` (Bearer) or `JMAP_USERNAME` +
 * `JMAP_PASSWORD` (Basic).
 */
export const layerConfig = (
  options: Omit<Options, "url" | "auth"> = {}
): Layer.Layer<Services, InvalidArgument | InvalidHeaderValue | ConfigError.ConfigError> =>
  clients(options).pipe(
    Layer.provideMerge(SessionService.layerWith(options)),
    Layer.provideMerge(HttpTransport.layerConfig(options).pipe(Layer.provide(BrowserHttp.layerHttpClient(options))))
  )
