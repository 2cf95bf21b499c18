/**
 * The reference, in-process JMAP Chat server: {@link ChatBackend} behind a real HTTP server on
 * 127.0.0.1 — Session, API, upload/download, EventSource and RFC 8887 WebSocket — with fault
 * injection. It lives as long as its scope.
 *
 * ```ts
 * import { ChatServer } from "effect-jmap-chat/testing"
 *
 * const program = Effect.gen(function*() {
 *   const server = yield* ChatServer
 *   const alice = server.user("alice")
 *   const session = yield* Effect.promise(() =>
 *     fetch(`${server.url}/.well-known/jmap`, { headers: { authorization: `Bearer ${alice.token}` } })
 *   )
 * }).pipe(Effect.provide(ChatServer.layer()))
 * ```
 *
 * @since 0.1.0
 */
import { HttpRouter } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import type { ServeError } from "@effect/platform/HttpServerError"
import { Context, Effect, ExecutionStrategy, Layer, Scope } from "effect"
import * as Http from "node:http"
import { apiRoutes } from "./ApiRoutes.js"
import * as ChatBackend from "./ChatBackend.js"
import * as Cors from "./Cors.js"
import { eventSource } from "./EventSourceRoute.js"
import { type FaultControls, FaultState } from "./Faults.js"
import { type FrontEnd, problemResponse } from "./HttpSupport.js"
import type { JsonRecord } from "./Json.js"
import { RequestProblem } from "./ProtocolErrors.js"
import type { ChatServerOptions } from "./ServerConfig.js"
import { Paths } from "./Session.js"
import { webSocket } from "./WebSocketRoute.js"

/** The `ChatServer` service: a running reference server. */
export class ChatServer extends Context.Tag("effect-jmap-chat/testing/ChatServer")<ChatServer, ChatServer.Service>() {
  /** Starts a server for the lifetime of the scope. */
  static readonly make = (
    options: ChatServerOptions = {}
  ): Effect.Effect<ChatServer.Service, ServeError, Scope.Scope> => make(options)

  /** A layer running a server. */
  static readonly layer = (options: ChatServerOptions = {}): Layer.Layer<ChatServer, ServeError> =>
    Layer.scoped(ChatServer, make(options))
}

/** @since 0.1.0 */
export declare namespace ChatServer {
  /** The service interface. */
  export interface Service {
    /** The origin, e.g. `http://127.0.0.1:53211` (no trailing slash). */
    readonly url: string
    /** The Session URL (`<url>/.well-known/jmap`, or `<url><sessionPath>` with that quirk). */
    readonly sessionUrl: string
    /** The RFC 8887 WebSocket URL (`ws://…/jmap/ws`). */
    readonly webSocketUrl: string
    /** The provisioned users with their tokens and passwords. */
    readonly users: ReadonlyArray<ChatBackend.UserInfo>
    /** A provisioned user by short name (e.g. `"alice"`). */
    readonly user: (name: string) => ChatBackend.UserInfo
    /** The socket-less backend (store, dispatcher, push fan-out). */
    readonly backend: ChatBackend.ChatBackend.Service
    /** Fault injection and request counting. */
    readonly faults: FaultControls
    /** Processes a request for the user owning `token`, without HTTP (see {@link ChatBackend.ChatBackend.Service.dispatch}). */
    readonly dispatch: (token: string, request: unknown) => Effect.Effect<JsonRecord, RequestProblem>
  }
}

const make = (options: ChatServerOptions): Effect.Effect<ChatServer.Service, ServeError, Scope.Scope> =>
  Effect.gen(function*() {
    const backend = yield* ChatBackend.make(options)
    // The HTTP server gets a scope of its own, closed after the finalizer below has ended every push
    // connection: it registers the WebSocket server's close (which waits for every upgraded socket)
    // only at the first upgrade, which would otherwise run first and wait for sockets nobody closes.
    const httpScope = yield* Scope.fork(yield* Effect.scope, ExecutionStrategy.sequential)
    const nodeServer = Http.createServer()
    const server = yield* NodeHttpServer.make(() => nodeServer, { port: options.port ?? 0, host: "127.0.0.1" }).pipe(
      Scope.extend(httpScope)
    )
    const port = server.address._tag === "TcpAddress" ? server.address.port : 0
    const url = `http://127.0.0.1:${port}`
    const quirks = options.quirks ?? {}
    backend.setUrls({ origin: url, relative: options.relativeUrls ?? false, webSocket: quirks.webSocketUrl })
    const faults = new FaultState(() => nodeServer.closeAllConnections())
    const fe: FrontEnd = { backend, faults, inFlight: new Map(), quirks }
    const app = yield* HttpRouter.toHttpApp(
      apiRoutes(fe).pipe(
        HttpRouter.get(Paths.eventSource, eventSource(fe)),
        HttpRouter.get(Paths.webSocket, webSocket(fe))
      )
    )
    const routed = app.pipe(
      Effect.catchTag(
        "RouteNotFound",
        () =>
          Effect.succeed(
            problemResponse(new RequestProblem({ type: "about:blank", status: 404, detail: "not found" }))
          )
      )
    )
    yield* server.serve(options.cors === undefined ? routed : Cors.middleware(options.cors, url)(routed)).pipe(
      Scope.extend(httpScope)
    )
    // Runs before the HTTP server's scope closes: end push streams so that closing does not wait for them.
    yield* Effect.addFinalizer(() => faults.controls.restart)
    return {
      url,
      sessionUrl: `${url}${quirks.sessionPath ?? Paths.session}`,
      webSocketUrl: `${url.replace(/^http/, "ws")}${Paths.webSocket}`,
      users: backend.users,
      user: backend.user,
      backend,
      faults: faults.controls,
      dispatch: backend.dispatch
    }
  })
