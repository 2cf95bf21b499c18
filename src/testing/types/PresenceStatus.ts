/**
 * The `PresenceStatus` data type (draft-atwood-jmap-chat-00 §PresenceStatus): the owner's own
 * presence singleton. An update is mirrored into every mailbox that knows the owner (ChatContact)
 * and pushed to them as a presence event (§Push Notifications, draft-atwood-jmap-chat-wss-00
 * ChatPresenceEvent), except to those who block the owner.
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect"
import { UTCDate } from "../../jmap/Primitives.js"
import type { DataType } from "../DataType.js"
import { presenceReaches } from "../Ephemeral.js"
import { compact, type JsonRecord } from "../Json.js"
import { Capability } from "../ServerConfig.js"
import { type Account, type User, utcDate, type World } from "../World.js"

const project = (_world: World, account: Account, id: string): JsonRecord | undefined => {
  const p = account.user.presence
  if (id !== p.id) return undefined
  return compact({
    id,
    presence: p.presence,
    statusText: p.statusText,
    statusEmoji: p.statusEmoji,
    expiresAt: p.expiresAt,
    receiptSharing: p.receiptSharing,
    updatedAt: utcDate(p.updatedAt)
  })
}

/**
 * Mirrors a user's presence into every mailbox that knows them and queues the presence events.
 * `changed` lists which of statusText / statusEmoji changed (the WebSocket delta omits the rest).
 */
export const announcePresence = (
  world: World,
  user: User,
  changed: ReadonlyArray<"statusText" | "statusEmoji">
): void => {
  world.touchContact(user.userId)
  const p = user.presence
  const visible = p.presence !== "invisible"
  for (const account of world.accounts.values()) {
    if (!presenceReaches(account, user.userId)) continue
    world.emit(account.user.userId, {
      _tag: "Presence",
      contactId: user.userId,
      presence: visible ? p.presence : "offline",
      lastActiveAt: utcDate(p.lastActiveAt),
      statusText: visible ? p.statusText ?? null : null,
      statusEmoji: visible ? p.statusEmoji ?? null : null,
      changed
    })
  }
}

/** The `PresenceStatus` data type. */
export const PresenceStatusType: DataType = {
  name: "PresenceStatus",
  capability: Capability.chat,
  properties: ["id", "presence", "statusText", "statusEmoji", "expiresAt", "receiptSharing", "updatedAt"],
  project,
  set: {
    update: {
      properties: {
        presence: Schema.Literal("online", "away", "busy", "invisible", "offline"),
        statusText: Schema.NullOr(Schema.String),
        statusEmoji: Schema.NullOr(Schema.String),
        expiresAt: Schema.NullOr(UTCDate),
        receiptSharing: Schema.Boolean
      },
      run: (ctx, _id, { changed }) =>
        Effect.sync(() => {
          const { account, world } = ctx
          const p = account.user.presence
          if ("presence" in changed) p.presence = changed.presence as string
          if ("statusText" in changed) p.statusText = (changed.statusText as string | null) ?? undefined
          if ("statusEmoji" in changed) p.statusEmoji = (changed.statusEmoji as string | null) ?? undefined
          if ("expiresAt" in changed) p.expiresAt = (changed.expiresAt as string | null) ?? undefined
          if ("receiptSharing" in changed) {
            p.receiptSharing = changed.receiptSharing as boolean
            for (const chatId of account.chats.keys()) {
              const chat = world.chats.get(chatId)
              if (chat !== undefined) world.touchReceipts(chat)
            }
          }
          p.updatedAt = world.now
          p.lastActiveAt = world.now
          world.touch(account, "PresenceStatus", p.id)
          announcePresence(
            world,
            account.user,
            (["statusText", "statusEmoji"] as const).filter((k) => k in changed)
          )
        })
    }
  }
}
