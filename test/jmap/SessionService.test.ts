import { NodeHttpClient } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Chunk, Context, Effect, Fiber, Layer, Option, Schema, Stream } from "effect"
import { inspect } from "node:util"
import * as Auth from "../../src/jmap/Auth.js"
import * as HttpTransport from "../../src/jmap/HttpTransport.js"
import { CoreCapability } from "../../src/jmap/Session.js"
import * as SessionService from "../../src/jmap/SessionService.js"
import { json, listen, type LoopbackServer, type Received, sessionFor } from "../support/LoopbackServer.js"

const token = "tok-CANARY"

/** Builds the SessionService stack for a server URL. */
const sessionService = (url: string, auth: Auth.Auth = Auth.bearer(token)) =>
  Layer.build(SessionService.layer.pipe(Layer.provide(HttpTransport.layer({ url, auth })))).pipe(
    Effect.map(Context.get(SessionService.SessionService))
  )

const sessionRequests = (received: ReadonlyArray<Received>) => received.filter((r) => r.url === "/.well-known/jmap")

layer(NodeHttpClient.layerUndici, { excludeTestServices: true })("SessionService", (it) => {
  it.scoped("fetches once for concurrent callers and caches", () =>
    Effect.gen(function*() {
      const server = yield* listen((_, res) => setTimeout(() => json(res, 200, sessionFor("http://h")), 30))
      const service = yield* sessionService(server.url)
      const sessions = yield* Effect.all(Array.from({ length: 8 }, () => service.get), { concurrency: "unbounded" })
      expect(new Set(sessions.map((s) => s.state))).toEqual(new Set(["75128aab4b1b"]))
      yield* service.get
      expect(sessionRequests(server.received)).toHaveLength(1)
    }))

  it.scoped("resolves relative session URLs against the final session URL and requires http(s)", () =>
    Effect.gen(function*() {
      let session: Record<string, unknown> = {
        ...sessionFor(""),
        apiUrl: "/jmap/api/",
        uploadUrl: "upload/{accountId}/",
        downloadUrl: "/download/{accountId}/{blobId}/{name}?accept={type}",
        eventSourceUrl: "/es?types={types}&closeafter={closeafter}&ping={ping}",
        capabilities: {
          ...sessionFor("").capabilities,
          "urn:ietf:params:jmap:websocket": { url: "/jmap/ws", supportsPush: true }
        }
      }
      const server = yield* listen((req, res) => {
        if (req.url === "/.well-known/jmap") {
          res.writeHead(301, { location: "/jmap/session/" })
          return res.end()
        }
        json(res, 200, session)
      })
      const service = yield* sessionService(server.url)
      const s = yield* service.get
      expect(s.apiUrl).toBe(`${server.url}/jmap/api/`)
      expect(s.uploadUrl).toBe(`${server.url}/jmap/session/upload/{accountId}/`)
      expect(s.downloadUrl).toBe(`${server.url}/download/{accountId}/{blobId}/{name}?accept={type}`)
      expect(yield* service.eventSourceUrl({ types: "Chat,Message", ping: 30 })).toBe(
        `${server.url}/es?types=Chat%2CMessage&closeafter=no&ping=30`
      )
      const ws = yield* service.webSocketCapability
      expect(Option.getOrThrow(ws)).toEqual({ url: `${server.url.replace("http", "ws")}/jmap/ws`, supportsPush: true })
      session = { ...session, apiUrl: "ftp://elsewhere/api" }
      const bad = yield* service.refresh.pipe(Effect.flip)
      expect(bad).toMatchObject({ _tag: "InvalidSession" })
      expect(bad.message).toContain("apiUrl")
    }))

  it.scoped("refreshes when a response carries a different sessionState, and drops the session on 401", () =>
    Effect.gen(function*() {
      let state = "s1"
      let apiStatus = 200
      const server: LoopbackServer = yield* listen((req, res) => {
        if (req.url === "/.well-known/jmap") return json(res, 200, sessionFor(server.url, { state }))
        if (apiStatus !== 200) {
          res.writeHead(apiStatus)
          return res.end()
        }
        json(res, 200, { methodResponses: [["Core/echo", {}, "c0"]], sessionState: state })
      })
      const service = yield* sessionService(server.url)
      const seen = yield* service.changes.pipe(Stream.take(2), Stream.runCollect, Effect.fork)
      const request = { using: ["urn:ietf:params:jmap:core"], methodCalls: [["Core/echo", {}, "c0"] as const] }
      yield* service.call(request)
      expect(sessionRequests(server.received)).toHaveLength(1)
      state = "s2"
      yield* service.call(request)
      const sessions = yield* Fiber.join(seen)
      expect(Chunk.toReadonlyArray(sessions).map((s) => s.state)).toEqual(["s1", "s2"])
      expect((yield* service.get).state).toBe("s2")
      expect(sessionRequests(server.received)).toHaveLength(2)
      apiStatus = 401
      expect(yield* service.call(request).pipe(Effect.flip)).toMatchObject({ _tag: "AuthFailed", status: 401 })
      yield* service.get
      expect(sessionRequests(server.received)).toHaveLength(3)
    }))

  it.scoped("enforces the server's limits before sending", () =>
    Effect.gen(function*() {
      const server: LoopbackServer = yield* listen((req, res) => {
        if (req.url === "/.well-known/jmap") {
          const s = sessionFor(server.url)
          const core = s.capabilities["urn:ietf:params:jmap:core"]
          return json(res, 200, {
            ...s,
            capabilities: {
              ...s.capabilities,
              "urn:ietf:params:jmap:core": {
                ...core,
                maxCallsInRequest: 2,
                maxObjectsInGet: 3,
                maxObjectsInSet: 2,
                maxSizeUpload: 4
              }
            }
          })
        }
        json(res, 200, { methodResponses: [], sessionState: "75128aab4b1b" })
      })
      const service = yield* sessionService(server.url)
      const call = (...calls: Array<readonly [string, Record<string, unknown>]>) =>
        service.call({ using: [], methodCalls: calls.map(([m, a], i) => [m, a, `c${i}`] as const) }).pipe(Effect.flip)
      expect((yield* call(["A/get", {}], ["A/get", {}], ["A/get", {}])).message).toContain("3 method calls")
      expect((yield* call(["A/get", { ids: ["1", "2", "3", "4"] }])).message).toContain("asks for 4 objects")
      expect((yield* call(["A/set", { create: { a: {} }, destroy: ["x", "y"] }]))._tag).toBe("InvalidArgument")
      const upload = yield* service.upload({ accountId: "A13824", contentType: "text/plain", body: new Uint8Array(5) })
        .pipe(
          Effect.flip
        )
      expect(upload.message).toContain("maxSizeUpload")
      expect(server.received.filter((r) => r.url !== "/.well-known/jmap")).toHaveLength(0)
    }))

  it.scoped("bounds concurrency by maxConcurrentRequests", () =>
    Effect.gen(function*() {
      let inFlight = 0
      let peak = 0
      const server: LoopbackServer = yield* listen((req, res) => {
        if (req.url === "/.well-known/jmap") {
          const s = sessionFor(server.url)
          return json(res, 200, {
            ...s,
            capabilities: {
              ...s.capabilities,
              "urn:ietf:params:jmap:core": { ...s.capabilities["urn:ietf:params:jmap:core"], maxConcurrentRequests: 2 }
            }
          })
        }
        inFlight++
        peak = Math.max(peak, inFlight)
        setTimeout(() => {
          inFlight--
          json(res, 200, { methodResponses: [], sessionState: "75128aab4b1b" })
        }, 20)
      })
      const service = yield* sessionService(server.url)
      yield* Effect.all(
        Array.from({ length: 6 }, () => service.call({ using: [], methodCalls: [["A/set", {}, "c0"]] })),
        { concurrency: "unbounded" }
      )
      expect(peak).toBe(2)
    }))

  it.scoped("looks up accounts and capabilities", () =>
    Effect.gen(function*() {
      const server: LoopbackServer = yield* listen((_, res) => json(res, 200, sessionFor(server.url)))
      const service = yield* sessionService(server.url)
      expect(yield* service.primaryAccountId("urn:ietf:params:jmap:chat")).toBe("A13824")
      expect(yield* service.primaryAccountId("urn:x").pipe(Effect.flip)).toMatchObject({
        _tag: "InvalidSession",
        description: "no primary account for urn:x"
      })
      const core = yield* service.capability("urn:ietf:params:jmap:core", CoreCapability)
      expect(Option.getOrThrow(core).maxCallsInRequest).toBe(32)
      expect(yield* service.capability("urn:absent", CoreCapability)).toEqual(Option.none())
      const strict = Schema.Struct({ maxBodyBytes: Schema.String })
      expect(yield* service.capability("urn:ietf:params:jmap:chat", strict).pipe(Effect.flip)).toMatchObject({
        _tag: "ParseError",
        path: "maxBodyBytes"
      })
      expect(yield* service.accountCapability("A13824", "urn:ietf:params:jmap:chat", Schema.Struct({}))).toEqual(
        Option.some({})
      )
      expect(yield* service.webSocketCapability).toEqual(Option.none())
      const shown = inspect(yield* service.get)
      expect(shown).not.toContain("john@example.com")
      expect(shown).toContain("<redacted>")
    }))
})
