/**
 * `ChatStore`: a live local replica of the chat account (draft-atwood-jmap-chat-00), the loop every
 * chat app writes by hand, written once. It holds every Chat, ChatContact, Space, ReadPosition,
 * CustomEmoji and the PresenceStatus, and per chat a window of the latest messages (older pages on
 * demand), and shows them as `Stream`s of snapshots that emit only when what they show changed.
 *
 * It is kept right by push and delta sync (RFC 8620 §5.2, §7): `Connected`, `Reconnected` and each
 * `StateChange` mark types to sync, bursts are coalesced into rounds of `/changes` (all pages;
 * everything listed again on `cannotCalculateChanges`, or for messages, the windows fetched again),
 * and each round is applied as one new snapshot. Typing and presence events update their views
 * directly and expire on their own.
 *
 * Writes (`send`, `react`, `edit`, `markRead`) show at once, are sent in order, retried while their
 * failure is transient and kept until the server confirmed them; a refused one stays, failed with
 * its error, until retried or discarded. Snapshot and open writes are persisted in a
 * `KeyValueStore`: a restarted app shows its last snapshot at once and catches up with `/changes`.
 *
 * @since 0.1.0
 */
import { KeyValueStore } from "@effect/platform"
import {
  Clock,
  Context,
  Deferred,
  Duration,
  Effect,
  Either,
  Exit,
  Layer,
  Option,
  ParseResult,
  Queue,
  Ref,
  Schedule,
  Schema,
  type Scope,
  Stream,
  SubscriptionRef
} from "effect"
import { ulid } from "ulid"
import { InvalidArgument } from "../../jmap/Errors.js"
import type { GetResponse } from "../../jmap/MethodResponses.js"
import type * as SessionService from "../../jmap/SessionService.js"
import * as ChatClient from "../ChatClient.js"
import { MessageCreateInput } from "../client/Inputs.js"
import { isSelf, type Message } from "../Message.js"
import * as ChatPush from "../push/ChatPush.js"
import type { ReadPosition } from "../ReadPosition.js"
import * as Collections from "./Collections.js"
import { same } from "./internal/equal.js"
import * as MessagePages from "./MessagePages.js"
import * as MessageWindow from "./MessageWindow.js"
import * as Persistence from "./Persistence.js"
import * as Snapshot from "./Snapshot.js"
import { PendingWriteError, WriteDiscarded } from "./StoreErrors.js"
import * as Typing from "./Typing.js"
import * as Views from "./Views.js"
import * as Writes from "./Writes.js"

export type { Snapshot, SyncStatus } from "./Snapshot.js"
export type { ChatEntry, ContactPresence, MessageEntry, MessagesView, WriteInfo } from "./Views.js"
export type { Status as WriteStatus, Write, WriteError } from "./Writes.js"

/** The chat list of a snapshot, most recent activity first (what {@link Service.chats} emits). */
export const chatList: (snapshot: Snapshot.Snapshot) => ReadonlyArray<Views.ChatEntry> = Views.chats

/** A chat's messages in a snapshot (what {@link Service.messages} emits; `open` the chat first). */
export const messagesOf: (snapshot: Snapshot.Snapshot, chatId: string) => Views.MessagesView = Views.messages

/** A contact's presence in a snapshot (what {@link Service.presence} emits). */
export const presenceOf: (snapshot: Snapshot.Snapshot, contactId: string) => Option.Option<Views.ContactPresence> =
  Views.presence

/** Options of {@link make} and {@link layer}. */
export interface Options {
  /** How many of a chat's latest messages a window holds (default 50). */
  readonly windowSize?: number
  /** How many older messages `loadOlder` fetches by default (default `windowSize`). */
  readonly pageSize?: number
  /** How long a typing indicator shows after the last `typing: true` (default 10 s). */
  readonly typingTimeout?: Duration.DurationInput
  /** The `KeyValueStore` key of the snapshot; the open writes go under `key + "/writes"`. */
  readonly key?: string
  /** How long after a change the snapshot is saved (at most once per this delay; default 1 s). */
  readonly saveDelay?: Duration.DurationInput
  /**
   * Backoff between attempts of a write whose failure is transient, of a failed sync round, and
   * before the push stream is opened again after it failed (default: exponential from 1 s, capped at
   * 60 s, jittered, forever). A reconnection cuts the wait of writes short.
   */
  readonly retrySchedule?: Schedule.Schedule<unknown, unknown>
  /** Options of the push stream (transport, reconnect backoff, …); `types` is the store's. */
  readonly push?: Omit<ChatPush.EventsOptions, "types">
}

/** A write the store has shown and will send: `result` waits for the server's answer. */
export interface Pending<A> {
  readonly writeId: string
  /**
   * The server's object once it confirmed the write, or the error it was refused with (the write
   * then stays in the views, `failed`, until retried or discarded). Transient failures are retried
   * meanwhile. `undefined` when the update was applied and the object is gone (`ObjectGone`).
   */
  readonly result: Effect.Effect<A, Writes.WriteError | WriteDiscarded>
}

/** What fetching older messages fails with. */
export type FetchError = MessagePages.FetchError

