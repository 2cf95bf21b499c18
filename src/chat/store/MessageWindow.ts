/**
 * The messages a `ChatStore` keeps of one chat: the latest `limit` of them, oldest first, ordered
 * by `receivedAt` then `id` as `Message/query` orders them (draft-atwood-jmap-chat-00
 * §Message/query: messages are ordered by the receiving server's time, never by `sentAt`).
 * `limit` starts at the store's window size and grows as older pages are loaded.
 *
 * The window is always a contiguous tail of the chat: every message newer than its oldest one is
 * in it. Applying `/changes` keeps that true, and when deletions leave it shorter than `limit`
 * while older messages exist, {@link needsRefill} says to load it again.
 *
 * @since 0.1.0
 */
import type { Message } from "../Message.js"
import { keep } from "./internal/equal.js"

/** One chat's latest messages. */
export interface MessageWindow {
  readonly chatId: string
  /** How many of the chat's latest messages the window holds at most. */
  readonly limit: number
  /** Oldest first. */
  readonly messages: ReadonlyArray<Message>
  /** True when the window holds the chat's oldest message: there is nothing older to load. */
  readonly complete: boolean
  /** False until the window was first fetched from the server. */
  readonly loaded: boolean
}

/** A window that was never fetched. */
export const unloaded = (chatId: string, limit: number): MessageWindow => ({
  chatId,
  limit,
  messages: [],
  complete: false,
  loaded: false
})

/**
 * Compares two UTCDates by time: as strings when both are in UTC (`Z`) and of the same length (the
 * usual case, and much cheaper), else by `Date.parse` (a date that does not parse sorts first).
 */
const compareTimes = (a: string, b: string): number => {
  if (a.length === b.length && a.endsWith("Z") && b.endsWith("Z")) return a < b ? -1 : a > b ? 1 : 0
  const x = Date.parse(a)
  const y = Date.parse(b)
  return (Number.isNaN(x) ? 0 : x) - (Number.isNaN(y) ? 0 : y)
}

/** The window order: `receivedAt`, then `id` (RFC 8620 ids compared as octets). */
export const compare = (a: Message, b: Message): number => {
  const dt = compareTimes(a.receivedAt, b.receivedAt)
  return dt !== 0 ? dt : a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

/** Where `m` is, or would be inserted, in `messages` (binary search by {@link compare}). */
const search = (messages: ReadonlyArray<Message>, m: Message): { readonly index: number; readonly found: boolean } => {
  let lo = 0
  let hi = messages.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    const c = compare(messages[mid]!, m)
    if (c === 0) return { index: mid, found: messages[mid]!.id === m.id }
    if (c < 0) lo = mid + 1
    else hi = mid
  }
  return { index: lo, found: false }
}

const trim = (messages: Array<Message>, limit: number, complete: boolean) =>
  messages.length > limit ? { messages: messages.slice(messages.length - limit), complete: false } : {
    messages,
    complete
  }

/**
 * The window as fetched: `newestFirst` are the chat's latest messages (as `Message/query` sorted by
 * `receivedAt` descending returns them), `complete` whether there are no older ones. Messages the
 * window already held keep their identity when unchanged.
 */
export const loaded = (
  self: MessageWindow,
  newestFirst: ReadonlyArray<Message>,
  complete: boolean
): MessageWindow => {
  const previous = new Map(self.messages.map((m) => [m.id, m]))
  const messages = newestFirst.map((m) => keep(previous.get(m.id), m)).sort(compare)
  return { chatId: self.chatId, limit: self.limit, ...trim(messages, self.limit, complete), loaded: true }
}

/**
 * Applies what `/changes` reported: `changed` are created or updated messages of any chat (those of
 * other chats are ignored), `destroyed` ids of any chat. A message older than the window's oldest
 * is not the window's concern unless the window is complete; a window never fetched is left to its
 * first fetch. Returns `self` when nothing changed.
 */
export const apply = (
  self: MessageWindow,
  changed: ReadonlyArray<Message>,
  destroyed: ReadonlySet<string>
): MessageWindow => {
  if (!self.loaded) return self
  let messages: Array<Message> | undefined
  const current = () => messages ?? self.messages
  const edit = () => (messages ??= [...self.messages])
  if (destroyed.size > 0 && self.messages.some((m) => destroyed.has(m.id))) {
    messages = self.messages.filter((m) => !destroyed.has(m.id))
  }
  for (const m of changed) {
    if (m.chatId !== self.chatId || destroyed.has(m.id)) continue
    const list = current()
    const at = search(list, m)
    if (at.found) {
      if (keep(list[at.index], m) !== list[at.index]) edit()[at.index] = m
      continue
    }
    // Not held: a new message, or an update of one older than the window (not its concern).
    const oldest = list[0]
    if (!self.complete && (oldest === undefined || compare(m, oldest) < 0)) continue
    edit().splice(at.index, 0, m)
  }
  if (messages === undefined) return self
  return { ...self, ...trim(messages, self.limit, self.complete) }
}

/** Adds older messages (`newestFirst`, all older than the window's oldest) and grows `limit` by as many. */
export const prepend = (self: MessageWindow, newestFirst: ReadonlyArray<Message>, complete: boolean): MessageWindow => {
  const oldest = self.messages[0]
  const older = newestFirst.filter((m) => m.chatId === self.chatId && (oldest === undefined || compare(m, oldest) < 0))
    .sort(compare)
  return {
    ...self,
    limit: self.limit + older.length,
    messages: older.length === 0 ? self.messages : [...older, ...self.messages],
    complete
  }
}

/** True when the window must be fetched again: never fetched, or shorter than `limit` while older messages exist. */
export const needsRefill = (self: MessageWindow): boolean =>
  !self.loaded || (self.messages.length < self.limit && !self.complete)

/** The message with this id, if the window holds it. */
export const find = (self: MessageWindow, id: string): Message | undefined => self.messages.find((m) => m.id === id)
