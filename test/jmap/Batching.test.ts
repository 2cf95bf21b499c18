import { NodeHttpClient } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Context, Effect, Either, Exit, Fiber, Layer } from "effect"
import { Schema } from "effect"
import type * as Batching from "../../src/jmap/Batching.js"
import * as HttpTransport from "../../src/jmap/HttpTransport.js"
import { extractResponse } from "../../src/jmap/RequestBuilder.js"
import * as SessionService from "../../src/jmap/SessionService.js"
import { json, listen, type LoopbackServer, type Received, sessionFor } from "../support/LoopbackServer.js"

/** A tiny JMAP API: `X/get` returns objects for ids starting with "m" (others not found), `Y/query` echoes. */
const answer = (req: Received) => {
  const body = JSON.parse(req.body.toString()) as { methodCalls: Array<[string, Record<string, unknown>, string]> }
  return body.methodCalls.map(([name, args, callId]) => {
    if (args["fail"] === true) return ["error", { type: "serverFail" }, callId]
    if (name.endsWith("/get")) {
      const ids = args["ids"] as Array<string>
      return [name, {
        accountId: args["accountId"],
        state: "s",
        list: ids.filter((id) => id.startsWith("m")).map((id) => ({ id, name: `obj ${id}` })),
        notFound: ids.filter((id) => !id.startsWith("m"))
      }, callId]
    }
    return [name, { echoed: args, ...(args["#ref"] ? { sawRef: args["#ref"] } : {}) }, callId]
  })
}

/** A request-level failure the scripted server answers instead of `answer`. */
type Reject = (body: { using: Array<string>; methodCalls: Array<unknown> }) =>
  | { readonly status: number; readonly problem: Record<string, unknown> }
  | undefined

const start = (
  limits: Record<string, number> = {},
  batching?: false | Batching.BatchingOptions,
  reject: Reject = () => undefined
) =>
  Effect.gen(function*() {
    const server: LoopbackServer = yield* listen((req, res) => {
      if (req.url === "/.well-known/jmap") {
        const s = sessionFor(server.url)
        return json(res, 200, {
          ...s,
          capabilities: {
            ...s.capabilities,
            "urn:ietf:params:jmap:core": { ...s.capabilities["urn:ietf:params:jmap:core"], ...limits }
          }
        })
      }
      const refused = reject(JSON.parse(req.body.toString()))
      if (refused !== undefined) {
        return json(res, refused.status, refused.problem, { "content-type": "application/problem+json" })
      }
      json(res, 200, { methodResponses: answer(req), sessionState: "75128aab4b1b" })
    })
    const service = yield* Layer.build(
      SessionService.layerWith(batching === undefined ? {} : { batching }).pipe(
        Layer.provide(HttpTransport.layer({ url: server.url }))
      )
    ).pipe(Effect.map(Context.get(SessionService.SessionService)))
    yield* service.get
    const api = () => server.received.filter((r) => r.url === "/api/").map((r) => JSON.parse(r.body.toString()))
    return { service, api }
  })

const Got = Schema.Struct({
  list: Schema.Array(Schema.Struct({ id: Schema.String })),
  notFound: Schema.Array(Schema.String)
})
const get = (
  service: SessionService.Service,
  ids: Array<string>,
  extra: Record<string, unknown> = {},
  using: Array<string> = ["urn:x"]
) =>
  service.call({ using, methodCalls: [["X/get", { accountId: "A", ids, ...extra }, "r1"]] }).pipe(
    Effect.flatMap((r) => extractResponse(r, "r1", Got, "X/get"))
  )

/** Capabilities `sessionFor` advertises. */
const chat = "urn:ietf:params:jmap:chat"
const foobar = "https://example.com/apis/foobar"

const problem = (type: string, extra: Record<string, unknown> = {}) => ({
  type: `urn:ietf:params:jmap:error:${type}`,
  status: 400,
  ...extra
})

