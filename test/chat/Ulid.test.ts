/** `Ulid.make`: a well-formed ULID whose time part is the `Clock`'s, distinct on every call. */
import { describe, expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { decodeTime } from "ulid"
import { Ulid } from "../../src/index.js"

const crockford = /^[0-9A-HJKMNP-TV-Z]{26}$/

describe("Ulid.make", () => {
  it.effect("26 Crockford base32 characters, with the Clock's time, fresh each time", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse("2031-02-03T04:05:06.789Z"))
      const ids = yield* Effect.replicateEffect(Ulid.make, 50)
      for (const id of ids) {
        expect(id).toMatch(crockford)
        expect(decodeTime(id)).toBe(Date.parse("2031-02-03T04:05:06.789Z"))
      }
      expect(new Set(ids).size).toBe(ids.length)
    }))

  it.effect("a clock outside the 48-bit range is clamped, never a defect", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(0)
      expect(decodeTime(yield* Ulid.make)).toBe(0)
      yield* TestClock.setTime(-5)
      expect(decodeTime(yield* Ulid.make)).toBe(0)
      yield* TestClock.setTime(2 ** 50)
      expect(decodeTime(yield* Ulid.make)).toBe(2 ** 48 - 1)
    }))
})
