/**
 * The whole client stack on Node in one line: `ChatClient` → `SessionService` → `HttpTransport`
 * → undici. All three services are provided, so push streams and raw calls can use them too.
 *
 * @since 0.1.0
 */
import type { ConfigError, Layer } from "effect"
import { Layer as L } from "effect"
import * as ChatClient from "../chat/ChatClient.js"
import type { InvalidArgument, InvalidHeaderValue } from "../jmap/Errors.js"
import * as HttpTransport from "../jmap/HttpTransport.js"
import * as SessionService from "../jmap/SessionService.js"
import * as NodeHttp from "./NodeHttp.js"

/** Everything {@link layer} provides. */
export type Services = ChatClient.ChatClient | SessionService.SessionService | HttpTransport.HttpTransport

/** Options of {@link layer}: server origin, auth, limits, private CA, batching. */
export type Options = HttpTransport.Options & NodeHttp.NodeHttpOptions & SessionService.Options

/** The stack for `options.url` with `options.auth`, e.g. `NodeChat.layer({ url, auth: Auth.bearer(token) })`. */
export const layer = (options: Options): Layer.Layer<Services, InvalidArgument | InvalidHeaderValue> =>
  ChatClient.layer.pipe(
    L.provideMerge(SessionService.layerWith(options)),
    L.provideMerge(NodeHttp.layer(options))
  )

/**
 * The stack configured from the environment: `JMAP_URL` plus `JMAP_TOKEN` (Bearer) or
 * `JMAP_USERNAME` + `JMAP_PASSWORD` (Basic).
 */
export const layerConfig = (
  options: Omit<Options, "url" | "auth"> = {}
): Layer.Layer<Services, InvalidArgument | InvalidHeaderValue | ConfigError.ConfigError> =>
  ChatClient.layer.pipe(
    L.provideMerge(SessionService.layerWith(options)),
    L.provideMerge(HttpTransport.layerConfig(options).pipe(L.provide(NodeHttp.layerHttpClient(options))))
  )
