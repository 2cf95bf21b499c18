/**
 * A resilient RFC 8620 §7.3 EventSource: an endless `Stream` of decoded events that reconnects on
 * end of stream, transport errors and (optionally) silence, resumes with `Last-Event-ID` (WHATWG
 * HTML §9.2), honours the server's `retry:` and `Retry-After` (up to `maxRetryAfter`) as floors on
 * the backoff, and emits {@link Connected} when its first connection opens and {@link Reconnected}
 * after each reconnection, so that consumers know when to call `/changes`.
 *
 * It is transport independent: `open` performs one HTTP request (the `HttpTransport` sends
 * `Accept: text/event-stream`, `Last-Event-ID` and credentials, and checks the status and
 * {@link checkEventStreamContentType}) and returns the response body.
 *
 * @example
 * EventSourceStream.make({
 *   open: (lastEventId) => transport.openEventSource(url, { lastEventId: Option.getOrUndefined(lastEventId) }),
 *   maxFrameBytes: config.maxSseFrameBytes
 * })
 *
 * @since 0.1.0
 */
import { Data, Duration, Effect, Option, Schedule, type Scope, Stream } from "effect"
import { defaultClientConfig } from "../ClientConfig.js"
import { HttpError, InvalidArgument, RateLimited, SseFrameTooLarge, UnexpectedResponse } from "../Errors.js"
import * as SseDecoder from "./SseDecoder.js"

/**
 * Emitted first on the first connection that opens (the server answered with an event stream, so
 * the subscription is in place): the stream is live from here. `lastEventId` is the id it started
 * from (the `lastEventId` option). A consumer that fetched state before opening the stream calls
 * `/changes` once on it: that closes the window between its fetch and the subscription, in which a
 * change would have gone unnoticed. Failed attempts before it emit nothing; every later connection
 * emits {@link Reconnected} instead. Always emitted (not opt-in): see `PushEvent.Connected`.
 */
export class Connected extends Data.TaggedClass("Connected")<{
  readonly lastEventId: Option.Option<string>
}> {}

/**
 * Emitted first on every reconnected connection: events may have been missed (the server may not
 * honour `Last-Event-ID`), so re-sync with `/changes`. `attempt` counts reconnections (1, 2, …);
 * `lastEventId` is the id the connection resumed from.
 */
export class Reconnected extends Data.TaggedClass("Reconnected")<{
  readonly attempt: number
  readonly lastEventId: Option.Option<string>
}> {}

/** An element of the resilient stream: an event, or where a connection began. */
export type Element = SseDecoder.SseEvent | Connected | Reconnected

/** Why a connection ended; the input of the reconnect `Schedule`. */
export type Disconnect<E> =
  | { readonly _tag: "EndOfStream" }
  | { readonly _tag: "IdleTimeout"; readonly timeout: Duration.Duration }
  | { readonly _tag: "Failed"; readonly error: E }

/** Options of {@link make}. */
export interface Options<E, R> {
  /**
   * Opens one connection, resuming after `lastEventId` when it is `Some` (send it as
   * `Last-Event-ID`), and returns the response body. The connection lives as long as the scope.
   * It should fail with `AuthFailed` for 401/403 and `UnexpectedResponse` for a wrong content type.
   */
  readonly open: (
    lastEventId: Option.Option<string>
  ) => Effect.Effect<Stream.Stream<Uint8Array, E, R>, E, Scope.Scope | R>
  /** Cap on one event (see `SseDecoder`); an event over it fails the stream with `SseFrameTooLarge`. */
  readonly maxFrameBytes: number
  /**
   * Delays between reconnection attempts; it gets the {@link Disconnect} reason as input, and the
   * stream ends (failing with the last error, if any) when it completes. The server's `retry:` and a
   * `Retry-After` of a 429 or 503 are floors on each delay, both bounded by `maxRetryAfter`. It
   * restarts after a connection that delivered at least one event. Default: {@link defaultSchedule}.
   */
  readonly schedule?: Schedule.Schedule<unknown, Disconnect<E>, R> | undefined
  /**
   * The longest `Retry-After` worth waiting for before a reconnection (default 60 s, as
   * `ClientConfig.maxRetryAfter`, which `JmapPush` passes). A 429 or 503 whose `Retry-After` is longer
   * ends the stream at once with that `RateLimited` or `HttpError` (its `retryAfter` says when the
   * server wants to be asked again), as an idempotent HTTP request does instead of retrying: a hostile
   * or broken server cannot park the consumer for hours or days. A `retry:` field above it is
   * clamped to it (it comes on a working connection: there is no failure to end the stream with).
   */
  readonly maxRetryAfter?: Duration.DurationInput | undefined
  /** Which errors are worth reconnecting after. Default: {@link isRetryable}. */
  readonly isRetryable?: ((error: E) => boolean) | undefined
  /** Resume from this id on the first connection (e.g. one persisted by a previous run). */
  readonly lastEventId?: Option.Option<string> | undefined
  /**
   * Drop and reconnect a connection that delivers no bytes at all (not even a comment or `ping`)
   * for this long. Set it to about twice the `ping` interval requested in the EventSource URL
   * (RFC 8620 §7.3). Default: none.
   */
  readonly idleTimeout?: Duration.DurationInput | undefined
}

