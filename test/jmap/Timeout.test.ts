/**
 * The per-request deadline (`internal/timeout.ts`): the same outcomes as `Effect.timeoutFail`,
 * with a `setTimeout` on the live clock and `Effect.timeoutFail` under a `TestClock`.
 */
import { expect, it } from "@effect/vitest"
import { Deferred, Duration, Effect, Exit, Fiber, FiberRef, TestClock } from "effect"
import { timeoutFail } from "../../src/jmap/internal/timeout.js"

const onTimeout = () => "timed out" as const

it.live("live clock: a value or a failure within the deadline passes through", () =>
  Effect.gen(function*() {
    expect(yield* timeoutFail(Effect.succeed(7), Duration.seconds(5), onTimeout)).toBe(7)
    expect(yield* Effect.flip(timeoutFail(Effect.fail("boom"), Duration.seconds(5), onTimeout))).toBe("boom")
    const defect = yield* Effect.exit(timeoutFail(Effect.die("bug"), Duration.seconds(5), onTimeout))
    expect(Exit.isFailure(defect) && !Exit.isInterrupted(defect)).toBe(true)
  }))

it.live("live clock: past the deadline, onTimeout, and the effect is interrupted", () =>
  Effect.gen(function*() {
    const interrupted = yield* Deferred.make<void>()
    const slow = Effect.never.pipe(Effect.onInterrupt(() => Deferred.succeed(interrupted, undefined)))
    const started = Date.now()
    expect(yield* Effect.flip(timeoutFail(slow, Duration.millis(50), onTimeout))).toBe("timed out")
    expect(Date.now() - started).toBeGreaterThanOrEqual(45)
    expect(yield* Deferred.isDone(interrupted)).toBe(true)
  }))

it.live("live clock: interrupting the caller interrupts the effect and cancels the deadline", () =>
  Effect.gen(function*() {
    const interrupted = yield* Deferred.make<void>()
    const slow = Effect.never.pipe(Effect.onInterrupt(() => Deferred.succeed(interrupted, undefined)))
    const fiber = yield* Effect.fork(timeoutFail(slow, Duration.seconds(30), onTimeout))
    yield* Effect.sleep("20 millis")
    const exit = yield* Fiber.interrupt(fiber)
    expect(Exit.isInterrupted(exit)).toBe(true)
    expect(yield* Deferred.isDone(interrupted)).toBe(true)
  }))

it.live("live clock: FiberRefs set by the effect are kept, as with Effect.timeoutFail", () =>
  Effect.gen(function*() {
    const ref = FiberRef.unsafeMake(0)
    yield* timeoutFail(FiberRef.set(ref, 5), Duration.seconds(5), onTimeout)
    expect(yield* FiberRef.get(ref)).toBe(5)
  }))

it.effect("TestClock: the deadline follows the test clock", () =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(timeoutFail(Effect.never, Duration.seconds(30), onTimeout))
    yield* TestClock.adjust("29 seconds")
    expect(fiber.unsafePoll()).toBeNull()
    yield* TestClock.adjust("1 second")
    expect(yield* Effect.flip(Fiber.join(fiber))).toBe("timed out")
  }))
