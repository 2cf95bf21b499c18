/**
 * Fault-injection table for the push path (issue 6): scripted, hostile EventSource and RFC 8887
 * WebSocket servers on loopback. Each row asserts the typed error or the documented recovery of
 * the resilient clients (`EventSourceStream` / `ChatEventSource` over `HttpTransport.openEventSource`,
 * `WebSocketSession` over `NodeWebSocket`), inside a 15 s hang guard, and reports what it observed;
 * the summary table is printed at the end. Memory stays bounded where a server keeps sending (the
 * client drops the connection at the cap), and the file fails if any promise rejection or
 * exception went unhandled while it ran.
 */
import type { HttpClient } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import {
  Chunk,
  Clock,
  Deferred,
  Duration,
  Effect,
  Exit,
  Fiber,
  Layer,
  Option,
  Queue,
  Schedule,
  type Scope,
  Stream,
  TestClock,
  TestContext
} from "effect"
import type * as Http from "node:http"
import * as ChatEventSource from "../../src/chat/push/ChatEventSource.js"
import type * as ChatSseEvent from "../../src/chat/push/ChatSseEvent.js"
import type * as ChatWsFrame from "../../src/chat/push/ChatWsFrame.js"
import * as Auth from "../../src/jmap/Auth.js"
import * as HttpTransport from "../../src/jmap/HttpTransport.js"
import * as EventSourceStream from "../../src/jmap/push/EventSourceStream.js"
import { WebSocketFactory } from "../../src/jmap/push/WebSocketFactory.js"
import * as WebSocketSession from "../../src/jmap/push/WebSocketSession.js"
import type { JmapRequest } from "../../src/jmap/Wire.js"
import * as NodeWebSocket from "../../src/node/NodeWebSocket.js"
import { type Connection, eventStreamHead, serve, type SseServer, writeChunks } from "../push/support/SseServer.js"
import { echoResponse, serveWs, type WsConnection } from "../push/support/WsServer.js"
import { fails, type Fault, faultTable, observe } from "./support/FaultTable.js"

const { runTable } = faultTable("Push fault table")

/** A Clock that ignores the TestClock (for polling real I/O from a TestClock test). */
const liveClock = Clock.make()

// ---------------------------------------------------------------------------------------------
// EventSource
// ---------------------------------------------------------------------------------------------

type Element = EventSourceStream.Element

const show = (e: Element) =>
  e._tag === "Connected"
    ? `connected@${Option.getOrElse(e.lastEventId, () => "-")}`
    : e._tag === "Reconnected"
    ? `reconnected#${e.attempt}@${Option.getOrElse(e.lastEventId, () => "-")}`
    : `${e.event}:${e.data}`

/** Short reconnect backoff for loopback servers. */
const fast = Schedule.spaced("20 millis").pipe(Schedule.intersect(Schedule.recurs(20)))

/**
 * The production wiring: `HttpTransport.openEventSource` (Accept, Last-Event-ID, credentials,
 * status and content-type checks) as the `open` of the resilient stream. Needs an HttpClient.
 */
const openVia = (server: SseServer) =>
  Effect.map(
    HttpTransport.make({
      url: new URL(server.url).origin,
      auth: Auth.bearer("tok"),
      config: { requestTimeout: "5 seconds" }
    }),
    (transport) => (lastEventId: Option.Option<string>) =>
      transport.openEventSource(server.url, { lastEventId: Option.getOrUndefined(lastEventId) })
  )

const withHttp = <A, E>(self: Effect.Effect<A, E, Scope.Scope | HttpClient.HttpClient>) =>
  Effect.provide(self, NodeHttpClient.layerUndici)

/** The events a resuming server replays: `id: n` with `data`. */
const eventLog = (data: (n: number) => string, count: number) =>
  Array.from({ length: count }, (_, i) => `id: ${i + 1}\ndata: ${data(i + 1)}\n\n`)

/** Writes the events after the connection's Last-Event-ID (all of them without one), then keeps it open. */
const resumeFrom = (log: ReadonlyArray<string>, res: Http.ServerResponse, c: Connection) =>
  writeChunks(res, c, log.slice(Number(c.headers["last-event-id"] ?? "0")))

/** `bytes` cut `k` bytes into the first occurrence of `char` (a multi-byte character). */
const cutInside = (text: string, char: string, k: number): [Buffer, Buffer] => {
  const bytes = Buffer.from(text, "utf8")
  const at = bytes.indexOf(Buffer.from(char, "utf8")) + k
  return [bytes.subarray(0, at), bytes.subarray(at)]
}

