/**
 * Fault injection for the reference server's HTTP front end: fail, delay or bloat the next
 * requests to an endpoint, drop push connections after a number of events, restart (close every
 * connection, keep all state), and count what was received. Every control is an Effect so tests
 * compose them like anything else.
 *
 * @since 0.1.0
 */
import { Deferred, Duration, Effect, type Scope } from "effect"

/** The server's HTTP endpoints. */
export type Endpoint = "session" | "api" | "upload" | "download" | "eventSource" | "webSocket"

/** What happens to one request. */
export type Fault =
  | { readonly _tag: "Fail"; readonly status: number; readonly retryAfterSeconds: number | undefined }
  | { readonly _tag: "Delay"; readonly delay: Duration.Duration }
  | { readonly _tag: "Oversize"; readonly bytes: number }

/** A request the server received. */
export interface ReceivedRequest {
  readonly endpoint: Endpoint
  readonly method: string
  readonly path: string
}

/** The fault-injection controls exposed on the `ChatServer` service. */
export interface FaultControls {
  /**
   * Answer the next `count` requests to `endpoint` (default `"api"`) with `status` and an RFC 7807
   * body; 429 and 503 carry `Retry-After: retryAfterSeconds` (default 1).
   */
  readonly failNext: (
    count: number,
    options: { readonly status: number; readonly retryAfterSeconds?: number; readonly endpoint?: Endpoint }
  ) => Effect.Effect<void>
  /** Hold the next `count` requests to `endpoint` (default `"api"`) for `delay` (Effect `Clock` time) before answering. */
  readonly delayNext: (
    count: number,
    delay: Duration.DurationInput,
    options?: { readonly endpoint?: Endpoint }
  ) => Effect.Effect<void>
  /** Answer the next API request with a valid but oversized JSON body of about `bytes` (default 16 MiB). */
  readonly oversizeNext: (bytes?: number) => Effect.Effect<void>
  /**
   * Drop every push connection (EventSource and WebSocket, current and future) once it has carried
   * `events` events (pings not counted): SSE responses end, WebSocket TCP connections are cut
   * without a close frame. `undefined` turns this off.
   */
  readonly dropPushAfter: (events: number | undefined) => Effect.Effect<void>
  /** Close every open connection — push streams (WebSocket close 1012) and idle HTTP — keeping all state. */
  readonly restart: Effect.Effect<void>
  /** Requests received so far, to one endpoint or to all. */
  readonly requestCount: (endpoint?: Endpoint) => Effect.Effect<number>
  /** Every request received so far, oldest first. */
  readonly requests: Effect.Effect<ReadonlyArray<ReceivedRequest>>
  /** Forget every pending fault and the request log. */
  readonly reset: Effect.Effect<void>
}

/** The mutable fault state behind {@link FaultControls}, consulted by the HTTP handlers. */
export class FaultState {
  private pending: Array<{ readonly endpoint: Endpoint; readonly fault: Fault }> = []
  private received: Array<ReceivedRequest> = []
  /** Push connections are dropped after this many events. */
  dropAfter: number | undefined = undefined
  private readonly connections = new Set<Deferred.Deferred<void>>()

  constructor(private readonly closeIdleHttp: () => void) {}

  /** Records a request and takes the fault (if any) queued for its endpoint. */
  receive(request: ReceivedRequest): Fault | undefined {
    this.received.push(request)
    const index = this.pending.findIndex((p) => p.endpoint === request.endpoint)
    if (index < 0) return undefined
    return this.pending.splice(index, 1)[0]!.fault
  }

  /** Registers a push connection; restart completes the returned signal. */
  register(): Effect.Effect<Deferred.Deferred<void>, never, Scope.Scope> {
    return Effect.acquireRelease(
      Effect.tap(Deferred.make<void>(), (signal) => Effect.sync(() => this.connections.add(signal))),
      (signal) => Effect.sync(() => this.connections.delete(signal))
    )
  }

  /** The controls. */
  readonly controls: FaultControls = {
    failNext: (count, { endpoint = "api", retryAfterSeconds, status }) =>
      Effect.sync(() => {
        const retry = status === 429 || status === 503 ? retryAfterSeconds ?? 1 : retryAfterSeconds
        for (let i = 0; i < count; i++) {
          this.pending.push({ endpoint, fault: { _tag: "Fail", status, retryAfterSeconds: retry } })
        }
      }),
    delayNext: (count, delay, options) =>
      Effect.sync(() => {
        for (let i = 0; i < count; i++) {
          this.pending.push({
            endpoint: options?.endpoint ?? "api",
            fault: { _tag: "Delay", delay: Duration.decode(delay) }
          })
        }
      }),
    oversizeNext: (bytes = 16 * 1024 * 1024) =>
      Effect.sync(() => {
        this.pending.push({ endpoint: "api", fault: { _tag: "Oversize", bytes } })
      }),
    dropPushAfter: (events) =>
      Effect.sync(() => {
        this.dropAfter = events
      }),
    restart: Effect.suspend(() => {
      const signals = Array.from(this.connections)
      this.connections.clear()
      return Effect.forEach(signals, (signal) => Deferred.succeed(signal, undefined), { discard: true }).pipe(
        Effect.zipRight(Effect.sync(() => this.closeIdleHttp()))
      )
    }),
    requestCount: (endpoint) =>
      Effect.sync(() =>
        endpoint === undefined ? this.received.length : this.received.filter((r) => r.endpoint === endpoint).length
      ),
    requests: Effect.sync(() => [...this.received]),
    reset: Effect.sync(() => {
      this.pending = []
      this.received = []
      this.dropAfter = undefined
    })
  }
}
