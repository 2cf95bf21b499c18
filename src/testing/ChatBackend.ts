/**
 * The socket-less core of the reference JMAP Chat server: users and their mailboxes, the RFC 8620
 * request engine with every JMAP Chat method, blobs, and the push fan-out. `ChatServer` puts HTTP,
 * EventSource and WebSocket in front of it; an in-memory client can call {@link ChatBackend.Service.dispatch}
 * directly.
 *
 * All processing is serialised: each request (or upload) sees and leaves a consistent state, and
 * the StateChanges it caused are published when it completes.
 *
 * @since 0.1.0
 */
import { Clock, Context, Effect, Layer, Option, type Scope, Stream } from "effect"
import { createHash } from "node:crypto"
import { processRequest } from "./Dispatcher.js"
import { reaches } from "./Ephemeral.js"
import { sweep } from "./Expiry.js"
import type { JsonRecord, JsonValue } from "./Json.js"
import type { MethodContext } from "./MethodContext.js"
import { dataTypes, methods } from "./Methods.js"
import { readableBlob } from "./methods/Blob.js"
import { RequestProblem } from "./ProtocolErrors.js"
import { recordPushes } from "./PushDelivery.js"
import { type PushEvent, PushHub, type StateChangeEvent } from "./PushHub.js"
import {
  type ChatServerOptions,
  defaultLimits,
  defaultUsers,
  type ServerLimits,
  type UserOptions
} from "./ServerConfig.js"
import { capabilityUris, sessionFor, type SessionUrls } from "./Session.js"
import { quotaIds } from "./types/Quota.js"
import { type Account, type BlobState, type PushDelivery, type TypeName, typeNames, type User, World } from "./World.js"

/** The public facts about a provisioned user. */
export interface UserInfo {
  readonly name: string
  readonly userId: string
  readonly accountId: string
  readonly login: string
  readonly displayName: string
  readonly token: string
  readonly password: string | undefined
}

const capabilities: ReadonlySet<string> = new Set(capabilityUris)

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1)

const provision = (options: UserOptions): User => ({
  name: options.name,
  userId: options.userId ?? `user:${options.name}@example.com`,
  login: options.login ?? `${options.name}@example.com`,
  displayName: options.displayName ?? capitalise(options.name),
  accountId: options.accountId ?? `A-${options.name}`,
  token: options.token ?? `${options.name}-token`,
  password: options.password === null ? undefined : options.password ?? `${options.name}-password`,
  endpoints: (options.endpoints ?? []).map((e) => ({ ...e })),
  presence: {
    id: `presence-${options.name}`,
    presence: "online",
    statusText: undefined,
    statusEmoji: undefined,
    expiresAt: undefined,
    receiptSharing: true,
    updatedAt: 0,
    lastActiveAt: 0
  }
})

const newAccount = (user: User): Account => ({
  user,
  contacts: new Map(),
  chats: new Map(),
  readPositions: new Map(),
  messages: new Map(),
  messageIds: new Map(),
  blobs: new Map(),
  pushSubscriptions: new Map(),
  lastSentAt: new Map(),
  historyFloor: new Map(),
  stores: new Map()
})

const info = (user: User): UserInfo => ({
  name: user.name,
  userId: user.userId,
  accountId: user.accountId,
  login: user.login,
  displayName: user.displayName,
  token: user.token,
  password: user.password
})

/** The `ChatBackend` service: the reference server without sockets. */
export class ChatBackend extends Context.Tag("effect-jmap-chat/testing/ChatBackend")<
  ChatBackend,
  ChatBackend.Service
>() {}

