/**
 * The generic client stack on Node in one line: `JmapClient` and `JmapPush` → `SessionService` →
 * `HttpTransport` → undici (and `ws` for RFC 8887), for any JMAP capability. Every service is
 * provided, so raw calls can use them too. `NodeChat` is the same stack with the chat clients.
 *
 * @since 0.1.0
 */
import { type ConfigError, Layer } from "effect"
import type { InvalidArgument, InvalidHeaderValue } from "../jmap/Errors.js"
import * as HttpTransport from "../jmap/HttpTransport.js"
import * as JmapClient from "../jmap/JmapClient.js"
import * as JmapPush from "../jmap/push/JmapPush.js"
import type { WebSocketFactory } from "../jmap/push/WebSocketFactory.js"
import * as SessionService from "../jmap/SessionService.js"
import * as NodeHttp from "./NodeHttp.js"
import * as NodeSha256 from "./NodeSha256.js"
import * as NodeWebSocket from "./NodeWebSocket.js"

/** Everything {@link layer} provides. */
export type Services =
  | JmapClient.JmapClient
  | JmapPush.JmapPush
  | SessionService.SessionService
  | HttpTransport.HttpTransport

/** Options of {@link layer}: server URL (origin or Session URL), auth, limits, private CA, batching, Session refresh. */
export type Options = HttpTransport.Options & NodeHttp.NodeHttpOptions & SessionService.Options

/** The clients `layer` provides on top of the session. */
const clients = Layer.merge(JmapClient.layer, JmapPush.layer)

/**
 * `clients` (services built on the session and a WebSocket factory) on the Node stack for
 * `options`, with the session and transport services provided too.
 */
export const layerWith = <A, E>(
  clients: Layer.Layer<A, E, SessionService.SessionService | WebSocketFactory>,
  options: Options
): Layer.Layer<
  A | SessionService.SessionService | HttpTransport.HttpTransport,
  E | InvalidArgument | InvalidHeaderValue
> =>
  clients.pipe(
    Layer.provide(NodeWebSocket.layer),
    Layer.provideMerge(SessionService.layerWith(options)),
    Layer.provideMerge(NodeHttp.layer(options))
  )

/** {@link layerWith}, configured from the environment: `JMAP_URL` plus `JMAP_TOKEN` (Bearer) or `JMAP_USERNAME` + `JMAP_PASSWORD` (Basic). */
export const layerConfigWith = <A, E>(
  clients: Layer.Layer<A, E, SessionService.SessionService | WebSocketFactory>,
  options: Omit<Options, "url" | "auth"> = {}
): Layer.Layer<
  A | SessionService.SessionService | HttpTransport.HttpTransport,
  E | InvalidArgument | InvalidHeaderValue | ConfigError.ConfigError
> =>
  clients.pipe(
    Layer.provide(NodeWebSocket.layer),
    Layer.provideMerge(SessionService.layerWith(options)),
    Layer.provideMerge(
      HttpTransport.layerConfig(options).pipe(
        Layer.provide(Layer.merge(NodeHttp.layerHttpClient(options), NodeSha256.layer))
      )
    )
  )

/** The stack for `options.url` with `options.auth`, e.g. `NodeJmap.layer({ url, auth: Auth.bearer(token) })`. */
export const layer = (options: Options): Layer.Layer<Services, InvalidArgument | InvalidHeaderValue> =>
  layerWith(clients, options)

/** The stack configured from the environment (see {@link layerConfigWith}). */
export const layerConfig = (
  options: Omit<Options, "url" | "auth"> = {}
): Layer.Layer<Services, InvalidArgument | InvalidHeaderValue | ConfigError.ConfigError> =>
  layerConfigWith(clients, options)
