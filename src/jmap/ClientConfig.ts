/**
 * Client limits and timeouts (the Rust client's `ClientConfig`, plus the retry policy for
 * idempotent requests). Every cap is validated to be > 0 before any I/O.
 *
 * @since 0.1.0
 */
import { Duration, Effect, Schedule } from "effect"
import { InvalidArgument } from "./Errors.js"

/** Limits and policies shared by every request an `HttpTransport` makes. */
export interface ClientConfig {
  /** Whole-exchange timeout for session, API, upload and download requests (not push streams). Default 30 s. */
  readonly requestTimeout: Duration.Duration
  /** Cap on the Session resource body. Default 1 MiB. */
  readonly maxSessionBytes: number
  /** Cap on an API response body. Default 8 MiB. */
  readonly maxCallBytes: number
  /** Cap on a buffered blob download (`download`; `downloadStream` is not buffered). Default 64 MiB. */
  readonly maxDownloadBytes: number
  /** Cap on the JSON reply to a blob upload. Default 1 MiB. */
  readonly maxUploadResponseBytes: number
  /** Cap on one EventSource event. Default 1 MiB. */
  readonly maxSseFrameBytes: number
  /** Cap on one WebSocket message. Default 1 MiB. */
  readonly maxWsMessageBytes: number
  /** Connect timeout for WebSocket upgrades. Default 10 s. */
  readonly connectTimeout: Duration.Duration
  /**
   * Backoff between attempts of an idempotent request (session, `/get`, `/changes`, `/query`,
   * `/queryChanges`, downloads) after a transient failure. A server's `Retry-After` lengthens a delay,
   * never shortens it. Default: exponential from 200 ms, ×2, jittered, each delay ≤ 5 s, 3 retries.
   */
  readonly retrySchedule: Schedule.Schedule<unknown, unknown>
  /**
   * A `Retry-After` longer than this is not waited for: an idempotent request fails with the
   * `RateLimited` (429) or `HttpError` (503) instead of retrying, and an EventSource push stream
   * (`JmapPush`, `ChatPush`) ends with it instead of reconnecting. Default 60 s.
   */
  readonly maxRetryAfter: Duration.Duration
}

const MiB = 1024 * 1024

/** The default retry policy for idempotent requests. */
export const defaultRetrySchedule: Schedule.Schedule<unknown, unknown> = Schedule.exponential("200 millis", 2).pipe(
  Schedule.jittered,
  Schedule.modifyDelay((_, d) => Duration.min(d, Duration.seconds(5))),
  Schedule.intersect(Schedule.recurs(3)),
  Schedule.asVoid
)

/** The defaults of the Rust client: 30 s, 1 MiB session, 8 MiB call, 64 MiB download, 1 MiB elsewhere. */
export const defaultClientConfig: ClientConfig = {
  requestTimeout: Duration.seconds(30),
  maxSessionBytes: MiB,
  maxCallBytes: 8 * MiB,
  maxDownloadBytes: 64 * MiB,
  maxUploadResponseBytes: MiB,
  maxSseFrameBytes: MiB,
  maxWsMessageBytes: MiB,
  connectTimeout: Duration.seconds(10),
  retrySchedule: defaultRetrySchedule,
  maxRetryAfter: Duration.seconds(60)
}

/** Options accepted by {@link makeClientConfig}: any subset of {@link ClientConfig}, durations in any form. */
export type ClientConfigInput = Partial<
  Omit<ClientConfig, "requestTimeout" | "connectTimeout" | "maxRetryAfter"> & {
    readonly requestTimeout: Duration.DurationInput
    readonly connectTimeout: Duration.DurationInput
    readonly maxRetryAfter: Duration.DurationInput
  }
>

const byteFields = [
  "maxSessionBytes",
  "maxCallBytes",
  "maxDownloadBytes",
  "maxUploadResponseBytes",
  "maxSseFrameBytes",
  "maxWsMessageBytes"
] as const

const durationFields = ["requestTimeout", "connectTimeout"] as const

/** Builds a validated {@link ClientConfig}: every cap and timeout must be > 0. */
export const makeClientConfig = (input: ClientConfigInput = {}): Effect.Effect<ClientConfig, InvalidArgument> =>
  Effect.suspend(() => {
    const config = {
      ...defaultClientConfig,
      ...input,
      requestTimeout: Duration.decode(input.requestTimeout ?? defaultClientConfig.requestTimeout),
      connectTimeout: Duration.decode(input.connectTimeout ?? defaultClientConfig.connectTimeout),
      maxRetryAfter: Duration.decode(input.maxRetryAfter ?? defaultClientConfig.maxRetryAfter)
    } satisfies ClientConfig
    for (const field of byteFields) {
      const value = config[field]
      if (!Number.isSafeInteger(value) || value <= 0) {
        return Effect.fail(new InvalidArgument({ description: `ClientConfig.${field} must be an integer > 0` }))
      }
    }
    for (const field of durationFields) {
      if (!Duration.greaterThan(config[field], Duration.zero)) {
        return Effect.fail(new InvalidArgument({ description: `ClientConfig.${field} must be > 0` }))
      }
    }
    return Effect.succeed(config)
  })