/** A server that starts an event (or a comment line) and never finishes it, for as long as the client reads. */
const endlessEvent = (prefix: string) => async (res: Http.ServerResponse, c: Connection) => {
  eventStreamHead(res)
  await writeChunks(res, c, ["id: 1\ndata: ok\n\n", prefix])
  const block = Buffer.alloc(16 * 1024, "x")
  while (!res.destroyed) await writeChunks(res, c, [block])
}

const oversize = (name: string, prefix: string): Fault => ({
  name,
  expected: "SseFrameTooLarge at the 64 KiB cap, connection dropped, no reconnect",
  run: withHttp(Effect.gen(function*() {
    const cap = 64 * 1024
    const server = yield* serve(endlessEvent(prefix))
    const items = Chunk.toReadonlyArray(
      yield* EventSourceStream.make({ open: yield* openVia(server), maxFrameBytes: cap, schedule: Schedule.forever })
        .pipe(
          Stream.either,
          Stream.runCollect
        )
    )
    expect(items.length).toBe(3)
    expect(items.slice(0, 2).map((e) => e._tag === "Right" && show(e.right))).toEqual(["connected@-", "message:ok"])
    const error = items[2]?._tag === "Left" ? items[2].left : undefined
    expect(error?._tag).toBe("SseFrameTooLarge")
    expect(error).toMatchObject({ limit: cap })
    // The server never stopped sending: the client went away on its own, and did not come back.
    const c = server.connections[0]!
    yield* Effect.promise(() => c.closed)
    expect(c.written).toBeGreaterThan(cap)
    expect(server.connections.length).toBe(1)
    return `SseFrameTooLarge(limit ${cap}) after "ok"; the server had sent ${
      Math.round(c.written / 1024)
    } KiB; 1 connection, closed`
  }))
})