/** The operations of a `ChatStore`. Every method has `R = never`. */
export interface Service {
  /** The chat list, most recent activity first, with unread counts. */
  readonly chats: Stream.Stream<ReadonlyArray<Views.ChatEntry>>
  /** A chat's messages (its window is loaded and kept from the first subscription on). */
  readonly messages: (chatId: string) => Stream.Stream<Views.MessagesView>
  /** Keeps a chat's message window from now on, loading it if needed (`messages` does this itself). */
  readonly open: (chatId: string) => Effect.Effect<void>
  /**
   * Stops keeping a chat's message window: its messages leave memory and, at the next save, storage.
   * Windows are otherwise kept (and synced) until their chat is gone; `open` or `messages` loads it again.
   */
  readonly close: (chatId: string) => Effect.Effect<void>
  /** Who is typing in a chat, by contact id. */
  readonly typing: (chatId: string) => Stream.Stream<ReadonlyArray<string>>
  /** A contact's presence. */
  readonly presence: (contactId: string) => Stream.Stream<Option.Option<Views.ContactPresence>>
  /** Whether the store is live, syncing, and its last error. */
  readonly status: Stream.Stream<Snapshot.SyncStatus>
  /**
   * Any view of the snapshot (`f` should be pure); emits when its value changed (structural
   * equality). Views read from one snapshot together never mix two states, e.g.
   * `select((s) => [ChatStore.chatList(s), ChatStore.messagesOf(s, chatId)])`.
   */
  readonly select: <A>(f: (snapshot: Snapshot.Snapshot) => A) => Stream.Stream<A>
  /** The current snapshot. */
  readonly snapshot: Effect.Effect<Snapshot.Snapshot>
  /** Fetches `count` (default `pageSize`) messages older than the chat's window into it. */
  readonly loadOlder: (chatId: string, count?: number) => Effect.Effect<void, FetchError>
  /** Sends a message (shown at once; see {@link Pending}). */
  readonly send: (input: MessageCreateInput) => Effect.Effect<Pending<Message>, InvalidArgument>
  /** Adds a reaction of the owner's under a new `senderReactionId` (a ULID). */
  readonly react: (input: {
    readonly messageId: string
    readonly emoji: string
    readonly customEmojiId?: string
  }) => Effect.Effect<Pending<Message | undefined>, InvalidArgument>
  /** Removes one of the owner's reactions. */
  readonly unreact: (input: {
    readonly messageId: string
    readonly reactionId: string
  }) => Effect.Effect<Pending<Message | undefined>, InvalidArgument>
  /** Edits one of the owner's messages. */
  readonly edit: (input: {
    readonly messageId: string
    readonly body: string
    readonly bodyType?: string
  }) => Effect.Effect<Pending<Message | undefined>, InvalidArgument>
  /** Moves the chat's ReadPosition to `messageId` (default: the latest message of its window). */
  readonly markRead: (input: {
    readonly chatId: string
    readonly messageId?: string
  }) => Effect.Effect<Pending<ReadPosition | undefined>, InvalidArgument>
  /** Sends a failed write again, or a retrying one now. */
  readonly retry: (writeId: string) => Effect.Effect<void, PendingWriteError>
  /** Drops a write that is not being sent (its `result` fails with `WriteDiscarded`). */
  readonly discard: (writeId: string) => Effect.Effect<void, PendingWriteError>
  /** Syncs everything now and waits until the store is settled. */
  readonly refresh: Effect.Effect<void>
  /** Waits until no sync round is due or running and no write is queued or being sent. */
  readonly settled: Effect.Effect<void>
}

/** The `ChatStore` tag. */
export class ChatStore extends Context.Tag("effect-jmap-chat/ChatStore")<ChatStore, Service>() {}

/** The default `KeyValueStore` key. */
export const defaultKey = "effect-jmap-chat/ChatStore"

/** What a sync round can be asked to do: sync a type, or only fetch the windows that need it. */
type Target = Collections.Name | "Message" | "Windows"

const everything: ReadonlyArray<Target> = [...Collections.names, "Message"]
const isTarget = (type: string): type is Target => (everything as ReadonlyArray<string>).includes(type)

const defaultRetry: Schedule.Schedule<unknown, unknown> = Schedule.exponential("1 second").pipe(
  Schedule.union(Schedule.spaced("60 seconds")),
  Schedule.jittered
)

const invalid = (description: string) => new InvalidArgument({ description: `ChatStore.${description}` })

const nonEmpty = (where: string, fields: Readonly<Record<string, string | undefined>>) =>
  Effect.forEach(
    Object.entries(fields),
    ([name, value]) => value === "" ? Effect.fail(invalid(`${where}: ${name} may not be empty`)) : Effect.void,
    { discard: true }
  )

const stateOf = (s: Snapshot.Snapshot, type: Target): string | undefined =>
  type === "Message" ? s.messageState : type === "Windows" ? undefined : s.collections[type].state

const syncingOf = (s: Snapshot.Snapshot, syncing: boolean): Snapshot.Snapshot =>
  s.status.syncing === syncing ? s : { ...s, status: { ...s.status, syncing } }

