/**
 * Bytes → Server-Sent Events, following the WHATWG HTML "event stream interpretation" rules
 * (§9.2.6) that RFC 8620 §7.3 EventSource relies on.
 *
 * Hand-written rather than `@effect/experimental/Sse.makeParser`, which was checked and does not
 * meet the requirements: it parses decoded text, so its size cap counts UTF-16 code units instead of
 * bytes; a CRLF split across two chunks ends the event early (`"data: a\r" + "\ndata: b\r\n\r\n"`
 * yields two events instead of `"a\nb"`); its BOM check compares the decoded text with the UTF-8
 * byte values, so a BOM that reaches it loses the first event; it accepts `retry: 10abc`; and
 * `makeChannel` sleeps on `retry:`. This decoder works on bytes:
 *
 * - line ends are LF, CR or CRLF (a CRLF may be split across chunks); a leading UTF-8 BOM is dropped;
 * - only complete lines are decoded, so a multi-byte character split across chunks is never cut
 *   (line terminators are ASCII and never occur inside a UTF-8 sequence). Invalid UTF-8 becomes
 *   U+FFFD, as the WHATWG "UTF-8 decode" the spec prescribes does (the Rust seed dropped such bytes);
 * - comments, unknown fields and lines without a known field name are ignored; `data` lines are
 *   joined with `\n`; `event` defaults to `message`; an `id` containing U+0000 is ignored; `retry`
 *   is accepted only when it is all ASCII digits, and is reported, never slept on;
 * - the last event id persists across events and is committed at every blank line, even for a block
 *   without data (WHATWG: the id-only block `id: 7\n\n` moves the reconnection id);
 * - a trailing partial event is dropped at end of input;
 * - memory is bounded: the size of the pending event (the UTF-8 bytes of its `data`, joined with
 *   `\n`, plus its `event` name) plus the incomplete line being read may not exceed
 *   `maxFrameBytes`, nor may one `id` value. The first byte over the cap fails with
 *   `SseFrameTooLarge` at once; nothing more is buffered. Comments and unknown fields are not
 *   retained, so they only count while their line is incomplete.
 *
 * Speed: bytes are scanned with `Uint8Array.indexOf` (native), each line is decoded once with a
 * single `TextDecoder`, data lines are joined once per event, and there is no per-byte Effect work.
 *
 * @since 0.1.0
 */
import { Channel, Chunk, Data, Duration, Option, Stream } from "effect"
import { SseFrameTooLarge } from "../Errors.js"
import { concat } from "../internal/bytes.js"

/**
 * One dispatched event (WHATWG `MessageEvent` of an `EventSource`).
 *
 * `id` is the stream's last event id when the event was dispatched (WHATWG `lastEventId`): the
 * event's own `id:` or, when it had none, the latest one before it; `None` when no id was ever set
 * or the server reset it with an empty `id:`. `retry` is the reconnection time last announced by
 * the server with `retry:`, if any.
 */
export class SseEvent extends Data.TaggedClass("SseEvent")<{
  /** The `event:` name, `"message"` when absent or empty. */
  readonly event: string
  /** The `data:` lines joined with `\n`. */
  readonly data: string
  readonly id: Option.Option<string>
  readonly retry: Option.Option<Duration.Duration>
}> {}

/** Options of {@link make}. */
export interface DecoderOptions {
  /**
   * The last event id to start from, e.g. the one sent as `Last-Event-ID` when reconnecting: the
   * event stream's last event id survives reconnections (WHATWG §9.2.3).
   */
  readonly lastEventId?: Option.Option<string> | undefined
  /** The reconnection time to start from (a previous connection's `retry:`). */
  readonly retry?: Option.Option<Duration.Duration> | undefined
}

/**
 * A stateful, synchronous event-stream decoder for one connection. Feed it the body's bytes in
 * order; it is not an Effect, so it costs nothing per byte.
 */
export interface SseDecoder {
  /**
   * Decodes `bytes`, pushing each event dispatched by them onto `out`. Returns `SseFrameTooLarge`
   * when the pending event outgrows the cap; the decoder must not be fed after that.
   */
  readonly feed: (bytes: Uint8Array, out: Array<SseEvent>) => SseFrameTooLarge | undefined
  /** The last event id committed so far (at the last blank line): what to send as `Last-Event-ID`. */
  readonly lastEventId: () => Option.Option<string>
  /** The reconnection time the server last asked for with `retry:`. */
  readonly retry: () => Option.Option<Duration.Duration>
  /** Number of events dispatched so far. */
  readonly dispatched: () => number
}