const sseFaults: ReadonlyArray<Fault> = [
  {
    name: "SSE: connection dropped mid-event (before its blank line)",
    expected: "partial event not delivered; resume with Last-Event-ID; 1..5 once each",
    run: withHttp(Effect.gen(function*() {
      const log = eventLog((n) => `event ${n}`, 5)
      const server = yield* serve(async (res, c) => {
        eventStreamHead(res)
        if (c.index === 0) {
          // Events 1 and 2, then event 3 without the blank line that would dispatch it (its id
          // line included: it must not become the Last-Event-ID either), then the connection breaks.
          await writeChunks(res, c, [log[0]!, log[1]!, log[2]!.slice(0, -1)])
          res.destroy()
        } else {
          await resumeFrom(log, res, c)
        }
      })
      const events = Chunk.toReadonlyArray(
        yield* EventSourceStream.make({ open: yield* openVia(server), maxFrameBytes: 1024, schedule: fast }).pipe(
          Stream.take(7),
          Stream.runCollect
        )
      ).map(show)
      expect(events).toEqual([
        "connected@-",
        "message:event 1",
        "message:event 2",
        "reconnected#1@2",
        "message:event 3",
        "message:event 4",
        "message:event 5"
      ])
      expect(server.connections.map((c) => c.headers["last-event-id"])).toEqual([undefined, "2"])
      return `${events.join(", ")}; Last-Event-ID sent: 2`
    }))
  },
  {
    name: "SSE: connection dropped inside a multi-byte UTF-8 character",
    expected: "no U+FFFD, partial event not delivered; resume; 1..4 once each",
    run: withHttp(Effect.gen(function*() {
      const text = (n: number) => `${n} é€😀 ok`
      const log = eventLog(text, 4)
      const server = yield* serve(async (res, c) => {
        eventStreamHead(res)
        if (c.index === 0) {
          // Event 2 arrives split inside 😀 (two chunks, same connection): it must decode whole.
          // Event 3 is cut one byte into € and the connection breaks there.
          const [a2, b2] = cutInside(log[1]!, "😀", 2)
          const [a3] = cutInside(log[2]!, "€", 1)
          await writeChunks(res, c, [log[0]!, a2, b2, a3])
          res.destroy()
        } else {
          await resumeFrom(log, res, c)
        }
      })
      const events = Chunk.toReadonlyArray(
        yield* EventSourceStream.make({ open: yield* openVia(server), maxFrameBytes: 1024, schedule: fast }).pipe(
          Stream.take(6),
          Stream.runCollect
        )
      ).map(show)
      expect(events).toEqual([
        "connected@-",
        `message:${text(1)}`,
        `message:${text(2)}`,
        "reconnected#1@2",
        `message:${text(3)}`,
        `message:${text(4)}`
      ])
      expect(events.join("")).not.toContain("\uFFFD")
      expect(server.connections.map((c) => c.headers["last-event-id"])).toEqual([undefined, "2"])
      return `${events.join(", ")}`
    }))
  },
  {
    name: "SSE: non-ASCII event id (ключ😀), then a drop",
    expected: "resume with Last-Event-ID sent as UTF-8 (WHATWG)",
    run: withHttp(Effect.gen(function*() {
      const id = "ключ😀"
      const server = yield* serve(async (res, c) => {
        eventStreamHead(res)
        if (c.index === 0) {
          await writeChunks(res, c, [`id: ${id}\ndata: a\n\n`])
          res.destroy()
        } else {
          // Node reads header bytes as latin1: recover the UTF-8 the client sent.
          const sent = Buffer.from(String(c.headers["last-event-id"]), "latin1").toString("utf8")
          await writeChunks(res, c, [`data: b after ${sent}\n\n`])
        }
      })
      const items = Chunk.toReadonlyArray(
        yield* EventSourceStream.make({
          open: yield* openVia(server),
          maxFrameBytes: 1024,
          schedule: Schedule.spaced("20 millis").pipe(Schedule.intersect(Schedule.recurs(3)))
        }).pipe(Stream.take(4), Stream.either, Stream.runCollect)
      ).map((e) => (e._tag === "Right" ? show(e.right) : `${e.left._tag}: ${e.left.message}`))
      expect(items).toEqual(["connected@-", "message:a", `reconnected#1@${id}`, `message:b after ${id}`])
      return items.join(", ")
    }))
  },
  oversize("SSE: endless event (data never ends) while the server keeps sending", "data: "),
  oversize("SSE: endless comment line (no line end) while the server keeps sending", ": "),
  {
    name: "SSE: wrong content type (application/json)",
    expected: "UnexpectedResponse, ends, no reconnect",
    run: withHttp(Effect.gen(function*() {
      const server = yield* serve((res) => {
        res.writeHead(200, { "content-type": "application/json" })
        res.end("{\"data\":\"x\"}")
      })
      const exit = yield* EventSourceStream.make({
        open: yield* openVia(server),
        maxFrameBytes: 1024,
        schedule: Schedule.forever
      }).pipe(
        Stream.runDrain,
        Effect.exit
      )
      fails("UnexpectedResponse")(exit)
      expect(server.connections.length).toBe(1)
      return `${observe(exit)}; 1 request`
    }))
  },
  {
    name: "SSE: 401 on connect",
    expected: "AuthFailed(401), ends, no reconnect",
    run: withHttp(Effect.gen(function*() {
      const server = yield* serve((res) => {
        res.writeHead(401, { "www-authenticate": "Bearer" })
        res.end()
      })
      const exit = yield* EventSourceStream.make({
        open: yield* openVia(server),
        maxFrameBytes: 1024,
        schedule: Schedule.forever
      }).pipe(
        Stream.runDrain,
        Effect.exit
      )
      fails("AuthFailed", { status: 401 })(exit)
      expect(server.connections.length).toBe(1)
      expect(server.connections[0]!.headers.authorization).toBe("Bearer tok")
      return `${observe(exit)}; 1 request`
    }))
  },
  {
    name: "SSE: 401 after a working connection dropped",
    expected: "events, then AuthFailed ends the stream (no retry loop)",
    run: withHttp(Effect.gen(function*() {
      const server = yield* serve(async (res, c) => {
        if (c.index > 0) {
          res.writeHead(401)
          return res.end()
        }
        eventStreamHead(res)
        await writeChunks(res, c, ["id: 1\ndata: a\n\n"])
        res.destroy()
      })
      const items = Chunk.toReadonlyArray(
        yield* EventSourceStream.make({ open: yield* openVia(server), maxFrameBytes: 1024, schedule: Schedule.forever })
          .pipe(
            Stream.either,
            Stream.runCollect
          )
      )
      expect(items.map((e) => (e._tag === "Right" ? show(e.right) : e.left._tag))).toEqual([
        "connected@-",
        "message:a",
        "AuthFailed"
      ])
      expect(server.connections.length).toBe(2)
      return `message:a, then AuthFailed; ${server.connections.length} requests`
    }))
  },
  {
    name: "SSE: 503 twice, then the server recovers",
    expected: "stream resumes with Last-Event-ID and emits one Reconnected",
    run: withHttp(Effect.gen(function*() {
      const server = yield* serve(async (res, c) => {
        if (c.index === 1 || c.index === 2) {
          res.writeHead(503, { "content-type": "text/plain" })
          return res.end("maintenance")
        }
        eventStreamHead(res)
        if (c.index === 0) {
          await writeChunks(res, c, ["id: 1\ndata: a\n\n"])
          res.end()
        } else {
          await writeChunks(res, c, [`id: 2\ndata: b after ${c.headers["last-event-id"]}\n\n`])
        }
      })
      const events = Chunk.toReadonlyArray(
        yield* EventSourceStream.make({ open: yield* openVia(server), maxFrameBytes: 1024, schedule: fast }).pipe(
          Stream.take(4),
          Stream.runCollect
        )
      ).map(show)
      expect(events).toEqual(["connected@-", "message:a", "reconnected#1@1", "message:b after 1"])
      expect(server.connections.map((c) => c.headers["last-event-id"])).toEqual([undefined, "1", "1", "1"])
      return `${events.join(", ")}; 4 requests (2 answered 503)`
    }))
  },
  {
    name: "SSE: 429 with a Retry-After of one year (hostile server)",
    expected: "RateLimited ends the stream at once (over maxRetryAfter, 60 s); no reconnect",
    run: withHttp(Effect.gen(function*() {
      const server = yield* serve((res) => {
        res.writeHead(429, { "retry-after": String(365 * 24 * 3600), "content-type": "text/plain" })
        res.end("slow down")
      })
      const exit = yield* EventSourceStream.make({
        open: yield* openVia(server),
        maxFrameBytes: 1024,
        schedule: Schedule.forever
      }).pipe(
        Stream.runDrain,
        Effect.exit
      )
      const error = fails("RateLimited")(exit)
      expect((error as unknown as { retryAfter: Duration.Duration }).retryAfter).toEqual(Duration.days(365))
      expect(server.connections.length).toBe(1)
      return `${observe(exit)}; 1 request`
    }))
  },
  {
    name: "SSE: every response ends at once, without a byte",
    expected: "backoff is not reset by empty connections; ends quietly when the schedule gives up",
    run: withHttp(Effect.gen(function*() {
      const server = yield* serve((res) => {
        eventStreamHead(res)
        res.end()
      })
      const events = Chunk.toReadonlyArray(
        yield* EventSourceStream.make({
          open: yield* openVia(server),
          maxFrameBytes: 1024,
          schedule: Schedule.spaced("20 millis").pipe(Schedule.intersect(Schedule.recurs(3)))
        }).pipe(Stream.runCollect)
      ).map(show)
      expect(events).toEqual(["connected@-", "reconnected#1@-", "reconnected#2@-", "reconnected#3@-"])
      expect(server.connections.length).toBe(4)
      return `${events.join(", ")}, then the stream ended; 4 requests`
    }))
  },
  {
    name: "SSE: invalid JSON in a state event",
    expected: "Unknown(ParseError) element, the stream continues on the same connection",
    run: withHttp(Effect.gen(function*() {
      const state = (id: string, data: string) => `event: state\nid: ${id}\ndata: ${data}\n\n`
      const server = yield* serve(async (res, c) => {
        eventStreamHead(res)
        await writeChunks(res, c, [
          state("s1", "{\"@type\":\"StateChange\",\"changed\":{\"A\":{\"Message\":\"m1\"}}}"),
          state("s2", "{\"@type\":\"StateChange\",\"changed\":{\"A\":"),
          state("s3", "{\"@type\":\"StateChange\",\"changed\":{\"A\":{\"Message\":\"m3\"}}}")
        ])
      })
      const events: ReadonlyArray<ChatSseEvent.ChatSseEvent> = Chunk.toReadonlyArray(
        yield* ChatEventSource.make({ open: yield* openVia(server), maxFrameBytes: 1024, schedule: fast }).pipe(
          Stream.take(4),
          Stream.drop(1),
          Stream.runCollect
        )
      )
      expect(events.map((e) => e._tag)).toEqual(["StateChange", "Unknown", "StateChange"])
      const bad = events[1]!
      expect(bad._tag === "Unknown" && [bad.event, Option.getOrUndefined(bad.id), Option.map(bad.error, (e) => e._tag)])
        .toEqual([
          "state",
          "s2",
          Option.some("ParseError")
        ])
      const last = events[2]!
      expect(last._tag === "StateChange" && last.changed).toEqual({ A: { Message: "m3" } })
      expect(server.connections.length).toBe(1)
      return `${events.map((e) => e._tag).join(", ")}; 1 connection`
    }))
  },
  {
    name: "SSE: endless comments and pings, then silence (idle timeout, TestClock)",
    expected: "keepalives hold the connection; silence past idleTimeout reconnects with Last-Event-ID",
    run: withHttp(Effect.gen(function*() {
      let pulse: (() => Promise<void>) | undefined
      const server = yield* serve(async (res, c) => {
        eventStreamHead(res)
        await writeChunks(res, c, [`id: ${c.index + 1}\ndata: hello ${c.index}\n\n`])
        if (c.index === 0) {
          pulse = () => writeChunks(res, c, [": keepalive\n\n", "event: ping\ndata: {\"interval\":8}\n\n"])
        }
        // …and the connection stays open, whatever happens.
      })
      const idle = Duration.seconds(10)
      const queue = yield* Queue.unbounded<string>()
      yield* EventSourceStream.make({
        open: yield* openVia(server),
        maxFrameBytes: 1024,
        idleTimeout: idle,
        schedule: Schedule.spaced("1 second")
      }).pipe(Stream.runForEach((e) => Queue.offer(queue, show(e))), Effect.forkScoped)
      expect(yield* Queue.take(queue)).toBe("connected@-")
      expect(yield* Queue.take(queue)).toBe("message:hello 0")
      // Ten keepalives, 8 s of (test) time apart: 80 s in all, eight times the idle timeout.
      for (let i = 0; i < 10; i++) {
        yield* Effect.promise(() => pulse!())
        expect(yield* Queue.take(queue)).toBe("ping:{\"interval\":8}")
        yield* TestClock.adjust("8 seconds")
      }
      yield* Effect.promise(() => pulse!())
      expect(yield* Queue.take(queue)).toBe("ping:{\"interval\":8}")
      expect(server.connections.length).toBe(1)
      // Now the server says nothing (the connection stays open): the idle timeout must fire.
      const liveSleep = Effect.sleep("20 millis").pipe(Effect.withClock(liveClock))
      yield* TestClock.adjust(idle)
      // Then the 1 s reconnect backoff: advance in steps that stay below another idle timeout of the
      // new connection (which would make a second reconnection), then let the I/O land in live time.
      for (let i = 0; i < 8 && server.connections.length < 2; i++) {
        yield* TestClock.adjust("1 second")
        yield* liveSleep
      }
      while (server.connections.length < 2) yield* liveSleep
      expect(yield* Queue.take(queue)).toBe("reconnected#1@1")
      expect(yield* Queue.take(queue)).toBe("message:hello 1")
      expect(server.connections[1]!.headers["last-event-id"]).toBe("1")
      yield* Effect.promise(() => server.connections[0]!.closed)
      return "11 pings over 88 s kept 1 connection; then silence → reconnected#1@1 (Last-Event-ID 1), old connection closed"
    })).pipe(Effect.provide(TestContext.TestContext))
  }
]

