/**
 * Test support: a loopback HTTP server on 127.0.0.1 that answers each EventSource connection with a
 * script (raw bytes, written as separate chunks), and an `open` function for
 * `EventSourceStream.make` built on `@effect/platform` HttpClient, as the HTTP transport does it.
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { Effect, Option, type Scope, Stream } from "effect"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import { AuthFailed, HttpError } from "../../../src/jmap/Errors.js"
import { checkEventStreamContentType } from "../../../src/jmap/push/EventSourceStream.js"

export interface Connection {
  readonly index: number
  readonly headers: Http.IncomingHttpHeaders
  /** Resolves when the client has gone away. */
  readonly closed: Promise<void>
  /** Bytes written on this connection so far. */
  written: number
}

export interface SseServer {
  readonly url: string
  readonly connections: Array<Connection>
}

export type Script = (res: Http.ServerResponse, connection: Connection) => unknown

/** Writes `chunks` one by one, letting each leave the socket before the next (so the client sees them apart). */
export const writeChunks = async (
  res: Http.ServerResponse,
  connection: Connection,
  chunks: ReadonlyArray<string | Uint8Array>
) => {
  for (const chunk of chunks) {
    if (res.destroyed) return
    const bytes = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : Buffer.from(chunk)
    connection.written += bytes.length
    await new Promise<void>((resolve) => res.write(bytes, () => resolve()))
    await new Promise((resolve) => setImmediate(resolve))
  }
}

export const eventStreamHead = (res: Http.ServerResponse, contentType = "text/event-stream") =>
  res.writeHead(200, { "content-type": contentType, "cache-control": "no-cache" })

export const serve = (script: Script): Effect.Effect<SseServer, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<{ server: Http.Server; state: SseServer }>((resume) => {
      const connections: Array<Connection> = []
      const server = Http.createServer((req, res) => {
        let onClose!: () => void
        const closed = new Promise<void>((resolve) => (onClose = resolve))
        res.on("close", onClose)
        const connection: Connection = { index: connections.length, headers: req.headers, closed, written: 0 }
        connections.push(connection)
        Promise.resolve(script(res, connection)).catch(() => res.destroy())
      })
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        resume(Effect.succeed({ server, state: { url: `http://127.0.0.1:${port}/events`, connections } }))
      })
    }),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map(({ state }) => state))

/** An EventSource `open` over `HttpClient`: Accept, Last-Event-ID, status and content-type checks. */
export const openWith = (url: string) => (lastEventId: Option.Option<string>) =>
  Effect.gen(function*() {
    const client = HttpClient.withScope(yield* HttpClient.HttpClient)
    const request = HttpClientRequest.get(url).pipe(
      HttpClientRequest.setHeaders({
        accept: "text/event-stream",
        ...(Option.isSome(lastEventId) ? { "last-event-id": lastEventId.value } : {})
      })
    )
    const response = yield* client.execute(request).pipe(
      Effect.mapError((e) => new HttpError({ reason: "Connect", method: "GET", url, description: e.message }))
    )
    if (response.status === 401 || response.status === 403) {
      return yield* new AuthFailed({ status: response.status, url })
    }
    if (response.status !== 200) {
      return yield* new HttpError({ reason: "Status", method: "GET", url, status: response.status })
    }
    yield* checkEventStreamContentType(response.headers)
    return response.stream.pipe(
      Stream.mapError((e) => new HttpError({ reason: "ResponseBody", method: "GET", url, description: e.message }))
    )
  })