const LF = 0x0a
const CR = 0x0d
const COLON = 0x3a
const SPACE = 0x20

const fieldData = [0x64, 0x61, 0x74, 0x61] // "data"
const fieldEvent = [0x65, 0x76, 0x65, 0x6e, 0x74] // "event"
const fieldId = [0x69, 0x64] // "id"
const fieldRetry = [0x72, 0x65, 0x74, 0x72, 0x79] // "retry"

const isField = (line: Uint8Array, end: number, name: ReadonlyArray<number>): boolean => {
  if (end !== name.length) return false
  for (let i = 0; i < end; i++) if (line[i] !== name[i]) return false
  return true
}

const isDigits = (line: Uint8Array, start: number): boolean => {
  if (start >= line.length) return false
  for (let i = start; i < line.length; i++) {
    const b = line[i]!
    if (b < 0x30 || b > 0x39) return false
  }
  return true
}

/**
 * Creates a decoder. `maxFrameBytes` caps one pending event (see the module doc); a value that is
 * not a positive number refuses every non-empty event.
 */
export const make = (maxFrameBytes: number, options?: DecoderOptions): SseDecoder => {
  const limit = maxFrameBytes > 0 ? maxFrameBytes : 0
  const text = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true })

  // Incomplete line carried over between chunks (never contains CR or LF).
  let pending: Array<Uint8Array> = []
  let pendingBytes = 0
  // A chunk ended with CR: a LF starting the next chunk belongs to the same line end.
  let skipLF = false
  let atStart = true

  // Pending event.
  let dataLines: Array<string> = []
  let eventType = ""
  let idBuffer = Option.getOrElse(options?.lastEventId ?? Option.none(), () => "")
  let dataBytes = 0 // bytes of the pending event's data, as joined with "\n"
  let eventBytes = 0 // bytes of the pending event's name

  // Committed stream state.
  let lastEventId: Option.Option<string> = idBuffer === "" ? Option.none() : Option.some(idBuffer)
  let retry: Option.Option<Duration.Duration> = options?.retry ?? Option.none()
  let dispatched = 0
  let failed: SseFrameTooLarge | undefined

  const tooLarge = (): SseFrameTooLarge => (failed = new SseFrameTooLarge({ limit }))

  const dispatch = (out: Array<SseEvent>): void => {
    lastEventId = idBuffer === "" ? Option.none() : Option.some(idBuffer)
    if (dataLines.length > 0) {
      out.push(
        new SseEvent({
          event: eventType === "" ? "message" : eventType,
          data: dataLines.length === 1 ? dataLines[0]! : dataLines.join("\n"),
          id: lastEventId,
          retry
        })
      )
      dispatched++
    }
    dataLines = []
    eventType = ""
    dataBytes = 0
    eventBytes = 0
  }

  // Processes one complete line (without its terminator). Returns false when the cap is exceeded.
  const line = (bytes: Uint8Array, out: Array<SseEvent>): boolean => {
    let line = bytes
    if (atStart) {
      atStart = false
      if (line.length >= 3 && line[0] === 0xef && line[1] === 0xbb && line[2] === 0xbf) line = line.subarray(3)
    }
    if (line.length === 0) {
      dispatch(out)
      return true
    }
    if (line[0] === COLON) return true // comment
    let nameEnd = line.indexOf(COLON)
    let valueStart: number
    if (nameEnd === -1) {
      nameEnd = line.length
      valueStart = line.length
    } else {
      valueStart = line[nameEnd + 1] === SPACE ? nameEnd + 2 : nameEnd + 1
    }
    const valueBytes = line.length - valueStart
    if (isField(line, nameEnd, fieldData)) {
      dataBytes += dataLines.length === 0 ? valueBytes : valueBytes + 1
      if (dataBytes + eventBytes > limit) return false
      dataLines.push(valueBytes === 0 ? "" : text.decode(line.subarray(valueStart)))
    } else if (isField(line, nameEnd, fieldEvent)) {
      eventBytes = valueBytes
      if (dataBytes + eventBytes > limit) return false
      eventType = text.decode(line.subarray(valueStart))
    } else if (isField(line, nameEnd, fieldId)) {
      if (valueBytes > limit) return false
      if (line.indexOf(0, valueStart) === -1) idBuffer = text.decode(line.subarray(valueStart))
    } else if (isField(line, nameEnd, fieldRetry)) {
      if (isDigits(line, valueStart)) {
        const millis = Number(text.decode(line.subarray(valueStart)))
        if (Number.isFinite(millis)) retry = Option.some(Duration.millis(millis))
      }
    }
    return true
  }

  const feed = (chunk: Uint8Array, out: Array<SseEvent>): SseFrameTooLarge | undefined => {
    if (failed !== undefined) return failed
    const length = chunk.length
    let start = 0
    if (skipLF && length > 0) {
      skipLF = false
      if (chunk[0] === LF) start = 1
    }
    let nextLF = chunk.indexOf(LF, start)
    let nextCR = chunk.indexOf(CR, start)
    while (start < length) {
      if (nextLF !== -1 && nextLF < start) nextLF = chunk.indexOf(LF, start)
      if (nextCR !== -1 && nextCR < start) nextCR = chunk.indexOf(CR, start)
      const end = nextLF === -1 ? nextCR : nextCR === -1 ? nextLF : Math.min(nextLF, nextCR)
      if (end === -1) {
        // Incomplete line: keep a copy (so a small tail does not pin a large chunk).
        const rest = chunk.slice(start)
        pending.push(rest)
        pendingBytes += rest.length
        if (dataBytes + eventBytes + pendingBytes > limit) return tooLarge()
        return undefined
      }
      let bytes: Uint8Array
      if (pendingBytes > 0) {
        pending.push(chunk.subarray(start, end))
        bytes = concat(pending, pendingBytes + end - start)
        pending = []
        pendingBytes = 0
      } else {
        bytes = chunk.subarray(start, end)
      }
      if (!line(bytes, out)) return tooLarge()
      if (chunk[end] === CR) {
        if (end + 1 < length) {
          start = chunk[end + 1] === LF ? end + 2 : end + 1
        } else {
          skipLF = true
          start = end + 1
        }
      } else {
        start = end + 1
      }
    }
    return undefined
  }

  return {
    feed,
    lastEventId: () => lastEventId,
    retry: () => retry,
    dispatched: () => dispatched
  }
}