describe("fault injection: EventSource", () => {
  runTable(sseFaults)
})

// ---------------------------------------------------------------------------------------------
// WebSocket
// ---------------------------------------------------------------------------------------------

const echo = (tag: string): JmapRequest => ({
  using: ["urn:ietf:params:jmap:core"],
  methodCalls: [["Core/echo", { tag }, "c0"]]
})

const tagOf = (
  response: { readonly methodResponses: ReadonlyArray<readonly [string, Record<string, unknown>, string]> }
) => response.methodResponses[0]?.[1]["tag"]

/** Answers every Request frame with an echo Response. */
const autoEcho = (c: WsConnection) =>
  c.socket.on("message", (data, isBinary) => {
    if (isBinary) return
    const frame = JSON.parse(String(data))
    if (frame["@type"] === "Request") c.send(echoResponse(frame))
  })

const start = (options: WebSocketSession.Options, factory: Layer.Layer<WebSocketFactory> = NodeWebSocket.layer) =>
  WebSocketSession.make({
    pingInterval: Duration.infinity,
    schedule: Schedule.spaced("20 millis").pipe(Schedule.intersect(Schedule.recurs(20))),
    connectTimeout: "5 seconds",
    ...options
  }).pipe(Effect.provide(factory))

/** Subscribes now; `next` takes the next frame, failing with `Some(error)` when the stream failed. */
const frames = <E>(session: WebSocketSession.WebSocketSession<E>) =>
  Effect.gen(function*() {
    const queue = yield* Stream.toQueueOfElements(yield* session.subscribe, { capacity: 4096 })
    const next: Effect.Effect<ChatWsFrame.ChatWsFrame, Option.Option<WebSocketSession.SessionError<E>>> = Effect
      .flatten(
        Queue.take(queue)
      )
    return { next }
  })