layer(NodeHttpClient.layerUndici, { excludeTestServices: true })("automatic batching", (it) => {
  it.scoped("merges 100 concurrent single-id gets into one X/get and splits the results", () =>
    Effect.gen(function*() {
      const { api, service } = yield* start()
      const ids = Array.from({ length: 100 }, (_, i) => (i % 10 === 9 ? `x${i}` : `m${i}`))
      const results = yield* Effect.all(ids.map((id) => get(service, [id])), { concurrency: "unbounded" })
      expect(api()).toHaveLength(1)
      expect(api()[0].methodCalls).toHaveLength(1)
      expect(api()[0].methodCalls[0][1].ids).toHaveLength(100)
      results.forEach((r, i) => {
        const id = ids[i]!
        expect(r.list.map((o) => o.id)).toEqual(id.startsWith("m") ? [id] : [])
        expect(r.notFound).toEqual(id.startsWith("m") ? [] : [id])
      })
    }))

  it.scoped("puts different methods in one HTTP request and renames call ids and references", () =>
    Effect.gen(function*() {
      const { api, service } = yield* start()
      const [a, b] = yield* Effect.all([
        service.call({
          using: [chat],
          methodCalls: [["Y/query", { n: 1 }, "r1"], ["Y/query", {
            "#ref": { resultOf: "r1", name: "Y/query", path: "/x" }
          }, "r2"]]
        }),
        service.call({ using: [foobar], methodCalls: [["Z/changes", { n: 2 }, "r1"]] })
      ], { concurrency: "unbounded" })
      expect(api()).toHaveLength(1)
      expect(new Set(api()[0].using)).toEqual(new Set([chat, foobar]))
      expect(a.methodResponses.map(([n, , c]) => [n, c])).toEqual([["Y/query", "r1"], ["Y/query", "r2"]])
      expect((a.methodResponses[1]![1] as { sawRef: { resultOf: string } }).sawRef.resultOf).toMatch(/^q\d+\.r1$/)
      expect(b.methodResponses).toEqual([["Z/changes", { echoed: { n: 2 } }, "r1"]])
    }))

  it.scoped("respects maxObjectsInGet and maxCallsInRequest", () =>
    Effect.gen(function*() {
      const { api, service } = yield* start({ maxObjectsInGet: 4, maxCallsInRequest: 2 })
      const results = yield* Effect.all(Array.from({ length: 10 }, (_, i) => get(service, [`m${i}`])), {
        concurrency: "unbounded"
      })
      const requests = api()
      expect(requests).toHaveLength(2)
      expect(requests.flatMap((r) => r.methodCalls.map((c: [string, { ids: Array<string> }]) => c[1].ids.length)))
        .toEqual([4, 4, 2])
      expect(results.map((r) => r.list[0]?.id)).toEqual(Array.from({ length: 10 }, (_, i) => `m${i}`))
    }))

  it.scoped("does not merge gets with different arguments, and never batches writes", () =>
    Effect.gen(function*() {
      const { api, service } = yield* start()
      yield* Effect.all([get(service, ["m1"]), get(service, ["m2"], { properties: ["name"] })], {
        concurrency: "unbounded"
      })
      expect(api()).toHaveLength(1)
      expect(api()[0].methodCalls).toHaveLength(2)
      yield* Effect.all(
        Array.from({ length: 3 }, () =>
          service.call({ using: [], methodCalls: [["X/set", { create: { r1: {} } }, "r1"]] })),
        { concurrency: "unbounded" }
      )
      expect(api()).toHaveLength(4)
    }))

  it.scoped("delivers a merged method error to every caller", () =>
    Effect.gen(function*() {
      const { service } = yield* start()
      const results = yield* Effect.all(
        [get(service, ["m1"], { fail: true }), get(service, ["m2"], { fail: true })].map(Effect.either),
        {
          concurrency: "unbounded"
        }
      )
      for (const r of results) {
        expect(Either.getLeft(r)).toMatchObject({ _tag: "Some", value: { _tag: "MethodError", type: "serverFail" } })
      }
    }))

  it.scoped("a lone call is sent as it is, in one request", () =>
    Effect.gen(function*() {
      const { api, service } = yield* start()
      const got = yield* get(service, ["m1", "x"])
      expect(got).toEqual({ list: [{ id: "m1" }], notFound: ["x"] })
      expect(api()).toEqual([{
        using: ["urn:x"],
        methodCalls: [["X/get", { accountId: "A", ids: ["m1", "x"] }, "r1"]]
      }])
    }))

  it.scoped("interrupting the caller that leads a batch neither strands nor cancels the others", () =>
    Effect.gen(function*() {
      const { api, service } = yield* start({}, { window: "100 millis" })
      const leader = yield* Effect.fork(get(service, ["m1"]))
      yield* Effect.sleep("20 millis")
      const followers = yield* Effect.fork(
        Effect.all([get(service, ["m2"]), get(service, ["m3"])], { concurrency: "unbounded" })
      )
      yield* Effect.sleep("20 millis")
      yield* Fiber.interrupt(leader)
      const got = yield* Fiber.join(followers).pipe(Effect.timeout("5 seconds"))
      expect(got.map((g) => g.list)).toEqual([[{ id: "m2" }], [{ id: "m3" }]])
      expect(Exit.isInterrupted(yield* Fiber.await(leader))).toBe(true)
      expect(api()).toHaveLength(1)
      expect(api()[0].methodCalls).toEqual([["X/get", { accountId: "A", ids: ["m2", "m3"] }, "g0"]])
    }))

  it.scoped("interrupting one of several batched callers leaves the others their results", () =>
    Effect.gen(function*() {
      const { service } = yield* start({}, { window: "50 millis" })
      const first = yield* Effect.fork(get(service, ["m1"]))
      const second = yield* Effect.fork(get(service, ["m2"]))
      yield* Effect.sleep("10 millis")
      yield* Fiber.interrupt(second)
      const got = yield* Fiber.join(first).pipe(Effect.timeout("5 seconds"))
      expect(got.list).toEqual([{ id: "m1" }])
    }))

  it.scoped("merges different `using` lists only when the Session advertises every capability in them", () =>
    Effect.gen(function*() {
      const { api, service } = yield* start()
      yield* Effect.all([get(service, ["m1"], {}, ["urn:a"]), get(service, ["m2"], {}, ["urn:b"])], {
        concurrency: "unbounded"
      })
      expect(api().map((r) => r.using)).toEqual(expect.arrayContaining([["urn:a"], ["urn:b"]]))
      expect(api()).toHaveLength(2)
      yield* Effect.all([get(service, ["m1"], {}, ["urn:a"]), get(service, ["m2"], {}, ["urn:a"])], {
        concurrency: "unbounded"
      })
      expect(api()).toHaveLength(3)
      expect(api()[2].using).toEqual(["urn:a"])
    }))

  it.scoped("re-sends each member alone when the merged request gets a request-level error", () =>
    Effect.gen(function*() {
      // Advertises foobar, but refuses any request that uses it (a server whose Session over-promises).
      const { api, service } = yield* start(
        {},
        undefined,
        (body) => body.using.includes(foobar) ? { status: 400, problem: problem("unknownCapability") } : undefined
      )
      const [ok, refused] = yield* Effect.all([
        get(service, ["m1"], {}, [chat]),
        Effect.flip(get(service, ["m2"], {}, [foobar]))
      ], { concurrency: "unbounded" })
      expect(ok.list).toEqual([{ id: "m1" }])
      expect(refused).toMatchObject({ _tag: "RequestError", type: "urn:ietf:params:jmap:error:unknownCapability" })
      expect(api().map((r) => r.using.length)).toEqual([2, 1, 1])
    }))

  for (
    const [name, status, body] of [
      ["a `limit` request error", 400, problem("limit", { limit: "maxCallsInRequest" })],
      ["a `notRequest` request error", 400, problem("notRequest")],
      ["HTTP 413", 413, { type: "about:blank", status: 413 }]
    ] as const
  ) {
    it.scoped(`answers each caller on its own after ${name} on the merged request`, () =>
      Effect.gen(function*() {
        // Refuses any request with more than one call, whatever it advertises.
        const { api, service } = yield* start({}, undefined, (b) =>
          b.methodCalls.length > 1 ? { status, problem: body } : undefined)
        const results = yield* Effect.all([
          get(service, ["m1"], {}, [chat]),
          get(service, ["m2"], { properties: ["name"] }, [chat]),
          get(service, ["m3"], { properties: ["id"] }, [chat])
        ], { concurrency: "unbounded" })
        expect(results.map((r) =>
          r.list
        )).toEqual([[{ id: "m1" }], [{ id: "m2" }], [{ id: "m3" }]])
        expect(api().map((r) => r.methodCalls.length)).toEqual([3, 1, 1, 1])
      }))
  }

  it.scoped("a request over the limits on its own fails alone, before any I/O; the others are answered", () =>
    Effect.gen(function*() {
      const { api, service } = yield* start({ maxObjectsInGet: 4 })
      const [big, a, b] = yield* Effect.all([
        Effect.flip(get(service, ["m1", "m2", "m3", "m4", "m5"], { properties: ["x"] })),
        get(service, ["m6"]),
        get(service, ["m7"])
      ], { concurrency: "unbounded" })
      expect(big).toMatchObject({ _tag: "InvalidArgument" })
      expect(big.message).toContain("the server allows 4")
      expect([a.list, b.list]).toEqual([[{ id: "m6" }], [{ id: "m7" }]])
      expect(api()).toHaveLength(1)
      expect(api()[0].methodCalls).toHaveLength(1)
    }))

  it.scoped("splits a batch that would exceed maxSizeRequest into requests within it", () =>
    Effect.gen(function*() {
      const maxSizeRequest = 400
      const { api, service } = yield* start({ maxSizeRequest })
      const calls = Array.from({ length: 6 }, (_, i) => get(service, [`m${i}`], { pad: "p".repeat(80 + i) }))
      const results = yield* Effect.all(calls, { concurrency: "unbounded" })
      expect(results.map((r) => r.list[0]?.id)).toEqual(Array.from({ length: 6 }, (_, i) => `m${i}`))
      const sent = api()
      expect(sent.length).toBeGreaterThan(1)
      expect(sent.length).toBeLessThan(6)
      for (const r of sent) expect(Buffer.byteLength(JSON.stringify(r))).toBeLessThanOrEqual(maxSizeRequest)
      expect(sent.flatMap((r) => r.methodCalls)).toHaveLength(6)
    }))

  it.scoped("refuses a lone request over maxSizeRequest (UTF-8 bytes) with InvalidArgument, sending nothing", () =>
    Effect.gen(function*() {
      const { api, service } = yield* start({ maxSizeRequest: 200 })
      // 60 characters, 180 UTF-8 bytes: fits when counted in characters, not in bytes.
      const error = yield* Effect.flip(get(service, ["m1"], { text: "€".repeat(60) }))
      expect(error).toMatchObject({ _tag: "InvalidArgument" })
      expect(error.message).toContain("maxSizeRequest")
      expect(api()).toHaveLength(0)
      const cyclic: Record<string, unknown> = {}
      cyclic["self"] = cyclic
      expect(yield* Effect.flip(get(service, ["m1"], { cyclic }))).toMatchObject({ _tag: "SerializeError" })
    }))

  it.scoped("can be turned off", () =>
    Effect.gen(function*() {
      const { api, service } = yield* start({}, false)
      yield* Effect.all(Array.from({ length: 5 }, (_, i) => get(service, [`m${i}`])), { concurrency: "unbounded" })
      expect(api()).toHaveLength(5)
    }))
})
