/**
 * Who may receive a typing or presence event (draft-atwood-jmap-chat-00 §Chat/typing, §Push
 * Notifications; draft-atwood-jmap-chat-wss-00 §8.2). The rules are applied when an event is
 * produced and again when a push connection takes it (compliance tests 8.2–8.4): leaving the chat,
 * turning `receiveTypingIndicators` off or blocking the sender in between drops it.
 *
 * @since 0.1.0
 */
import { chatVisible } from "./types/Chat.js"
import type { Account, EphemeralEvent, World } from "./World.js"

/** Whether `recipient` may see `senderId` typing in `chatId` now. */
export const typingReaches = (world: World, recipient: Account, chatId: string, senderId: string): boolean => {
  const chat = world.chats.get(chatId)
  const me = recipient.user.userId
  if (chat === undefined || me === senderId || !chatVisible(world, recipient, chat)) return false
  if (!world.participants(chat).includes(me)) return false
  if (chat.kind !== "channel" && recipient.chats.get(chatId)?.receiveTypingIndicators === false) return false
  return recipient.contacts.get(senderId)?.blocked !== true
}

/** Whether `recipient` may see `contactId`'s presence now: a known contact they do not block. */
export const presenceReaches = (recipient: Account, contactId: string): boolean => {
  const contact = recipient.contacts.get(contactId)
  return contact !== undefined && !contact.blocked
}

/** Whether an ephemeral event may still reach `recipient` now. */
export const reaches = (world: World, recipient: Account, event: EphemeralEvent): boolean =>
  event._tag === "Typing"
    ? typingReaches(world, recipient, event.chatId, event.senderId)
    : presenceReaches(recipient, event.contactId)