/** A `ws` factory without `maxPayload` or protocol pings: the session itself must enforce the size cap. */
const uncappedFactory = Layer.succeed(
  WebSocketFactory,
  WebSocketFactory.of({
    supportsHeaders: true,
    open: (request) => ({ webSocket: NodeWebSocket.open({ ...request, maxMessageBytes: 0 }).webSocket })
  })
)

const oversizeWs = (name: string, factory: Layer.Layer<WebSocketFactory>, padding: string): Fault => ({
  name,
  expected: "the call fails with WebSocketError(Capacity); Reconnected(Capacity); next call ok",
  run: Effect.gen(function*() {
    const server = yield* serveWs({
      onConnection: (c) =>
        c.socket.on("message", (data) => {
          const request = JSON.parse(String(data))
          c.send(echoResponse(request, c.index === 0 ? { padding } : {}))
        })
    })
    const session = yield* start({ url: server.url, maxMessageBytes: 1024 }, factory)
    const events = yield* frames(session)
    const exit = yield* Effect.exit(session.call(echo("big")))
    fails("WebSocketError", { reason: "Capacity" })(exit)
    const reconnected = yield* events.next
    expect(reconnected._tag === "Reconnected" && reconnected.cause.reason).toBe("Capacity")
    expect(tagOf(yield* session.call(echo("small")))).toBe("small")
    expect(server.connections.length).toBe(2)
    return `${observe(exit)}; Reconnected(Capacity); next call answered on connection 2`
  })
})

