/**
 * `ChatClient`: every JMAP Chat method (draft-atwood-jmap-chat-00 §Methods, its push draft, RFC 8620
 * §5 and §7.2, RFC 9425 Quota, blob2), typed end to end, for the session's chat account.
 *
 * `client.Message.get(...)` is `Message/get`: a typed input, guards before any I/O, one Request
 * with call id `"r1"`, a decoded response, and exactly the errors it can fail with. Beyond the
 * wire methods: single-object forms that return the object or fail with `SetFailed`
 * (`Message.send`, `X.createOne`, `X.updateOne`, `X.destroyOne`), `X.list` (`/query` + `/get` in
 * one round trip), `X.sync` (delta sync), and `batch` for several methods in one Request.
 *
 * The client is built from a `call` function ({@link makeWith}), so any transport can carry it;
 * {@link make} and {@link ChatClient.layer} use `SessionService`.
 *
 * @since 0.1.0
 */
import { Context, Effect, Either, Layer, Schema, type Stream } from "effect"
import * as Api from "../jmap/Api.js"
import type * as DeltaSync from "../jmap/DeltaSync.js"
import {
  InvalidArgument,
  type MethodError,
  type MethodNotFound,
  type ObjectGone,
  ParseError,
  type RateLimited,
  SetFailed,
  UnexpectedResponse
} from "../jmap/Errors.js"
import type * as HttpTransport from "../jmap/HttpTransport.js"
import { decodeValue } from "../jmap/internal/json.js"
import * as Invocation from "../jmap/Invocation.js"
import type { Id } from "../jmap/Primitives.js"
import type { BlobUploadResponse } from "../jmap/Session.js"
import { SessionService } from "../jmap/SessionService.js"
import type * as SessionServiceModule from "../jmap/SessionService.js"
import * as StandardMethods from "../jmap/StandardMethods.js"
import type { JmapRequest, JmapResponse } from "../jmap/Wire.js"
import { CapabilityUri } from "./Capabilities.js"
import { Chat } from "./Chat.js"
import { ChatContact } from "./ChatContact.js"
import type {
  Batched,
  BlobApi,
  ChatApi,
  ChatApis,
  ChatContactApi,
  CustomEmojiApi,
  Interpretation,
  MessageApi,
  PresenceStatusApi,
  PushSubscriptionApi,
  QuotaApi,
  ReadPositionApi,
  SpaceApi,
  SpaceBanApi,
  SpaceInviteApi
} from "./client/Api.js"
import {
  type ChangesInput,
  ChangesInput as ChangesInputSchema,
  type ChatContactFilter,
  type ChatCreateInput,
  type ChatFilter,
  type ChatSortProperty,
  type CustomEmojiCreateInput,
  type CustomEmojiFilter,
  type CustomEmojiSortProperty,
  type IdInput,
  IdInput as IdInputSchema,
  type MessageCreateInput,
  type MessageFilter,
  type MessageSortProperty,
  type PushSubscriptionCreateInput,
  type QueryInput,
  type SpaceBanCreateInput,
  type SpaceCreateInput,
  type SpaceFilter,
  type SpaceInviteCreateInput,
  type SpaceSortProperty,
  type UpdateInput
} from "./client/Inputs.js"
import { nonEmpty, seedName, validate } from "./client/internal/guards.js"
import { own } from "./client/internal/schema.js"
import type {
  ChatContactPatch,
  ChatPatch,
  MessagePatch,
  PresenceStatusPatch,
  PushSubscriptionPatch,
  ReadPositionPatch,
  SpacePatch
} from "./client/Patches.js"
import { PushSubscription } from "./client/PushSubscription.js"
import { DataTypes, Requests } from "./client/Requests.js"
import { type GetLike, invalidError, setFailed, type SetLike, updatedObject } from "./client/SingleObject.js"
import { CustomEmoji } from "./CustomEmoji.js"
import type { ContactSortProperty } from "./Enums.js"
import { Message } from "./Message.js"
import { PresenceStatus } from "./PresenceStatus.js"
import { Quota } from "./Quota.js"
import { ReadPosition } from "./ReadPosition.js"
import { Space } from "./Space.js"
import { SpaceBan } from "./SpaceBan.js"
import { SpaceInvite } from "./SpaceInvite.js"

