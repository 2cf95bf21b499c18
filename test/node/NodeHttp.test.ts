import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Either, Layer } from "effect"
import * as fs from "node:fs"
import * as Https from "node:https"
import type { AddressInfo } from "node:net"
import * as path from "node:path"
import { HttpTransport } from "../../src/jmap/HttpTransport.js"
import * as NodeHttp from "../../src/node/NodeHttp.js"
import { sessionFor } from "../support/LoopbackServer.js"

const tls = (file: string) => fs.readFileSync(path.join(__dirname, "../fixtures/tls", file))

/** An HTTPS server on 127.0.0.1 with a certificate signed by the test CA. */
const httpsServer = Effect.acquireRelease(
  Effect.async<Https.Server>((resume) => {
    const server = Https.createServer({ key: tls("server.key"), cert: tls("server.pem") }, (_, res) => {
      res.writeHead(200, { "content-type": "application/json" })
      res.end(JSON.stringify(sessionFor("https://127.0.0.1")))
    })
    server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
  }),
  (server) =>
    Effect.async<void>((resume) => {
      server.closeAllConnections()
      server.close(() => resume(Effect.void))
    })
).pipe(Effect.map((server) => `https://127.0.0.1:${(server.address() as AddressInfo).port}`))

const fetchWith = (url: string, options: NodeHttp.NodeHttpOptions) =>
  Layer.build(NodeHttp.layer({ url, ...options })).pipe(
    Effect.map(Context.get(HttpTransport)),
    Effect.flatMap((t) => t.fetchSession)
  )

describe("Node HTTP with a private CA", () => {
  it.scopedLive("trusts a server signed by the configured CA (PEM or DER)", () =>
    Effect.gen(function*() {
      const url = yield* httpsServer
      expect((yield* fetchWith(url, { ca: tls("ca.pem").toString() })).session.username).toBe("john@example.com")
      expect((yield* fetchWith(url, { ca: new Uint8Array(tls("ca.der")) })).session.state).toBe("75128aab4b1b")
    }))

  it.scopedLive("rejects the server without the CA or with the wrong one", () =>
    Effect.gen(function*() {
      const url = yield* httpsServer
      const untrusted = yield* Effect.flip(fetchWith(url, {}))
      expect(untrusted).toMatchObject({ _tag: "HttpError", reason: "Tls" })
      expect(untrusted.message).toMatch(/CERT|SELF_SIGNED|UNABLE_TO/)
      const wrong = yield* Effect.flip(fetchWith(url, { ca: tls("other-ca.pem").toString() }))
      expect(wrong).toMatchObject({ _tag: "HttpError", reason: "Tls" })
    }))

  it("refuses input that is not a certificate", () => {
    expect(Either.getLeft(NodeHttp.normalizeCa("not pem"))).toMatchObject({
      _tag: "Some",
      value: { _tag: "InvalidArgument", description: "CA: no PEM-framed certificate found in input" }
    })
    expect(Either.isLeft(NodeHttp.normalizeCa(new Uint8Array([1, 2, 3])))).toBe(true)
    expect(Either.getOrThrow(NodeHttp.normalizeCa(tls("ca.pem").toString()))).toContain("BEGIN CERTIFICATE")
  })
})