/** @since 0.1.0 */
export declare namespace ChatBackend {
  /** The service interface. */
  export interface Service {
    /** The provisioned users, in configuration order. */
    readonly users: ReadonlyArray<UserInfo>
    /** The limits in force. */
    readonly limits: ServerLimits
    /** The canonical state (read it in tests; mutate it only through requests). */
    readonly world: World
    /** A provisioned user by short name (e.g. `"alice"`). */
    readonly user: (name: string) => UserInfo
    /** The user an `Authorization` header value (Bearer token, or Basic for users with a password) names. */
    readonly authenticate: (authorization: string | undefined) => Option.Option<UserInfo>
    /** The user owning a bearer token (e.g. from `?access_token=`). */
    readonly userByToken: (token: string) => Option.Option<UserInfo>
    /** The Session object (RFC 8620 §2) for a user. */
    readonly session: (user: UserInfo) => Effect.Effect<JsonRecord>
    /** Processes a parsed JSON body as an RFC 8620 Request for a user. */
    readonly handle: (user: UserInfo, body: unknown) => Effect.Effect<JsonRecord, RequestProblem>
    /**
     * Socket-less entry point: processes `request` (a parsed JSON value or a JSON string) for the
     * user owning the bearer `token`. Fails with a 401 problem for an unknown token.
     */
    readonly dispatch: (token: string, request: unknown) => Effect.Effect<JsonRecord, RequestProblem>
    /** Stores an upload (RFC 8620 §6.1) and returns the upload response (with `sha256`, jmap-cid-00). */
    readonly upload: (
      user: UserInfo,
      accountId: string,
      bytes: Uint8Array,
      type: string
    ) => Effect.Effect<JsonRecord, RequestProblem>
    /** A blob the user may read in that account (RFC 8620 §6.2). */
    readonly download: (user: UserInfo, accountId: string, blobId: string) => Effect.Effect<Option.Option<BlobState>>
    /**
     * Subscribes to a user's push events (RFC 8620 §7) for the lifetime of the scope; events
     * published from now on are kept until the stream takes them. A typing or presence event is
     * checked again as it is taken, and dropped if it may no longer reach the user (they left the
     * chat, turned typing indicators off, or block the sender: see `Ephemeral`).
     */
    readonly subscribe: (user: UserInfo) => Effect.Effect<Stream.Stream<PushEvent>, never, Scope.Scope>
    /**
     * The StateChanges after `afterId` (an SSE `Last-Event-ID` or RFC 8887 `pushState`). When those
     * are no longer all known, one StateChange carrying every current state instead. Subscribe
     * first, then catch up, and skip events already caught up: nothing is lost in between.
     */
    readonly catchUp: (user: UserInfo, afterId: string) => Effect.Effect<ReadonlyArray<StateChangeEvent>>
    /** The id of the latest push event sent to a user (0 before any). */
    readonly lastEventId: (user: UserInfo) => Effect.Effect<number>
    /** Payloads the server would have POSTed to PushSubscription URLs, oldest first. */
    readonly pushDeliveries: Effect.Effect<ReadonlyArray<PushDelivery>>
    /** Applies due expiries now (they also run before every request). */
    readonly sweep: Effect.Effect<void>
    /** Sets where the Session's URLs point (the HTTP front end calls this once it listens). */
    readonly setUrls: (urls: SessionUrls) => void
    /** Changes every user's Session `state` (as if the server's configuration changed). */
    readonly bumpSessionState: Effect.Effect<void>
  }
}

