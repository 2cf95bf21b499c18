/**
 * Fault-injection table for the HTTP path (issue 6): each row scripts a hostile or broken server
 * on loopback and asserts the typed error (or the documented recovery) the client answers with,
 * within a bounded time and without a defect. A summary table is printed at the end.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Cause, Context, type Duration, Effect, Exit, Layer, Schedule } from "effect"
import * as fs from "node:fs"
import type * as Http from "node:http"
import * as Https from "node:https"
import type { AddressInfo } from "node:net"
import * as path from "node:path"
import * as Auth from "../../src/jmap/Auth.js"
import * as HttpTransport from "../../src/jmap/HttpTransport.js"
import { QueryResponse } from "../../src/jmap/MethodResponses.js"
import { extractResponse } from "../../src/jmap/RequestBuilder.js"
import * as SessionService from "../../src/jmap/SessionService.js"
import * as NodeHttp from "../../src/node/NodeHttp.js"
import { endless, json, listen, type Received, sessionFor } from "../support/LoopbackServer.js"

type Op = "session" | "call" | "read" | "upload" | "download" | "extract"

interface Fault {
  readonly name: string
  readonly op: Op
  readonly expected: string
  readonly server: (req: Received, res: Http.ServerResponse, base: string) => unknown
  /** The request deadline: short only where the timeout is what is tested (a busy machine is slow). */
  readonly requestTimeout?: Duration.DurationInput
  /** Checks the outcome; return a short description of what was observed. */
  readonly check: (exit: Exit.Exit<unknown, { readonly _tag: string }>) => void
}

const summary: Array<{ fault: string; expected: string; observed: string }> = []

const observe = (exit: Exit.Exit<unknown, { readonly _tag: string; readonly message?: string }>): string =>
  Exit.match(exit, {
    onSuccess: () => "success",
    onFailure: (cause) => {
      const failure = Cause.failureOption(cause)
      return failure._tag === "Some"
        ? `${failure.value._tag}: ${failure.value.message ?? ""}`.slice(0, 90)
        : `defect: ${Cause.pretty(cause).slice(0, 60)}`
    }
  })

const fails =
  (tag: string, match?: Record<string, unknown>) => (exit: Exit.Exit<unknown, { readonly _tag: string }>) => {
    expect(Exit.isFailure(exit)).toBe(true)
    if (Exit.isFailure(exit)) {
      const failure = Cause.failureOption(exit.cause)
      expect(failure._tag, "a typed failure, not a defect").toBe("Some")
      if (failure._tag === "Some") {
        expect(failure.value._tag).toBe(tag)
        if (match) expect(failure.value).toMatchObject(match)
      }
    }
  }

const succeeds = (f?: (value: unknown) => void) => (exit: Exit.Exit<unknown, { readonly _tag: string }>) => {
  expect(Exit.isSuccess(exit), observe(exit)).toBe(true)
  if (Exit.isSuccess(exit) && f) f(exit.value)
}

const apiReply = (res: Http.ServerResponse, text: string, headers: Http.OutgoingHttpHeaders = {}) => {
  res.writeHead(200, { "content-type": "application/json", ...headers })
  res.end(text)
}

const sessionWith = (overrides: Record<string, unknown>) => (req: Received, res: Http.ServerResponse, base: string) =>
  json(res, 200, sessionFor(base, overrides))

const statusFault = (
  status: number,
  tag: string,
  match?: Record<string, unknown>,
  headers: Http.OutgoingHttpHeaders = {}
): Fault => ({
  name: `HTTP ${status}${headers["retry-after"] ? ` with Retry-After ${headers["retry-after"]}` : ""}`,
  op: status >= 500 ? "read" : "call",
  expected: tag,
  server: (_, res) => {
    res.writeHead(status, { "content-type": "text/plain", ...headers })
    res.end("error page")
  },
  check: fails(tag, { ...match })
})