/** The method call id of single-invocation requests (seed-api §2.1). */
export const CALL_ID = Invocation.CALL_ID

/** What any `ChatClient` method can fail with, given the transport's errors `E`. */
export type CallError<E> = E | InvalidArgument | MethodError | MethodNotFound | ParseError

/** The errors of the single-object forms: the object was rejected, or the answer did not say. */
export type SingleError<E> = CallError<E> | SetFailed | UnexpectedResponse

/** The errors of `updateOne`: those of the single-object forms, or `ObjectGone` (a `burnOnRead` message marked read). */
export type UpdateOneError<E> = SingleError<E> | ObjectGone

/**
 * The transport errors of the HTTP `ChatClient` (`ChatClient.layer`, `NodeChat.layer`): those of
 * an RFC 8620 Request through `SessionService` (HTTP, auth, rate limits, the Session itself).
 */
export type HttpTransportError = HttpTransport.CallError | SessionServiceModule.SessionError

/**
 * What a method of the HTTP `ChatClient` can fail with: `CallError<HttpTransportError>` under a
 * name an editor can show (the single-object forms add `SetFailed | UnexpectedResponse`,
 * `updateOne` also `ObjectGone`).
 */
export type HttpCallError =
  | HttpTransportError
  | InvalidArgument
  | MethodError
  | MethodNotFound
  | ParseError

/** The effect reading of the API: each method is an effect with a span, failing with its own errors or `C`. */
export interface Effectful<C> extends Interpretation {
  readonly Out: Effect.Effect<this["A"], this["E"] | C>
}

// The forms below take `C`, every call's errors (`CallError<E>`), and spell out what they add,
// rather than nesting generic aliases: a hover then reads `HttpCallError | SetFailed | …`.

/** `list`: `/query` then `/get` of the ids found, in one Request (RFC 8620 §3.7). */
export interface Listing<T, Filter, Sort extends string, C> {
  readonly list: (input?: QueryInput<Filter, Sort>) => Effect.Effect<StandardMethods.ListResult<T>, C>
}

/** Input of `sync`: `/changes` arguments, and whether `cannotCalculateChanges` lists everything (`DeltaSync.SyncOptions`). */
export interface SyncInput extends ChangesInput {
  readonly fullResync?: boolean
}

/** `sync`: the changes since a state, with the objects fetched (RFC 8620 §5.2; see `DeltaSync`). */
export interface Syncing<T, C> {
  readonly sync: (input: SyncInput) => Effect.Effect<DeltaSync.SyncResult<T>, C | UnexpectedResponse>
}

/** `createOne`: the created object, or `SetFailed` when the server rejected it. */
export interface CreateOne<T, I, C> {
  readonly createOne: (input: I) => Effect.Effect<T, C | SetFailed | UnexpectedResponse>
}

/**
 * `updateOne`: the object after the update (one Request: `/set` then `/get`), `SetFailed` when it
 * was rejected, or `ObjectGone` when it was applied and the object is gone (a `burnOnRead` message
 * marked read is hard-deleted at once, draft-atwood-jmap-chat-00 §Message).
 */
export interface UpdateOne<T, P, C> {
  readonly updateOne: (input: UpdateInput<P>) => Effect.Effect<T, C | SetFailed | UnexpectedResponse | ObjectGone>
}

/** `destroyOne`: succeeds when the object was destroyed, fails with `SetFailed` when it was not. */
export interface DestroyOne<C> {
  readonly destroyOne: (input: IdInput) => Effect.Effect<void, C | SetFailed | UnexpectedResponse>
}

/** Blob transfer over the session's upload and download URLs (RFC 8620 §6), for the chat account. */
export interface BlobTransfer<E> {
  readonly upload: <EB = never>(input: {
    readonly contentType: string
    readonly body: Uint8Array | Stream.Stream<Uint8Array, EB>
  }) => Effect.Effect<BlobUploadResponse, E | HttpTransport.UploadError | EB>
  readonly download: (
    input: Omit<HttpTransport.DownloadOptions, "downloadUrl" | "accountId">
  ) => Effect.Effect<Uint8Array, E | HttpTransport.DownloadError>
}

