/**
 * One consistent state of a `ChatStore`: every collection at its state, the message windows, the
 * optimistic writes, the presence pushed since the last sync and the sync status. The store
 * replaces it as a whole, once per sync round or write, so a view never reads half of a change.
 *
 * The transitions here are pure; the store's fibers fetch, then apply them.
 *
 * @since 0.1.0
 */
import type { SyncResult } from "../../jmap/DeltaSync.js"
import type { ClientError } from "../../jmap/Errors.js"
import type { Presence } from "../Enums.js"
import type { Message } from "../Message.js"
import type { ReadPosition } from "../ReadPosition.js"
import * as Collections from "./Collections.js"
import * as MessageWindow from "./MessageWindow.js"
import * as Writes from "./Writes.js"

/**
 * A contact's presence as last pushed (draft-atwood-jmap-chat-00 §Push Notifications `presence`):
 * for `lastActiveAt`, `statusText` and `statusEmoji`, absent means unchanged and `null` cleared.
 * It shows over the contact's ChatContact until a sync started after it fetches that contact again.
 */
export interface PresenceOverlay {
  readonly presence: Presence
  readonly lastActiveAt?: string | null
  readonly statusText?: string | null
  readonly statusEmoji?: string | null
  /** The sync round under way when it arrived. */
  readonly round: number
}

/** Where the data comes from and whether the store is keeping up with the server. */
export interface SyncStatus {
  /** `empty`: nothing loaded yet; `restored`: the last run's snapshot, not yet caught up; `server`: caught up at least once. */
  readonly origin: "empty" | "restored" | "server"
  /** The push stream: `connecting` until its first connection is live, `live`, or `failed` (it is reopened). */
  readonly push: "connecting" | "live" | "failed"
  /** A sync round is due or running. */
  readonly syncing: boolean
  /** The last failure of a sync round or of the push stream, until the next success. */
  readonly error: ClientError | undefined
}

/** One consistent state of the store. */
export interface Snapshot {
  /** The account the data belongs to (`undefined` before the first sync of a fresh store). */
  readonly accountId: string | undefined
  readonly collections: Collections.Collections
  /** The `Message` state the windows are at (`undefined`: never synced). */
  readonly messageState: string | undefined
  /** The message windows, by chat id. */
  readonly windows: ReadonlyMap<string, MessageWindow.MessageWindow>
  /** The optimistic writes, oldest first. */
  readonly writes: ReadonlyArray<Writes.Entry>
  /** Presence pushed since the contacts were last synced, by contact id. */
  readonly presence: ReadonlyMap<string, PresenceOverlay>
  readonly status: SyncStatus
}

/** A store that holds nothing yet. */
export const empty: Snapshot = {
  accountId: undefined,
  collections: Collections.emptyAll,
  messageState: undefined,
  windows: new Map(),
  writes: [],
  presence: new Map(),
  status: { origin: "empty", push: "connecting", syncing: true, error: undefined }
}

/** What a collection's part of a sync round fetched: the whole collection, or a delta. */
export type CollectionResult =
  | {
    readonly _tag: "Loaded"
    readonly name: Collections.Name
    readonly state: string
    readonly list: ReadonlyArray<any>
  }
  | { readonly _tag: "Synced"; readonly name: Collections.Name; readonly delta: SyncResult<any> }

/** What the messages' part of a sync round fetched: a delta, or a fresh start at `state` (every window is reloaded). */
export type MessageResult =
  | { readonly _tag: "Synced"; readonly delta: SyncResult<Message> }
  | { readonly _tag: "Reset"; readonly state: string }

/** A window as fetched: the chat's latest messages, newest first. */
export interface WindowLoad {
  readonly newestFirst: ReadonlyArray<Message>
  readonly complete: boolean
}

/** Everything one sync round fetched. */
export interface RoundResult {
  readonly round: number
  readonly accountId: string
  readonly collections: ReadonlyArray<CollectionResult>
  readonly messages: MessageResult | undefined
  readonly windows: ReadonlyMap<string, WindowLoad>
}

const applyCollection = (collections: Collections.Collections, result: CollectionResult): Collections.Collections => {
  const current = collections[result.name] as Collections.Collection<any>
  const next = result._tag === "Loaded"
    ? Collections.replace(current, result.state, result.list)
    : Collections.apply(current, result.delta)
  return next === current ? collections : { ...collections, [result.name]: next }
}

