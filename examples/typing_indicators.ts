/**
 * Typing indicators as a plain value: who is typing in which chat. A `typing: true` event shows the
 * sender for 10 s (their client repeats it while they keep typing), `typing: false` hides them at
 * once. Pure: the caller passes the time (`Clock.currentTimeMillis`), so tests control the decay.
 */
import { HashMap } from "effect"

/** How long a `typing: true` shows, in milliseconds. */
export const decayMillis = 10_000

/** Someone typing in a chat, shown until `until` (epoch ms). */
export interface Typist {
  readonly chatId: string
  readonly senderId: string
  readonly until: number
}

/** Who is typing, keyed by chat and sender. */
export type TypingIndicators = HashMap.HashMap<string, Typist>

export const empty: TypingIndicators = HashMap.empty()

/** Applies a typing event (`Typing` from the push stream) received at `now`; forgets expired entries. */
export const onTyping = (
  self: TypingIndicators,
  event: { readonly chatId: string; readonly senderId: string; readonly typing: boolean },
  now: number
): TypingIndicators => {
  const key = JSON.stringify([event.chatId, event.senderId])
  const current = HashMap.filter(self, (typist) => typist.until > now)
  return event.typing
    ? HashMap.set(current, key, { chatId: event.chatId, senderId: event.senderId, until: now + decayMillis })
    : HashMap.remove(current, key)
}

/** Who is typing at `now`, by chat then sender. */
export const active = (self: TypingIndicators, now: number): ReadonlyArray<Typist> =>
  Array.from(HashMap.values(self))
    .filter((typist) => typist.until > now)
    .sort((a, b) => a.chatId.localeCompare(b.chatId) || a.senderId.localeCompare(b.senderId))
