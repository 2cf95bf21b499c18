/**
 * `Effect.timeoutFail` for the per-request deadline, cheaper on the live clock.
 *
 * `Effect.timeoutFail` races `self` against `Clock.sleep` in two forked fibers and awaits the
 * loser's interruption. Here `self` alone is forked and the deadline is a `setTimeout`, which is
 * what the live `Clock.sleep` does; measured, about 80 µs less CPU per `ChatClient` call (of
 * ~1 ms). Under any other `Clock` (a `TestClock`, say) this defers to `Effect.timeoutFail`, so tests
 * that move the clock time requests out as before. Written by hand: Effect has no timeout that
 * forks once.
 *
 * @internal
 */
import { Duration, Effect, type Exit, Fiber, Option } from "effect"

const liveClock = Effect.runSync(Effect.clock)

/** Node's `setTimeout` ceiling; longer deadlines go through `Effect.timeoutFail`. */
const maxTimerMillis = 2 ** 31 - 1

/** `self`, or `onTimeout()` when it has not finished within `duration` (it is then interrupted). */
export const timeoutFail = <A, E, R, E1>(
  self: Effect.Effect<A, E, R>,
  duration: Duration.Duration,
  onTimeout: () => E1
): Effect.Effect<A, E | E1, R> =>
  Effect.clockWith((clock): Effect.Effect<A, E | E1, R> =>
    clock !== liveClock || !Duration.isFinite(duration) || Duration.toMillis(duration) > maxTimerMillis
      ? Effect.timeoutFail(self, { duration, onTimeout })
      : Effect.uninterruptibleMask((restore) =>
        Effect.flatMap(
          Effect.fork(restore(self)),
          (child) =>
            restore(Effect.async<Option.Option<Exit.Exit<A, E>>>((resume) => {
              // Resumed once: by the deadline or by the request's end, whichever comes first (the
              // request still ends, interrupted, after the deadline).
              let settled = false
              const settle = (outcome: Option.Option<Exit.Exit<A, E>>) => {
                if (settled) return
                settled = true
                clearTimeout(timer)
                resume(Effect.succeed(outcome))
              }
              const timer = setTimeout(() => settle(Option.none()), Duration.toMillis(duration))
              child.addObserver((exit) => settle(Option.some(exit)))
              return Effect.sync(() => clearTimeout(timer))
            })).pipe(
              Effect.onInterrupt(() => Fiber.interrupt(child)),
              Effect.flatMap((outcome): Effect.Effect<A, E | E1> =>
                Option.isSome(outcome)
                  ? Effect.zipRight(Fiber.inheritAll(child), outcome.value)
                  : Effect.zipRight(Fiber.interrupt(child), Effect.fail(onTimeout()))
              )
            )
        )
      )
  )
