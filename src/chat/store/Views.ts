/**
 * What a `ChatStore` shows, derived from one {@link Snapshot.Snapshot}: the chat list with unread
 * counts, a chat's messages with the optimistic writes applied, and a contact's presence. Pure
 * functions; {@link memo} recomputes a view only when the parts of the snapshot it reads changed.
 *
 * @since 0.1.0
 */
import { Option } from "effect"
import type { Chat } from "../Chat.js"
import type { Presence } from "../Enums.js"
import { isSelf, type Message } from "../Message.js"
import type { ReadPosition } from "../ReadPosition.js"
import type { MessageWindow } from "./MessageWindow.js"
import type { Snapshot } from "./Snapshot.js"
import * as Writes from "./Writes.js"

/** A write the server has not confirmed yet, shown on the entry it concerns (retry or discard it by `writeId`). */
export interface WriteInfo {
  readonly writeId: string
  readonly write: Writes.Write
  readonly status: Exclude<Writes.Status, "confirmed">
  /** Why it is `retrying` or `failed`. */
  readonly error: Writes.WriteError | undefined
}

/** One message as shown. */
export interface MessageEntry {
  /** The message id, or the write id of a send the server has not confirmed yet. */
  readonly id: string
  /** The message as the server has it, with the writes still under way applied. */
  readonly message: Message
  /** `failed` when one of its writes was refused, `pending` while one is under way, else `confirmed`. */
  readonly status: "confirmed" | "pending" | "failed"
  /** Its unconfirmed writes, oldest first. */
  readonly writes: ReadonlyArray<WriteInfo>
}

/** A chat's messages as shown: its window, oldest first, then the sends not in it yet. */
export interface MessagesView {
  readonly chatId: string
  /** False until the window was first fetched (the entries are then only unconfirmed sends). */
  readonly loaded: boolean
  /** Older messages exist on the server (`loadOlder` fetches them). */
  readonly hasOlder: boolean
  readonly entries: ReadonlyArray<MessageEntry>
}

/** One chat of the chat list. */
export interface ChatEntry {
  readonly chat: Chat
  /** The server's count, or, after `markRead`, the count of newer messages from others in the window. */
  readonly unreadCount: number
  /** `lastMessageAt` (or `createdAt`), or the time of a send under way if later: the sort key. */
  readonly lastActivityAt: string
  readonly readPosition: ReadPosition | undefined
  /** The latest message the store holds for the chat (sends under way included), if it has its window. */
  readonly lastMessage: Message | undefined
  /** Unconfirmed `markRead` writes of the chat. */
  readonly writes: ReadonlyArray<WriteInfo>
}

/** A contact's presence: the ChatContact as synced, with presence pushed since applied. */
export interface ContactPresence {
  readonly contactId: string
  /** Absent: unknown to the server. */
  readonly presence: Presence | undefined
  readonly lastActiveAt: string | undefined
  readonly statusText: string | undefined
  readonly statusEmoji: string | undefined
}

const time = (date: string | null | undefined): number => {
  const t = date === undefined || date === null ? Number.NaN : Date.parse(date)
  return Number.isNaN(t) ? 0 : t
}

const info = (e: Writes.Entry): WriteInfo => ({
  writeId: e.write.writeId,
  write: e.write,
  status: e.status as WriteInfo["status"],
  error: e.error
})

const overlay = (message: Message, entries: ReadonlyArray<Writes.Entry>): Message =>
  entries.filter(Writes.isShown).reduce((m, { write }): Message => {
    switch (write._tag) {
      case "Edit":
        return { ...m, body: write.body, bodyType: write.bodyType ?? m.bodyType }
      case "React": {
        const reactions = { ...m.reactions }
        if (write.reaction === null) delete reactions[write.reactionId]
        else {
          const { customEmojiId, emoji, sentAt } = write.reaction
          reactions[write.reactionId] = {
            emoji,
            ...(customEmojiId === undefined ? {} : { customEmojiId }),
            senderId: "self",
            sentAt
          }
        }
        return { ...m, reactions }
      }
      default:
        return m
    }
  }, message)