const contactsFetched = (result: CollectionResult): ReadonlyArray<string> =>
  result.name !== "ChatContact"
    ? []
    : result._tag === "Loaded"
    ? result.list.map((c: { readonly id: string }) => c.id)
    : [...result.delta.created, ...result.delta.updated].map((c: { readonly id: string }) => c.id)

/** Confirms an open write with the server's object. */
export const confirm = (
  self: Snapshot,
  writeId: string,
  result: Message | ReadPosition | undefined,
  round: number
): Snapshot => ({
  ...self,
  writes: self.writes.map((e) =>
    e.write.writeId === writeId && Writes.isOpen(e)
      ? { ...e, status: "confirmed", error: undefined, result, settleAfter: round }
      : e
  )
})

/** Puts a message as the server returned it (a send's, an update's) into its chat's window, if the store has one. */
export const putMessage = (self: Snapshot, message: Message): Snapshot => {
  const window = self.windows.get(message.chatId)
  if (window === undefined) return self
  const next = MessageWindow.apply(window, [message], new Set())
  return next === window ? self : { ...self, windows: new Map(self.windows).set(message.chatId, next) }
}

/**
 * Applies a sync round: collections, then message changes, then reloaded windows; drops the windows
 * of chats that are gone, confirms sends whose message has appeared, lets go of writes confirmed
 * before the round began and of presence the round fetched again.
 */
export const applyRound = (self: Snapshot, result: RoundResult): Snapshot => {
  const collections = result.collections.reduce(applyCollection, self.collections)
  const chatsBefore = self.collections.Chat
  const chatsAfter = collections.Chat
  let windows = new Map(self.windows)
  if (chatsAfter !== chatsBefore && chatsAfter.state !== undefined) {
    for (const chatId of windows.keys()) {
      if (chatsBefore.items.has(chatId) && !chatsAfter.items.has(chatId)) windows.delete(chatId)
    }
  }
  let messageState = self.messageState
  const seen: Array<Message> = []
  if (result.messages?._tag === "Synced") {
    const { delta } = result.messages
    const changed = [...delta.created, ...delta.updated]
    const destroyed = new Set(delta.destroyed)
    for (const [chatId, window] of windows) windows.set(chatId, MessageWindow.apply(window, changed, destroyed))
    messageState = delta.newState
    seen.push(...changed)
  } else if (result.messages?._tag === "Reset") {
    messageState = result.messages.state
  }
  for (const [chatId, load] of result.windows) {
    const window = windows.get(chatId)
    if (window === undefined) continue
    windows.set(chatId, MessageWindow.loaded(window, load.newestFirst, load.complete))
    seen.push(...load.newestFirst)
  }
  if ([...windows].every(([chatId, w]) => self.windows.get(chatId) === w) && windows.size === self.windows.size) {
    windows = self.windows as Map<string, MessageWindow.MessageWindow>
  }

  const writes = self.writes.flatMap((e): ReadonlyArray<Writes.Entry> => {
    if (e.status === "confirmed") return e.settleAfter < result.round ? [] : [e]
    if (e.write._tag !== "Send") return [e]
    const send = e.write
    const created = seen.find((m) => Writes.matchesSend(send, m))
    return created === undefined
      ? [e]
      : [{ ...e, status: "confirmed", error: undefined, result: created, settleAfter: result.round }]
  })

  const refetched = new Set(result.collections.flatMap(contactsFetched))
  let presence = self.presence
  if ([...presence].some(([id, p]) => refetched.has(id) && p.round < result.round)) {
    presence = new Map([...presence].filter(([id, p]) => !(refetched.has(id) && p.round < result.round)))
  }

  return {
    ...self,
    accountId: result.accountId,
    collections,
    messageState,
    windows,
    writes: writes.length === self.writes.length && writes.every((e, i) => e === self.writes[i]) ? self.writes : writes,
    presence
  }
}

/** The store of another account: everything is dropped (the store loads the account afresh). */
export const forAccount = (self: Snapshot, accountId: string): Snapshot =>
  self.accountId === undefined || self.accountId === accountId ? self : { ...empty, status: self.status }
