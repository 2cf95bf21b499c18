import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Option } from "effect"
import { ChatServer } from "../../src/testing/index.js"
import { bearer, directChat, get, http, post, send, USING } from "./helpers.js"
import { advanceWhenSleeping, openSse, openWs } from "./streams.js"

const echo = (server: ChatServer.Service) =>
  post(server, "alice", { using: USING, methodCalls: [["Core/echo", {}, "0"]] })

describe("fault injection", () => {
  it.scoped("fails the next API calls with the status and Retry-After asked for, then recovers", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      yield* server.faults.failNext(2, { status: 503, retryAfterSeconds: 2 })
      const first = yield* echo(server)
      expect(first.status).toBe(503)
      expect(first.headers.get("retry-after")).toBe("2")
      expect(first.body.status).toBe(503)
      expect((yield* echo(server)).status).toBe(503)
      expect((yield* echo(server)).status).toBe(200)
      yield* server.faults.failNext(1, { status: 429 })
      const limited = yield* echo(server)
      expect(limited.status).toBe(429)
      expect(limited.headers.get("retry-after")).toBe("1")
      yield* server.faults.failNext(1, { status: 500 })
      const broken = yield* echo(server)
      expect(broken.status).toBe(500)
      expect(broken.headers.get("retry-after")).toBeNull()
      expect(yield* server.faults.requestCount("api")).toBe(5)
    }))

  it.scoped("applies faults to the endpoint they name only", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      yield* server.faults.failNext(1, { status: 503, endpoint: "session" })
      expect((yield* echo(server)).status).toBe(200)
      expect((yield* http(server.sessionUrl, { headers: bearer(server, "alice") })).status).toBe(503)
      expect((yield* http(server.sessionUrl, { headers: bearer(server, "alice") })).status).toBe(200)
      const log = yield* server.faults.requests
      expect(log.map((r) => r.endpoint)).toEqual(["api", "session", "session"])
      yield* server.faults.reset
      expect(yield* server.faults.requestCount()).toBe(0)
    }))

  it.scoped("delays the next API call on the Effect clock", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      yield* server.faults.delayNext(1, "5 seconds")
      const fiber = yield* Effect.fork(echo(server))
      yield* advanceWhenSleeping("4 seconds")
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      yield* advanceWhenSleeping("1 second")
      expect((yield* Fiber.join(fiber)).status).toBe(200)
    }))

  it.scoped("sends an oversized (but valid) body once", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      yield* server.faults.oversizeNext(100_000)
      const big = yield* Effect.promise(() =>
        fetch(`${server.url}/jmap/api`, {
          method: "POST",
          headers: { ...bearer(server, "alice"), "content-type": "application/json" },
          body: JSON.stringify({ using: USING, methodCalls: [["Core/echo", {}, "0"]] })
        }).then((r) => r.text())
      )
      expect(big.length).toBeGreaterThan(100_000)
      expect(JSON.parse(big).methodResponses).toEqual([["Core/echo", {}, "0"]])
      expect(JSON.stringify((yield* echo(server)).body).length).toBeLessThan(1000)
    }))

  it.scoped("drops push connections after N events", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const chatId = yield* directChat(server, "alice", "bob")
      yield* server.faults.dropPushAfter(1)
      const sse = yield* openSse(`${server.url}/jmap/eventsource?types=*&closeafter=no&ping=0`, bearer(server, "bob"))
      const ws = yield* openWs(server.webSocketUrl, { headers: bearer(server, "bob") })
      yield* ws.send({ "@type": "WebSocketPushEnable", dataTypes: null })
      yield* ws.send({ "@type": "Request", id: "sync", using: USING, methodCalls: [] })
      expect((yield* ws.next).requestId).toBe("sync")
      yield* send(server, "alice", chatId, "one")
      expect((yield* sse.next)!.event).toBe("state")
      expect(yield* sse.next).toBeUndefined()
      expect((yield* ws.next)["@type"]).toBe("StateChange")
      expect(yield* ws.closed).toBe(1006)
    }))

  it.scoped("restarts: closes every connection and keeps all state", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const chatId = yield* directChat(server, "alice", "bob")
      yield* send(server, "alice", chatId, "before")
      const sse = yield* openSse(`${server.url}/jmap/eventsource?types=*&closeafter=no&ping=0`, bearer(server, "bob"))
      const ws = yield* openWs(server.webSocketUrl, { headers: bearer(server, "bob") })
      yield* ws.send({ "@type": "Request", id: "sync", using: USING, methodCalls: [] })
      yield* ws.next
      yield* server.faults.restart
      expect(yield* sse.next).toBeUndefined()
      expect(yield* ws.closed).toBe(1012)
      expect((yield* get(server, "bob", "Message")).map((m) => m.body)).toEqual(["before"])
      yield* send(server, "alice", chatId, "after")
      expect(yield* get(server, "bob", "Message")).toHaveLength(2)
    }))
})