/** Builds a backend. */
export const make = (options: ChatServerOptions = {}): Effect.Effect<ChatBackend.Service> =>
  Effect.gen(function*() {
    const limits: ServerLimits = { ...defaultLimits, ...options.limits }
    const world = new World(limits)
    const users = (options.users ?? defaultUsers).map(provision)
    for (const key of ["name", "userId", "accountId", "token"] as const) {
      if (new Set(users.map((u) => u[key])).size !== users.length) {
        return yield* Effect.dieMessage(`ChatServer options: duplicate user ${key}`)
      }
    }
    const now = options.now ? Effect.sync(options.now) : Clock.currentTimeMillis
    world.now = yield* now
    for (const user of users) {
      user.presence.updatedAt = world.now
      user.presence.lastActiveAt = world.now
      const account = newAccount(user)
      world.users.set(user.userId, user)
      world.accounts.set(user.accountId, account)
      world.touch(account, "PresenceStatus", user.presence.id)
      for (const id of quotaIds) world.touch(account, "Quota", id)
    }
    const hub = yield* PushHub.make(users.map((u) => u.userId), limits.pushLogCapacity)
    const lock = yield* Effect.makeSemaphore(1)
    let urls: SessionUrls = { origin: "http://127.0.0.1", relative: options.relativeUrls ?? false }
    let generation = 0
    const byName = new Map(users.map((u) => [u.name, u]))
    const byToken = new Map(users.map((u) => [u.token, u]))
    const userOf = (user: UserInfo): User => byName.get(user.name)!
    const accountOf = (user: UserInfo): Account => world.accounts.get(user.accountId)!

    /** Re-projects touched records; collects which (account, type) states moved. */
    const commit = (moved: Map<Account, Set<TypeName>>) => () => {
      for (const [account, byType] of world.drainDirty()) {
        for (const [type, ids] of byType) {
          const def = dataTypes[type]
          const store = world.store(account, type)
          for (const id of ids) {
            if (store.put(id, def.project(world, account, id))) {
              let types = moved.get(account)
              if (types === undefined) moved.set(account, types = new Set())
              types.add(type)
            }
          }
        }
      }
    }
    commit(new Map())()

    const publish = (moved: Map<Account, Set<TypeName>>) =>
      Effect.gen(function*() {
        for (const [account, types] of moved) {
          const states: Record<string, string> = {}
          for (const type of typeNames) if (types.has(type)) states[type] = world.store(account, type).state
          yield* hub.publish(account.user.userId, {
            _tag: "StateChange",
            changed: { [account.user.accountId]: states }
          })
        }
        for (const { event, userId } of world.drainEphemeral()) yield* hub.publish(userId, event)
        recordPushes(world, moved)
      })

    /**
     * Runs `f` under the lock at the current time, then commits and publishes what changed.
     * Uninterruptible: a client hanging up never leaves a request half-applied.
     */
    const transact = <A, E>(f: (commit: () => void) => Effect.Effect<A, E>): Effect.Effect<A, E> =>
      lock.withPermits(1)(
        Effect.uninterruptible(Effect.gen(function*() {
          world.now = yield* now
          const moved = new Map<Account, Set<TypeName>>()
          sweep(world, options.presenceExpiry ?? "online")
          commit(moved)()
          const exit = yield* Effect.exit(f(commit(moved)))
          commit(moved)()
          yield* publish(moved)
          return yield* exit
        }))
      )

    const unusable = new Set(options.quirks?.unusableCapabilities ?? [])
    const usableCapabilities = new Set([...capabilities].filter((uri) => !unusable.has(uri)))

    const sessionOf = (user: UserInfo) => sessionFor(userOf(user), limits, urls, generation)

    const handle = (user: UserInfo, body: unknown): Effect.Effect<JsonRecord, RequestProblem> =>
      transact((commitNow) =>
        processRequest({
          methods,
          capabilities: usableCapabilities,
          maxCallsInRequest: options.quirks?.enforcedMaxCallsInRequest ?? limits.maxCallsInRequest,
          context: (createdIds): MethodContext => ({
            world,
            account: accountOf(user),
            createdIds,
            limits,
            directChatDuplicate: options.directChatDuplicate ?? "updated",
            commit: commitNow
          })
        }, body)
      ).pipe(Effect.map((response) => ({ ...response, sessionState: sessionOf(user).state as JsonValue })))

    const authenticate = (authorization: string | undefined): Option.Option<UserInfo> => {
      const [scheme, value] = (authorization ?? "").trim().split(/\s+/, 2)
      if (value === undefined) return Option.none()
      if (/^bearer$/i.test(scheme!)) return Option.fromNullable(byToken.get(value)).pipe(Option.map(info))
      if (/^basic$/i.test(scheme!)) {
        const decoded = Buffer.from(value, "base64").toString("utf8")
        const colon = decoded.indexOf(":")
        const login = decoded.slice(0, colon)
        const password = decoded.slice(colon + 1)
        const user = users.find((u) => (u.login === login || u.name === login) && u.password !== undefined)
        return colon > 0 && user !== undefined && user.password === password ? Option.some(info(user)) : Option.none()
      }
      return Option.none()
    }

    const upload = (user: UserInfo, accountId: string, bytes: Uint8Array, type: string) =>
      transact(() =>
        Effect.gen(function*() {
          if (accountId !== user.accountId) {
            return yield* new RequestProblem({
              type: "urn:ietf:params:jmap:error:accountNotFound",
              status: 404,
              detail: `no account ${accountId} for this user`
            })
          }
          if (bytes.length > limits.maxSizeUpload) {
            return yield* RequestProblem.limit(
              "maxSizeUpload",
              `the upload is ${bytes.length} bytes; maxSizeUpload is ${limits.maxSizeUpload}`
            )
          }
          const account = accountOf(user)
          const blob: BlobState = {
            id: `B${world.newId()}`,
            bytes,
            type,
            sha256: createHash("sha256").update(bytes).digest("hex"),
            createdAt: world.now
          }
          account.blobs.set(blob.id, blob)
          world.touch(account, "Quota", "messages")
          return { accountId, blobId: blob.id, type, size: bytes.length, sha256: blob.sha256 }
        })
      )

    const download = (user: UserInfo, accountId: string, blobId: string) =>
      lock.withPermits(1)(Effect.sync(() => {
        if (accountId !== user.accountId) return Option.none()
        return Option.fromNullable(readableBlob(world, accountOf(user), blobId))
      }))

    const catchUp = (user: UserInfo, afterId: string) =>
      Effect.sync((): ReadonlyArray<StateChangeEvent> => {
        const after = /^(0|[1-9][0-9]*)$/.test(afterId) ? Number(afterId) : Number.NaN
        const replay = hub.stateChangesAfter(user.userId, after)
        if (Option.isSome(replay)) return replay.value
        const account = accountOf(user)
        const states: Record<string, string> = {}
        for (const type of typeNames) states[type] = world.store(account, type).state
        return [{ _tag: "StateChange", id: hub.lastId(user.userId), changed: { [account.user.accountId]: states } }]
      })

    const service: ChatBackend.Service = {
      users: users.map(info),
      limits,
      world,
      user: (name) => {
        const user = byName.get(name)
        if (user === undefined) throw new Error(`no user named ${name}`)
        return info(user)
      },
      authenticate,
      userByToken: (token) => Option.fromNullable(byToken.get(token)).pipe(Option.map(info)),
      session: (user) => Effect.sync(() => sessionOf(user)),
      handle,
      dispatch: (token, request) =>
        Effect.gen(function*() {
          const user = byToken.get(token)
          if (user === undefined) return yield* RequestProblem.unauthorized()
          let body: unknown = request
          if (typeof request === "string") {
            try {
              body = JSON.parse(request)
            } catch {
              return yield* RequestProblem.notJSON("the request is not valid JSON")
            }
          }
          return yield* handle(info(user), body)
        }),
      upload,
      download,
      subscribe: (user) =>
        Effect.map(hub.subscribe(user.userId), (queue) =>
          Stream.fromQueue(queue).pipe(
            Stream.filterEffect((event) =>
              event._tag === "StateChange"
                ? Effect.succeed(true)
                : lock.withPermits(1)(Effect.sync(() => reaches(world, accountOf(user), event)))
            )
          )),
      catchUp,
      lastEventId: (user) => Effect.sync(() => hub.lastId(user.userId)),
      pushDeliveries: Effect.sync(() => [...world.pushOutbox]),
      sweep: transact(() => Effect.void),
      setUrls: (next) => {
        urls = next
      },
      bumpSessionState: Effect.sync(() => {
        generation += 1
      })
    }
    return service
  })

/** A layer providing {@link ChatBackend}. */
export const layer = (options: ChatServerOptions = {}): Layer.Layer<ChatBackend> =>
  Layer.effect(ChatBackend, make(options))