/**
 * Exponential backoff from 1 s, doubling, capped at 60 s, with ±20 % jitter (the WSS guide's
 * reconnect advice, spec-digest §5.8), forever.
 */
export const defaultSchedule: Schedule.Schedule<unknown> = Schedule.exponential("1 second").pipe(
  Schedule.union(Schedule.spaced("60 seconds")),
  Schedule.jittered
)

const fatalTags = new Set([
  "AuthFailed",
  "UnexpectedResponse",
  "InvalidArgument",
  "InvalidHeaderValue",
  "InvalidSession",
  "RequestError",
  "ParseError",
  "SseFrameTooLarge"
])

/**
 * The default reconnect policy: `HttpError`s that are transient (timeouts, connection failures,
 * broken bodies, 408/5xx) and `RateLimited` are retried; authentication failures, a wrong content
 * type, other HTTP statuses and invalid arguments end the stream (as a browser EventSource "fails
 * the connection" for them). Errors this package does not know are retried.
 */
export const isRetryable = (error: unknown): boolean => {
  if (error instanceof HttpError) return error.isTransient
  if (typeof error === "object" && error !== null && "_tag" in error && typeof error._tag === "string") {
    return !fatalTags.has(error._tag)
  }
  return true
}

/**
 * Checks that a response is an event stream (RFC 8620 §7.3, WHATWG §9.2): the `Content-Type`
 * essence, compared case-insensitively without parameters, must be `text/event-stream`
 * (`text/event-stream; charset=utf-8` is fine, `text/event-streamish` or a missing header are not).
 */
export const checkEventStreamContentType = (
  headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
): Effect.Effect<void, UnexpectedResponse> => {
  let value: string | undefined
  for (const key in headers) {
    if (key.toLowerCase() === "content-type") {
      const v = headers[key]
      value = typeof v === "string" ? v : v?.[0]
      break
    }
  }
  const essence = (value ?? "").split(";", 1)[0]!.trim().toLowerCase()
  return essence === "text/event-stream" ? Effect.void : Effect.fail(
    new UnexpectedResponse({
      description: `EventSource: expected Content-Type text/event-stream, got: ${
        value === undefined || value === "" ? "<none>" : value.slice(0, 100)
      }`
    })
  )
}

class IdleTimeout {
  readonly _tag = "IdleTimeout"
  constructor(readonly timeout: Duration.Duration) {}
}

const endOfStream: Disconnect<never> = { _tag: "EndOfStream" }

/**
 * The resilient event stream: {@link SseDecoder.SseEvent}s, with a {@link Connected} before the
 * events of the first connection that opens and a {@link Reconnected} before those of every later
 * one (failed attempts emit nothing). No event is lost or duplicated across a reconnection when the
 * server honours `Last-Event-ID` (the id sent is the one of the last event delivered).
 *
 * Fails with `InvalidArgument` for a bad `maxFrameBytes`, with `SseFrameTooLarge`, with a
 * non-retryable error of `open` or the body (e.g. `AuthFailed`), with a `RateLimited` or `HttpError`
 * whose `Retry-After` exceeds `maxRetryAfter`, or with the last error when the schedule gives up.
 * Never sleeps on `retry:` while reading.
 */
