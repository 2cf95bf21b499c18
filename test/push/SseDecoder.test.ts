import { describe, expect, it } from "@effect/vitest"
import { Chunk, Duration, Effect, Either, Option, Stream } from "effect"
import fc from "fast-check"
import * as SseDecoder from "../../src/jmap/push/SseDecoder.js"

const enc = new TextEncoder()
const bytes = (s: string) => enc.encode(s)

/** Feeds `chunks` to a fresh decoder synchronously and returns the events (or the error). */
const feedAll = (chunks: ReadonlyArray<Uint8Array>, max = 1 << 20) => {
  const decoder = SseDecoder.make(max)
  const out: Array<SseDecoder.SseEvent> = []
  for (const c of chunks) {
    const error = decoder.feed(c, out)
    if (error !== undefined) return { out, error, decoder }
  }
  return { out, error: undefined, decoder }
}

const summary = (events: ReadonlyArray<SseDecoder.SseEvent>) =>
  events.map((e) => ({ event: e.event, data: e.data, id: Option.getOrUndefined(e.id) }))

/** Every way of cutting `input` into two chunks gives the same events as one chunk. */
const everySplit = (input: Uint8Array) => {
  const whole = summary(feedAll([input]).out)
  for (let i = 0; i <= input.length; i++) {
    expect(summary(feedAll([input.subarray(0, i), input.subarray(i)]).out), `split at ${i}`).toEqual(whole)
  }
  const oneByOne = Array.from({ length: input.length }, (_, i) => input.subarray(i, i + 1))
  expect(summary(feedAll(oneByOne).out)).toEqual(whole)
  return whole
}

describe("SseDecoder line ends", () => {
  const expected = [
    { event: "message", data: "a\nb", id: undefined },
    { event: "e2", data: "c", id: "7" }
  ]
  for (const [name, eol] of [["LF", "\n"], ["CR", "\r"], ["CRLF", "\r\n"]] as const) {
    it(`${name} line ends, at every split point`, () => {
      const input = bytes(`data: a${eol}data: b${eol}${eol}event: e2${eol}id: 7${eol}data: c${eol}${eol}`)
      expect(everySplit(input)).toEqual(expected)
    })
  }

  it("mixed line ends in one stream, and a CRLF split across chunks is one line end", () => {
    const input = bytes("data: a\r\ndata: b\r\r\nevent: e2\nid: 7\rdata: c\n\r\n")
    expect(everySplit(input)).toEqual(expected)
    // The WHATWG trap: "\r" ending one chunk and "\n" starting the next.
    expect(summary(feedAll([bytes("data: a\r"), bytes("\ndata: b\r\n\r\n")]).out)).toEqual([
      { event: "message", data: "a\nb", id: undefined }
    ])
  })

  it("a LF after CR is skipped even when an empty chunk comes between", () => {
    expect(summary(feedAll([bytes("data: a\r"), new Uint8Array(0), bytes("\ndata: b\n\n")]).out)).toEqual([
      { event: "message", data: "a\nb", id: undefined }
    ])
  })
})

