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
import type * as HttpTransport from "../jmap/HttpTransport.js"
import type * as SessionService from "../jmap/SessionService.js"
import * as NodeJmap from "./NodeJmap.js"

/** Everything {@link layer} provides. */
export type Services =
  | ChatClient.ChatClient
  | ChatPush.ChatPush
  | SessionService.SessionService
  | HttpTransport.HttpTransport

const clients = Layer.merge(ChatClient.layer, ChatPush.layer)

/** Options of {@link layer}: server URL (origin or Session URL), auth, limits, private CA, batching, Session refresh. */
export type Options = NodeJmap.Options

/** The stack for `options.url` with `options.auth`, e.g. `NodeChat.layer({ url, auth: Auth.bearer(token) })`. */
export const layer = (options: Options): Layer.Layer<Services, InvalidArgument | InvalidHeaderValue> =>
  NodeJmap.layerWith(clients, options)

/**
 * The stack configured from the environment: `JMAP_URL` plus `JMAP_TOKEN` (Bearer) or
 * `JMAP_USERNAME` + `JMAP_PASSWORD` (Basic).
 */
export const layerConfig = (
  options: Omit<Options, "url" | "auth"> = {}
): Layer.Layer<Services, InvalidArgument | InvalidHeaderValue | ConfigError.ConfigError> =>
  NodeJmap.layerConfigWith(clients, options)
