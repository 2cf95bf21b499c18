import { NodeHttpClient } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { ConfigProvider, Context, Effect, Layer, Option, Redacted, Ref, Tracer } from "effect"
import * as Auth from "../../src/jmap/Auth.js"
import { AuthFailed } from "../../src/jmap/Errors.js"
import * as HttpTransport from "../../src/jmap/HttpTransport.js"
import { json, listen, sessionFor } from "../support/LoopbackServer.js"

const token = "tok-SPAN-CANARY"

/** A tracer that records every span's name and attributes. */
const recordingTracer = (spans: Array<{ name: string; attributes: Record<string, unknown> }>) =>
  Tracer.make({
    span: (name, parent, context, links, startTime, kind) => {
      const attributes: Record<string, unknown> = {}
      spans.push({ name, attributes })
      const span: Tracer.Span = {
        _tag: "Span",
        name,
        spanId: `s${spans.length}`,
        traceId: "t",
        parent,
        context,
        status: { _tag: "Started", startTime },
        attributes: new Map(),
        links,
        sampled: true,
        kind,
        end: () => {},
        attribute: (key, value) => {
          attributes[key] = value
        },
        event: () => {},
        addLinks: () => {}
      }
      return span
    },
    context: (f) => f()
  })

layer(NodeHttpClient.layerUndici, { excludeTestServices: true })("secrets and configuration", (it) => {
  it.scoped("never records a credential in spans, and names the JMAP methods", () =>
    Effect.gen(function*() {
      const server = yield* listen((req, res) =>
        req.url === "/.well-known/jmap"
          ? json(res, 200, sessionFor("http://h"))
          : json(res, 200, { methodResponses: [], sessionState: "s" })
      )
      const spans: Array<{ name: string; attributes: Record<string, unknown> }> = []
      const t = yield* HttpTransport.make({ url: server.url, auth: Auth.bearer(token) })
      yield* Effect.withTracer(
        Effect.all([
          t.fetchSession,
          t.call(`${server.url}/api?access_token=${token}`, { using: [], methodCalls: [["Chat/get", {}, "c0"]] })
        ]),
        recordingTracer(spans)
      )
      expect(server.received[1]!.headers.authorization).toBe(`Bearer ${token}`)
      expect(spans.map((s) => s.name)).toEqual(
        expect.arrayContaining(["HttpTransport.fetchSession", "HttpTransport.call"])
      )
      expect(spans.find((s) => s.name === "HttpTransport.call")!.attributes["jmap.methods"]).toBe("Chat/get")
      expect(JSON.stringify(spans)).not.toContain("CANARY")
    }))

  it.scoped("one span per exchange with method and status, and no header in any span (custom auth header names too)", () =>
    Effect.gen(function*() {
      const server = yield* listen((req, res) =>
        req.url === "/.well-known/jmap"
          ? json(res, 200, sessionFor("http://h"))
          : json(res, 200, { methodResponses: [], sessionState: "s" })
      )
      const spans: Array<{ name: string; attributes: Record<string, unknown> }> = []
      const auth = Auth.custom(Effect.succeed(Option.some({ name: "x-chat-token", value: Redacted.make(token) })))
      const t = yield* HttpTransport.make({ url: server.url, auth })
      yield* Effect.withTracer(
        t.call(`${server.url}/api`, { using: [], methodCalls: [["Chat/get", {}, "c0"]] }),
        recordingTracer(spans)
      )
      expect(server.received[0]!.headers["x-chat-token"]).toBe(token)
      expect(spans.map((s) => s.name)).toEqual(["HttpTransport.call"])
      expect(spans[0]!.attributes).toMatchObject({ "http.request.method": "POST", "http.response.status_code": 200 })
      expect(JSON.stringify(spans)).not.toContain("CANARY")
    }))

  it.scoped("calls a custom provider on every request so tokens can refresh", () =>
    Effect.gen(function*() {
      const server = yield* listen((_, res) => json(res, 200, sessionFor("http://h")))
      const counter = yield* Ref.make(0)
      const provider = Auth.custom(
        Ref.updateAndGet(counter, (n) => n + 1).pipe(
          Effect.flatMap((n) =>
            n > 2
              ? Effect.fail(new AuthFailed({ status: 401, url: "oauth", description: "refresh token expired" }))
              : Effect.succeed(Option.some({ name: "authorization", value: Redacted.make(`Bearer t${n}`) }))
          )
        )
      )
      const t = yield* HttpTransport.make({ url: server.url, auth: provider })
      yield* t.fetchSession
      yield* t.fetchSession
      expect(server.received.map((r) => r.headers.authorization)).toEqual(["Bearer t1", "Bearer t2"])
      expect(yield* Effect.flip(t.fetchSession)).toMatchObject({
        _tag: "AuthFailed",
        description: "refresh token expired"
      })
      const illegal = yield* HttpTransport.make({
        url: server.url,
        auth: Auth.custom(Effect.succeed(Option.some({ name: "x-token", value: Redacted.make("a\nb") })))
      })
      expect(yield* Effect.flip(illegal.fetchSession)).toMatchObject({ _tag: "InvalidHeaderValue" })
    }))

  it.scoped("fails a redirect loop with HttpError(Redirect)", () =>
    Effect.gen(function*() {
      const server = yield* listen((req, res) => {
        res.writeHead(302, { location: req.url === "/a" ? "/b" : "/a" })
        res.end()
      })
      const t = yield* HttpTransport.make({ url: server.url, maxRedirects: 3 })
      expect(yield* Effect.flip(t.fetchSession)).toMatchObject({ _tag: "HttpError", reason: "Redirect" })
      expect(server.received).toHaveLength(4)
    }))

  it.scoped("builds from JMAP_URL and JMAP_TOKEN or JMAP_USERNAME/JMAP_PASSWORD", () =>
    Effect.gen(function*() {
      const server = yield* listen((_, res) => json(res, 200, sessionFor("http://h")))
      const fromEnv = (env: Record<string, string>) =>
        Layer.build(HttpTransport.layerConfig()).pipe(
          Effect.map(Context.get(HttpTransport.HttpTransport)),
          Effect.flatMap((t) => t.fetchSession),
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))
        )
      yield* fromEnv({ JMAP_URL: server.url, JMAP_TOKEN: token })
      yield* fromEnv({ JMAP_URL: server.url, JMAP_USERNAME: "alice", JMAP_PASSWORD: "pw" })
      expect(server.received.map((r) => r.headers.authorization)).toEqual([
        `Bearer ${token}`,
        `Basic ${Buffer.from("alice:pw").toString("base64")}`
      ])
      const missing = yield* Effect.flip(fromEnv({}))
      expect(missing._tag).toBe("ConfigError")
    }))
})
