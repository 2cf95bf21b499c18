/**
 * `SessionService`: the current RFC 8620 §2 Session, fetched lazily once and shared by concurrent
 * callers, refreshed in the background when an API response carries a different `sessionState`
 * (§3.4; the known Session stays in use until a refresh succeeds) and dropped on a 401; plus the
 * calls that need it: API requests within the server's limits, blob transfer through the
 * session's URL templates, and capability look-ups.
 *
 * @since 0.1.0
 */
import {
  Context,
  Effect,
  Either,
  Layer,
  Option,
  Schedule,
  type Schema,
  type Scope,
  Stream,
  SubscriptionRef
} from "effect"
import * as Batching from "./Batching.js"
import { InvalidArgument, InvalidSession, type ParseError } from "./Errors.js"
import * as HttpTransport from "./HttpTransport.js"
import { decodeValue } from "./internal/json.js"
import { resolveWebSocketUrl } from "./internal/webSocketUrl.js"
import * as Limits from "./Limits.js"
import type { Id } from "./Primitives.js"
import { type BlobUploadResponse, type Session, WebSocketCapability, WebSocketCapabilityUri } from "./Session.js"
import { expandTemplate } from "./UriTemplate.js"
import type { JmapRequest, JmapResponse } from "./Wire.js"

/** Errors of obtaining the Session. */
export type SessionError = HttpTransport.FetchSessionError

/** Errors of {@link Service.call}. */
export type CallError = HttpTransport.CallError | SessionError

/** @see {@link Limits.CoreLimits} */
export type CoreLimits = Limits.CoreLimits

/** Variables of the `eventSourceUrl` template (RFC 8620 §7.3). */
export interface EventSourceParams {
  /** Comma-separated type names, or `*`. Default `*`. */
  readonly types?: string
  /** `state` or `no`. Default `no`. */
  readonly closeafter?: "state" | "no"
  /** Ping interval in seconds; 0 disables pings. Default 0. */
  readonly ping?: number
}

/** The operations of a `SessionService`. Every method has `R = never`. */
export interface Service {
  readonly transport: HttpTransport.Service
  /** The current Session (fetched on first use, then cached; concurrent callers share one fetch). */
  readonly get: Effect.Effect<Session, SessionError>
  /** Fetches the Session again now. */
  readonly refresh: Effect.Effect<Session, SessionError>
  /** Forgets the cached Session; the next `get` fetches it. */
  readonly invalidate: Effect.Effect<void>
  /** Every Session this service obtains, starting with the current one if any. */
  readonly changes: Stream.Stream<Session>
  /** The URL the Session was served from (after redirects): the base for relative URLs. */
  readonly sessionUrl: Effect.Effect<string, SessionError>
  /** The limits of the core capability (absent limits are not enforced). */
  readonly limits: Effect.Effect<CoreLimits, SessionError>
  /**
   * POSTs `request` to the Session's `apiUrl`, after checking it against the server's limits
   * (`maxCallsInRequest`, `maxObjectsInGet`, `maxObjectsInSet`, and `maxSizeRequest` on the
   * serialised bytes of each HTTP request actually sent: `InvalidArgument` before any I/O), and
   * within `maxConcurrentRequests`. Concurrent reads may share an HTTP request (see `Batching`).
   */
  readonly call: (request: JmapRequest, options?: HttpTransport.CallOptions) => Effect.Effect<JmapResponse, CallError>
  /** `primaryAccounts[capability]`; missing → `InvalidSession`. */
  readonly primaryAccountId: (capability: string) => Effect.Effect<Id, SessionError | InvalidSession>
  /** The session-level capability object `uri`, decoded with `schema`; `None` when not advertised. */
  readonly capability: <A, I>(
    uri: string,
    schema: Schema.Schema<A, I, never>
  ) => Effect.Effect<Option.Option<A>, SessionError | ParseError>
  /** The account-level capability object `uri` of `accountId`; `None` when absent. */
  readonly accountCapability: <A, I>(
    accountId: string,
    uri: string,
    schema: Schema.Schema<A, I, never>
  ) => Effect.Effect<Option.Option<A>, SessionError | ParseError>
  /**
   * The RFC 8887 §4 WebSocket capability with its `url` resolved against the session URL as an
   * absolute `ws:`/`wss:` URL (host-less values such as `wss:/jmap/ws/` take the session URL's
   * host and port); an unusable `url` is an `InvalidSession`, before any connection attempt.
   */
  readonly webSocketCapability: Effect.Effect<
    Option.Option<WebSocketCapability>,
    SessionError | ParseError | InvalidSession
  >
  /** Uploads a blob through the Session's `uploadUrl`, within `maxSizeUpload` and `maxConcurrentUpload`. */
  readonly upload: <E = never>(
    options: Omit<HttpTransport.UploadOptions<E>, "uploadUrl">
  ) => Effect.Effect<BlobUploadResponse, HttpTransport.UploadError | SessionError | E>
  /** Downloads a blob through the Session's `downloadUrl`. */
  readonly download: (
    options: Omit<HttpTransport.DownloadOptions, "downloadUrl">
  ) => Effect.Effect<Uint8Array, HttpTransport.DownloadError | SessionError>
  /** Streams a blob through the Session's `downloadUrl` without buffering it. */
  readonly downloadStream: (
    options: Omit<HttpTransport.DownloadStreamOptions, "downloadUrl">
  ) => Stream.Stream<Uint8Array, HttpTransport.DownloadError | SessionError>
  /** The expanded `eventSourceUrl`. */
  readonly eventSourceUrl: (params?: EventSourceParams) => Effect.Effect<string, SessionError | InvalidSession>
}