/**
 * The operations of a `ChatClient` whose transport fails with `E`; `C` is what every method call
 * can fail with (`CallError<E>`; `HttpCallError` for the `ChatClient` tag). Every method has `R = never`.
 */
export interface Service<out E = SessionServiceModule.CallError, out C = CallError<E>> {
  readonly Chat:
    & ChatApi<Effectful<C>>
    & Listing<Chat, ChatFilter, ChatSortProperty, C>
    & Syncing<Chat, C>
    & CreateOne<Chat, ChatCreateInput, C>
    & UpdateOne<Chat, ChatPatch, C>
    & DestroyOne<C>
  readonly Message:
    & MessageApi<Effectful<C>>
    & Listing<Message, MessageFilter, MessageSortProperty, C>
    & Syncing<Message, C>
    & UpdateOne<Message, MessagePatch, C>
    & DestroyOne<C>
    & {
      /** Sends a message and returns it as stored, or fails with `SetFailed` / `RateLimited`. */
      readonly send: (
        input: MessageCreateInput
      ) => Effect.Effect<Message, C | SetFailed | UnexpectedResponse | RateLimited>
    }
  readonly Space:
    & SpaceApi<Effectful<C>>
    & Listing<Space, SpaceFilter, SpaceSortProperty, C>
    & Syncing<Space, C>
    & CreateOne<Space, SpaceCreateInput, C>
    & UpdateOne<Space, SpacePatch, C>
    & DestroyOne<C>
  readonly SpaceInvite:
    & SpaceInviteApi<Effectful<C>>
    & Syncing<SpaceInvite, C>
    & CreateOne<SpaceInvite, SpaceInviteCreateInput, C>
    & DestroyOne<C>
  readonly SpaceBan:
    & SpaceBanApi<Effectful<C>>
    & Syncing<SpaceBan, C>
    & CreateOne<SpaceBan, SpaceBanCreateInput, C>
    & DestroyOne<C>
  readonly ChatContact:
    & ChatContactApi<Effectful<C>>
    & Listing<ChatContact, ChatContactFilter, ContactSortProperty, C>
    & Syncing<ChatContact, C>
    & UpdateOne<ChatContact, ChatContactPatch, C>
  readonly CustomEmoji:
    & CustomEmojiApi<Effectful<C>>
    & Listing<CustomEmoji, CustomEmojiFilter, CustomEmojiSortProperty, C>
    & Syncing<CustomEmoji, C>
    & CreateOne<CustomEmoji, CustomEmojiCreateInput, C>
    & DestroyOne<C>
  readonly ReadPosition:
    & ReadPositionApi<Effectful<C>>
    & Syncing<ReadPosition, C>
    & UpdateOne<ReadPosition, ReadPositionPatch, C>
  readonly PresenceStatus:
    & PresenceStatusApi<Effectful<C>>
    & Syncing<PresenceStatus, C>
    & UpdateOne<PresenceStatus, PresenceStatusPatch, C>
  readonly PushSubscription:
    & PushSubscriptionApi<Effectful<C>>
    & CreateOne<PushSubscription, PushSubscriptionCreateInput, C>
    & UpdateOne<PushSubscription, PushSubscriptionPatch, C>
    & DestroyOne<C>
  readonly Quota: QuotaApi<Effectful<C>> & Syncing<Quota, C>
  readonly Blob: BlobApi<Effectful<C>> & BlobTransfer<E>
  /**
   * Several methods in one Request: `f` adds calls with the same typed builders (`b.Message.query(…)`,
   * `b.Message.get({ ids: q.ref("/ids") })`) and returns them in a record or tuple; the result holds
   * each call's own success or failure, so one failed method does not discard the others.
   */
  readonly batch: <R>(f: (b: ChatApis<Batched>) => R) => Effect.Effect<Invocation.Results<R>, E | InvalidArgument>
  /** The account every account-scoped method acts on. */
  readonly accountId: Effect.Effect<Id, E>
}

