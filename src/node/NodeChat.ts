/**
 * The whole client stack on Node in one line: `ChatClient` and `ChatPush` → `SessionService` →
 * `HttpTransport` → undici (and `ws` for RFC 8887). Every service is provided, so raw calls can
 * use them too.
 *
 * @since 0.1.0
 */
import { type ConfigError, Layer } from "effect"
import * as ChatClient from "../chat/ChatClient.js"
import * as ChatPush from "../chat/push/ChatPush.js"
import type { InvalidArgument, InvalidHeaderValue } from "../jmap/Errors.js"
import * as HttpTransport from "../jmap/HttpTransport.js"
import * as SessionService from "../jmap/SessionService.js"
import * as NodeHttp from "./NodeHttp.js"
import * as NodeSha256 from "./NodeSha256.js"
import * as NodeWebSocket from "./NodeWebSocket.js"

/** Everything {@link layer} provides. */
export type Services =
  | ChatClient.ChatClient
  | ChatPush.ChatPush
  | SessionService.SessionService
  | HttpTransport.HttpTransport

const clients = Layer.merge(ChatClient.layer, ChatPush.layer.pipe(Layer.provide(NodeWebSocket.layer)))

/** Options of {@link layer}: server URL (origin or Session URL), auth, limits, private CA, batching, Session refresh. */
export type Options = HttpTransport.Options & NodeHttp.NodeHttpOptions & SessionService.Options

/** The stack for `options.url` with `options.auth`, e.g. `NodeChat.layer({ url, auth: Auth.bearer(token) })`. */
export const layer = (options: Options): Layer.Layer<Services, InvalidArgument | InvalidHeaderValue> =>
  clients.pipe(
    Layer.provideMerge(SessionService.layerWith(options)),
    Layer.provideMerge(NodeHttp.layer(options))
  )

/**
 * The stack configured from the environment: `JMAP_URL` plus `JMAP_TOKEN` (Bearer) or
 * `JMAP_USERNAME` + `JMAP_PASSWORD` (Basic).
 */
export const layerConfig = (
  options: Omit<Options, "url" | "auth"> = {}
): Layer.Layer<Services, InvalidArgument | InvalidHeaderValue | ConfigError.ConfigError> =>
  clients.pipe(
    Layer.provideMerge(SessionService.layerWith(options)),
    Layer.provideMerge(
      HttpTransport.layerConfig(options).pipe(
        Layer.provide(Layer.merge(NodeHttp.layerHttpClient(options), NodeSha256.layer))
      )
    )
  )