const faults: ReadonlyArray<Fault> = [
  {
    name: "truncated body (Content-Length larger than what is sent)",
    op: "call",
    expected: "HttpError(ResponseBody)",
    server: (_, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": 1000 })
      res.write("{\"methodResponses\":[")
      setTimeout(() => res.destroy(), 10)
    },
    check: fails("HttpError")
  },
  {
    name: "never-ending chunked body",
    op: "call",
    expected: "ResponseTooLarge after the cap",
    server: (_, res) => endless(res, Buffer.alloc(64 * 1024, 32)),
    check: fails("ResponseTooLarge", { limit: 8 * 1024 * 1024 })
  },
  {
    name: "Content-Length above the cap",
    op: "call",
    expected: "ResponseTooLarge before reading",
    server: (_, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": 9 * 1024 * 1024 })
      res.write("{")
    },
    check: fails("ResponseTooLarge", { actual: 9 * 1024 * 1024 })
  },
  {
    name: "invalid UTF-8 inside a JSON string",
    op: "call",
    expected: "recovery: decoded, bad bytes become U+FFFD",
    server: (_, res) => {
      res.writeHead(200, { "content-type": "application/json" })
      res.end(
        Buffer.concat([
          Buffer.from("{\"methodResponses\":[],\"sessionState\":\"a"),
          Buffer.from([0xff, 0xfe]),
          Buffer.from("\"}")
        ])
      )
    },
    check: succeeds((v) => expect((v as { sessionState: string }).sessionState).toBe("a\uFFFD\uFFFD"))
  },
  {
    name: "invalid JSON",
    op: "call",
    expected: "ParseError",
    server: (_, res) => apiReply(res, "{\"methodResponses\": [,]}"),
    check: fails("ParseError", { path: "" })
  },
  {
    name: "HTML instead of JSON (wrong content type)",
    op: "call",
    expected: "ParseError",
    server: (_, res) => {
      res.writeHead(200, { "content-type": "text/html" })
      res.end("<html><body>Login</body></html>")
    },
    check: fails("ParseError")
  },
  {
    name: "empty 200 body",
    op: "call",
    expected: "ParseError",
    server: (_, res) => apiReply(res, ""),
    check: fails("ParseError")
  },
  {
    name: "JSON of the wrong shape (array)",
    op: "call",
    expected: "ParseError",
    server: (_, res) => apiReply(res, "[1,2,3]"),
    check: fails("ParseError")
  },
  {
    name: "sessionState of the wrong type",
    op: "call",
    expected: "ParseError at sessionState",
    server: (_, res) => apiReply(res, "{\"methodResponses\":[],\"sessionState\":7}"),
    check: fails("ParseError", { path: "sessionState" })
  },
  {
    name: "createdIds that is not a map of ids",
    op: "call",
    expected: "ParseError at createdIds",
    server: (_, res) => apiReply(res, "{\"methodResponses\":[],\"sessionState\":\"s\",\"createdIds\":{\"k1\":5}}"),
    check: fails("ParseError", { path: "createdIds.k1" })
  },
  {
    name: "deeply nested JSON (100,000 levels)",
    op: "call",
    expected: "ParseError or success, never a stack overflow defect",
    server: (_, res) =>
      apiReply(res, `{"methodResponses":[],"sessionState":"s","x":${"[".repeat(100_000)}${"]".repeat(100_000)}}`),
    check: (exit) => {
      if (Exit.isFailure(exit)) fails("ParseError")(exit)
    }
  },
  {
    name: "huge numbers where an UnsignedInt is expected",
    op: "extract",
    expected: "ParseError at position",
    server: (_, res) =>
      apiReply(
        res,
        "{\"methodResponses\":[[\"Message/query\",{\"accountId\":\"A\",\"queryState\":\"q\",\"canCalculateChanges\":true,\"position\":1e400,\"ids\":[]},\"c0\"]],\"sessionState\":\"s\"}"
      ),
    check: fails("ParseError", { path: "position" })
  },
  {
    name: "__proto__ member in a response",
    op: "call",
    expected: "recovery: member dropped, no prototype change",
    server: (_, res) =>
      apiReply(res, "{\"__proto__\":{\"polluted\":true},\"methodResponses\":[],\"sessionState\":\"s\"}"),
    check: succeeds((v) => expect((v as Record<string, unknown>)["polluted"]).toBeUndefined())
  },
  {
    name: "methodResponses without the requested call id",
    op: "extract",
    expected: "MethodNotFound",
    server: (_, res) => apiReply(res, "{\"methodResponses\":[[\"Message/query\",{},\"zz\"]],\"sessionState\":\"s\"}"),
    check: fails("MethodNotFound", { callId: "c0" })
  },
  {
    name: "duplicated call id: a success then an error",
    op: "extract",
    expected: "MethodError (the error wins)",
    server: (_, res) =>
      apiReply(
        res,
        "{\"methodResponses\":[[\"Message/query\",{},\"c0\"],[\"error\",{\"type\":\"serverPartialFail\"},\"c0\"]],\"sessionState\":\"s\"}"
      ),
    check: fails("MethodError", { type: "serverPartialFail" })
  },
  {
    name: "error invocation without a type",
    op: "extract",
    expected: "MethodError(serverError)",
    server: (_, res) => apiReply(res, "{\"methodResponses\":[[\"error\",{},\"c0\"]],\"sessionState\":\"s\"}"),
    check: fails("MethodError", { type: "serverError" })
  },
  statusFault(400, "HttpError", { status: 400 }),
  statusFault(401, "AuthFailed", { status: 401 }),
  statusFault(403, "AuthFailed", { status: 403 }),
  statusFault(404, "HttpError", { status: 404 }),
  statusFault(429, "RateLimited", {}, { "retry-after": "3600" }),
  statusFault(429, "RateLimited", {}, { "retry-after": "Wed, 21 Oct 2099 07:28:00 GMT" }),
  statusFault(500, "HttpError", { status: 500 }),
  statusFault(502, "HttpError", { status: 502 }),
  statusFault(503, "HttpError", { status: 503 }),
  statusFault(504, "HttpError", { status: 504 }),
  {
    name: "RFC 7807 problem body (notRequest)",
    op: "call",
    expected: "RequestError",
    server: (_, res) => json(res, 400, { type: "urn:ietf:params:jmap:error:notRequest", status: 400, detail: "bad" }),
    check: fails("RequestError", { type: "urn:ietf:params:jmap:error:notRequest" })
  },
  {
    name: "redirect loop on the session resource",
    op: "session",
    expected: "HttpError(Redirect)",
    server: (req, res) => {
      res.writeHead(302, { location: req.url === "/.well-known/jmap" ? "/a" : "/.well-known/jmap" })
      res.end()
    },
    check: fails("HttpError", { reason: "Redirect" })
  },
  {
    name: "redirect without Location",
    op: "session",
    expected: "HttpError(Redirect)",
    server: (_, res) => {
      res.writeHead(301)
      res.end()
    },
    check: fails("HttpError", { reason: "Redirect" })
  },
  {
    name: "redirect to a non-http scheme",
    op: "session",
    expected: "HttpError(Redirect)",
    server: (_, res) => {
      res.writeHead(302, { location: "file:///etc/passwd" })
      res.end()
    },
    check: fails("HttpError", { reason: "Redirect" })
  },
  {
    name: "no response within the timeout",
    op: "call",
    expected: "HttpError(Timeout)",
    server: () => undefined,
    check: fails("HttpError", { reason: "Timeout" }),
    requestTimeout: "300 millis"
  },
  {
    name: "headers sent, then the body stalls",
    op: "call",
    expected: "HttpError(Timeout)",
    server: (_, res) => {
      res.writeHead(200, { "content-type": "application/json" })
      res.write("{\"methodResponses\":")
    },
    check: fails("HttpError", { reason: "Timeout" }),
    requestTimeout: "300 millis"
  },
  {
    name: "connection reset before any response",
    op: "call",
    expected: "HttpError",
    server: (_, res) => res.socket?.destroy(),
    check: fails("HttpError")
  },
  {
    name: "session with an apiUrl that is not a URL reference",
    op: "session",
    expected: "InvalidSession",
    server: sessionWith({ apiUrl: "http://[::1" }),
    check: fails("InvalidSession")
  },
  {
    name: "session with an ftp: apiUrl",
    op: "session",
    expected: "InvalidSession",
    server: sessionWith({ apiUrl: "ftp://example.com/api" }),
    check: fails("InvalidSession", { description: "session URL has non-http/https scheme: apiUrl" })
  },
  {
    name: "session with relative URLs",
    op: "session",
    expected: "recovery: resolved against the session URL",
    server: sessionWith({ apiUrl: "/api/", downloadUrl: "dl/{accountId}/{blobId}/{name}?t={type}" }),
    check: succeeds((s) => expect((s as { apiUrl: string }).apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/))
  },
  {
    name: "session with a host-less URL (scheme-relative)",
    op: "session",
    expected: "recovery: takes the session's scheme",
    server: sessionWith({ apiUrl: "//127.0.0.1:1/api" }),
    check: succeeds((s) => expect((s as { apiUrl: string }).apiUrl).toBe("http://127.0.0.1:1/api"))
  },
  {
    name: "session missing a required field",
    op: "session",
    expected: "ParseError at username",
    server: (_, res, base) => {
      const { username: _username, ...rest } = sessionFor(base)
      json(res, 200, rest)
    },
    check: fails("ParseError", { path: "username" })
  },
  {
    name: "upload reply with an upper-case sha256",
    op: "upload",
    expected: "ParseError at sha256",
    server: (_, res) =>
      json(res, 201, { accountId: "A", blobId: "B", type: "text/plain", size: 5, sha256: "A".repeat(64) }),
    check: fails("ParseError", { path: "sha256" })
  },
  {
    name: "download whose bytes do not match the expected SHA-256",
    op: "download",
    expected: "BlobIntegrityMismatch",
    server: (_, res) => {
      res.writeHead(200)
      res.end("tampered")
    },
    check: fails("BlobIntegrityMismatch", { expected: "0".repeat(64) })
  }
]