describe("SseDecoder fields", () => {
  it("strips one leading UTF-8 BOM, even split across chunks, and only at the start", () => {
    const input = new Uint8Array([0xef, 0xbb, 0xbf, ...bytes("data: x\n\n")])
    expect(everySplit(input)).toEqual([{ event: "message", data: "x", id: undefined }])
    // A second BOM is part of the next line: "\uFEFFdata" is an unknown field, so nothing is dispatched.
    const twice = new Uint8Array([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf, ...bytes("data: x\n\n")])
    expect(feedAll([twice]).out).toEqual([])
  })

  it("ignores comments, unknown fields and retry values that are not all digits", () => {
    const { out, decoder } = feedAll([
      bytes(": hello\n:\nfoo: bar\ndata: a\n: mid-event comment\nretry: 10abc\nretry:\nDATA: no\ndata: b\n\n")
    ])
    expect(summary(out)).toEqual([{ event: "message", data: "a\nb", id: undefined }])
    expect(decoder.retry()).toEqual(Option.none())
  })

  it("removes exactly one space after the colon; a field without a colon has an empty value", () => {
    const { out } = feedAll([bytes("data:a\ndata:  b\ndata\ndata:\n\n")])
    expect(out[0]?.data).toBe("a\n b\n\n")
  })

  it("defaults the event name to message, also for an empty event field", () => {
    const { out } = feedAll([bytes("event: state\ndata: 1\n\nevent:\ndata: 2\n\ndata: 3\n\n")])
    expect(out.map((e) => e.event)).toEqual(["state", "message", "message"])
  })

  it("does not dispatch a block without data, and resets the event name after it", () => {
    const { out } = feedAll([bytes("event: typing\n\ndata: x\n\n")])
    expect(summary(out)).toEqual([{ event: "message", data: "x", id: undefined }])
  })

  it("keeps the last id across events, ignores ids with NULL, and an empty id resets it", () => {
    const { out } = feedAll([
      bytes("id: 1\ndata: a\n\ndata: b\n\nid: x\u0000y\ndata: c\n\nid\ndata: d\n\nid: 2\ndata: e\n\n")
    ])
    expect(out.map((e) => Option.getOrUndefined(e.id))).toEqual(["1", "1", "1", undefined, "2"])
  })

  it("commits the id of a block without data (the reconnection id moves)", () => {
    const { out, decoder } = feedAll([bytes("id: 1\ndata: a\n\nid: 9\n\n")])
    expect(out.length).toBe(1)
    expect(decoder.lastEventId()).toEqual(Option.some("9"))
  })

  it("does not commit the id of a block that never ended", () => {
    const { decoder } = feedAll([bytes("id: 1\ndata: a\n\nid: 2\ndata: b\n")])
    expect(decoder.lastEventId()).toEqual(Option.some("1"))
  })

  it("starts from a given last event id and retry", () => {
    const decoder = SseDecoder.make(100, { lastEventId: Option.some("41"), retry: Option.some(Duration.seconds(3)) })
    const out: Array<SseDecoder.SseEvent> = []
    decoder.feed(bytes("data: a\n\n"), out)
    expect(out[0]?.id).toEqual(Option.some("41"))
    expect(out[0]?.retry).toEqual(Option.some(Duration.seconds(3)))
  })

  it("reports retry on later events and on the decoder, without dispatching anything for it", () => {
    const { out, decoder } = feedAll([bytes("retry: 5000\n\ndata: a\n\nretry: 250\n\n")])
    expect(out.length).toBe(1)
    expect(out[0]?.retry).toEqual(Option.some(Duration.millis(5000)))
    expect(decoder.retry()).toEqual(Option.some(Duration.millis(250)))
  })

  it("drops a trailing partial event at end of input", () =>
    Effect.gen(function*() {
      const events = yield* Stream.make(bytes("data: a\n\ndata: b\n"), bytes("data: c")).pipe(
        SseDecoder.decode(1000),
        Stream.runCollect
      )
      expect(Chunk.toReadonlyArray(events).map((e) => e.data)).toEqual(["a"])
    }).pipe(Effect.runPromise))
})

describe("SseDecoder UTF-8", () => {
  // 2-, 3- and 4-byte characters, each cut at every possible point.
  for (const [name, ch] of [["2-byte", "é"], ["3-byte", "€"], ["4-byte", "😀"]] as const) {
    it(`${name} character split at every point`, () => {
      const input = bytes(`event: ${ch}\ndata: ${ch}x${ch}\nid: ${ch}\n\n`)
      expect(everySplit(input)).toEqual([{ event: ch, data: `${ch}x${ch}`, id: ch }])
    })
  }

  it("decodes invalid bytes as U+FFFD (WHATWG UTF-8 decode)", () => {
    const input = new Uint8Array([
      ...bytes("data: a"),
      0xff,
      0xc3,
      ...bytes("b\n"),
      ...bytes("data: "),
      0xe2,
      0x82,
      ...bytes("\n\n")
    ])
    expect(feedAll([input]).out[0]?.data).toBe("a\uFFFD\uFFFDb\n\uFFFD")
  })
})

