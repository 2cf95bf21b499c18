import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it, layer } from "@effect/vitest"
import { Duration, Effect, Exit, Inspectable, Redacted, Stream } from "effect"
import { createHash } from "node:crypto"
import * as Auth from "../../src/jmap/Auth.js"
import * as HttpTransport from "../../src/jmap/HttpTransport.js"
import { endless, json, listen, sessionFor } from "../support/LoopbackServer.js"

const token = "s3cret-CANARY-token"
const sha = (b: Uint8Array | string) => createHash("sha256").update(b).digest("hex")

const failure = <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.flip(self)

describe("HttpTransport construction", () => {
  const make = (options: HttpTransport.Options) =>
    HttpTransport.make(options).pipe(Effect.provide(NodeHttpClient.layerUndici), Effect.flip)

  it.effect("rejects server URLs that are not http(s), or carry a query or fragment; trusted origins have no path", () =>
    Effect.gen(function*() {
      expect((yield* make({ url: "" })).message).toContain("may not be empty")
      expect((yield* make({ url: "not a url" })).message).toContain("not a valid URL")
      expect((yield* make({ url: "ftp://example.com" })).message).toContain("scheme must be http or https")
      expect((yield* make({ url: "https://example.com/?a=b" })).message).toContain("query")
      expect((yield* make({ url: "https://example.com/jmap?access_token=CANARY" })).message).not.toContain("CANARY")
      expect((yield* make({ url: "https://example.com/#x" })).message).toContain("fragment")
      const trusted = yield* make({ url: "https://example.com", trustedOrigins: ["https://api.example.com/jmap"] })
      expect(trusted.message).toBe("invalid argument: trusted origin must not have a path component")
    }))

  it.effect("takes an origin (discovery at /.well-known/jmap) or a Session resource URL with a path", () =>
    Effect.gen(function*() {
      const build = (url: string) => HttpTransport.make({ url }).pipe(Effect.provide(NodeHttpClient.layerUndici))
      for (
        const [url, origin, sessionUrl] of [
          ["https://example.com", "https://example.com", "https://example.com/.well-known/jmap"],
          ["https://example.com/", "https://example.com", "https://example.com/.well-known/jmap"],
          ["https://example.com:8443/jmap/", "https://example.com:8443", "https://example.com:8443/jmap/"],
          ["https://example.com/jmap/session", "https://example.com", "https://example.com/jmap/session"],
          ["https://example.com/.well-known/jmap", "https://example.com", "https://example.com/.well-known/jmap"]
        ] as const
      ) {
        const t = yield* build(url)
        expect([t.origin, t.sessionUrl], url).toEqual([origin, sessionUrl])
      }
    }))

  it.effect("rejects user-info without echoing it", () =>
    Effect.gen(function*() {
      const withPassword = yield* make({ url: "https://alice:hunter2pw@example.com" })
      expect(withPassword._tag).toBe("InvalidArgument")
      expect(withPassword.message).toContain("user-info")
      expect(withPassword.message).not.toContain("hunter2pw")
      expect(withPassword.message).not.toContain("alice")
      const userOnly = yield* make({ url: "https://bobthename@example.com" })
      expect(userOnly.message).not.toContain("bobthename")
    }))

  it.effect("accepts an origin with a trailing slash", () =>
    Effect.gen(function*() {
      const t = yield* HttpTransport.make({ url: "https://example.com:8443/" }).pipe(
        Effect.provide(NodeHttpClient.layerUndici)
      )
      expect(t.origin).toBe("https://example.com:8443")
      expect(Duration.toSeconds(t.config.requestTimeout)).toBe(30)
      expect(t.config.maxCallBytes).toBe(8 * 1024 * 1024)
    }))

  it.effect("validates config caps and credentials before any I/O", () =>
    Effect.gen(function*() {
      expect((yield* make({ url: "https://e.com", config: { maxCallBytes: 0 } })).message).toContain("maxCallBytes")
      expect((yield* make({ url: "https://e.com", config: { requestTimeout: 0 } })).message).toContain("requestTimeout")
      expect((yield* make({ url: "https://e.com", config: { maxWsMessageBytes: -1 } })).message).toContain(
        "maxWsMessageBytes"
      )
      const empty = yield* make({ url: "https://e.com", auth: Auth.bearer("") })
      expect(empty.message).toContain("RFC 6750")
      const spaced = yield* make({ url: "https://e.com", auth: Auth.bearer("abc def") })
      expect(spaced._tag).toBe("InvalidArgument")
      const control = yield* make({ url: "https://e.com", auth: Auth.bearer("abc\u0001def") })
      expect(control._tag).toBe("InvalidHeaderValue")
      expect(control.message).not.toContain("abc")
      const colon = yield* make({ url: "https://e.com", auth: Auth.basic("ali:ce", "pw") })
      expect(colon.message).toContain("username")
    }))

  it("never shows secrets when inspected", () => {
    const bearer = Auth.bearer(token)
    const basic = Auth.basic("alice", "p4ssw0rd-CANARY")
    for (const value of [bearer, basic]) {
      const shown = Inspectable.format(value) + String(value) + JSON.stringify(value)
      expect(shown).not.toContain("CANARY")
    }
    expect(Redacted.value((bearer as Extract<Auth.Auth, { _tag: "Bearer" }>).token)).toBe(token)
  })
})