/** The `SessionService` tag. */
export class SessionService extends Context.Tag("effect-jmap-chat/SessionService")<SessionService, Service>() {}

interface Cached {
  readonly session: Session
  readonly url: string
  readonly limits: CoreLimits
  /**
   * A `sessionState` seen in an API response that differs from `session.state` (RFC 8620 §3.4),
   * once a refresh has been started for it: the Session is known to be stale, but stays in use.
   */
  readonly outdatedBy: string | undefined
  /** The capability URIs the Session advertises. */
  readonly capabilities: ReadonlySet<string>
}

/** @see {@link Limits.checkLimits} */
export const checkLimits = Limits.checkLimits

/** Options of {@link makeWith}. */
export interface Options {
  /**
   * Batch concurrent read-only requests into one HTTP request, and concurrent `Foo/get`s into one
   * call (see `Batching`). On by default; `false` turns it off.
   */
  readonly batching?: false | Batching.BatchingOptions
  /**
   * Retries of the background refresh started when a response's `sessionState` differs from the
   * Session's `state` (RFC 8620 §3.4). Until a refresh succeeds, the known Session stays in use
   * (stale-while-revalidate); when the schedule gives up, a warning is logged and the next new
   * `sessionState` starts another refresh. Default {@link defaultRefreshSchedule}.
   */
  readonly refreshSchedule?: Schedule.Schedule<unknown, SessionError>
}

/** The default {@link Options.refreshSchedule}: 4 retries, exponential from 1 s, jittered (about 15 s in all). */
export const defaultRefreshSchedule: Schedule.Schedule<unknown, unknown> = Schedule.exponential("1 second").pipe(
  Schedule.jittered,
  Schedule.intersect(Schedule.recurs(4))
)

