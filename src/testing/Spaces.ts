/**
 * Space membership bookkeeping shared by `Space/set`, `Space/join`, `SpaceBan/set` and
 * `CustomEmoji/set` (draft-atwood-jmap-chat-00 §Space, §Authorization): after any change to a
 * Space, every affected mailbox gets exactly the channels its permissions let it `view`.
 *
 * @since 0.1.0
 */
import { destroyMessage } from "./Expiry.js"
import type { BanState, ChatState, SpaceState, World } from "./World.js"

/** The permission vocabulary; unknown names are dropped on input (compliance test 5.2). */
export const permissionNames: ReadonlyArray<string> = [
  "view",
  "send",
  "pin",
  "manage_channels",
  "manage_members",
  "manage_roles",
  "manage_space",
  "ban",
  "mention_broadcast"
]

/** The `@everyone` permissions of a new Space (never `mention_broadcast`). */
export const everyoneDefault: ReadonlyArray<string> = ["view", "send"]

/** The ban currently keeping `userId` out of a Space, if any. */
export const activeBan = (world: World, spaceId: string, userId: string): BanState | undefined =>
  Array.from(world.bans.values()).find((ban) =>
    ban.spaceId === spaceId && ban.userId === userId &&
    (ban.expiresAt === undefined || Date.parse(ban.expiresAt) > world.now)
  )

/** Touches every record whose visibility depends on Space membership or permissions. */
const touchSpaceRecords = (world: World, space: SpaceState, userId: string): void => {
  const account = world.accountOf(userId)
  if (account === undefined) return
  world.touch(account, "Space", space.id)
  world.touch(account, "Quota", "spaces")
  for (const invite of world.invites.values()) {
    if (invite.spaceId === space.id) world.touch(account, "SpaceInvite", invite.id)
  }
  for (const ban of world.bans.values()) if (ban.spaceId === space.id) world.touch(account, "SpaceBan", ban.id)
  for (const emoji of world.emojis.values()) {
    if (emoji.spaceId === space.id) world.touch(account, "CustomEmoji", emoji.id)
  }
}

/**
 * Reconciles mailboxes with a Space after a change: members know each other as contacts and hold
 * every channel they may `view` (with its history); former members and members who lost `view`
 * lose the channels. `alsoAffected` names users who were members before the change.
 */
export const syncSpace = (world: World, space: SpaceState, alsoAffected: Iterable<string> = []): void => {
  const everyone = new Set([...alsoAffected, ...space.members.keys()])
  for (const ban of world.bans.values()) if (ban.spaceId === space.id) everyone.add(ban.userId)
  for (const userId of everyone) {
    touchSpaceRecords(world, space, userId)
    const account = world.accountOf(userId)
    if (account === undefined) continue
    const member = space.members.has(userId)
    if (member) { for (const other of space.members.keys()) world.knowContact(account, other) }
    for (const chatId of space.channelIds) {
      const chat = world.chats.get(chatId)
      if (chat === undefined) continue
      if (member && world.channelPermissions(space, chat, userId).has("view")) world.openChat(account, chat)
      else world.closeChat(account, chat)
    }
  }
}

/** Deletes a channel with all its messages (no tombstones). */
export const removeChannel = (world: World, space: SpaceState, chat: ChatState): void => {
  for (const canonId of [...chat.messages]) destroyMessage(world, canonId)
  for (const account of world.accounts.values()) world.closeChat(account, chat)
  world.chats.delete(chat.id)
  const index = space.channelIds.indexOf(chat.id)
  if (index >= 0) space.channelIds.splice(index, 1)
  for (const category of space.categories) {
    category.channelIds = category.channelIds.filter((id) => id !== chat.id)
  }
}