/**
 * The decoder as a `Channel` from byte chunks to event chunks. Upstream errors pass through; the
 * channel fails with `SseFrameTooLarge` (after emitting the events before it) when the cap is hit.
 * A partial event at end of input is dropped. `onDecoder` receives the decoder of this run, e.g. to
 * read its last event id after the channel ends.
 */
export const toChannel = <E>(
  maxFrameBytes: number,
  options?: DecoderOptions & { readonly onDecoder?: ((decoder: SseDecoder) => void) | undefined }
): Channel.Channel<Chunk.Chunk<SseEvent>, Chunk.Chunk<Uint8Array>, E | SseFrameTooLarge, E, void, unknown> =>
  Channel.suspend(() => {
    const decoder = make(maxFrameBytes, options)
    options?.onDecoder?.(decoder)
    const loop: Channel.Channel<
      Chunk.Chunk<SseEvent>,
      Chunk.Chunk<Uint8Array>,
      E | SseFrameTooLarge,
      E,
      void,
      unknown
    > = Channel.readWithCause({
      onInput: (input: Chunk.Chunk<Uint8Array>) => {
        const out: Array<SseEvent> = []
        let error: SseFrameTooLarge | undefined
        for (const bytes of input) {
          error = decoder.feed(bytes, out)
          if (error !== undefined) break
        }
        const next = error === undefined ? loop : Channel.fail(error)
        return out.length === 0 ? next : Channel.zipRight(Channel.write(Chunk.unsafeFromArray(out)), next)
      },
      onFailure: (cause) => Channel.failCause(cause),
      onDone: () => Channel.void
    })
    return loop
  })

/**
 * Pipeable: decodes a byte stream (an EventSource response body) into events.
 *
 * @example
 * response.stream.pipe(SseDecoder.decode(1024 * 1024))
 */
export const decode =
  (maxFrameBytes: number, options?: DecoderOptions) =>
  <E, R>(self: Stream.Stream<Uint8Array, E, R>): Stream.Stream<SseEvent, E | SseFrameTooLarge, R> =>
    Stream.pipeThroughChannelOrFail(self, toChannel<E>(maxFrameBytes, options))
