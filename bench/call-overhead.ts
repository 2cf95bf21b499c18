/**
 * Call overhead: N sequential small JMAP calls through `HttpTransport.call` (request encode, HTTP,
 * capped body read, JSON parse, Schema decode of the envelope) versus raw `fetch` + `JSON.parse`
 * of the same request against the same loopback server, measured in the same run.
 */
import { Effect, ManagedRuntime } from "effect"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import { HttpTransport } from "../src/jmap/HttpTransport.js"
import * as NodeHttp from "../src/node/NodeHttp.js"

const body = JSON.stringify({
  methodResponses: [["Core/echo", { hello: "world", n: 1, list: [1, 2, 3] }, "c0"]],
  sessionState: "s1"
})

const request = {
  using: ["urn:ietf:params:jmap:core"],
  methodCalls: [["Core/echo", { hello: "world" }, "c0"] as const]
}

const startServer = () =>
  new Promise<Http.Server>((resolve) => {
    const server = Http.createServer((req, res) => {
      req.resume()
      req.on("end", () => {
        res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) })
        res.end(body)
      })
    })
    server.keepAliveTimeout = 60_000
    server.listen(0, "127.0.0.1", () => resolve(server))
  })

const time = async (label: string, n: number, f: () => Promise<unknown>) => {
  for (let i = 0; i < 200; i++) await f() // warm-up
  const start = performance.now()
  for (let i = 0; i < n; i++) await f()
  const ms = performance.now() - start
  console.log(`  ${label.padEnd(28)} ${ms.toFixed(0).padStart(6)} ms  (${((n / ms) * 1000).toFixed(0)} calls/s)`)
  return ms
}

export const run = async (n = 2000) => {
  const server = await startServer()
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const apiUrl = `${url}/api`
  const text = JSON.stringify(request)
  const raw = () =>
    fetch(apiUrl, { method: "POST", headers: { "content-type": "application/json" }, body: text })
      .then((r) => r.text())
      .then(JSON.parse)

  const runtime = ManagedRuntime.make(NodeHttp.layer({ url }))
  const transport = await runtime.runPromise(HttpTransport)
  const sdk = () => Effect.runPromise(transport.call(apiUrl, request))

  console.log(`call overhead: ${n} sequential Core/echo calls over loopback`)
  // Alternate to spread machine noise over both sides.
  const rawMs = (await time("raw fetch + JSON.parse", n, raw)) + (await time("raw fetch + JSON.parse", n, raw))
  const sdkMs = (await time("HttpTransport.call", n, sdk)) + (await time("HttpTransport.call", n, sdk))
  const ratio = sdkMs / rawMs
  console.log(`  ratio SDK / raw: ${ratio.toFixed(2)} (goal ≤ 1.3)`)
  await runtime.dispose()
  server.closeAllConnections()
  server.close()
  return { name: "call-overhead", ratio, note: "HttpTransport.call / raw fetch + JSON.parse, goal ≤ 1.3" }
}

if (import.meta.url === `file://${process.argv[1]}`) void run()
