/**
 * Test support: a loopback RFC 8887 WebSocket server (`ws` `WebSocketServer` on 127.0.0.1) whose
 * connections record the upgrade request and every frame received, and can be scripted by the test.
 */
import { Effect, type Scope } from "effect"
import type * as Http from "node:http"
import type { AddressInfo } from "node:net"
import WebSocket, { WebSocketServer } from "ws"

/** One accepted connection. */
export interface WsConnection {
  readonly index: number
  readonly headers: Http.IncomingHttpHeaders
  /** The subprotocol the server agreed to. */
  readonly protocol: string
  readonly socket: WebSocket
  /** Every text frame received, parsed. */
  readonly received: Array<any>
  /** Resolves with the next frame not yet taken (in order). */
  readonly next: () => Promise<any>
  /** Resolves with the close code once the connection is closed. */
  readonly closed: Promise<number>
  pings: number
  /** Sends a JSON frame. */
  readonly send: (frame: unknown) => void
}

export interface WsServer {
  readonly url: string
  readonly connections: Array<WsConnection>
  /** Upgrade requests seen (including refused ones). */
  readonly upgrades: Array<Http.IncomingHttpHeaders>
}

export interface ServeOptions {
  /** Port to listen on (default: any free port). */
  readonly port?: number
  readonly autoPong?: boolean
  /** Decides on each upgrade: `true` to accept, a status to refuse, or a promise of either (to delay). */
  readonly verify?: (headers: Http.IncomingHttpHeaders, index: number) => true | number | Promise<true | number>
  readonly onConnection?: (connection: WsConnection) => unknown
}

export const serveWs = (options: ServeOptions = {}): Effect.Effect<WsServer, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<{ wss: WebSocketServer; state: WsServer }>((resume) => {
      const connections: Array<WsConnection> = []
      const upgrades: Array<Http.IncomingHttpHeaders> = []
      const wss = new WebSocketServer({
        host: "127.0.0.1",
        port: options.port ?? 0,
        autoPong: options.autoPong ?? true,
        handleProtocols: (protocols) => (protocols.has("jmap") ? "jmap" : false),
        verifyClient: (info, done) => {
          upgrades.push(info.req.headers)
          if (options.verify === undefined) return done(true)
          Promise.resolve(options.verify(info.req.headers, upgrades.length - 1)).then(
            (v) => (v === true ? done(true) : done(false, v)),
            () => done(false, 500)
          )
        }
      })
      wss.on("connection", (socket, req) => {
        const received: Array<any> = []
        const waiters: Array<(v: any) => void> = []
        let taken = 0
        let onClosed!: (code: number) => void
        const closed = new Promise<number>((resolve) => (onClosed = resolve))
        const connection: WsConnection = {
          index: connections.length,
          headers: req.headers,
          protocol: socket.protocol,
          socket,
          received,
          next: () =>
            new Promise((resolve) => {
              if (taken < received.length) resolve(received[taken++])
              else waiters.push(resolve)
            }),
          closed,
          pings: 0,
          send: (frame) => socket.send(JSON.stringify(frame))
        }
        socket.on("message", (data, isBinary) => {
          const value = isBinary ? data : JSON.parse(String(data))
          received.push(value)
          const waiter = waiters.shift()
          if (waiter !== undefined) waiter(received[taken++])
        })
        socket.on("ping", () => connection.pings++)
        socket.on("close", (code) => onClosed(code))
        socket.on("error", () => {})
        connections.push(connection)
        options.onConnection?.(connection)
      })
      wss.on("listening", () => {
        const { port } = wss.address() as AddressInfo
        resume(Effect.succeed({ wss, state: { url: `ws://127.0.0.1:${port}/jmap/ws`, connections, upgrades } }))
      })
    }),
    ({ wss }) =>
      Effect.async<void>((resume) => {
        for (const client of wss.clients) client.terminate()
        wss.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map(({ state }) => state))

/** Resolves with connection `index` once the server accepted it. */
export const connectionAt = (server: WsServer, index: number): Promise<WsConnection> =>
  new Promise((resolve) => {
    const poll = () => {
      const c = server.connections[index]
      if (c !== undefined) resolve(c)
      else setTimeout(poll, 1)
    }
    poll()
  })

/** A `Response` frame answering `request` with an echo of its method calls. */
export const echoResponse = (request: any, extra: Record<string, unknown> = {}) => ({
  "@type": "Response",
  requestId: request.id,
  methodResponses: request.methodCalls,
  sessionState: "s0",
  ...extra
})