const wsFaults: ReadonlyArray<Fault> = [
  {
    name: "WS: binary frame",
    expected: "Invalid(UnexpectedResponse) event, connection kept",
    run: Effect.gen(function*() {
      const server = yield* serveWs({
        onConnection: (c) =>
          c.socket.on("message", (data) => {
            c.socket.send(Buffer.from([0xde, 0xad, 0xbe, 0xef]))
            c.send(echoResponse(JSON.parse(String(data))))
          })
      })
      const session = yield* start({ url: server.url })
      const events = yield* frames(session)
      expect(tagOf(yield* session.call(echo("a")))).toBe("a")
      const invalid = yield* events.next
      expect(invalid._tag === "Invalid" && invalid.error._tag).toBe("UnexpectedResponse")
      expect(tagOf(yield* session.call(echo("b")))).toBe("b")
      expect(server.connections.length).toBe(1)
      return "Invalid(UnexpectedResponse) on events; both calls answered on 1 connection"
    })
  },
  {
    name: "WS: invalid JSON text frame",
    expected: "Invalid(ParseError) event, connection kept",
    run: Effect.gen(function*() {
      const server = yield* serveWs({
        onConnection: (c) =>
          c.socket.on("message", (data) => {
            c.socket.send("{\"@type\":\"Response\",\"requestId\":")
            c.send(echoResponse(JSON.parse(String(data))))
          })
      })
      const session = yield* start({ url: server.url })
      const events = yield* frames(session)
      expect(tagOf(yield* session.call(echo("a")))).toBe("a")
      const invalid = yield* events.next
      expect(invalid._tag === "Invalid" && invalid.error._tag).toBe("ParseError")
      expect(server.connections.length).toBe(1)
      return "Invalid(ParseError) on events; call answered on 1 connection"
    })
  },
  oversizeWs("WS: oversize message (refused by ws maxPayload)", NodeWebSocket.layer, "x".repeat(64 * 1024)),
  oversizeWs("WS: oversize message on a socket without a cap (session checks)", uncappedFactory, "é".repeat(600)),
  {
    name: "WS: abrupt close (TCP destroyed) with 3 calls in flight",
    expected: "each call fails with WebSocketError, never hangs; Reconnected; a later call succeeds",
    run: Effect.gen(function*() {
      const server = yield* serveWs({
        onConnection: (c) => {
          if (c.index > 0) return autoEcho(c)
          let seen = 0
          // No close frame, no FIN handshake: the TCP socket is destroyed under the session.
          c.socket.on("message", () => ++seen === 3 && c.socket.terminate())
        }
      })
      const session = yield* start({ url: server.url })
      const events = yield* frames(session)
      const exits = yield* Effect.forEach(["a", "b", "c"], (tag) => Effect.exit(session.call(echo(tag))), {
        concurrency: "unbounded"
      })
      for (const exit of exits) fails("WebSocketError", { reason: "ConnectionClosed", closeCode: 1006 })(exit)
      const reconnected = yield* events.next
      expect(reconnected._tag === "Reconnected" && [reconnected.attempt, reconnected.cause.closeCode]).toEqual([
        1,
        1006
      ])
      expect(tagOf(yield* session.call(echo("after")))).toBe("after")
      return `3 × ${observe(exits[0]!)}; Reconnected(1006); later call ok`
    })
  },
  {
    name: "WS: missing pong (dead peer) with a call in flight",
    expected: "dead connection detected (Timeout), the call fails typed, reconnect, next call ok",
    run: Effect.gen(function*() {
      const server = yield* serveWs({
        autoPong: false,
        onConnection: (c) => {
          if (c.index === 0) return // plays dead: no pong, no answer
          c.socket.on("ping", (data) => c.socket.pong(data))
          autoEcho(c)
        }
      })
      const session = yield* start({ url: server.url, pingInterval: "20 millis", pongTimeout: "100 millis" })
      const events = yield* frames(session)
      const exit = yield* Effect.exit(session.call(echo("unanswered")))
      fails("WebSocketError", { reason: "Timeout" })(exit)
      const reconnected = yield* events.next
      expect(reconnected._tag === "Reconnected" && reconnected.cause.reason).toBe("Timeout")
      expect(server.connections[0]!.pings).toBeGreaterThan(0)
      yield* Effect.promise(() => server.connections[0]!.closed)
      expect(tagOf(yield* session.call(echo("alive")))).toBe("alive")
      return `${observe(exit)}; Reconnected(Timeout); dead socket closed; next call ok`
    })
  },
  {
    name: "WS: upgrade answered 503 twice, then accepted",
    expected: "a call made meanwhile waits and is answered on the third attempt",
    run: Effect.gen(function*() {
      const server = yield* serveWs({ verify: (_, index) => (index < 2 ? 503 : true), onConnection: autoEcho })
      const session = yield* start({ url: server.url })
      expect(tagOf(yield* session.call(echo("patient")))).toBe("patient")
      expect(server.upgrades.length).toBe(3)
      expect(server.connections.length).toBe(1)
      return "call answered after 2 refused upgrades; 3 upgrades, 1 connection"
    })
  },
  {
    name: "WS: drop, then every upgrade refused (503); call made while reconnecting",
    expected: "the call waits for a connection, then fails typed when the schedule gives up; the session ends",
    run: Effect.gen(function*() {
      const reconnecting = yield* Deferred.make<void>()
      const release = yield* Deferred.make<void>()
      const server = yield* serveWs({
        verify: async (_, index) => {
          if (index === 0) return true
          if (index === 1) {
            // The session is reconnecting: hold its first attempt until the test has made a call.
            Effect.runSync(Deferred.succeed(reconnecting, undefined))
            await Effect.runPromise(Deferred.await(release))
          }
          return 503
        },
        onConnection: autoEcho
      })
      const session = yield* start({
        url: server.url,
        schedule: Schedule.spaced("20 millis").pipe(Schedule.intersect(Schedule.recurs(3)))
      })
      const events = yield* frames(session)
      expect(tagOf(yield* session.call(echo("before")))).toBe("before")
      server.connections[0]!.socket.terminate()
      yield* Deferred.await(reconnecting)
      const pending = yield* Effect.fork(session.call(echo("after")))
      yield* Deferred.succeed(release, undefined)
      const exit = yield* Fiber.await(pending)
      const error = fails("WebSocketError", { reason: "Io" })(exit)
      expect(yield* events.next.pipe(Effect.flip)).toEqual(Option.some(error))
      expect(Exit.isFailure(yield* Effect.exit(session.call(echo("later"))))).toBe(true)
      expect(server.upgrades.length).toBe(4)
      return `${observe(exit)}; 1 + 3 refused upgrades; events failed with it, later calls fail at once`
    })
  },
  {
    name: "WS: server closes with 1008 (policy violation)",
    expected: "AuthFailed ends the session: call in flight, events, later calls; no reconnect",
    run: Effect.gen(function*() {
      const server = yield* serveWs({
        onConnection: (c) => c.socket.on("message", () => c.socket.close(1008, "token expired"))
      })
      const session = yield* start({ url: server.url, schedule: Schedule.forever })
      const events = yield* frames(session)
      const exit = yield* Effect.exit(session.call(echo("x")))
      const error = fails("AuthFailed")(exit)
      expect(yield* events.next.pipe(Effect.flip)).toEqual(Option.some(error))
      fails("AuthFailed")(yield* Effect.exit(session.call(echo("later"))))
      expect(server.upgrades.length).toBe(1)
      return `${observe(exit)}; events failed with it; 1 upgrade`
    })
  },
  {
    name: "WS: responses out of order (6 calls answered in reverse)",
    expected: "every call gets its own response",
    run: Effect.gen(function*() {
      const tags = ["a", "b", "c", "d", "e", "f"]
      const server = yield* serveWs({
        onConnection: (c) => {
          const batch: Array<any> = []
          c.socket.on("message", (data) => {
            batch.push(JSON.parse(String(data)))
            if (batch.length === tags.length) { for (const request of batch.reverse()) c.send(echoResponse(request)) }
          })
        }
      })
      const session = yield* start({ url: server.url })
      const responses = yield* Effect.forEach(tags, (tag) => session.call(echo(tag)), { concurrency: "unbounded" })
      expect(responses.map(tagOf)).toEqual(tags)
      return `matched: ${responses.map(tagOf).join("")}`
    })
  },
  {
    name: "WS: RequestError frame for one of three calls",
    expected: "only that call fails with RequestError; the others succeed; connection kept",
    run: Effect.gen(function*() {
      const server = yield* serveWs({
        onConnection: (c) =>
          c.socket.on("message", (data) => {
            const request = JSON.parse(String(data))
            if (request.methodCalls[0][1].tag === "bad") {
              c.send({
                "@type": "RequestError",
                requestId: request.id,
                type: "urn:ietf:params:jmap:error:notRequest",
                status: 400
              })
            } else c.send(echoResponse(request))
          })
      })
      const session = yield* start({ url: server.url })
      const exits = yield* Effect.forEach(["a", "bad", "c"], (tag) => Effect.exit(session.call(echo(tag))), {
        concurrency: "unbounded"
      })
      expect(Exit.isSuccess(exits[0]!) && tagOf(exits[0].value)).toBe("a")
      fails("RequestError", { type: "urn:ietf:params:jmap:error:notRequest" })(exits[1]!)
      expect(Exit.isSuccess(exits[2]!) && tagOf(exits[2].value)).toBe("c")
      expect(server.connections.length).toBe(1)
      return `a ok, ${observe(exits[1]!)}, c ok; 1 connection`
    })
  },
  {
    name: "WS: Response for a request id never sent",
    expected: "published on events as Response, pending call unaffected",
    run: Effect.gen(function*() {
      const server = yield* serveWs({
        onConnection: (c) =>
          c.socket.on("message", (data) => {
            const request = JSON.parse(String(data))
            c.send(echoResponse({ ...request, id: "R-not-mine" }))
            c.send(echoResponse(request))
          })
      })
      const session = yield* start({ url: server.url })
      const events = yield* frames(session)
      expect(tagOf(yield* session.call(echo("mine")))).toBe("mine")
      const stray = yield* events.next
      expect(stray._tag === "Response" && Option.getOrUndefined(stray.requestId)).toBe("R-not-mine")
      return "stray Response on events; the call got its own"
    })
  }
]

describe("fault injection: WebSocket", () => {
  runTable(wsFaults)

  it("covers at least 12 push faults", () => {
    expect(sseFaults.length + wsFaults.length).toBeGreaterThanOrEqual(12)
  })
})
