import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Clock, Duration, Effect, Exit, Fiber, Option, Queue, Schedule, Stream, TestClock } from "effect"
import * as ChatEventSource from "../../src/chat/push/ChatEventSource.js"
import * as ChatSseEvent from "../../src/chat/push/ChatSseEvent.js"
import * as Auth from "../../src/jmap/Auth.js"
import { AuthFailed, HttpError, RateLimited } from "../../src/jmap/Errors.js"
import * as HttpTransport from "../../src/jmap/HttpTransport.js"
import * as EventSourceStream from "../../src/jmap/push/EventSourceStream.js"
import { awaitSleep, eventually } from "./support/clock.js"
import { eventStreamHead, openWith, serve, writeChunks } from "./support/SseServer.js"

type Element = EventSourceStream.Element

const show = (e: Element) =>
  e._tag === "Connected"
    ? `connected@${Option.getOrElse(e.lastEventId, () => "-")}`
    : e._tag === "Reconnected"
    ? `reconnected#${e.attempt}@${Option.getOrElse(e.lastEventId, () => "-")}`
    : `${e.event}:${e.data}`

const collect = (stream: Stream.Stream<Element, unknown, never>, n: number) =>
  stream.pipe(Stream.take(n), Stream.runCollect, Effect.map((c) => Chunk.toReadonlyArray(c).map(show)))

const http = Stream.provideLayer(NodeHttpClient.layerUndici)