/** Options of {@link makeWith}: the transport, and the chat account. */
export interface MakeOptions<E> {
  /** Sends one RFC 8620 Request (over HTTP, an RFC 8887 WebSocket, …). */
  readonly call: (request: JmapRequest) => Effect.Effect<JmapResponse, E>
  /** The chat account: an id, or an effect that finds it (evaluated per call). */
  readonly accountId: Id | Effect.Effect<Id, E>
  /** RFC 8620 §6.1 upload; without it `Blob.upload` fails with `InvalidArgument`. */
  readonly upload?: <EB = never>(
    options: Omit<HttpTransport.UploadOptions<EB>, "uploadUrl">
  ) => Effect.Effect<BlobUploadResponse, E | HttpTransport.UploadError | EB>
  /** RFC 8620 §6.2 download; without it `Blob.download` fails with `InvalidArgument`. */
  readonly download?: (
    options: Omit<HttpTransport.DownloadOptions, "downloadUrl">
  ) => Effect.Effect<Uint8Array, E | HttpTransport.DownloadError>
}

type Namespace = keyof ChatApis<Batched>

/** The request table, as the generic readers of `src/jmap/Api.ts` take it. */
const table = Requests as unknown as Api.Table

/** `Requests[ns][name](input)`, read as producing `A`. */
const prepare = <A = unknown>(ns: Namespace, name: string, input?: unknown) =>
  table[ns]![name]!(input) as Either.Either<Invocation.Invocation<A, unknown>, InvalidArgument>

type Listed = GetLike<{ readonly id: string }>

/** What the single-object forms know about a created object of each type. */
interface ObjectSpec {
  readonly item: Schema.Schema<any, any, never>
  /** Properties a new object is known to have when the server does not echo them. */
  readonly defaults?: Readonly<Record<string, unknown>>
  /** Creation-only arguments that are not properties of the object. */
  readonly omit?: ReadonlyArray<string>
}

const objects = {
  Chat: { item: Chat, defaults: { unreadCount: 0, pinnedMessageIds: [], muted: false }, omit: ["memberIds"] },
  Message: { item: Message, defaults: { senderId: "self", attachments: [], mentions: [], actions: [], reactions: {} } },
  Space: { item: Space },
  SpaceInvite: { item: SpaceInvite, defaults: { uses: 0 } },
  SpaceBan: { item: SpaceBan },
  ChatContact: { item: ChatContact },
  CustomEmoji: { item: CustomEmoji },
  ReadPosition: { item: ReadPosition },
  PresenceStatus: { item: PresenceStatus },
  PushSubscription: { item: PushSubscription }
} satisfies Record<string, ObjectSpec>

type ObjectType = keyof typeof objects
type Extra = "list" | "sync" | "createOne" | "send" | "updateOne" | "destroyOne"

/** Which client-side forms each type gets, beside its wire methods. */
const extras: { readonly [K in Namespace]: ReadonlyArray<Extra> } = {
  Chat: ["list", "sync", "createOne", "updateOne", "destroyOne"],
  Message: ["list", "sync", "send", "updateOne", "destroyOne"],
  Space: ["list", "sync", "createOne", "updateOne", "destroyOne"],
  SpaceInvite: ["sync", "createOne", "destroyOne"],
  SpaceBan: ["sync", "createOne", "destroyOne"],
  ChatContact: ["list", "sync", "updateOne"],
  CustomEmoji: ["list", "sync", "createOne", "destroyOne"],
  ReadPosition: ["sync", "updateOne"],
  PresenceStatus: ["sync", "updateOne"],
  PushSubscription: ["createOne", "updateOne", "destroyOne"],
  Quota: ["sync"],
  Blob: []
}

const onlyKey = (o: unknown): string | undefined => {
  const keys = typeof o === "object" && o !== null ? Object.keys(o) : []
  return keys.length === 1 ? keys[0] : undefined
}

/**
 * A `ChatClient` over any transport: `call` sends a Request, `accountId` names the chat account.
 * Use it to run the client over an RFC 8887 WebSocket or against a test double.
 */
