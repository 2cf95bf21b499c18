/** Test support: waiting, without timing thresholds, for a fiber to reach a `TestClock` sleep. */
import { Chunk, Clock, Effect, TestClock } from "effect"

const tick = Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, 1)))

/**
 * Polls until some fiber sleeps on the `TestClock` and returns the earliest wake-up time (in test
 * clock millis). Polls with real timers so that socket I/O can make progress in between.
 */
export const awaitSleep: Effect.Effect<number> = Effect.gen(function*() {
  for (;;) {
    const sleeps = yield* TestClock.sleeps()
    if (Chunk.isNonEmpty(sleeps)) return Math.min(...sleeps)
    yield* tick
  }
})

/** Polls (with real timers) until `condition` holds. */
export const eventually = (condition: () => boolean): Effect.Effect<void> =>
  Effect.gen(function*() {
    while (!condition()) yield* tick
  })

/** Like {@link awaitSleep}, for the earliest sleep that ends before `now + within` millis (ignoring long timeouts). */
export const awaitSleepWithin = (within: number): Effect.Effect<number> =>
  Effect.gen(function*() {
    for (;;) {
      const now = yield* Clock.currentTimeMillis
      const sleeps = Chunk.toReadonlyArray(yield* TestClock.sleeps()).filter((t) => t < now + within)
      if (sleeps.length > 0) return Math.min(...sleeps) - now
      yield* tick
    }
  })
