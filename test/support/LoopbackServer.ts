/**
 * A scripted HTTP server on 127.0.0.1 for tests: each test supplies the handler, the server
 * records every request, and it closes (with all its connections) when the scope closes.
 */
import { Effect, type Scope } from "effect"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"

export interface Received {
  readonly method: string
  readonly url: string
  readonly headers: Http.IncomingHttpHeaders
  readonly body: Buffer
}

export type Handler = (req: Received, res: Http.ServerResponse) => unknown

export interface LoopbackServer {
  readonly url: string
  readonly received: Array<Received>
}

export const listen = (handler: Handler): Effect.Effect<LoopbackServer, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<{ server: Http.Server; state: LoopbackServer }>((resume) => {
      const received: Array<Received> = []
      const server = Http.createServer((req, res) => {
        const chunks: Array<Buffer> = []
        req.on("data", (c: Buffer) => chunks.push(c))
        req.on("end", () => {
          const r: Received = {
            method: req.method ?? "",
            url: req.url ?? "",
            headers: req.headers,
            body: Buffer.concat(chunks)
          }
          received.push(r)
          // A handler that throws (at once or later) drops the connection: the client fails at
          // once instead of waiting for its request timeout.
          try {
            Promise.resolve(handler(r, res)).catch(() => res.destroy())
          } catch {
            res.destroy()
          }
        })
      })
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        resume(Effect.succeed({ server, state: { url: `http://127.0.0.1:${port}`, received } }))
      })
    }),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map(({ state }) => state))

export const json = (
  res: Http.ServerResponse,
  status: number,
  body: unknown,
  headers: Http.OutgoingHttpHeaders = {}
) => {
  const text = JSON.stringify(body)
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers })
  res.end(text)
}

/** Writes `chunk` forever (chunked encoding), until the client goes away. */
export const endless = (res: Http.ServerResponse, chunk: Buffer, headers: Http.OutgoingHttpHeaders = {}) => {
  res.writeHead(200, { "content-type": "application/json", ...headers })
  const pump = () => {
    while (!res.destroyed && res.write(chunk)) {
      // keep writing until backpressure
    }
    if (!res.destroyed) res.once("drain", pump)
  }
  res.on("close", () => res.removeAllListeners("drain"))
  pump()
}

/** The RFC 8620 §2.1 example session, with URLs pointing at `base`. */
export const sessionFor = (base: string, overrides: Record<string, unknown> = {}) => ({
  capabilities: {
    "urn:ietf:params:jmap:core": {
      maxSizeUpload: 50000000,
      maxConcurrentUpload: 8,
      maxSizeRequest: 10000000,
      maxConcurrentRequests: 8,
      maxCallsInRequest: 32,
      maxObjectsInGet: 256,
      maxObjectsInSet: 128,
      collationAlgorithms: ["i;ascii-numeric", "i;ascii-casemap", "i;unicode-casemap"]
    },
    "urn:ietf:params:jmap:chat": { maxBodyBytes: 65536 },
    "https://example.com/apis/foobar": { maxFoosFinangled: 42 }
  },
  accounts: {
    A13824: {
      name: "john@example.com",
      isPersonal: true,
      isReadOnly: false,
      accountCapabilities: { "urn:ietf:params:jmap:chat": {} }
    }
  },
  primaryAccounts: { "urn:ietf:params:jmap:chat": "A13824" },
  username: "john@example.com",
  apiUrl: `${base}/api/`,
  downloadUrl: `${base}/download/{accountId}/{blobId}/{name}?accept={type}`,
  uploadUrl: `${base}/upload/{accountId}/`,
  eventSourceUrl: `${base}/eventsource/?types={types}&closeafter={closeafter}&ping={ping}`,
  state: "75128aab4b1b",
  ...overrides
})