describe("SseDecoder size cap", () => {
  it("accepts an event of exactly maxFrameBytes and refuses one byte more", () => {
    expect(feedAll([bytes("data: 12345\ndata: 6789\n\n")], 10).out[0]?.data).toBe("12345\n6789")
    const over = feedAll([bytes("data: ok\n\ndata: 12345\ndata: 67890\n\n")], 10)
    expect(over.out.map((e) => e.data)).toEqual(["ok"])
    expect(over.error?._tag).toBe("SseFrameTooLarge")
    expect(over.error?.limit).toBe(10)
  })

  it("fails as soon as an incomplete line outgrows the cap, without waiting for its end", () => {
    const decoder = SseDecoder.make(64)
    const out: Array<SseDecoder.SseEvent> = []
    expect(decoder.feed(bytes("data: " + "x".repeat(50)), out)).toBeUndefined()
    expect(decoder.feed(bytes("x".repeat(20)), out)?._tag).toBe("SseFrameTooLarge")
    // After failing, the decoder stays failed.
    expect(decoder.feed(bytes("\n\n"), out)?._tag).toBe("SseFrameTooLarge")
  })

  it("ends an endless event with SseFrameTooLarge (bounded: the input never ends)", () =>
    Effect.gen(function*() {
      const endless = Stream.make(bytes("data: 0123456789\n")).pipe(Stream.forever)
      const error = yield* endless.pipe(SseDecoder.decode(4096), Stream.runDrain, Effect.flip)
      expect(error._tag).toBe("SseFrameTooLarge")
      const endlessLine = Stream.make(bytes("data: ")).pipe(
        Stream.concat(Stream.make(bytes("x".repeat(100))).pipe(Stream.forever))
      )
      expect((yield* endlessLine.pipe(SseDecoder.decode(4096), Stream.runDrain, Effect.flip))._tag).toBe(
        "SseFrameTooLarge"
      )
    }).pipe(Effect.runPromise))

  it("does not count complete comment lines or unknown fields against the cap", () => {
    const noise = ": " + "c".repeat(30) + "\nunknown: " + "u".repeat(30) + "\n"
    const { out, error } = feedAll([bytes("data: a\n" + noise.repeat(20) + "data: b\n\n")], 16)
    expect(error).toBeUndefined()
    expect(out[0]?.data).toBe("a\nb")
  })

  it("emits the events decoded before the failure, then fails", () =>
    Effect.gen(function*() {
      const result = yield* Stream.make(bytes("data: a\n\ndata: b\n\ndata: " + "x".repeat(100) + "\n\n")).pipe(
        SseDecoder.decode(50),
        Stream.either,
        Stream.runCollect
      )
      const items = Chunk.toReadonlyArray(result)
      expect(items.slice(0, 2).map((e) => Either.getOrThrow(e).data)).toEqual(["a", "b"])
      expect(Either.isLeft(items[2]!)).toBe(true)
    }).pipe(Effect.runPromise))
})

describe("SseDecoder properties (fast-check)", () => {
  // Field values without line terminators; data may be any Unicode (including astral characters).
  const value = fc.string({ unit: "grapheme", maxLength: 12 }).map((s) => s.replace(/[\r\n]/g, ""))
  const name = fc.stringMatching(/^[a-z]{1,8}$/)
  const eol = fc.constantFrom("\n", "\r", "\r\n")
  const event = fc.record({
    event: fc.option(name, { nil: undefined }),
    id: fc.option(fc.stringMatching(/^[0-9a-z]{1,6}$/), { nil: undefined }),
    data: fc.array(value, { minLength: 1, maxLength: 4 }),
    comment: fc.boolean()
  })

  it("decodes any event stream, however it is cut into chunks, with any line ends", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(event, eol), { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (events, cuts) => {
          let text = ""
          let lastId: string | undefined
          const expected: Array<{ event: string; data: string; id: string | undefined }> = []
          for (const [e, end] of events) {
            if (e.comment) text += `: note${end}`
            if (e.event !== undefined) text += `event: ${e.event}${end}`
            if (e.id !== undefined) text += `id: ${e.id}${end}`
            for (const line of e.data) text += `data: ${line}${end}`
            text += end
            if (e.id !== undefined) lastId = e.id
            expected.push({ event: e.event ?? "message", data: e.data.join("\n"), id: lastId })
          }
          const input = bytes(text)
          const points = [...new Set(cuts.map((c) => c % (input.length + 1)))].sort((a, b) => a - b)
          const chunks: Array<Uint8Array> = []
          let from = 0
          for (const p of points) {
            chunks.push(input.subarray(from, p))
            from = p
          }
          chunks.push(input.subarray(from))
          expect(summary(feedAll(chunks).out)).toEqual(expected)
        }
      ),
      { numRuns: 300 }
    )
  })

  it("never throws and never holds more than the cap, whatever the bytes", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 20 }), (chunks) => {
        const { out, error } = feedAll(chunks, 32)
        // UTF-16 length never exceeds the byte length it was decoded from (U+FFFD replaces ≥ 1 byte).
        for (const e of out) expect(e.data.length + e.event.length).toBeLessThanOrEqual(32)
        if (error !== undefined) expect(error._tag).toBe("SseFrameTooLarge")
      }),
      { numRuns: 500 }
    )
  })
})
