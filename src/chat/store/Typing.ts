/**
 * Who is typing in which chat, from the push stream's typing events (draft-atwood-jmap-chat-00
 * §Chat/typing, §Push Notifications). Nothing about typing is stored by the server, so each
 * indicator lasts a fixed time after the last `typing: true` (senders repeat it while they type),
 * and ends at once with `typing: false` or a message from the sender in that chat. Pure: times are
 * passed in (Effect `Clock` milliseconds), so `TestClock` drives the expiry.
 *
 * @since 0.1.0
 */

/** Per chat id, per sender id, until when (epoch ms) the indicator shows. */
export type Typing = ReadonlyMap<string, ReadonlyMap<string, number>>

/** Nobody is typing. */
export const empty: Typing = new Map()

const withChat = (self: Typing, chatId: string, senders: ReadonlyMap<string, number>): Typing => {
  const next = new Map(self)
  if (senders.size === 0) next.delete(chatId)
  else next.set(chatId, senders)
  return next
}

/** Applies a typing event received at `now`: shown until `now + timeout`, or hidden. */
export const onEvent = (
  self: Typing,
  event: { readonly chatId: string; readonly senderId: string; readonly typing: boolean },
  now: number,
  timeout: number
): Typing => {
  const senders = new Map(self.get(event.chatId))
  if (event.typing) senders.set(event.senderId, now + timeout)
  else if (!senders.delete(event.senderId)) return self
  return withChat(self, event.chatId, senders)
}

/** Hides `senderId` in `chatId` (their message arrived). */
export const stop = (self: Typing, chatId: string, senderId: string): Typing =>
  self.get(chatId)?.has(senderId) === true ? onEvent(self, { chatId, senderId, typing: false }, 0, 0) : self

/** Drops the indicators that ended by `now`; `self` when none did. */
export const expire = (self: Typing, now: number): Typing => {
  let next: Map<string, ReadonlyMap<string, number>> | undefined
  for (const [chatId, senders] of self) {
    if (![...senders.values()].some((until) => until <= now)) continue
    next ??= new Map(self)
    const kept = new Map([...senders].filter(([, until]) => until > now))
    if (kept.size === 0) next.delete(chatId)
    else next.set(chatId, kept)
  }
  return next ?? self
}

/** When the next indicator ends, if any shows. */
export const nextExpiry = (self: Typing): number | undefined => {
  let next: number | undefined
  for (const senders of self.values()) {
    for (const until of senders.values()) if (next === undefined || until < next) next = until
  }
  return next
}

/** Who is typing in `chatId`, by sender id. */
export const who = (self: Typing, chatId: string): ReadonlyArray<string> =>
  Array.from(self.get(chatId)?.keys() ?? []).sort()
