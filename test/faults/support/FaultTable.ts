/**
 * Test support for the fault tables (issue 6): a row per fault run as its own live test inside a
 * 15 s hang guard, a summary row per fault printed in `afterAll`, the `fails(tag, match)` checker
 * of `transport.test.ts`, and a guard that fails the file if any promise rejection or exception
 * escaped the Effect runtime while it ran.
 */
import { afterAll, beforeAll, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Option, type Scope } from "effect"

export type Tagged = { readonly _tag: string; readonly message?: string }

export interface Fault {
  readonly name: string
  readonly expected: string
  /** Scripts the fault, asserts the outcome (with `expect`), and describes what was observed. */
  readonly run: Effect.Effect<string, unknown, Scope.Scope>
}

export interface SummaryRow {
  readonly fault: string
  readonly expected: string
  readonly observed: string
}

/** One line describing an exit: `success`, `Tag: message` for a typed failure, `defect: …` otherwise. */
export const observe = (exit: Exit.Exit<unknown, unknown>): string =>
  Exit.match(exit, {
    onSuccess: () => "success",
    onFailure: (cause) => {
      const failure = Cause.failureOption(cause)
      if (failure._tag === "Some") {
        const e = failure.value as Tagged
        return `${e._tag}: ${e.message ?? ""}`.slice(0, 110)
      }
      return `defect: ${Cause.pretty(cause).slice(0, 110)}`
    }
  })

/** Asserts a typed failure (not a defect) with `_tag` and the given fields; returns the error. */
export const fails = (tag: string, match?: Record<string, unknown>) => (exit: Exit.Exit<unknown, unknown>): Tagged => {
  expect(Exit.isFailure(exit), observe(exit)).toBe(true)
  const failure = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()
  expect(failure._tag, `a typed failure, not a defect: ${observe(exit)}`).toBe("Some")
  const error = Option.getOrThrow(failure) as Tagged
  expect(error._tag).toBe(tag)
  if (match) expect(error).toMatchObject(match)
  return error
}

/** True for a typed failure (any tag), false for a success, a defect or an interruption. */
export const isTypedFailure = (exit: Exit.Exit<unknown, unknown>): boolean =>
  Exit.isFailure(exit) && Option.isSome(Cause.failureOption(exit.cause))

export class Hang {
  readonly _tag = "Hang"
  constructor(readonly message: string) {}
}

/** Fails with `Hang` when `self` has not settled within `seconds` (of the Effect clock in use). */
export const hangGuard = (seconds = 15) => <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E | Hang, R> =>
  Effect.timeoutFail(self, {
    duration: `${seconds} seconds`,
    onTimeout: () => new Hang(`did not settle within ${seconds} s`)
  })

/**
 * Registers the file-level hooks (escape guard, summary printing) and returns `runTable`, which
 * adds one live test per fault. Call once per test file, at the top level.
 */
export const faultTable = (title: string) => {
  const summary: Array<SummaryRow> = []
  const escaped: Array<string> = []
  const onEscape = (error: unknown) => escaped.push(String(error).slice(0, 200))

  beforeAll(() => {
    process.on("unhandledRejection", onEscape)
    process.on("uncaughtException", onEscape)
  })

  afterAll(() => {
    process.off("unhandledRejection", onEscape)
    process.off("uncaughtException", onEscape)
    const width = Math.max(...summary.map((s) => s.fault.length))
    console.log(
      `\n${title} (${summary.length} faults)\n` +
        summary.map((s) => `${s.fault.padEnd(width)} | expected ${s.expected} | observed ${s.observed}`).join("\n")
    )
    expect(escaped, "unhandled rejections / uncaught exceptions").toEqual([])
  })

  const runTable = (faults: ReadonlyArray<Fault>, guardSeconds = 15) => {
    for (const fault of faults) {
      it.scopedLive(fault.name, () =>
        Effect.gen(function*() {
          const exit = yield* fault.run.pipe(hangGuard(guardSeconds), Effect.exit)
          summary.push({
            fault: fault.name,
            expected: fault.expected,
            observed: Exit.isSuccess(exit) ? exit.value : observe(exit)
          })
          if (Exit.isFailure(exit)) return yield* Effect.failCause(exit.cause)
        }))
    }
  }

  return { runTable, summary }
}
