import { describe, expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { formatReceiptTimestamp, formatReceiptTimestampAt } from "../../src/chat/ReceiptTimestamp.js"

const now = "2024-03-20T15:00:00Z" // a Wednesday

describe("formatReceiptTimestamp", () => {
  it("uses Today, Yesterday, weekday within a week, month and day this year, and the year before", () => {
    expect(formatReceiptTimestampAt("2024-03-20T00:00:01Z", now)).toBe("Today")
    expect(formatReceiptTimestampAt("2024-03-19T23:59:59Z", now)).toBe("Yesterday")
    expect(formatReceiptTimestampAt("2024-03-17T08:30:00Z", now)).toBe("Sun 08:30")
    expect(formatReceiptTimestampAt("2024-03-12T10:00:00Z", now)).toBe("Mar 12")
    expect(formatReceiptTimestampAt("2023-01-15T10:00:00Z", now)).toBe("Jan 15 2023")
  })

  it("treats the future as Today and never fails on bad input", () => {
    expect(formatReceiptTimestampAt("2024-03-25T10:00:00Z", now)).toBe("Today")
    expect(formatReceiptTimestampAt("not a date", now)).toBe("not a date")
    expect(formatReceiptTimestampAt("2024-03-17T08:30:00Z", "garbage")).toBe("Today")
  })

  it.effect("reads the current time from the Clock", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse(now))
      expect(yield* formatReceiptTimestamp("2024-03-19T09:00:00Z")).toBe("Yesterday")
    }))
})