const entryOf = (id: string, message: Message, entries: ReadonlyArray<Writes.Entry>): MessageEntry => {
  if (entries.length === 0) return { id, message, status: "confirmed", writes: [] }
  const open = entries.filter(Writes.isOpen)
  return {
    id,
    message: overlay(message, entries),
    status: open.some((e) => e.status === "failed") ? "failed" : open.length > 0 ? "pending" : "confirmed",
    writes: open.map(info)
  }
}

/** The message a send will create, as shown until the server confirms it. */
export const pendingMessage = (send: Writes.Send): Message => {
  const { body, bodyType, chatId, sentAt, ...rest } = send.input
  const at = sentAt ?? new Date(0).toISOString()
  return {
    id: send.writeId,
    senderMsgId: send.writeId,
    chatId,
    senderId: "self",
    body,
    bodyType: bodyType ?? "text/plain",
    attachments: rest.attachments ?? [],
    mentions: rest.mentions ?? [],
    broadcastMentions: rest.broadcastMentions ?? [],
    actions: rest.actions ?? [],
    reactions: {},
    ...(rest.replyTo === undefined ? {} : { replyTo: rest.replyTo }),
    ...(rest.threadRootId === undefined ? {} : { threadRootId: rest.threadRootId }),
    ...(rest.senderExpiresAt === undefined ? {} : { senderExpiresAt: rest.senderExpiresAt }),
    ...(rest.burnOnRead === undefined ? {} : { burnOnRead: rest.burnOnRead }),
    sentAt: at,
    receivedAt: at,
    deliveryState: "pending"
  } as Message
}

const targetOf = (write: Writes.Write): string | undefined =>
  write._tag === "React" || write._tag === "Edit" ? write.messageId : undefined

/** The writes on messages, by message id. */
const byMessage = (writes: ReadonlyArray<Writes.Entry>): Map<string, Array<Writes.Entry>> => {
  const out = new Map<string, Array<Writes.Entry>>()
  for (const e of writes) {
    const target = targetOf(e.write)
    if (target !== undefined) out.set(target, [...(out.get(target) ?? []), e])
  }
  return out
}

const sendsOf = (writes: ReadonlyArray<Writes.Entry>, chatId: string) =>
  writes.filter((e): e is Writes.Entry & { readonly write: Writes.Send } =>
    e.write._tag === "Send" && e.write.input.chatId === chatId
  )

/** A chat's messages (see {@link MessagesView}). */
export const messages = (snapshot: Snapshot, chatId: string): MessagesView => {
  const window: MessageWindow | undefined = snapshot.windows.get(chatId)
  const onMessages = byMessage(snapshot.writes)
  const held = window?.messages ?? []
  const entries = held.map((m) => entryOf(m.id, m, onMessages.get(m.id) ?? []))
  const heldIds = new Set(held.map((m) => m.id))
  for (const e of sendsOf(snapshot.writes, chatId)) {
    const created = e.result as Message | undefined
    if (e.status === "confirmed" && created !== undefined) {
      if (!heldIds.has(created.id)) entries.push(entryOf(created.id, created, onMessages.get(created.id) ?? []))
    } else if (Writes.isOpen(e)) {
      entries.push({
        id: e.write.writeId,
        message: pendingMessage(e.write),
        status: e.status === "failed" ? "failed" : "pending",
        writes: [info(e)]
      })
    }
  }
  return {
    chatId,
    loaded: window?.loaded ?? false,
    hasOlder: window !== undefined && !window.complete,
    entries
  }
}

/** The latest `markRead` still shown per chat, and every unconfirmed one. */
const markReads = (writes: ReadonlyArray<Writes.Entry>) => {
  const latest = new Map<string, Writes.MarkRead>()
  const open = new Map<string, Array<WriteInfo>>()
  for (const e of writes) {
    if (e.write._tag !== "MarkRead") continue
    if (Writes.isShown(e)) latest.set(e.write.chatId, e.write)
    if (Writes.isOpen(e)) open.set(e.write.chatId, [...(open.get(e.write.chatId) ?? []), info(e)])
  }
  return { latest, open }
}

