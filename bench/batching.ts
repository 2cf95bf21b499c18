/**
 * Automatic batching: rounds of 100 concurrent single-id `Message/get`s through `SessionService`,
 * batched (the default) versus unbatched, against the same loopback server in the same run.
 * Prints HTTP requests sent and throughput.
 */
import { Effect, Layer, ManagedRuntime } from "effect"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import * as SessionService from "../src/jmap/SessionService.js"
import * as NodeHttp from "../src/node/NodeHttp.js"

const startServer = () =>
  new Promise<{ server: Http.Server; url: string; apiRequests: () => number }>((resolve) => {
    let api = 0
    const server = Http.createServer((req, res) => {
      const chunks: Array<Buffer> = []
      req.on("data", (c: Buffer) => chunks.push(c))
      req.on("end", () => {
        const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
        const body = req.url === "/.well-known/jmap"
          ? {
            capabilities: {
              "urn:ietf:params:jmap:core": { maxCallsInRequest: 64, maxObjectsInGet: 500, maxConcurrentRequests: 8 }
            },
            accounts: { A: { name: "a", isPersonal: true, isReadOnly: false, accountCapabilities: {} } },
            primaryAccounts: {},
            username: "u",
            apiUrl: `${base}/api`,
            downloadUrl: `${base}/d/{accountId}/{blobId}/{name}?t={type}`,
            uploadUrl: `${base}/u/{accountId}`,
            eventSourceUrl: `${base}/es?types={types}&closeafter={closeafter}&ping={ping}`,
            state: "s"
          }
          : (() => {
            api++
            const request = JSON.parse(Buffer.concat(chunks).toString()) as {
              methodCalls: Array<[string, { ids: Array<string> }, string]>
            }
            return {
              methodResponses: request.methodCalls.map(([name, args, callId]) => [name, {
                accountId: "A",
                state: "s1",
                list: args.ids.map((id) => ({ id, body: `message ${id}` })),
                notFound: []
              }, callId]),
              sessionState: "s"
            }
          })()
        const text = JSON.stringify(body)
        res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) })
        res.end(text)
      })
    })
    server.listen(0, "127.0.0.1", () =>
      resolve({
        server,
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        apiRequests: () => api
      }))
  })

export const run = async (rounds = 30, fanout = 100) => {
  // A batched round takes a few milliseconds: run five times as many (and warm up longer) so its
  // figure is not a half-second sample.
  const { apiRequests, server, url } = await startServer()
  const measure = async (label: string, options: SessionService.Options, rounds: number) => {
    const runtime = ManagedRuntime.make(SessionService.layerWith(options).pipe(Layer.provide(NodeHttp.layer({ url }))))
    const service = await runtime.runPromise(Effect.map(SessionService.SessionService, (s) => s))
    await runtime.runPromise(service.get)
    const round = () =>
      Effect.all(
        Array.from({ length: fanout }, (_, i) =>
          service.call({
            using: ["urn:ietf:params:jmap:core"],
            methodCalls: [["Message/get", { accountId: "A", ids: [`m${i}`] }, "r1"]]
          })),
        { concurrency: "unbounded" }
      )
    for (let r = 0; r < 10; r++) await runtime.runPromise(round())
    const before = apiRequests()
    const start = performance.now()
    for (let r = 0; r < rounds; r++) await runtime.runPromise(round())
    const ms = performance.now() - start
    const requests = apiRequests() - before
    const perSecond = (rounds * fanout) / (ms / 1000)
    console.log(
      `  ${label.padEnd(10)} ${requests.toString().padStart(5)} HTTP requests, ${
        perSecond.toFixed(0).padStart(7)
      } gets/s`
    )
    await runtime.dispose()
    return perSecond
  }
  console.log(
    `batching: rounds of ${fanout} concurrent single-id Message/get (${rounds} unbatched, ${rounds * 5} batched)`
  )
  const unbatched = await measure("unbatched", { batching: false }, rounds)
  const batched = await measure("batched", {}, rounds * 5)
  const ratio = batched / unbatched
  console.log(`  throughput batched / unbatched: ${ratio.toFixed(1)}x (goal ≥ 10x)`)
  server.closeAllConnections()
  server.close()
  return { name: "batching", ratio, note: "throughput batched / unbatched, 100 concurrent single-id gets, goal ≥ 10" }
}

if (import.meta.url === `file://${process.argv[1]}`) void run()