describe("EventSourceStream over a loopback server", () => {
  it.scopedLive("decodes scripted bytes sent a few bytes at a time: line ends, BOM, comments, multi-byte characters", () =>
    Effect.gen(function*() {
      const script =
        "\uFEFF: comment\r\nevent: a\r\ndata: é€😀\r\n\r\nretry: 10\ndata: one\ndata: two\n\n: x\rid: 7\rdata: cr\r\r"
      const bytes = Buffer.from(script, "utf8")
      const server = yield* serve(async (res, c) => {
        eventStreamHead(res)
        const pieces: Array<Uint8Array> = []
        for (let i = 0; i < bytes.length; i += 3) pieces.push(bytes.subarray(i, i + 3))
        await writeChunks(res, c, pieces)
      })
      const events = yield* EventSourceStream.make({ open: openWith(server.url), maxFrameBytes: 1024 }).pipe(
        http,
        Stream.take(4),
        Stream.runCollect
      )
      const [connected, ...rest] = Chunk.toReadonlyArray(events)
      expect(connected).toEqual(new EventSourceStream.Connected({ lastEventId: Option.none() }))
      expect(rest.map((e) => e._tag === "SseEvent" && [e.event, e.data, Option.getOrUndefined(e.id)]))
        .toEqual([["a", "é€😀", undefined], ["message", "one\ntwo", undefined], ["message", "cr", "7"]])
    }))

  it.scopedLive("refuses a response whose content type is not text/event-stream, without reconnecting", () =>
    Effect.gen(function*() {
      const server = yield* serve((res) => {
        res.writeHead(200, { "content-type": "text/event-streamish" })
        res.end("data: x\n\n")
      })
      const error = yield* EventSourceStream.make({ open: openWith(server.url), maxFrameBytes: 1024 }).pipe(
        http,
        Stream.runDrain,
        Effect.flip
      )
      expect(error._tag).toBe("UnexpectedResponse")
      expect(server.connections.length).toBe(1)
    }))

  it.scopedLive("accepts text/event-stream with parameters", () =>
    Effect.gen(function*() {
      const server = yield* serve((res) => {
        res.writeHead(200, { "content-type": "Text/Event-Stream; charset=utf-8" })
        res.write("data: x\n\n")
      })
      const events = yield* collect(
        EventSourceStream.make({ open: openWith(server.url), maxFrameBytes: 1024 }).pipe(http),
        2
      )
      expect(events).toEqual(["connected@-", "message:x"])
    }))

  it.scopedLive("ends with AuthFailed on 401, after a single request", () =>
    Effect.gen(function*() {
      const server = yield* serve((res) => {
        res.writeHead(401, { "www-authenticate": "Bearer" })
        res.end()
      })
      const error = yield* EventSourceStream.make({
        open: openWith(server.url),
        maxFrameBytes: 1024,
        schedule: Schedule.forever
      }).pipe(http, Stream.runDrain, Effect.flip)
      expect(error).toBeInstanceOf(AuthFailed)
      expect(server.connections.length).toBe(1)
    }))

  it.scopedLive("fails an endless event with SseFrameTooLarge while the server is still sending it (bounded)", () =>
    Effect.gen(function*() {
      const server = yield* serve(async (res, c) => {
        eventStreamHead(res)
        await writeChunks(res, c, ["data: ok\n\n", "data: "])
        const block = Buffer.alloc(16 * 1024, "x")
        while (!res.destroyed) await writeChunks(res, c, [block])
      })
      const result = yield* EventSourceStream.make({ open: openWith(server.url), maxFrameBytes: 64 * 1024 }).pipe(
        http,
        Stream.either,
        Stream.runCollect
      )
      const items = Chunk.toReadonlyArray(result)
      expect(items.length).toBe(3)
      expect(items[1]?._tag === "Right" && items[1].right._tag === "SseEvent" && items[1].right.data).toBe("ok")
      expect(items[2]?._tag === "Left" && items[2].left._tag).toBe("SseFrameTooLarge")
      // The client went away although the event never ended, and did not reconnect.
      yield* Effect.promise(() => server.connections[0]!.closed)
      expect(server.connections.length).toBe(1)
    }))

  it.scopedLive("resumes after a drop in the middle of an event with Last-Event-ID: nothing lost, nothing twice", () =>
    Effect.gen(function*() {
      const log = [1, 2, 3, 4].map((n) => `id: ${n}\ndata: event ${n}\n\n`)
      const server = yield* serve(async (res, c) => {
        eventStreamHead(res)
        const after = Number(c.headers["last-event-id"] ?? "0")
        const pending = log.slice(after)
        if (c.index === 0) {
          // Two whole events and half of the third, then the connection breaks.
          await writeChunks(res, c, [pending[0]!, pending[1]!, pending[2]!.slice(0, 12)])
          res.destroy()
        } else {
          await writeChunks(res, c, pending)
        }
      })
      const events = yield* collect(
        EventSourceStream.make({ open: openWith(server.url), maxFrameBytes: 1024, schedule: Schedule.forever }).pipe(
          http
        ),
        6
      )
      expect(events).toEqual([
        "connected@-",
        "message:event 1",
        "message:event 2",
        "reconnected#1@2",
        "message:event 3",
        "message:event 4"
      ])
      expect(server.connections.map((c) => c.headers["last-event-id"])).toEqual([undefined, "2"])
      expect(server.connections[0]!.headers.accept).toBe("text/event-stream")
    }))

  it.scopedLive("reconnects a connection that goes silent for longer than idleTimeout", () =>
    Effect.gen(function*() {
      const server = yield* serve(async (res, c) => {
        eventStreamHead(res)
        await writeChunks(res, c, [`id: ${c.index}\ndata: hello ${c.index}\n\n`])
        // …then nothing, and the connection stays open.
      })
      const events = yield* collect(
        EventSourceStream.make({
          open: openWith(server.url),
          maxFrameBytes: 1024,
          idleTimeout: "300 millis",
          schedule: Schedule.forever
        }).pipe(http),
        4
      )
      expect(events).toEqual(["connected@-", "message:hello 0", "reconnected#1@0", "message:hello 1"])
      yield* Effect.promise(() => server.connections[0]!.closed)
    }))

  it.scoped("waits at least the server's retry: before reconnecting (TestClock)", () =>
    Effect.gen(function*() {
      const server = yield* serve(async (res, c) => {
        eventStreamHead(res)
        await writeChunks(res, c, c.index === 0 ? ["retry: 5000\n\nid: 1\ndata: a\n\n"] : ["data: b\n\n"])
        if (c.index === 0) res.end()
      })
      const queue = yield* Queue.unbounded<string>()
      yield* EventSourceStream.make({
        open: openWith(server.url),
        maxFrameBytes: 1024,
        schedule: Schedule.spaced("1 second")
      }).pipe(http, Stream.runForEach((e) => Queue.offer(queue, show(e))), Effect.forkScoped)
      expect(yield* Queue.take(queue)).toBe("connected@-")
      expect(yield* Queue.take(queue)).toBe("message:a")
      const now = yield* Clock.currentTimeMillis
      // The schedule alone would wait 1 s; retry: 5000 makes it 5 s.
      expect((yield* awaitSleep) - now).toBe(5000)
      yield* TestClock.adjust("4999 millis")
      expect(server.connections.length).toBe(1)
      yield* TestClock.adjust("1 millis")
      expect(yield* Queue.take(queue)).toBe("reconnected#1@1")
      expect(yield* Queue.take(queue)).toBe("message:b")
      expect(server.connections[1]!.headers["last-event-id"]).toBe("1")
    }))
})