export const make = <E, R = never>(
  options: Options<E, R>
): Stream.Stream<Element, E | SseFrameTooLarge | InvalidArgument, R> => {
  if (!(Number.isSafeInteger(options.maxFrameBytes) && options.maxFrameBytes > 0)) {
    return Stream.fail(
      new InvalidArgument({ description: "EventSourceStream: maxFrameBytes must be a positive integer" })
    )
  }
  const maxFrameBytes = options.maxFrameBytes
  const retryable = options.isRetryable ?? isRetryable
  const idleTimeout = options.idleTimeout === undefined ? undefined : Duration.decode(options.idleTimeout)
  const maxRetryAfter = Duration.decode(options.maxRetryAfter ?? defaultClientConfig.maxRetryAfter)

  return Stream.unwrap(Effect.gen(function*() {
    // State of this run of the stream (one fiber reads and writes it, in order).
    let lastEventId: Option.Option<string> = options.lastEventId ?? Option.none()
    let retry: Option.Option<Duration.Duration> = Option.none()
    let floor: Duration.Duration = Duration.zero
    let reconnects = 0
    let started = false
    let opened = false // some connection was opened: the next one that opens is a reconnection
    let decoder: SseDecoder.SseDecoder | undefined
    let outcome: Disconnect<E | SseFrameTooLarge> = endOfStream

    const driver = yield* Schedule.driver(
      (options.schedule ?? defaultSchedule).pipe(
        Schedule.modifyDelayEffect((_, delay) => Effect.sync(() => Duration.max(delay, floor)))
      )
    )

    const connection = () =>
      Stream.unwrapScoped(Effect.map(options.open(lastEventId), (body) => {
        const first = opened ? new Reconnected({ attempt: ++reconnects, lastEventId }) : new Connected({ lastEventId })
        opened = true
        const bytes = idleTimeout === undefined
          ? body
          : Stream.timeoutFail(body, () => new IdleTimeout(idleTimeout), idleTimeout)
        const events = bytes.pipe(
          Stream.pipeThroughChannelOrFail(
            SseDecoder.toChannel<E | IdleTimeout>(maxFrameBytes, { lastEventId, retry, onDecoder: (d) => decoder = d })
          )
        )
        return Stream.concat(Stream.succeed(first), events)
      })).pipe(
        Stream.catchAll((error): Stream.Stream<never> => {
          outcome = error instanceof IdleTimeout
            ? { _tag: "IdleTimeout", timeout: error.timeout }
            : { _tag: "Failed", error: error as E | SseFrameTooLarge }
          return Stream.empty
        })
      )

    const next: Effect.Effect<
      Stream.Stream<Element, never, R>,
      Option.Option<E | SseFrameTooLarge>,
      R
    > = Effect.suspend(() => {
      if (!started) {
        started = true
        return Effect.succeed(connection())
      }
      const ended = outcome
      outcome = endOfStream
      let delivered = false
      if (decoder !== undefined) {
        lastEventId = decoder.lastEventId()
        if (Option.isSome(decoder.retry())) retry = decoder.retry()
        delivered = decoder.dispatched() > 0
        decoder = undefined
      }
      if (ended._tag === "Failed" && (ended.error instanceof SseFrameTooLarge || !retryable(ended.error as E))) {
        return Effect.fail(Option.some(ended.error))
      }
      // A server's Retry-After (429 as RateLimited, 503 as HttpError) is a floor on the delay, up to
      // maxRetryAfter; a longer one ends the stream with its error (as HttpTransport's retries do).
      const rateLimit = ended._tag === "Failed" &&
          (ended.error instanceof RateLimited || ended.error instanceof HttpError) && ended.error.retryAfter
        ? ended.error.retryAfter
        : Duration.zero
      if (ended._tag === "Failed" && Duration.greaterThan(rateLimit, maxRetryAfter)) {
        return Effect.fail(Option.some(ended.error))
      }
      // The server's retry: is a floor too, clamped to maxRetryAfter (a hint on a working connection,
      // not a failure to end the stream with).
      floor = Duration.max(Duration.min(Option.getOrElse(retry, () => Duration.zero), maxRetryAfter), rateLimit)
      return (delivered ? driver.reset : Effect.void).pipe(
        Effect.zipRight(driver.next(ended as Disconnect<E>)),
        Effect.matchEffect({
          onFailure: () => ended._tag === "Failed" ? Effect.fail(Option.some(ended.error)) : Effect.fail(Option.none()),
          onSuccess: () => Effect.sync(connection)
        })
      )
    })

    return Stream.repeatEffectOption(next).pipe(Stream.flatten())
  }))
}
