/**
 * Time-driven changes the drafts require, applied lazily before every request (and on demand)
 * so that a test's clock alone decides when they happen: `senderExpiresAt` hard-deletes,
 * `messageExpirySeconds` retention, `muteUntil` lapsing, ban expiry and PresenceStatus
 * `expiresAt` (draft-atwood-jmap-chat-00 §Message, §Chat, §SpaceBan, §PresenceStatus).
 *
 * @since 0.1.0
 */
import { announcePresence } from "./types/PresenceStatus.js"
import type { World } from "./World.js"

const passed = (world: World, date: string | undefined): boolean => date !== undefined && Date.parse(date) <= world.now

/** Removes a message from every mailbox and from its chat (no tombstone). */
export const destroyMessage = (world: World, canonId: string): void => {
  const message = world.messages.get(canonId)
  if (message === undefined) return
  for (const accountId of Array.from(message.copies.keys())) {
    const account = world.accounts.get(accountId)
    if (account !== undefined) world.dropCopy(account, canonId)
  }
  const chat = world.chats.get(message.chatId)
  if (chat !== undefined) {
    const index = chat.messages.indexOf(canonId)
    if (index >= 0) chat.messages.splice(index, 1)
    world.touchChat(chat)
  }
  world.messages.delete(canonId)
}

/** Applies every expiry that is due at `world.now`; an expired presence becomes `presenceExpiry`. */
export const sweep = (world: World, presenceExpiry: "online" | "offline"): void => {
  for (const message of Array.from(world.messages.values())) {
    if (passed(world, message.senderExpiresAt)) destroyMessage(world, message.id)
  }
  for (const account of world.accounts.values()) {
    for (const [chatId, entry] of account.chats) {
      if (passed(world, entry.muteUntil)) {
        entry.muted = false
        entry.muteUntil = undefined
        world.touch(account, "Chat", chatId)
      }
      const retention = entry.messageExpirySeconds
      if (retention !== undefined && retention > 0) {
        for (const copy of Array.from(account.messages.values())) {
          if (copy.chatId === chatId && copy.receivedAt + retention * 1000 <= world.now) {
            world.dropCopy(account, copy.canonId)
          }
        }
      }
    }
    const presence = account.user.presence
    if (passed(world, presence.expiresAt)) {
      presence.presence = presenceExpiry
      presence.statusText = undefined
      presence.statusEmoji = undefined
      presence.expiresAt = undefined
      presence.updatedAt = world.now
      world.touch(account, "PresenceStatus", presence.id)
      announcePresence(world, account.user, ["statusText", "statusEmoji"])
    }
  }
  for (const ban of Array.from(world.bans.values())) {
    if (passed(world, ban.expiresAt)) {
      world.bans.delete(ban.id)
      for (const account of world.accounts.values()) world.touch(account, "SpaceBan", ban.id)
    }
  }
}
