import { HttpClient, HttpClientResponse } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Layer, Ref, Schedule, TestClock } from "effect"
import * as HttpTransport from "../../src/jmap/HttpTransport.js"

/** An HttpClient that answers from a script, one entry per attempt (the last one repeats). */
const scripted = (
  attempts: Ref.Ref<number>,
  script: ReadonlyArray<{ status: number; headers?: Record<string, string> }>
) =>
  Layer.succeed(
    HttpClient.HttpClient,
    HttpClient.make((request) =>
      Ref.getAndUpdate(attempts, (n) => n + 1).pipe(
        Effect.map((n) => {
          const step = script[Math.min(n, script.length - 1)]!
          const body = step.status === 200 ? JSON.stringify({ methodResponses: [], sessionState: "s" }) : "{}"
          return HttpClientResponse.fromWeb(
            request,
            new Response(body, { status: step.status, headers: step.headers ?? {} })
          )
        })
      )
    )
  )

const spaced = Schedule.spaced("1 second").pipe(Schedule.intersect(Schedule.recurs(3)))
const read = { using: [], methodCalls: [["Message/get", {}, "c0"] as const] }
const write = { using: [], methodCalls: [["Message/set", {}, "c0"] as const] }

const setup = (
  script: ReadonlyArray<{ status: number; headers?: Record<string, string> }>,
  maxRetryAfter: Duration.DurationInput = "60 seconds"
) =>
  Effect.gen(function*() {
    const attempts = yield* Ref.make(0)
    const transport = yield* HttpTransport.make({
      url: "https://jmap.example.com",
      config: { retrySchedule: spaced, maxRetryAfter }
    }).pipe(Effect.provide(scripted(attempts, script)))
    return { attempts, transport }
  })

describe("retries of idempotent requests", () => {
  it.effect("retries transient statuses on the configured schedule", () =>
    Effect.gen(function*() {
      const { attempts, transport } = yield* setup([{ status: 503 }, { status: 502 }, { status: 200 }])
      const fiber = yield* Effect.fork(transport.call("https://jmap.example.com/api", read))
      yield* TestClock.adjust("999 millis")
      expect(yield* Ref.get(attempts)).toBe(1)
      yield* TestClock.adjust("1 millis")
      expect(yield* Ref.get(attempts)).toBe(2)
      yield* TestClock.adjust("1 second")
      const response = yield* Fiber.join(fiber)
      expect(response.sessionState).toBe("s")
      expect(yield* Ref.get(attempts)).toBe(3)
    }))

  it.effect("waits at least Retry-After (delta-seconds and HTTP-date)", () =>
    Effect.gen(function*() {
      const { attempts, transport } = yield* setup([{ status: 429, headers: { "retry-after": "10" } }, { status: 200 }])
      const fiber = yield* Effect.fork(transport.call("https://jmap.example.com/api", read))
      yield* TestClock.adjust("9 seconds")
      expect(yield* Ref.get(attempts)).toBe(1)
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(fiber)
      expect(yield* Ref.get(attempts)).toBe(2)

      const date = new Date(Date.parse("2030-01-01T00:00:20Z")).toUTCString()
      yield* TestClock.setTime(Date.parse("2030-01-01T00:00:00Z"))
      const second = yield* setup([{ status: 503, headers: { "retry-after": date } }, { status: 200 }])
      const f2 = yield* Effect.fork(second.transport.call("https://jmap.example.com/api", read))
      yield* TestClock.adjust("19 seconds")
      expect(yield* Ref.get(second.attempts)).toBe(1)
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(f2)
      expect(yield* Ref.get(second.attempts)).toBe(2)
    }))

  it.effect("gives up with the last error when the schedule is exhausted", () =>
    Effect.gen(function*() {
      const { attempts, transport } = yield* setup([{ status: 500 }])
      const fiber = yield* Effect.fork(Effect.flip(transport.call("https://jmap.example.com/api", read)))
      yield* TestClock.adjust("10 seconds")
      expect(yield* Fiber.join(fiber)).toMatchObject({ _tag: "HttpError", status: 500 })
      expect(yield* Ref.get(attempts)).toBe(4)
    }))

  it.effect("never retries writes, non-transient statuses, or a Retry-After beyond maxRetryAfter", () =>
    Effect.gen(function*() {
      const w = yield* setup([{ status: 503 }, { status: 200 }])
      expect(yield* Effect.flip(w.transport.call("https://jmap.example.com/api", write))).toMatchObject({ status: 503 })
      expect(yield* Ref.get(w.attempts)).toBe(1)
      const notFound = yield* setup([{ status: 404 }, { status: 200 }])
      yield* Effect.flip(notFound.transport.call("https://jmap.example.com/api", read))
      expect(yield* Ref.get(notFound.attempts)).toBe(1)
      const long = yield* setup([{ status: 429, headers: { "retry-after": "3600" } }, { status: 200 }], "1 minute")
      const limited = yield* Effect.flip(long.transport.call("https://jmap.example.com/api", read))
      expect(limited._tag).toBe("RateLimited")
      expect(limited._tag === "RateLimited" && Duration.toSeconds(limited.retryAfter!)).toBe(3600)
      expect(yield* Ref.get(long.attempts)).toBe(1)
      const forced = yield* setup([{ status: 503 }, { status: 200 }])
      const f = yield* Effect.fork(forced.transport.call("https://jmap.example.com/api", write, { idempotent: true }))
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(f)
      expect(yield* Ref.get(forced.attempts)).toBe(2)
    }))
})