export const makeWith = <E>(options: MakeOptions<E>): Service<E> => {
  const accountId: Effect.Effect<Id, E> = typeof options.accountId === "string"
    ? Effect.succeed(options.accountId)
    : options.accountId
  const executor: Invocation.Executor<E> = { call: options.call, accountId }
  // No call-site stack trace on spans: capturing one cost about 40 µs per call.
  const spanOptions = { captureStackTrace: false } as const
  const span = (name: string) => `ChatClient.${name}`

  const run = <A>(prepared: Either.Either<Invocation.Invocation<A, unknown>, InvalidArgument>) =>
    Invocation.run(executor, prepared) as Effect.Effect<A, CallError<E>>

  const apis = Api.effectful(executor, table, "ChatClient") as unknown as ChatApis<Effectful<CallError<E>>>

  const fetchOne = (ns: ObjectType, id: string) =>
    Effect.flatMap(
      run(prepare<Listed>(ns, "get", { ids: [id] })),
      (got): Effect.Effect<Listed["list"][number], ParseError | UnexpectedResponse> => {
        const found = got.list.find((item) => item.id === id)
        if (found !== undefined) return Effect.succeed(found)
        const illFormed = invalidError(got, id)
        return illFormed !== undefined
          ? Effect.fail(illFormed)
          : Effect.fail(new UnexpectedResponse({ description: `${ns}/get did not return ${id}` }))
      }
    )

  const createOne = (ns: ObjectType) => (input: unknown) =>
    Effect.gen(function*() {
      const invocation = yield* prepare(ns, "create", input)
      const creations = invocation.arguments["create"] as Record<string, Record<string, unknown>>
      const creationId = Object.keys(creations)[0]!
      const response = (yield* run(Either.right(invocation))) as SetLike
      const spec: ObjectSpec = objects[ns]
      const created = own(response.created, creationId)
      if (created !== undefined) {
        const sent = { ...creations[creationId] }
        for (const key of spec.omit ?? []) delete sent[key]
        // `created` is decoded (a secret is `Redacted`): back to its wire form, to be decoded with the rest.
        const wire = ns in DataTypes
          ? Either.getOrElse(
            Schema.encodeUnknownEither(
              (DataTypes[ns as keyof typeof DataTypes] as StandardMethods.DataType<any>).partial
            )(created),
            () => created
          )
          : created
        const merged = { ...spec.defaults, ...sent, ...(wire as object) }
        const decoded = decodeValue(spec.item, merged, `${ns} created by ${invocation.method}`)
        if (Either.isRight(decoded)) return decoded.right
        const id = (created as { readonly id?: unknown }).id
        if (typeof id !== "string") return yield* decoded.left
        return yield* fetchOne(ns, id)
      }
      // Created, but answered with properties that do not fit the type: the server's answer is lost.
      const illFormed = invalidError(response, creationId)
      if (illFormed !== undefined) return yield* illFormed
      const rejected = own(response.notCreated, creationId)
      if (ns === "Chat" && creations[creationId]!["kind"] === "direct") {
        // A direct chat with this contact already exists: the draft returns it in `updated`,
        // compliance test 2.4 as `alreadyExists` with `existingId`.
        const existing = rejected?.type === "alreadyExists" && typeof rejected.existingId === "string"
          ? rejected.existingId
          : rejected === undefined
          ? onlyKey(response.updated)
          : undefined
        if (existing !== undefined) return yield* fetchOne(ns, existing)
      }
      if (rejected !== undefined) return yield* setFailed("create", creationId, invocation.method, rejected)
      return yield* new UnexpectedResponse({
        description: `${invocation.method} reported neither created nor notCreated for ${creationId}`
      })
    }).pipe(Effect.withSpan(span(`${ns}.${ns === "Message" ? "send" : "createOne"}`), spanOptions))

  const updateOne = (ns: ObjectType) => (input: unknown) =>
    Effect.gen(function*() {
      const update = yield* prepare<SetLike>(ns, "update", input)
      const id = Object.keys(update.arguments["update"] as object)[0]!
      const { fetched, set } = yield* Invocation.batch(executor, (b) => ({
        set: b.add(Either.right(update)),
        fetched: b.add(prepare<Listed>(ns, "get", { ids: [id] }))
      }))
      return yield* updatedObject(update.method, id, yield* set, fetched)
    }).pipe(Effect.withSpan(span(`${ns}.updateOne`), spanOptions))

  const destroyOne = (ns: ObjectType) => (input: unknown) =>
    Effect.gen(function*() {
      const where = seedName(ns, "destroy")
      const { id } = yield* validate(where, IdInputSchema, input, (i) => nonEmpty(where, "id", i.id))
      const response = yield* run(prepare<SetLike>(ns, "destroy", { ids: [id] }))
      const rejected = own(response.notDestroyed, id)
      if (rejected !== undefined) return yield* setFailed("destroy", id, `${ns}/set`, rejected)
      if (!(response.destroyed ?? []).includes(id)) {
        return yield* new UnexpectedResponse({
          description: `${ns}/set reported neither destroyed nor notDestroyed for ${id}`
        })
      }
    }).pipe(Effect.withSpan(span(`${ns}.destroyOne`), spanOptions))

  const list = (ns: keyof typeof DataTypes) =>
    Api.list(executor, DataTypes[ns] as StandardMethods.DataType<any>, table[ns]!["query"]!, span(`${ns}.list`))

  const sync = (ns: keyof typeof DataTypes) =>
    Api.sync(
      executor,
      DataTypes[ns] as StandardMethods.DataType<any>,
      table[ns]!["changes"]!,
      (input) =>
        Either.map(
          validate(seedName(ns, "changes"), ChangesInputSchema, input),
          (checked): DeltaSync.SyncOptions =>
            (input as SyncInput).fullResync === false ? { ...checked, fullResync: false } : checked
        ),
      span(`${ns}.sync`)
    )

  const noBlobTransport = (what: string) =>
    Effect.fail(new InvalidArgument({ description: `Blob.${what}: this client has no blob transport` }))

  const blobTransfer: BlobTransfer<E> = {
    upload: (input) =>
      Effect.flatMap(accountId, (id) =>
        options.upload === undefined
          ? noBlobTransport("upload")
          : options.upload({ accountId: id, contentType: input.contentType, body: input.body })).pipe(
          Effect.withSpan(span("Blob.upload"), spanOptions)
        ),
    download: (input) =>
      Effect.flatMap(
        accountId,
        (id) =>
          options.download === undefined ? noBlobTransport("download") : options.download({ ...input, accountId: id })
      ).pipe(
        Effect.withSpan(span("Blob.download"), spanOptions)
      )
  }

  const forms: Record<Extra, (ns: any) => (input?: any) => Effect.Effect<unknown, unknown>> = {
    list,
    sync,
    createOne,
    send: createOne,
    updateOne,
    destroyOne
  }
  const namespaces = Object.fromEntries(
    (Object.keys(extras) as Array<Namespace>).map((ns) => [
      ns,
      { ...apis[ns], ...Object.fromEntries(extras[ns].map((form) => [form, forms[form](ns)])) }
    ])
  )
  const service = {
    ...namespaces,
    Blob: { ...apis.Blob, ...blobTransfer },
    batch: Api.batch(executor, table, span("batch")),
    accountId
  }
  return service as unknown as Service<E>
}

/** A `ChatClient` over `SessionService`: the session's API URL, chat account, limits and blob URLs. */
export const make: Effect.Effect<Service, never, SessionService> = Effect.map(SessionService, (session) =>
  makeWith({
    call: (request) => session.call(request),
    accountId: session.primaryAccountId(CapabilityUri.chat),
    upload: session.upload,
    download: session.download
  }))

/** The `ChatClient` tag. */
export class ChatClient
  extends Context.Tag("effect-jmap-chat/ChatClient")<ChatClient, Service<HttpTransportError, HttpCallError>>()
{
  /** The `ChatClient` layer; needs `SessionService`. */
  static readonly layer: Layer.Layer<ChatClient, never, SessionService> = Layer.effect(this, make)
  /** {@link makeWith}. */
  static readonly makeWith = makeWith
  /** {@link make}. */
  static readonly make = make
}

/** The `ChatClient` layer; needs `SessionService`. */
export const layer: Layer.Layer<ChatClient, never, SessionService> = ChatClient.layer