/** The writes confirmed in `after` that were open in `before`. */
const newlyConfirmed = (before: Snapshot.Snapshot, after: Snapshot.Snapshot): ReadonlyArray<Writes.Entry> =>
  after.writes.filter((e) =>
    e.status === "confirmed" && before.writes.some((b) => b.write.writeId === e.write.writeId && Writes.isOpen(b))
  )

/**
 * Builds the store in the current scope: it shows the persisted snapshot at once, then syncs and
 * follows push in fibers of the scope; closing the scope saves the snapshot.
 */
export const make = (
  options: Options = {}
): Effect.Effect<
  Service,
  never,
  ChatClient.ChatClient | ChatPush.ChatPush | KeyValueStore.KeyValueStore | Scope.Scope
> =>
  Effect.gen(function*() {
    const client = yield* ChatClient.ChatClient
    const push = yield* ChatPush.ChatPush
    const persistence = yield* Persistence.make(yield* KeyValueStore.KeyValueStore, options.key ?? defaultKey)
    const windowSize = Math.max(1, Math.floor(options.windowSize ?? 50))
    const pageSize = Math.max(1, Math.floor(options.pageSize ?? windowSize))
    const dedupScan = Math.max(windowSize, 50)
    const typingTimeout = Duration.toMillis(options.typingTimeout ?? "10 seconds")
    const saveDelay = options.saveDelay ?? "1 second"
    // Whole milliseconds: a jittered delay would otherwise leave a TestClock at a fractional time.
    const retrySchedule = Schedule.modifyDelay(
      options.retrySchedule ?? defaultRetry,
      (_, delay) => Duration.millis(Math.ceil(Duration.toMillis(delay)))
    )

    const restored = yield* persistence.load
    const state = yield* SubscriptionRef.make<Snapshot.Snapshot>(
      Option.match(restored.snapshot, {
        onNone: () => ({ ...Snapshot.empty, writes: restored.writes }),
        onSome: (r) => ({
          ...Snapshot.empty,
          ...r,
          writes: restored.writes,
          status: { ...Snapshot.empty.status, origin: "restored" }
        })
      })
    )
    const typing = yield* SubscriptionRef.make(Typing.empty)
    const typingChanged = yield* Queue.sliding<void>(1)
    const dirty = yield* Ref.make<ReadonlySet<Target>>(new Set())
    const wake = yield* Queue.sliding<void>(1)
    const kick = yield* Queue.sliding<void>(1)
    const writeQueue = yield* Queue.unbounded<string>()
    const syncLock = yield* Effect.makeSemaphore(1)
    const saveLock = yield* Effect.makeSemaphore(1)
    const rounds = yield* Ref.make(0)
    const lastSentAt = yield* Ref.make(0)
    const waiting = yield* Ref.make(new Map<string, Deferred.Deferred<any, Writes.WriteError | WriteDiscarded>>())
    const accountReady = yield* Deferred.make<void>()

    const update = (f: (s: Snapshot.Snapshot) => Snapshot.Snapshot) => SubscriptionRef.update(state, f)
    const setStatus = (patch: Partial<Snapshot.SyncStatus>) =>
      update((s) => {
        const status = { ...s.status, ...patch }
        return same(status, s.status) ? s : { ...s, status }
      })
    const saveWrites = saveLock.withPermits(1)(
      Effect.flatMap(SubscriptionRef.get(state), (s) => persistence.saveWrites(s.writes))
    )
    const markDirty = (targets: Iterable<Target>) =>
      Ref.update(dirty, (d) => new Set([...d, ...targets])).pipe(
        Effect.zipRight(update((s) => syncingOf(s, true))),
        Effect.zipRight(Queue.offer(wake, undefined))
      )
    const resolve = (writeId: string, exit: Exit.Exit<unknown, Writes.WriteError | WriteDiscarded>) =>
      Effect.flatMap(
        Ref.modify(waiting, (m) => {
          const next = new Map(m)
          next.delete(writeId)
          return [m.get(writeId), next] as const
        }),
        (deferred) => deferred === undefined ? Effect.void : Deferred.done(deferred, exit)
      )

    // --- Sync rounds -------------------------------------------------------------------------

    const loadCollections = (names: ReadonlyArray<Collections.Name>) =>
      names.length === 0
        ? Effect.succeed([])
        : Effect.flatMap(
          client.batch((b) => Object.fromEntries(names.map((name) => [name, b[name].get({})]))),
          (results) =>
            Effect.forEach(names, (name) => {
              const result = results[name] as Either.Either<GetResponse<any>, Writes.WriteError>
              if (Either.isRight(result)) {
                const loaded: Snapshot.CollectionResult = {
                  _tag: "Loaded",
                  name,
                  state: result.right.state,
                  list: result.right.list
                }
                return Effect.succeed([loaded])
              }
              // A type the server refuses (e.g. one it does not implement) is left out, not retried in a loop.
              return result.left._tag === "MethodError"
                ? Effect.as(Effect.logWarning(`ChatStore: ${name}/get failed: ${result.left.message}`), [])
                : Effect.fail(result.left)
            }).pipe(Effect.map((lists) => lists.flat()))
        )

    const syncCollection = (name: Collections.Name, sinceState: string) =>
      Effect.map(
        (client[name] as ChatClient.Syncing<any, SessionService.CallError>).sync({ sinceState }),
        (delta): Snapshot.CollectionResult => ({ _tag: "Synced", name, delta })
      )

    const resetMessages = Effect.map(
      client.Message.state(),
      (state): Snapshot.MessageResult => ({ _tag: "Reset", state })
    )
    const syncMessages = (sinceState: string | undefined) =>
      sinceState === undefined ? resetMessages : client.Message.sync({ sinceState, fullResync: false }).pipe(
        Effect.map((delta): Snapshot.MessageResult => ({ _tag: "Synced", delta })),
        Effect.catchIf((e) => e._tag === "MethodError" && e.type === "cannotCalculateChanges", () => resetMessages)
      )

    const round = (requested: ReadonlySet<Target>) =>
      Effect.gen(function*() {
        const round = yield* Ref.updateAndGet(rounds, (n) => n + 1)
        const accountId = yield* client.accountId
        let targets = requested
        const current = yield* SubscriptionRef.get(state)
        if (current.accountId !== undefined && current.accountId !== accountId) {
          yield* Effect.logWarning(
            `ChatStore: the stored snapshot and writes are of account ${current.accountId}, not ${accountId}: discarded`
          )
          for (const e of current.writes) {
            yield* resolve(e.write.writeId, Exit.fail(new WriteDiscarded({ writeId: e.write.writeId })))
          }
          yield* update((s) => Snapshot.forAccount(s, accountId))
          yield* saveWrites
          targets = new Set(everything)
        }
        yield* Deferred.succeed(accountReady, undefined)
        const before = yield* SubscriptionRef.get(state)
        const names = Collections.names.filter((name) => targets.has(name))
        const [loaded, synced, messages] = yield* Effect.all([
          loadCollections(names.filter((name) => before.collections[name].state === undefined)),
          Effect.forEach(
            names.filter((name) => before.collections[name].state !== undefined),
            (name) => syncCollection(name, before.collections[name].state!),
            { concurrency: "unbounded" }
          ),
          targets.has("Message") || before.messageState === undefined
            ? syncMessages(before.messageState)
            : Effect.succeed(undefined)
        ], { concurrency: "unbounded" })
        const fetched: Snapshot.RoundResult = {
          round,
          accountId,
          collections: [...loaded, ...synced],
          messages,
          windows: new Map()
        }
        const tentative = Snapshot.applyRound(before, fetched)
        const reload = Array.from(tentative.windows.values()).filter((w) =>
          messages?._tag === "Reset" || MessageWindow.needsRefill(w)
        )
        const windows = new Map(
          yield* Effect.forEach(
            reload,
            (w) => Effect.map(MessagePages.fetch(client, w.chatId, w.limit), (load) => [w.chatId, load] as const),
            { concurrency: 4 }
          )
        )
        const confirmed = yield* SubscriptionRef.modify(state, (s) => {
          const applied = Snapshot.applyRound(s, { ...fetched, windows })
          const next = { ...applied, status: { ...applied.status, origin: "server" as const, error: undefined } }
          return [newlyConfirmed(s, next), next]
        })
        for (const e of confirmed) yield* resolve(e.write.writeId, Exit.succeed(e.result))
        if (confirmed.length > 0) yield* Effect.zipRight(saveWrites, Queue.offer(kick, undefined))
        if (messages?._tag === "Synced") {
          const arrived = messages.delta.created.filter((m) => !isSelf(m.senderId))
          if (arrived.length > 0) {
            yield* SubscriptionRef.update(
              typing,
              (t) => arrived.reduce((acc, m) => Typing.stop(acc, m.chatId, m.senderId), t)
            )
          }
        }
      }).pipe(Effect.withSpan("ChatStore.sync", { captureStackTrace: false }))

    const syncLoop = Effect.gen(function*() {
      const backoff = yield* Schedule.driver(retrySchedule)
      for (;;) {
        yield* Queue.take(wake)
        // Let the events already received mark what they change first: a burst becomes one round.
        yield* Effect.yieldNow()
        const targets = yield* Ref.getAndSet(dirty, new Set())
        if (targets.size > 0) {
          const outcome = yield* Effect.either(syncLock.withPermits(1)(round(targets)))
          if (Either.isLeft(outcome)) {
            yield* Ref.update(dirty, (d) => new Set([...d, ...targets]))
            yield* setStatus({ error: outcome.left })
            yield* Effect.logDebug(`ChatStore: sync failed, retrying: ${outcome.left.message}`)
            const more = yield* Effect.isSuccess(backoff.next(outcome.left))
            if (more) yield* Queue.offer(wake, undefined)
            else yield* backoff.reset
            continue
          }
          yield* backoff.reset
        }
        yield* SubscriptionRef.updateEffect(state, (s) => Effect.map(Ref.get(dirty), (d) => syncingOf(s, d.size > 0)))
      }
    })

    // --- Push --------------------------------------------------------------------------------

    const onPush = (accountId: string, event: ChatPush.ChatPushEvent): Effect.Effect<void> => {
      switch (event._tag) {
        case "Connected":
          return Effect.all([setStatus({ push: "live" }), markDirty(everything), Queue.offer(kick, undefined)], {
            discard: true
          })
        case "Reconnected":
          // Ephemeral events are not replayed: what showed may be stale.
          return Effect.all([
            setStatus({ push: "live" }),
            SubscriptionRef.set(typing, Typing.empty),
            update((s) => s.presence.size === 0 ? s : { ...s, presence: new Map() }),
            markDirty(everything),
            Queue.offer(kick, undefined)
          ], { discard: true })
        case "StateChange": {
          const changed = event.changed[accountId]
          if (changed === undefined) return Effect.void
          return Effect.flatMap(SubscriptionRef.get(state), (s) => {
            const stale = Object.entries(changed).flatMap(([type, st]) =>
              isTarget(type) && stateOf(s, type) !== st ? [type] : []
            )
            return stale.length === 0 ? Effect.void : markDirty(stale)
          })
        }
        case "Typing":
          return Clock.currentTimeMillis.pipe(
            Effect.flatMap((now) =>
              SubscriptionRef.update(typing, (t) => Typing.onEvent(t, event, now, typingTimeout))
            ),
            Effect.zipRight(Queue.offer(typingChanged, undefined))
          )
        case "Presence":
          return Effect.flatMap(Ref.get(rounds), (round) =>
            update((s) => {
              const { _tag, contactId, id: _id, ...fields } = event
              return {
                ...s,
                presence: new Map(s.presence).set(contactId, { ...s.presence.get(contactId), ...fields, round })
              }
            }))
        default:
          return Effect.void
      }
    }

    const pushLoop = Effect.gen(function*() {
      const backoff = yield* Schedule.driver(retrySchedule)
      for (;;) {
        const outcome = yield* Effect.either(
          Effect.flatMap(
            client.accountId,
            (accountId) =>
              push.events({ ...options.push, types: everything as Array<string> }).pipe(
                Stream.runForEach((event) => onPush(accountId, event))
              )
          )
        )
        if (Either.isLeft(outcome)) {
          yield* setStatus({ push: "failed", error: outcome.left })
          yield* Effect.logWarning(`ChatStore: push failed, reopening it: ${outcome.left.message}`)
        }
        if (!(yield* Effect.isSuccess(backoff.next(undefined)))) yield* backoff.reset
      }
    })

    // --- Typing expiry -----------------------------------------------------------------------

    const typingLoop = Effect.gen(function*() {
      for (;;) {
        const now = yield* Clock.currentTimeMillis
        const current = yield* SubscriptionRef.updateAndGet(typing, (t) => Typing.expire(t, now))
        const next = Typing.nextExpiry(current)
        const changed = Queue.take(typingChanged)
        yield* next === undefined ? changed : Effect.race(Effect.sleep(Duration.millis(next - now)), changed)
      }
    })

    // --- Writes ------------------------------------------------------------------------------

    const readPositionOf = (chatId: string) =>
      Effect.gen(function*() {
        const find = (list: Iterable<ReadPosition>) => Array.from(list).find((rp) => rp.chatId === chatId)
        const known = find((yield* SubscriptionRef.get(state)).collections.ReadPosition.items.values())
        if (known !== undefined) return known
        const fetched = find((yield* client.ReadPosition.get({})).list)
        if (fetched !== undefined) return fetched
        return yield* invalid(`markRead: the server has no ReadPosition for chat ${chatId}`)
      })

    const goneIsApplied = <A, E extends { readonly _tag: string }>(self: Effect.Effect<A, E>) =>
      Effect.catchIf(self, (e) => e._tag === "ObjectGone", () => Effect.succeed(undefined))

    const attempt = (e: Writes.Entry): Effect.Effect<Message | ReadPosition | undefined, Writes.WriteError> => {
      const { write } = e
      switch (write._tag) {
        case "Send":
          return (e.attempts > 1 ? MessagePages.findSent(client, write, dedupScan) : Effect.succeedNone).pipe(
            Effect.flatMap(Option.match({ onSome: Effect.succeed, onNone: () => client.Message.send(write.input) }))
          )
        case "React":
          return goneIsApplied(client.Message.updateOne({
            id: write.messageId,
            patch: { reactions: { [write.reactionId]: write.reaction } }
          }))
        case "Edit":
          return goneIsApplied(client.Message.updateOne({
            id: write.messageId,
            patch: { body: write.body, ...(write.bodyType === undefined ? {} : { bodyType: write.bodyType }) }
          }))
        case "MarkRead":
          return Effect.flatMap(
            readPositionOf(write.chatId),
            (rp) => client.ReadPosition.updateOne({ id: rp.id, patch: { lastReadMessageId: write.messageId } })
          )
      }
    }

    const setEntry = (s: Snapshot.Snapshot, writeId: string, f: (e: Writes.Entry) => Writes.Entry) => ({
      ...s,
      writes: s.writes.map((e) => e.write.writeId === writeId ? f(e) : e)
    })
    const entryOf = (s: Snapshot.Snapshot, writeId: string) => s.writes.find((e) => e.write.writeId === writeId)

    const confirmWrite = (write: Writes.Write, result: Message | ReadPosition | undefined) =>
      Effect.gen(function*() {
        const round = yield* Ref.get(rounds)
        yield* update((s) => {
          const next = Snapshot.confirm(s, write.writeId, result, round)
          if (result === undefined) return next
          if (write._tag === "MarkRead") {
            const rp = result as ReadPosition
            return {
              ...next,
              collections: {
                ...next.collections,
                ReadPosition: Collections.put(next.collections.ReadPosition, rp)
              }
            }
          }
          return Snapshot.putMessage(next, result as Message)
        })
        yield* saveWrites
        yield* resolve(write.writeId, Exit.succeed(result))
        yield* markDirty(write._tag === "MarkRead" ? ["ReadPosition", "Chat", "Message"] : ["Message", "Chat"])
      })

    /** Sends one write until it is confirmed, refused, or discarded. */
    const perform = (writeId: string) =>
      Effect.gen(function*() {
        const backoff = yield* Schedule.driver(retrySchedule)
        for (;;) {
          // Counted (and saved) before the request: if the app stops now, the next run checks first.
          const taken = yield* SubscriptionRef.modify(state, (s) => {
            const e = entryOf(s, writeId)
            if (e === undefined || e.status === "confirmed" || e.status === "failed") return [e, s]
            const next: Writes.Entry = { ...e, status: "sending", attempts: e.attempts + 1 }
            return [next, setEntry(s, writeId, () => next)]
          })
          if (taken?.status === "confirmed") return yield* resolve(writeId, Exit.succeed(taken.result))
          if (taken?.status !== "sending") return
          yield* saveWrites
          const outcome = yield* Effect.either(attempt(taken))
          if (Either.isRight(outcome)) return yield* confirmWrite(taken.write, outcome.right)
          const error = outcome.left
          const transient = Writes.isTransient(error)
          const after = yield* SubscriptionRef.modify(state, (s) => {
            const e = entryOf(s, writeId)
            if (e?.status !== "sending") return [e, s]
            const next: Writes.Entry = { ...e, error, status: transient ? "retrying" : "failed" }
            return [next, setEntry(s, writeId, () => next)]
          })
          yield* saveWrites
          if (after?.status === "confirmed") return yield* resolve(writeId, Exit.succeed(after.result))
          if (after?.status !== "retrying") return yield* resolve(writeId, Exit.fail(error))
          yield* Queue.takeAll(kick)
          const retryAfter = error._tag === "RateLimited" && error.retryAfter !== undefined
            ? Effect.sleep(error.retryAfter)
            : Effect.void
          const wait = Effect.all([retryAfter, Effect.ignore(backoff.next(error))], { concurrency: 2 })
          yield* Effect.race(wait, Queue.take(kick))
        }
      }).pipe(Effect.withSpan("ChatStore.write", { attributes: { writeId }, captureStackTrace: false }))

    const writerLoop = Effect.gen(function*() {
      yield* Deferred.await(accountReady)
      for (;;) yield* perform(yield* Queue.take(writeQueue))
    })

    const enqueue = <A>(write: Writes.Write) =>
      Effect.gen(function*() {
        const deferred = yield* Deferred.make<A, Writes.WriteError | WriteDiscarded>()
        yield* Ref.update(waiting, (m) => new Map(m).set(write.writeId, deferred))
        yield* update((s) => ({ ...s, writes: [...s.writes, Writes.entry(write)] }))
        yield* saveWrites
        yield* Queue.offer(writeQueue, write.writeId)
        return { writeId: write.writeId, result: Deferred.await(deferred) } satisfies Pending<A>
      })

    const writeId = Effect.sync(() => `local-${ulid()}`)
    const now = Effect.map(Clock.currentTimeMillis, (ms) => new Date(ms).toISOString())
    /** A `sentAt` of its own for each send (see `Writes`), to the millisecond. */
    const nextSentAt = Effect.flatMap(
      Clock.currentTimeMillis,
      (ms) => Ref.updateAndGet(lastSentAt, (last) => Math.max(ms, last + 1))
    ).pipe(Effect.map((ms) => new Date(ms).toISOString()))

    // --- Windows -----------------------------------------------------------------------------

    const ensureWindow = (chatId: string) =>
      Effect.flatMap(
        SubscriptionRef.modify(state, (s) =>
          chatId === "" || s.windows.has(chatId)
            ? [false, s]
            : [true, { ...s, windows: new Map(s.windows).set(chatId, MessageWindow.unloaded(chatId, windowSize)) }]),
        (added) => added ? markDirty(["Windows"]) : Effect.void
      )

    const loadOlder = (chatId: string, count = pageSize) =>
      syncLock.withPermits(1)(Effect.gen(function*() {
        const window = (yield* SubscriptionRef.get(state)).windows.get(chatId)
        if (window === undefined || !window.loaded) return yield* ensureWindow(chatId)
        if (window.complete) return
        const oldest = window.messages[0]
        const grow = update((s) => {
          const w = s.windows.get(chatId)
          return w === undefined
            ? s
            : { ...s, windows: new Map(s.windows).set(chatId, { ...w, limit: w.limit + count }) }
        }).pipe(Effect.zipRight(markDirty(["Windows"])))
        if (oldest === undefined) return yield* grow
        const page = yield* MessagePages.fetch(client, chatId, Math.max(1, Math.floor(count)), oldest.id).pipe(
          Effect.map(Option.some),
          Effect.catchIf(MessagePages.isAnchorNotFound, () => Effect.succeedNone)
        )
        if (Option.isNone(page)) return yield* grow
        const prepended = yield* SubscriptionRef.modify(state, (s) => {
          const w = s.windows.get(chatId)
          // Still contiguous only if nothing moved the window's oldest meanwhile.
          if (w?.messages[0]?.id !== oldest.id) return [false, s]
          const next = MessageWindow.prepend(w, page.value.newestFirst, page.value.complete)
          return [true, { ...s, windows: new Map(s.windows).set(chatId, next) }]
        })
        if (!prepended) yield* grow
      })).pipe(Effect.withSpan("ChatStore.loadOlder", { attributes: { chatId }, captureStackTrace: false }))

    // --- Views -------------------------------------------------------------------------------

    const select = <A>(f: (snapshot: Snapshot.Snapshot) => A): Stream.Stream<A> =>
      state.changes.pipe(Stream.map(f), Stream.changesWith<A>(same))

    const view = <A>(inputs: (s: Snapshot.Snapshot) => ReadonlyArray<unknown>, f: (s: Snapshot.Snapshot) => A) =>
      Stream.suspend(() => select(Views.memo(inputs, f)))

    const settled = state.changes.pipe(
      Stream.filter((s) => !s.status.syncing && !s.writes.some((e) => e.status === "queued" || e.status === "sending")),
      Stream.take(1),
      Stream.runDrain
    )

    const decodeInput = <A, I>(schema: Schema.Schema<A, I>, where: string, input: unknown) =>
      Effect.mapError(
        Schema.decodeUnknown(schema)(input),
        (e) => invalid(`${where}: ${ParseResult.TreeFormatter.formatErrorSync(e)}`)
      )

    // --- Start -------------------------------------------------------------------------------

    yield* Effect.addFinalizer(() =>
      Effect.gen(function*() {
        const s = yield* SubscriptionRef.get(state)
        yield* persistence.saveSnapshot(s)
        yield* persistence.saveWrites(s.writes)
        for (const deferred of (yield* Ref.get(waiting)).values()) yield* Deferred.interrupt(deferred)
      })
    )
    const initial = yield* SubscriptionRef.get(state)
    for (const e of initial.writes) {
      if (e.status === "queued") yield* Queue.offer(writeQueue, e.write.writeId)
    }
    const saveLoop = Effect.gen(function*() {
      const persisted = (s: Snapshot.Snapshot) => [s.accountId, s.collections, s.messageState, s.windows]
      let saved = persisted(initial)
      for (;;) {
        yield* state.changes.pipe(
          Stream.filter((s) => persisted(s).some((x, i) => x !== saved[i])),
          Stream.take(1),
          Stream.runDrain
        )
        yield* Effect.sleep(saveDelay)
        const s = yield* SubscriptionRef.get(state)
        yield* persistence.saveSnapshot(s)
        saved = persisted(s)
      }
    })
    yield* markDirty(everything)
    yield* Effect.forkScoped(syncLoop)
    yield* Effect.forkScoped(pushLoop)
    yield* Effect.forkScoped(typingLoop)
    yield* Effect.forkScoped(writerLoop)
    yield* Effect.forkScoped(saveLoop)

    const retry = (writeId: string) =>
      Effect.flatMap(
        SubscriptionRef.modify(state, (s) => {
          const e = entryOf(s, writeId)
          if (e === undefined || !Writes.isOpen(e)) return ["Unknown" as const, s]
          if (e.status === "sending") return ["InFlight" as const, s]
          if (e.status !== "failed") return ["kick" as const, s]
          return ["queue" as const, setEntry(s, writeId, (x) => ({ ...x, status: "queued", error: undefined }))]
        }),
        (outcome) => {
          switch (outcome) {
            case "Unknown":
            case "InFlight":
              return Effect.fail(new PendingWriteError({ writeId, reason: outcome }))
            case "kick":
              return Queue.offer(kick, undefined)
            case "queue":
              return Effect.zipRight(saveWrites, Queue.offer(writeQueue, writeId))
          }
        }
      )

    const discard = (writeId: string) =>
      Effect.flatMap(
        SubscriptionRef.modify(state, (s) => {
          const e = entryOf(s, writeId)
          if (e === undefined || !Writes.isOpen(e)) return ["Unknown" as const, s]
          if (e.status === "sending") return ["InFlight" as const, s]
          return ["dropped" as const, { ...s, writes: s.writes.filter((x) => x !== e) }]
        }),
        (outcome) =>
          outcome === "dropped"
            ? Effect.all([
              resolve(writeId, Exit.fail(new WriteDiscarded({ writeId }))),
              saveWrites,
              Queue.offer(kick, undefined)
            ], { discard: true })
            : Effect.fail(new PendingWriteError({ writeId, reason: outcome }))
      )

    const service: Service = {
      chats: view(
        (s) => [s.collections.Chat, s.collections.ReadPosition, s.windows, s.writes],
        Views.chats
      ),
      open: ensureWindow,
      close: (chatId) =>
        update((s) => {
          if (!s.windows.has(chatId)) return s
          const windows = new Map(s.windows)
          windows.delete(chatId)
          return { ...s, windows }
        }),
      messages: (chatId) =>
        Stream.unwrap(Effect.as(
          ensureWindow(chatId),
          view((s) => [s.windows.get(chatId), s.writes], (s) => Views.messages(s, chatId))
        )),
      typing: (chatId) =>
        typing.changes.pipe(
          Stream.map((t) => Typing.who(t, chatId)),
          Stream.changesWith((a, b) => a.length === b.length && a.every((x, i) => x === b[i]))
        ),
      presence: (contactId) =>
        view(
          (s) => [s.collections.ChatContact.items.get(contactId), s.presence.get(contactId)],
          (s) => Views.presence(s, contactId)
        ),
      status: select((s) => s.status),
      select,
      snapshot: SubscriptionRef.get(state),
      loadOlder,
      send: (input) =>
        Effect.gen(function*() {
          const decoded = yield* decodeInput(MessageCreateInput, "send", input)
          yield* nonEmpty("send", { chatId: decoded.chatId })
          const sentAt = decoded.sentAt ?? (yield* nextSentAt)
          yield* ensureWindow(decoded.chatId)
          return yield* enqueue<Message>({ _tag: "Send", writeId: yield* writeId, input: { ...decoded, sentAt } })
        }).pipe(Effect.withSpan("ChatStore.send", { captureStackTrace: false })),
      react: (input) =>
        Effect.gen(function*() {
          yield* nonEmpty("react", { messageId: input.messageId, emoji: input.emoji })
          return yield* enqueue<Message | undefined>({
            _tag: "React",
            writeId: yield* writeId,
            messageId: input.messageId,
            reactionId: ulid(),
            reaction: {
              emoji: input.emoji,
              ...(input.customEmojiId === undefined ? {} : { customEmojiId: input.customEmojiId }),
              sentAt: yield* now
            }
          })
        }).pipe(Effect.withSpan("ChatStore.react", { captureStackTrace: false })),
      unreact: (input) =>
        Effect.gen(function*() {
          yield* nonEmpty("unreact", { messageId: input.messageId, reactionId: input.reactionId })
          return yield* enqueue<Message | undefined>({
            _tag: "React",
            writeId: yield* writeId,
            messageId: input.messageId,
            reactionId: input.reactionId,
            reaction: null
          })
        }).pipe(Effect.withSpan("ChatStore.unreact", { captureStackTrace: false })),
      edit: (input) =>
        Effect.gen(function*() {
          yield* nonEmpty("edit", { messageId: input.messageId })
          return yield* enqueue<Message | undefined>({
            _tag: "Edit",
            writeId: yield* writeId,
            messageId: input.messageId,
            body: input.body,
            ...(input.bodyType === undefined ? {} : { bodyType: input.bodyType })
          })
        }).pipe(Effect.withSpan("ChatStore.edit", { captureStackTrace: false })),
      markRead: (input) =>
        Effect.gen(function*() {
          yield* nonEmpty("markRead", { chatId: input.chatId, messageId: input.messageId })
          const latest = (yield* SubscriptionRef.get(state)).windows.get(input.chatId)?.messages.at(-1)?.id
          const messageId = input.messageId ?? latest
          if (messageId === undefined) return yield* invalid(`markRead: no message of chat ${input.chatId} is known`)
          return yield* enqueue<ReadPosition | undefined>({
            _tag: "MarkRead",
            writeId: yield* writeId,
            chatId: input.chatId,
            messageId
          })
        }).pipe(Effect.withSpan("ChatStore.markRead", { captureStackTrace: false })),
      retry,
      discard,
      refresh: Effect.zipRight(markDirty(everything), settled),
      settled
    }
    return service
  })

/** The `ChatStore` layer; needs `ChatClient`, `ChatPush` and a `KeyValueStore` (see {@link layerMemory}). */
export const layer = (
  options: Options = {}
): Layer.Layer<ChatStore, never, ChatClient.ChatClient | ChatPush.ChatPush | KeyValueStore.KeyValueStore> =>
  Layer.scoped(ChatStore, make(options))

/** {@link layer} persisted in memory only (`KeyValueStore.layerMemory`): nothing survives the process. */
export const layerMemory = (
  options: Options = {}
): Layer.Layer<ChatStore, never, ChatClient.ChatClient | ChatPush.ChatPush> =>
  layer(options).pipe(Layer.provide(KeyValueStore.layerMemory))