const unreadAfter = (window: MessageWindow | undefined, messageId: string): number | undefined => {
  const index = window?.messages.findIndex((m) => m.id === messageId) ?? -1
  if (window === undefined || index < 0) return undefined
  return window.messages.slice(index + 1).filter((m) => !isSelf(m.senderId) && (m.deletedAt ?? null) === null).length
}

/** The chat list, most recent activity first (see {@link ChatEntry}). */
export const chats = (snapshot: Snapshot): ReadonlyArray<ChatEntry> => {
  const positions = new Map<string, ReadPosition>()
  for (const rp of snapshot.collections.ReadPosition.items.values()) positions.set(rp.chatId, rp)
  const reads = markReads(snapshot.writes)
  const onMessages = byMessage(snapshot.writes)
  const list = Array.from(snapshot.collections.Chat.items.values(), (chat): ChatEntry => {
    const window = snapshot.windows.get(chat.id)
    const sends = sendsOf(snapshot.writes, chat.id).filter(Writes.isOpen)
    const lastSend = sends.at(-1)
    const lastHeld = window?.messages.at(-1)
    const lastMessage = lastSend !== undefined
      ? pendingMessage(lastSend.write)
      : lastHeld === undefined
      ? undefined
      : overlay(lastHeld, onMessages.get(lastHeld.id) ?? [])
    const activity = chat.lastMessageAt ?? chat.createdAt
    const lastActivityAt = lastSend !== undefined && time(lastSend.write.input.sentAt) > time(activity)
      ? lastSend.write.input.sentAt!
      : activity
    const read = reads.latest.get(chat.id)
    const position = positions.get(chat.id)
    return {
      chat,
      unreadCount: (read === undefined ? undefined : unreadAfter(window, read.messageId)) ?? chat.unreadCount,
      lastActivityAt,
      readPosition: read === undefined || position === undefined
        ? position
        : { ...position, lastReadMessageId: read.messageId },
      lastMessage,
      writes: reads.open.get(chat.id) ?? []
    }
  })
  return list.sort((a, b) =>
    time(b.lastActivityAt) - time(a.lastActivityAt) || (a.chat.id < b.chat.id ? -1 : a.chat.id > b.chat.id ? 1 : 0)
  )
}

/** A contact's presence (see {@link ContactPresence}); `None` for a contact the store does not know. */
export const presence = (snapshot: Snapshot, contactId: string): Option.Option<ContactPresence> => {
  const contact = snapshot.collections.ChatContact.items.get(contactId)
  const pushed = snapshot.presence.get(contactId)
  if (contact === undefined && pushed === undefined) return Option.none()
  const pick = (key: "lastActiveAt" | "statusText" | "statusEmoji"): string | undefined =>
    (pushed !== undefined && pushed[key] !== undefined ? pushed[key] : contact?.[key]) ?? undefined
  return Option.some({
    contactId,
    presence: pushed?.presence ?? contact?.presence ?? undefined,
    lastActiveAt: pick("lastActiveAt"),
    statusText: pick("statusText"),
    statusEmoji: pick("statusEmoji")
  })
}

/**
 * `f` memoized on the parts of the snapshot `inputs` picks: while they are the same references,
 * the previous result is returned as is.
 */
export const memo = <A>(
  inputs: (snapshot: Snapshot) => ReadonlyArray<unknown>,
  f: (snapshot: Snapshot) => A
): (snapshot: Snapshot) => A => {
  let last: { readonly inputs: ReadonlyArray<unknown>; readonly value: A } | undefined
  return (snapshot) => {
    const current = inputs(snapshot)
    if (last !== undefined && current.every((x, i) => x === last!.inputs[i])) return last.value
    const value = f(snapshot)
    last = { inputs: current, value }
    return value
  }
}
