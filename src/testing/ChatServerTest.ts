/**
 * Integration tests against a running reference server with the real client stack: a
 * {@link ChatServer} on 127.0.0.1 and, for one of its users, everything `NodeChat.layer` provides
 * (`ChatClient`, `SessionService`, `HttpTransport` over undici).
 *
 * ```ts
 * import { layer } from "@effect/vitest"
 * import { ChatClient } from "effect-jmap-chat"
 * import { ChatServer, ChatServerTest } from "effect-jmap-chat/testing"
 *
 * layer(ChatServerTest.layer({ user: "alice" }), { excludeTestServices: true })("chat", (it) => {
 *   it.scoped("bob reads what alice sends", () =>
 *     Effect.gen(function*() {
 *       const alice = yield* ChatClient.ChatClient
 *       const bob = yield* ChatServerTest.make(yield* ChatServer, "bob")
 *       // …
 *     }))
 * })
 * ```
 *
 * The client's timeouts and retries run on the Effect clock: use live clocks (`excludeTestServices`,
 * `it.live`) unless a test drives the `TestClock` itself. One server per file, with a user or a
 * chat per test, keeps a suite fast.
 *
 * @since 0.1.0
 */
import type { ServeError } from "@effect/platform/HttpServerError"
import { Context, Effect, Layer, type Scope } from "effect"
import * as ChatClient from "../chat/ChatClient.js"
import * as Auth from "../jmap/Auth.js"
import type { InvalidArgument, InvalidHeaderValue } from "../jmap/Errors.js"
import * as NodeChat from "../node/NodeChat.js"
import { ChatServer } from "./ChatServer.js"
import type { ChatServerOptions } from "./ServerConfig.js"

/** Client options other than the origin and credentials (batching, timeouts, limits, …). */
export type ClientOptions = Omit<NodeChat.Options, "url" | "auth">

/** Options of {@link layer}. */
export interface Options {
  /** The user the client stack acts as (default `"alice"`). */
  readonly user?: string
  /** Options of the server (users, limits, clock, behaviour switches). */
  readonly server?: ChatServerOptions
  readonly client?: ClientOptions
}

/** What building a client stack can fail with. */
export type ClientError = InvalidArgument | InvalidHeaderValue

const stack = (server: ChatServer.Service, user: string, client: ClientOptions = {}) =>
  NodeChat.layer({ ...client, url: server.url, auth: Auth.bearer(server.user(user).token) })

/** The client stack for `user` of the `ChatServer` in context (e.g. a second user in the same test). */
export const layerFor = (
  user: string,
  client?: ClientOptions
): Layer.Layer<NodeChat.Services, ClientError, ChatServer> =>
  Layer.unwrapEffect(Effect.map(ChatServer, (server) => stack(server, user, client)))

/** A fresh server and the client stack for one of its users (default `"alice"`). */
export const layer = (options: Options = {}): Layer.Layer<ChatServer | NodeChat.Services, ServeError | ClientError> =>
  layerFor(options.user ?? "alice", options.client).pipe(Layer.provideMerge(ChatServer.layer(options.server)))

/** A `ChatClient` acting as `user` on `server`, for the lifetime of the scope. */
export const make = (
  server: ChatServer.Service,
  user: string,
  client?: ClientOptions
): Effect.Effect<ChatClient.Service, ClientError, Scope.Scope> =>
  Effect.map(Layer.build(stack(server, user, client)), Context.get(ChatClient.ChatClient))