const request = { using: ["urn:ietf:params:jmap:core"], methodCalls: [["Message/query", {}, "c0"] as const] }

const runOp = (
  op: Op,
  t: HttpTransport.Service,
  base: string
): Effect.Effect<unknown, { readonly _tag: string; readonly message: string }> => {
  switch (op) {
    case "session":
      return Effect.map(t.fetchSession, (f) => f.session)
    case "call":
      return t.call(`${base}/api`, { ...request, methodCalls: [["Message/set", {}, "c0"]] })
    case "read":
      return t.call(`${base}/api`, request)
    case "extract":
      return Effect.flatMap(
        t.call(`${base}/api`, request),
        (r) => extractResponse(r, "c0", QueryResponse, "Message/query")
      )
    case "upload":
      return t.upload({
        uploadUrl: `${base}/u/{accountId}`,
        accountId: "A",
        contentType: "text/plain",
        body: new TextEncoder().encode("hello")
      })
    case "download":
      return t.download({
        downloadUrl: `${base}/d/{blobId}`,
        accountId: "A",
        blobId: "B",
        name: "n",
        expectedSha256: "0".repeat(64)
      })
  }
}

describe("fault injection: HTTP", () => {
  expect(faults.length).toBeGreaterThanOrEqual(35)

  for (const fault of faults) {
    it.scopedLive(fault.name, () =>
      Effect.gen(function*() {
        let base = ""
        const server = yield* listen((req, res) => fault.server(req, res, base))
        base = server.url
        const transport = yield* Layer.build(
          HttpTransport.layer({
            url: server.url,
            auth: Auth.bearer("t"),
            config: { requestTimeout: fault.requestTimeout ?? "8 seconds", retrySchedule: Schedule.stop }
          }).pipe(Layer.provide(NodeHttpClient.layerUndici))
        ).pipe(Effect.map(Context.get(HttpTransport.HttpTransport)))
        const exit = yield* runOp(fault.op, transport, server.url).pipe(
          Effect.timeoutFail({
            duration: "10 seconds",
            onTimeout: () => ({ _tag: "Hang", message: "did not finish" })
          }),
          Effect.exit
        )
        summary.push({ fault: fault.name, expected: fault.expected, observed: observe(exit) })
        fault.check(exit)
      }))
  }

  it.scopedLive("TLS certificate from an unknown CA", () =>
    Effect.gen(function*() {
      const tls = (f: string) => fs.readFileSync(path.join(__dirname, "../fixtures/tls", f))
      const server = yield* Effect.acquireRelease(
        Effect.async<Https.Server>((resume) => {
          const s = Https.createServer({ key: tls("server.key"), cert: tls("server.pem") }, (_, res) =>
            json(res, 200, {}))
          s.listen(0, "127.0.0.1", () =>
            resume(Effect.succeed(s)))
        }),
        (s) =>
          Effect.sync(() => {
            s.closeAllConnections()
            s.close()
          })
      )
      const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`
      const exit = yield* Layer.build(NodeHttp.layer({ url, ca: tls("other-ca.pem").toString() })).pipe(
        Effect.map(Context.get(HttpTransport.HttpTransport)),
        Effect.flatMap((t) => t.fetchSession),
        Effect.exit
      )
      summary.push({ fault: "TLS certificate from an unknown CA", expected: "HttpError(Tls)", observed: observe(exit) })
      fails("HttpError", { reason: "Tls" })(exit)
    }))

  it.scopedLive("concurrent session fetches against a flapping server all settle", () =>
    Effect.gen(function*() {
      let n = 0
      const server = yield* listen((
        _,
        res
      ) => (n++ % 2 === 0 ? res.socket?.destroy() : json(res, 200, sessionFor("http://h"))))
      const service = yield* Layer.build(
        SessionService.layer.pipe(
          Layer.provide(HttpTransport.layer({ url: server.url, config: { retrySchedule: Schedule.stop } })),
          Layer.provide(NodeHttpClient.layerUndici)
        )
      ).pipe(Effect.map(Context.get(SessionService.SessionService)))
      const exits = yield* Effect.all(Array.from({ length: 10 }, () => Effect.exit(service.get)), {
        concurrency: "unbounded"
      })
      summary.push({
        fault: "flapping session endpoint, 10 concurrent callers",
        expected: "every caller settles with a session or HttpError",
        observed: `${exits.filter(Exit.isSuccess).length} ok, ${exits.filter(Exit.isFailure).length} HttpError`
      })
      for (const exit of exits) if (Exit.isFailure(exit)) fails("HttpError")(exit)
    }))

  afterAll(() => {
    const width = Math.max(...summary.map((s) => s.fault.length))
    console.log(
      `\nHTTP fault table (${summary.length} faults)\n` +
        summary.map((s) => `${s.fault.padEnd(width)} | expected ${s.expected} | observed ${s.observed}`).join("\n")
    )
  })
})