layer(NodeHttpClient.layerUndici, { excludeTestServices: true })("HttpTransport over loopback", (it) => {
  it.scoped("fetches the session with auth and follows redirects", () =>
    Effect.gen(function*() {
      const server = yield* listen((req, res) => {
        if (req.url === "/.well-known/jmap") {
          res.writeHead(307, { location: "/jmap/session" })
          return res.end()
        }
        json(res, 200, sessionFor("http://x"))
      })
      const t = yield* HttpTransport.make({ url: server.url, auth: Auth.bearer(token) })
      const fetched = yield* t.fetchSession
      expect(fetched.url).toBe(`${server.url}/jmap/session`)
      expect(fetched.session.username).toBe("john@example.com")
      expect(fetched.session.capabilities["https://example.com/apis/foobar"]).toEqual({ maxFoosFinangled: 42 })
      expect(server.received.map((r) => r.headers.authorization)).toEqual([`Bearer ${token}`, `Bearer ${token}`])
    }))

  it.scoped("does not send credentials to another origin", () =>
    Effect.gen(function*() {
      const other = yield* listen((_, res) => json(res, 200, sessionFor("http://x")))
      const server = yield* listen((_, res) => {
        res.writeHead(302, { location: `${other.url}/session` })
        res.end()
      })
      const t = yield* HttpTransport.make({ url: server.url, auth: Auth.basic("alice", "pw") })
      yield* t.fetchSession
      expect(server.received[0]?.headers.authorization).toMatch(/^Basic /)
      expect(other.received[0]?.headers.authorization).toBeUndefined()
      // A download template on the other origin gets no credentials either…
      const blob = yield* t.download({ downloadUrl: `${other.url}/d/{blobId}`, accountId: "a", blobId: "b", name: "n" })
      expect(blob.length).toBeGreaterThan(0)
      expect(other.received[1]?.headers.authorization).toBeUndefined()
      // …unless the user trusts that origin.
      const trusting = yield* HttpTransport.make({
        url: server.url,
        auth: Auth.bearer(token),
        trustedOrigins: [other.url]
      })
      yield* trusting.download({ downloadUrl: `${other.url}/d/{blobId}`, accountId: "a", blobId: "b", name: "n" })
      expect(other.received[2]?.headers.authorization).toBe(`Bearer ${token}`)
    }))

  it.scoped("maps 401/403 to AuthFailed, 429 to RateLimited and problem bodies to RequestError", () =>
    Effect.gen(function*() {
      let status = 401
      const server = yield* listen((req, res) => {
        if (status === 429) return json(res, 429, {}, { "retry-after": "120" })
        if (status === 400) {
          return json(res, 400, {
            type: "urn:ietf:params:jmap:error:limit",
            status: 400,
            limit: "maxCallsInRequest",
            detail: "too many calls"
          }, { "content-type": "application/problem+json" })
        }
        if (status === 404) return json(res, 404, { type: "about:blank" })
        res.writeHead(status)
        res.end("nope")
      })
      const t = yield* HttpTransport.make({ url: server.url, auth: Auth.bearer(token) })
      const auth401 = yield* failure(t.fetchSession)
      expect(auth401).toMatchObject({ _tag: "AuthFailed", status: 401 })
      expect(auth401.message).not.toContain(token)
      status = 403
      expect(yield* failure(t.fetchSession)).toMatchObject({ _tag: "AuthFailed", status: 403 })
      status = 429
      const limited = yield* failure(t.call(`${server.url}/api`, { using: [], methodCalls: [["X/set", {}, "c0"]] }))
      expect(limited._tag).toBe("RateLimited")
      expect(limited._tag === "RateLimited" && Duration.toSeconds(limited.retryAfter!)).toBe(120)
      status = 400
      const problem = yield* failure(t.call(`${server.url}/api`, { using: [], methodCalls: [["X/set", {}, "c0"]] }))
      expect(problem).toMatchObject({
        _tag: "RequestError",
        type: "urn:ietf:params:jmap:error:limit",
        limit: "maxCallsInRequest"
      })
      status = 404
      expect(yield* failure(t.call(`${server.url}/api`, { using: [], methodCalls: [] }))).toMatchObject({
        _tag: "HttpError",
        reason: "Status",
        status: 404
      })
    }))

  it.scoped("posts the request and decodes the response, failing with a path on bad shapes", () =>
    Effect.gen(function*() {
      let reply: unknown = { methodResponses: [["Core/echo", { hello: true }, "c0"]], sessionState: "s1", extra: 1 }
      const server = yield* listen((_, res) => {
        if (typeof reply === "string") {
          res.writeHead(200, { "content-type": "application/json" })
          return res.end(reply)
        }
        json(res, 200, reply)
      })
      const t = yield* HttpTransport.make({ url: server.url, auth: Auth.bearer(token) })
      const request = {
        using: ["urn:ietf:params:jmap:core"],
        methodCalls: [["Core/echo", { hello: true }, "c0"] as const]
      }
      const response = yield* t.call(`${server.url}/api`, request)
      expect(response.methodResponses).toEqual([["Core/echo", { hello: true }, "c0"]])
      expect((response as Record<string, unknown>)["extra"]).toBe(1)
      expect(JSON.parse(server.received[0]!.body.toString())).toEqual(request)
      expect(server.received[0]!.headers["content-type"]).toBe("application/json")
      reply = "{not json"
      const invalid = yield* failure(t.call(`${server.url}/api`, request))
      expect(invalid).toMatchObject({ _tag: "ParseError", subject: "JMAP response" })
      reply = { methodResponses: [["Core/echo", "oops", "c0"]], sessionState: "s" }
      const shape = yield* failure(t.call(`${server.url}/api`, request))
      expect(shape).toMatchObject({ _tag: "ParseError", path: "methodResponses[0][1]" })
      expect(yield* failure(t.call("ftp://x/api", request))).toMatchObject({ _tag: "InvalidArgument" })
      const cyclic: Record<string, unknown> = {}
      cyclic["self"] = cyclic
      expect(yield* failure(t.call(`${server.url}/api`, { using: [], methodCalls: [["A/b", cyclic, "c"]] })))
        .toMatchObject({
          _tag: "SerializeError"
        })
    }))

  it.scoped("enforces caps from Content-Length and on never-ending chunked bodies", () =>
    Effect.gen(function*() {
      const server = yield* listen((req, res) => {
        if (req.url === "/.well-known/jmap") return json(res, 200, { padding: "x".repeat(300) })
        endless(res, Buffer.alloc(256, 32))
      })
      const t = yield* HttpTransport.make({
        url: server.url,
        config: { maxSessionBytes: 128, maxCallBytes: 128, maxDownloadBytes: 128, maxUploadResponseBytes: 128 }
      })
      const session = yield* failure(t.fetchSession)
      expect(session).toMatchObject({ _tag: "ResponseTooLarge", limit: 128 })
      expect(session._tag === "ResponseTooLarge" && session.actual).toBeGreaterThan(128)
      expect(yield* failure(t.call(`${server.url}/api`, { using: [], methodCalls: [["A/set", {}, "c"]] })))
        .toMatchObject({
          _tag: "ResponseTooLarge",
          limit: 128
        })
      expect(
        yield* failure(t.download({ downloadUrl: `${server.url}/d/{blobId}`, accountId: "a", blobId: "b", name: "n" }))
      ).toMatchObject({ _tag: "ResponseTooLarge" })
      expect(
        yield* failure(
          t.upload({
            uploadUrl: `${server.url}/u/{accountId}`,
            accountId: "a",
            contentType: "text/plain",
            body: new Uint8Array(3)
          })
        )
      ).toMatchObject({ _tag: "ResponseTooLarge" })
      const streamed = yield* failure(
        Stream.runDrain(
          t.downloadStream({
            downloadUrl: `${server.url}/d/{blobId}`,
            accountId: "a",
            blobId: "b",
            name: "n",
            maxBytes: 4096
          })
        )
      )
      expect(streamed).toMatchObject({ _tag: "ResponseTooLarge", limit: 4096 })
    }))

  it.scoped("times out a server that never answers", () =>
    Effect.gen(function*() {
      const server = yield* listen(() => {
        // never respond
      })
      const t = yield* HttpTransport.make({ url: server.url, config: { requestTimeout: "200 millis" } })
      const error = yield* failure(t.call(`${server.url}/api`, { using: [], methodCalls: [["A/set", {}, "c"]] }))
      expect(error).toMatchObject({ _tag: "HttpError", reason: "Timeout" })
      expect(error._tag === "HttpError" && error.isTimeout).toBe(true)
    }))

  it.scoped("reports connection failures as HttpError", () =>
    Effect.gen(function*() {
      const t = yield* HttpTransport.make({ url: "http://127.0.0.1:1" })
      const error = yield* failure(t.call("http://127.0.0.1:1/api", { using: [], methodCalls: [["A/set", {}, "c"]] }))
      expect(error).toMatchObject({ _tag: "HttpError", reason: "Connect" })
    }))

  it.scoped("uploads with local SHA-256 and size checks", () =>
    Effect.gen(function*() {
      let mode: "ok" | "bad-sha" | "bad-size" | "no-sha" = "ok"
      const server = yield* listen((req, res) => {
        const digest = sha(req.body)
        const body = {
          accountId: "a1",
          blobId: "B1",
          type: req.headers["content-type"],
          size: mode === "bad-size" ? 0 : req.body.length,
          ...(mode === "no-sha" ? {} : { sha256: mode === "bad-sha" ? "0".repeat(64) : digest })
        }
        json(res, 201, body)
      })
      const t = yield* HttpTransport.make({ url: server.url, auth: Auth.bearer(token) })
      const bytes = new TextEncoder().encode("hello")
      const options = {
        uploadUrl: `${server.url}/upload/{accountId}/`,
        accountId: "a 1",
        contentType: "text/plain",
        body: bytes
      }
      const ok = yield* t.upload(options)
      expect(ok).toMatchObject({ blobId: "B1", size: 5, sha256: sha("hello") })
      expect(server.received[0]!.url).toBe("/upload/a%201/")
      mode = "bad-sha"
      expect(yield* failure(t.upload(options))).toMatchObject({
        _tag: "BlobIntegrityMismatch",
        expected: sha("hello"),
        actual: "0".repeat(64)
      })
      mode = "bad-size"
      const size = yield* failure(t.upload(options))
      expect(size._tag).toBe("UnexpectedResponse")
      expect(size.message).toMatch(/size mismatch.*5.*0/)
      mode = "no-sha"
      expect((yield* t.upload(options)).sha256).toBeUndefined()
      mode = "ok"
      const streamed = yield* t.upload({ ...options, body: Stream.make(bytes.slice(0, 2), bytes.slice(2)) })
      expect(streamed.sha256).toBe(sha("hello"))
      expect(yield* failure(t.upload({ ...options, contentType: "text/plain\r\nx: y" }))).toMatchObject({
        _tag: "InvalidHeaderValue"
      })
      expect(yield* failure(t.upload({ ...options, uploadUrl: `${server.url}/upload/{accountId}/{blobId}` })))
        .toMatchObject({
          _tag: "InvalidSession"
        })
    }))

  it.scoped("downloads, expanding the template and checking an expected SHA-256", () =>
    Effect.gen(function*() {
      const payload = Buffer.from("blob-bytes")
      const server = yield* listen((_, res) => {
        res.writeHead(200, { "content-type": "application/octet-stream" })
        res.end(payload)
      })
      const t = yield* HttpTransport.make({ url: server.url })
      const options = {
        downloadUrl: `${server.url}/download/{accountId}/{blobId}/{name}?accept={type}`,
        accountId: "A",
        blobId: "B",
        name: "my file/ä.txt"
      }
      expect(Buffer.from(yield* t.download(options)).toString()).toBe("blob-bytes")
      expect(server.received[0]!.url).toBe("/download/A/B/my%20file%2F%C3%A4.txt?accept=")
      expect(yield* t.download({ ...options, expectedSha256: sha(payload) })).toHaveLength(payload.length)
      expect(yield* failure(t.download({ ...options, expectedSha256: "a".repeat(64) }))).toMatchObject({
        _tag: "BlobIntegrityMismatch",
        expected: "a".repeat(64),
        actual: sha(payload)
      })
      expect(yield* failure(t.download({ ...options, expectedSha256: "A".repeat(64) }))).toMatchObject({
        _tag: "InvalidArgument"
      })
      const chunks = yield* Stream.runCollect(t.downloadStream({ ...options, expectedSha256: sha(payload) }))
      expect(Buffer.concat([...chunks]).toString()).toBe("blob-bytes")
      const mismatch = yield* Effect.exit(
        Stream.runDrain(t.downloadStream({ ...options, expectedSha256: "b".repeat(64) }))
      )
      expect(Exit.isFailure(mismatch) && JSON.stringify(mismatch.cause)).toContain("BlobIntegrityMismatch")
    }))

  it.scoped("opens an EventSource with Last-Event-ID and checks the content type", () =>
    Effect.gen(function*() {
      let contentType = "text/event-stream; charset=utf-8"
      const server = yield* listen((_, res) => {
        res.writeHead(200, { "content-type": contentType })
        res.end("event: ping\ndata: {}\n\n")
      })
      const t = yield* HttpTransport.make({ url: server.url, auth: Auth.bearer(token) })
      const body = yield* t.openEventSource(`${server.url}/es`, { lastEventId: "42" })
      const text = Buffer.concat([...(yield* Stream.runCollect(body))]).toString()
      expect(text).toContain("event: ping")
      expect(server.received[0]!.headers["last-event-id"]).toBe("42")
      expect(server.received[0]!.headers.accept).toBe("text/event-stream")
      expect(server.received[0]!.headers.authorization).toBe(`Bearer ${token}`)
      // A non-ASCII id goes out as its UTF-8 octets (Node reads header bytes as latin1).
      yield* t.openEventSource(`${server.url}/es`, { lastEventId: "é€😀" })
      const raw = server.received[1]!.headers["last-event-id"] as string
      expect(Buffer.from(raw, "latin1").toString("utf8")).toBe("é€😀")
      for (const bad of ["application/json", "text/event-streamish"]) {
        contentType = bad
        expect(yield* failure(t.openEventSource(`${server.url}/es`))).toMatchObject({ _tag: "UnexpectedResponse" })
      }
    }))
})

describe("isIdempotentRequest", () => {
  it("only treats pure reads as retryable", () => {
    const req = (...names: Array<string>) => ({
      using: [],
      methodCalls: names.map((n, i) => [n, {}, `c${i}`] as const)
    })
    expect(HttpTransport.isIdempotentRequest(req("Message/get", "Chat/query", "Chat/queryChanges", "Core/echo"))).toBe(
      true
    )
    expect(HttpTransport.isIdempotentRequest(req("Message/get", "Message/set"))).toBe(false)
    expect(HttpTransport.isIdempotentRequest(req("Chat/typing"))).toBe(false)
  })
})