/** A scripted `open`: each attempt takes the next outcome and records the (test) clock time. */
const scripted = (
  outcomes: ReadonlyArray<"connect-error" | "auth" | "rate-limited" | RateLimited | HttpError | ReadonlyArray<string>>,
  times: Array<number>
) => {
  let attempt = 0
  return (_: Option.Option<string>) =>
    Effect.gen(function*() {
      times.push(yield* Clock.currentTimeMillis)
      const outcome = outcomes[attempt++] ?? "auth"
      if (outcome instanceof RateLimited || outcome instanceof HttpError) return yield* outcome
      if (outcome === "connect-error") return yield* new HttpError({ reason: "Connect", method: "GET", url: "x" })
      if (outcome === "auth") return yield* new AuthFailed({ status: 401, url: "x" })
      if (outcome === "rate-limited") return yield* new RateLimited({ retryAfter: Duration.seconds(7) })
      return Stream.fromIterable(outcome.map((s) => new TextEncoder().encode(s)))
    })
}

describe("EventSourceStream backoff (TestClock)", () => {
  it.effect("backs off exponentially and restarts the backoff after a connection delivered events", () =>
    Effect.gen(function*() {
      const times: Array<number> = []
      const fiber = yield* EventSourceStream.make({
        open: scripted([
          "connect-error",
          "connect-error",
          "connect-error",
          ["data: x\n\n"],
          "connect-error",
          [],
          "auth"
        ], times),
        maxFrameBytes: 1024,
        schedule: Schedule.exponential("1 second")
      }).pipe(Stream.runCollect, Effect.fork)
      while (fiber.unsafePoll() === null) {
        yield* TestClock.adjust(Duration.millis((yield* awaitSleepOrDone(fiber)) - (yield* Clock.currentTimeMillis)))
      }
      const exit = yield* Fiber.await(fiber)
      expect(Exit.isFailure(exit) && Exit.causeOption(exit).pipe(Option.map(String))).toEqual(
        Option.some(expect.stringContaining("AuthFailed"))
      )
      // 0, +1 s, +2 s, +4 s, then (events were delivered) +1 s, +2 s (an empty connection does not reset), +4 s.
      expect(times).toEqual([0, 1000, 3000, 7000, 8000, 10000, 14000])
    }))

  it.effect("emits Connected for the first connection that opened and Reconnected for each later one", () =>
    Effect.gen(function*() {
      const times: Array<number> = []
      const fiber = yield* EventSourceStream.make({
        open: scripted(["connect-error", ["data: a\n\n"], "connect-error", ["data: b\n\n"], "auth"], times),
        maxFrameBytes: 1024,
        schedule: Schedule.spaced("1 second")
      }).pipe(Stream.map(show), Stream.either, Stream.runCollect, Effect.fork)
      while (fiber.unsafePoll() === null) {
        yield* TestClock.adjust(Duration.millis((yield* awaitSleepOrDone(fiber)) - (yield* Clock.currentTimeMillis)))
      }
      const items = [...(yield* Fiber.join(fiber))]
      // The failed first attempt emitted nothing: Connected comes with the first connection that opened.
      expect(items.slice(0, 4).map((e) => e._tag === "Right" && e.right)).toEqual([
        "connected@-",
        "message:a",
        "reconnected#1@-",
        "message:b"
      ])
      expect(items[4]?._tag === "Left" && items[4].left._tag).toBe("AuthFailed")
      expect(times).toEqual([0, 1000, 2000, 3000, 4000])
    }))

  it.effect("uses a RateLimited retry-after as a floor", () =>
    Effect.gen(function*() {
      const times: Array<number> = []
      const fiber = yield* EventSourceStream.make({
        open: scripted(["rate-limited", "auth"], times),
        maxFrameBytes: 1024,
        schedule: Schedule.spaced("1 second")
      }).pipe(Stream.runDrain, Effect.fork)
      expect(yield* awaitSleep).toBe(7000)
      yield* TestClock.adjust("7 seconds")
      yield* Fiber.await(fiber)
      expect(times).toEqual([0, 7000])
    }))

  it.effect("a Retry-After above maxRetryAfter ends the stream with that typed error at once, without sleeping on it", () =>
    Effect.gen(function*() {
      const threeDays = Duration.days(3)
      for (
        const error of [
          new RateLimited({ retryAfter: threeDays }),
          new HttpError({ reason: "Status", method: "GET", url: "x", status: 503, retryAfter: threeDays })
        ]
      ) {
        const times: Array<number> = []
        const fiber = yield* EventSourceStream.make({
          open: scripted([error, ["data: b\n\n"]], times),
          maxFrameBytes: 1024,
          schedule: Schedule.forever
        }).pipe(Stream.runDrain, Effect.flip, Effect.fork)
        // No sleep at all (the default cap is 60 s): the stream has ended by itself, at once.
        expect(yield* awaitSleepOrDone(fiber)).toBe(0)
        expect(yield* Fiber.join(fiber)).toBe(error)
        expect(times).toEqual([0])
      }
    }))

  it.effect("a Retry-After up to maxRetryAfter is a floor; one over it ends the stream (custom cap)", () =>
    Effect.gen(function*() {
      const times: Array<number> = []
      const fiber = yield* EventSourceStream.make({
        open: scripted([
          new RateLimited({ retryAfter: Duration.seconds(10) }),
          new RateLimited({ retryAfter: Duration.seconds(11) })
        ], times),
        maxFrameBytes: 1024,
        maxRetryAfter: "10 seconds",
        schedule: Schedule.spaced("1 second")
      }).pipe(Stream.runDrain, Effect.flip, Effect.fork)
      expect(yield* awaitSleepOrDone(fiber)).toBe(10_000)
      yield* TestClock.adjust("10 seconds")
      expect(yield* awaitSleepOrDone(fiber)).toBe(10_000) // done: no further sleep
      const error = yield* Fiber.join(fiber)
      expect(error._tag === "RateLimited" && error.retryAfter).toEqual(Duration.seconds(11))
      expect(times).toEqual([0, 10_000])
    }))

  it.effect("a retry: above maxRetryAfter is clamped to it", () =>
    Effect.gen(function*() {
      const times: Array<number> = []
      const fiber = yield* EventSourceStream.make({
        // retry: asks for three days; the (default) cap is 60 s.
        open: scripted([["retry: 259200000\ndata: a\n\n"], "auth"], times),
        maxFrameBytes: 1024,
        schedule: Schedule.spaced("1 second")
      }).pipe(Stream.runDrain, Effect.flip, Effect.fork)
      expect(yield* awaitSleepOrDone(fiber)).toBe(60_000)
      yield* TestClock.adjust("60 seconds")
      expect((yield* Fiber.join(fiber))._tag).toBe("AuthFailed")
      expect(times).toEqual([0, 60_000])
    }))

  it.effect("ends when the schedule gives up: quietly after an end of stream, with the error after a failure", () =>
    Effect.gen(function*() {
      const ended = yield* EventSourceStream.make({
        // The connection that delivered "a" restarts the schedule; the empty one does not.
        open: scripted([["data: a\n\n"], [], [], "auth"], []),
        maxFrameBytes: 1024,
        schedule: Schedule.recurs(1)
      }).pipe(Stream.runCollect)
      expect(Chunk.toReadonlyArray(ended).map(show)).toEqual(["connected@-", "message:a", "reconnected#1@-"])
      const failed = yield* EventSourceStream.make({
        open: scripted(["connect-error", "connect-error"], []),
        maxFrameBytes: 1024,
        schedule: Schedule.recurs(1)
      }).pipe(Stream.runDrain, Effect.flip)
      expect(failed._tag).toBe("HttpError")
    }))

  it.effect("rejects a maxFrameBytes that is not a positive integer before any I/O", () =>
    Effect.gen(function*() {
      const times: Array<number> = []
      for (const maxFrameBytes of [0, -1, 1.5, Number.NaN]) {
        const error = yield* EventSourceStream.make({ open: scripted([], times), maxFrameBytes }).pipe(
          Stream.runDrain,
          Effect.flip
        )
        expect(error._tag).toBe("InvalidArgument")
      }
      expect(times).toEqual([])
    }))

  it.effect("the default schedule stays within 0.8–1.2 × min(2^n s, 60 s)", () =>
    Effect.gen(function*() {
      const driver = yield* Schedule.driver(EventSourceStream.defaultSchedule)
      for (let n = 0; n < 10; n++) {
        const before = yield* Clock.currentTimeMillis
        const fiber = yield* Effect.fork(driver.next(undefined))
        const wake = yield* awaitSleep
        const base = Math.min(1000 * 2 ** n, 60000)
        expect(wake - before).toBeGreaterThanOrEqual(base * 0.8)
        expect(wake - before).toBeLessThanOrEqual(base * 1.2)
        yield* TestClock.adjust(Duration.millis(wake - before))
        yield* Fiber.join(fiber)
      }
    }))
})