/** Builds the service on an `HttpTransport`. Needs a scope for background session refreshes. */
export const makeWith = (
  options: Options = {}
): Effect.Effect<Service, never, HttpTransport.HttpTransport | Scope.Scope> =>
  Effect.gen(function*() {
    const transport = yield* HttpTransport.HttpTransport
    const scope = yield* Effect.scope
    const cache = yield* SubscriptionRef.make(Option.none<Cached>())
    const lock = yield* Effect.makeSemaphore(1)
    let requestPermits: Effect.Semaphore | undefined
    let uploadPermits: Effect.Semaphore | undefined

    const fetch = Effect.gen(function*() {
      const fetched = yield* transport.fetchSession
      const session = fetched.session
      const limits = Limits.coreLimits(session)
      requestPermits ??= yield* Effect.makeSemaphore(limits.maxConcurrentRequests ?? Number.MAX_SAFE_INTEGER)
      uploadPermits ??= yield* Effect.makeSemaphore(limits.maxConcurrentUpload ?? Number.MAX_SAFE_INTEGER)
      const cached: Cached = {
        session,
        url: fetched.url,
        limits,
        capabilities: new Set(Object.keys(session.capabilities)),
        outdatedBy: undefined
      }
      yield* SubscriptionRef.set(cache, Option.some(cached))
      return cached
    })

    // The cached Session, even a stale one (a background refresh is under way); fetched when none.
    const current: Effect.Effect<Cached, SessionError> = Effect.flatMap(
      SubscriptionRef.get(cache),
      (cached) =>
        Option.isSome(cached) ? Effect.succeed(cached.value) : lock.withPermits(1)(
          Effect.flatMap(SubscriptionRef.get(cache), (again) =>
            Option.isSome(again) ? Effect.succeed(again.value) : fetch)
        )
    )

    const get = Effect.map(current, (c) =>
      c.session).pipe(
        Effect.withSpan("SessionService.get", { captureStackTrace: false })
      )

    const refreshSchedule = options.refreshSchedule ?? defaultRefreshSchedule
    let refreshing = false

    // Refreshes the Session in the background, one refresh at a time, retried by `refreshSchedule`;
    // on failure the known Session stays in use.
    const refreshInBackground = Effect.suspend(() => {
      if (refreshing) return Effect.void
      refreshing = true
      return fetch.pipe(
        Effect.retry(refreshSchedule),
        Effect.catchAll((error) =>
          Effect.logWarning(`the Session could not be refreshed; the known Session stays in use: ${error.message}`)
        ),
        Effect.ensuring(Effect.sync(() => {
          refreshing = false
        })),
        Effect.withSpan("SessionService.revalidate", { captureStackTrace: false }),
        Effect.forkIn(scope),
        Effect.asVoid
      )
    })

    // RFC 8620 §3.4: a response's `sessionState` differs from the Session's `state`. One refresh per
    // new value: a server whose responses never match its Session is not asked again and again.
    const revalidate = (seen: string) =>
      Effect.flatMap(
        SubscriptionRef.modify(cache, (cached) =>
          Option.isSome(cached) && cached.value.session.state !== seen && cached.value.outdatedBy !== seen
            ? [true, Option.some({ ...cached.value, outdatedBy: seen })]
            : [false, cached]),
        (changed) => (changed ? refreshInBackground : Effect.void)
      )

    const send = (request: JmapRequest, callOptions?: HttpTransport.CallOptions) =>
      Effect.gen(function*() {
        const cached = yield* current
        yield* checkLimits(request, cached.limits)
        const response = yield* requestPermits!.withPermits(1)(
          transport.call(cached.session.apiUrl, request, callOptions)
        ).pipe(
          Effect.tapErrorTag("AuthFailed", () => SubscriptionRef.set(cache, Option.none()))
        )
        if (response.sessionState !== cached.session.state) yield* revalidate(response.sessionState)
        return response
      })

    const batched = options.batching === false
      ? undefined
      : yield* Batching.make(
        (request: JmapRequest) => send(request),
        Effect.map(current, (c) => ({ limits: c.limits, capabilities: c.capabilities })),
        options.batching
      )

    const call: Service["call"] = (request, callOptions) =>
      (batched === undefined || callOptions !== undefined ? send(request, callOptions) : batched(request)).pipe(
        Effect.withSpan("SessionService.call", {
          captureStackTrace: false,
          attributes: { "jmap.methods": request.methodCalls.map(([name]) => name).join(",") }
        })
      )

    // Read on every client call: the cached Session, without a span of its own.
    const primaryAccountId: Service["primaryAccountId"] = (capability) =>
      Effect.flatMap(current, ({ session }) => {
        const id = session.primaryAccounts[capability]
        return id === undefined
          ? Effect.fail(new InvalidSession({ description: `no primary account for ${capability}` }))
          : Effect.succeed(id)
      })

    const decodeOptional = <A, I>(value: unknown, schema: Schema.Schema<A, I, never>, subject: string) =>
      value === undefined ? Effect.succeedNone : Effect.map(decodeValue(schema, value, subject), Option.some)

    const capability: Service["capability"] = (uri, schema) =>
      Effect.flatMap(get, (session) => decodeOptional(session.capabilities[uri], schema, `capability ${uri}`))

    const accountCapability: Service["accountCapability"] = (accountId, uri, schema) =>
      Effect.flatMap(get, (session) =>
        decodeOptional(session.accounts[accountId]?.accountCapabilities[uri], schema, `account capability ${uri}`))

    const webSocketCapability: Service["webSocketCapability"] = Effect.gen(function*() {
      const cached = yield* current
      const cap = yield* decodeOptional(
        cached.session.capabilities[WebSocketCapabilityUri],
        WebSocketCapability,
        `capability ${WebSocketCapabilityUri}`
      )
      if (Option.isNone(cap)) {
        return cap
      }
      const url = resolveWebSocketUrl(cap.value.url, cached.url)
      if (Either.isLeft(url)) {
        return yield* new InvalidSession({ description: `WebSocket capability url: ${url.left}` })
      }
      return Option.some({ ...cap.value, url: url.right })
    })

    const upload: Service["upload"] = (options) =>
      Effect.gen(function*() {
        const cached = yield* current
        const max = cached.limits.maxSizeUpload
        if (max !== undefined && options.body instanceof Uint8Array && options.body.length > max) {
          return yield* new InvalidArgument({
            description: `blob of ${options.body.length} bytes exceeds the server's maxSizeUpload of ${max}`
          })
        }
        return yield* uploadPermits!.withPermits(1)(
          transport.upload({ ...options, uploadUrl: cached.session.uploadUrl })
        )
      })

    const download: Service["download"] = (options) =>
      Effect.flatMap(current, (cached) =>
        transport.download({ ...options, downloadUrl: cached.session.downloadUrl }))

    const downloadStream: Service["downloadStream"] = (options) =>
      Stream.unwrap(
        Effect.map(
          current,
          (cached) =>
            transport.downloadStream({ ...options, downloadUrl: cached.session.downloadUrl })
        )
      )

    const eventSourceUrl: Service["eventSourceUrl"] = (params = {}) =>
      Effect.flatMap(get, (session) =>
        expandTemplate(session.eventSourceUrl, {
          types: params.types ?? "*",
          closeafter: params.closeafter ?? "no",
          ping: String(params.ping ?? 0)
        }))

    return SessionService.of({
      transport,
      get,
      refresh: lock.withPermits(1)(fetch).pipe(Effect.map((c) =>
        c.session
      )),
      invalidate: SubscriptionRef.set(cache, Option.none()),
      changes: cache.changes.pipe(Stream.filterMap(Option.map((c) => c.session)), Stream.changes),
      sessionUrl: Effect.map(current, (c) => c.url),
      limits: Effect.map(current, (c) => c.limits),
      call,
      primaryAccountId,
      capability,
      accountCapability,
      webSocketCapability,
      upload,
      download,
      downloadStream,
      eventSourceUrl
    })
  })

/** The service with default options (batching on). */
export const make: Effect.Effect<Service, never, HttpTransport.HttpTransport | Scope.Scope> = makeWith()

/** The `SessionService` layer with default options; needs `HttpTransport`. */
export const layer: Layer.Layer<SessionService, never, HttpTransport.HttpTransport> = Layer.scoped(SessionService, make)

/** The `SessionService` layer with options, e.g. `layerWith({ batching: false })`. */
export const layerWith = (options: Options): Layer.Layer<SessionService, never, HttpTransport.HttpTransport> =>
  Layer.scoped(SessionService, makeWith(options))

/** Decodes a capability object (or anything JSON) with `schema`; exported for callers holding a raw Session. */
export const decodeCapability = <A, I>(
  value: unknown,
  schema: Schema.Schema<A, I, never>,
  subject: string
): Either.Either<A, ParseError> => decodeValue(schema, value, subject)