const awaitSleepOrDone = (fiber: Fiber.RuntimeFiber<unknown, unknown>) =>
  Effect.gen(function*() {
    for (;;) {
      const sleeps = yield* TestClock.sleeps()
      if (Chunk.isNonEmpty(sleeps)) return Math.min(...sleeps)
      if (fiber.unsafePoll() !== null) return yield* Clock.currentTimeMillis
      yield* Effect.yieldNow()
    }
  })

describe("EventSourceStream.checkEventStreamContentType", () => {
  it.effect("compares the essence only, case-insensitively", () =>
    Effect.gen(function*() {
      const check = EventSourceStream.checkEventStreamContentType
      yield* check({ "content-type": "text/event-stream" })
      yield* check({ "Content-Type": "TEXT/EVENT-STREAM ; charset=utf-8" })
      for (
        const headers of [{ "content-type": "text/event-streamish" }, { "content-type": "text/plain" }, {}, {
          "content-type": ""
        }]
      ) {
        const error = yield* Effect.flip(check(headers))
        expect(error._tag).toBe("UnexpectedResponse")
      }
    }))
})

describe("ChatEventSource", () => {
  it.scopedLive("decodes chat events from the wire and maps Connected and Reconnected", () =>
    Effect.gen(function*() {
      const server = yield* serve(async (res, c) => {
        eventStreamHead(res)
        if (c.index === 0) {
          await writeChunks(res, c, [
            "event: state\nid: s1\ndata: {\"@type\":\"StateChange\",\"changed\":{\"u1\":{\"Message\":\"m1\"}}}\n\n",
            "event: typing\ndata: {\"chatId\":\"c1\",\"senderId\":\"user:bob\",\"typing\":true}\n\n",
            "event: presence\ndata: {\"contactId\":\"user:bob\",\"presence\":\"away\",\"statusText\":null,\"statusEmoji\":null}\n\n",
            "event: ping\ndata: {\"interval\":30}\n\n",
            "event: typing\ndata: {broken\n\n",
            "event: vtc\ndata: {}\n\n"
          ])
          res.end()
        } else {
          await writeChunks(res, c, ["event: ping\ndata: {\"interval\":30}\n\n"])
        }
      })
      const events = yield* ChatEventSource.make({
        open: openWith(server.url),
        maxFrameBytes: 1024,
        schedule: Schedule.forever,
        lastEventId: Option.some("s0")
      }).pipe(
        http,
        Stream.take(9),
        Stream.runCollect
      )
      const [connected, ...list] = Chunk.toReadonlyArray(events)
      expect(connected).toEqual(
        new ChatSseEvent.Connected({ lastEventId: Option.some("s0"), pushState: Option.none() })
      )
      expect(ChatEventSource.lastEventIdOf(connected!)).toEqual(Option.some("s0"))
      expect(list.map((e) => e._tag)).toEqual([
        "StateChange",
        "Typing",
        "Presence",
        "Ping",
        "Unknown",
        "Unknown",
        "Reconnected",
        "Ping"
      ])
      expect(list.map((e) => Option.getOrUndefined(ChatEventSource.lastEventIdOf(e)))).toEqual([
        "s1",
        "s1",
        "s1",
        "s1",
        "s1",
        "s1",
        "s1",
        "s1"
      ])
      const presence = list[2]
      expect(presence?._tag === "Presence" && [presence.statusText, presence.statusEmoji]).toEqual([null, null])
      yield* eventually(() => server.connections.length === 2)
      expect(server.connections[1]!.headers["last-event-id"]).toBe("s1")
    }))
})

describe("EventSourceStream wired to HttpTransport.openEventSource", () => {
  it.scopedLive("resumes with Last-Event-ID and sends the credentials; 401 ends the stream with AuthFailed", () =>
    Effect.gen(function*() {
      const server = yield* serve(async (res, c) => {
        if (c.headers.authorization !== "Bearer tok") {
          res.writeHead(401)
          return res.end()
        }
        eventStreamHead(res)
        if (c.index === 0) {
          await writeChunks(res, c, ["id: 1\ndata: one\n\n", "id: 2\ndata: tw"])
          res.destroy()
        } else {
          await writeChunks(res, c, [`id: 2\ndata: two (after ${c.headers["last-event-id"]})\n\n`])
        }
      })
      const origin = new URL(server.url).origin
      // The whole wiring: the transport's openEventSource is the `open` of the resilient stream.
      const openFor = (token: string) =>
        Effect.map(
          HttpTransport.make({ url: origin, auth: Auth.bearer(token) }),
          (transport) => (lastEventId: Option.Option<string>) =>
            transport.openEventSource(server.url, { lastEventId: Option.getOrUndefined(lastEventId) })
        )
      const schedule = Schedule.spaced("10 millis")
      const events = yield* collect(
        EventSourceStream.make({ open: yield* openFor("tok"), maxFrameBytes: 1024, schedule }),
        4
      )
      expect(events).toEqual(["connected@-", "message:one", "reconnected#1@1", "message:two (after 1)"])
      const error = yield* EventSourceStream.make({ open: yield* openFor("wrong"), maxFrameBytes: 1024, schedule })
        .pipe(Stream.runDrain, Effect.flip)
      expect(error._tag).toBe("AuthFailed")
      expect(server.connections.length).toBe(3)
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))
})
