/**
 * The `ChatContact` data type (draft-atwood-jmap-chat-00 §ChatContact): the people a mailbox
 * shares chats or Spaces with. The server creates them; the owner may only change `blocked` and
 * `displayName`. Presence fields mirror the contact's own PresenceStatus (`invisible` shows as
 * `offline`).
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect"
import { type DataType, filter } from "../DataType.js"
import type { JsonRecord } from "../Json.js"
import { Capability } from "../ServerConfig.js"
import { type Account, utcDate, type World } from "../World.js"

const project = (world: World, account: Account, id: string): JsonRecord | undefined => {
  const entry = account.contacts.get(id)
  if (entry === undefined) return undefined
  const user = world.users.get(id)
  const presence = user?.presence
  const visible = presence !== undefined && presence.presence !== "invisible"
  return {
    id,
    login: user?.login ?? id,
    displayName: entry.displayName ?? user?.displayName ?? null,
    firstSeenAt: utcDate(entry.firstSeenAt),
    lastSeenAt: utcDate(entry.lastSeenAt),
    presence: presence === undefined ? null : visible ? presence.presence : "offline",
    lastActiveAt: visible ? utcDate(presence.lastActiveAt) : null,
    statusText: visible ? presence.statusText ?? null : null,
    statusEmoji: visible ? presence.statusEmoji ?? null : null,
    endpoints: user === undefined ? null : user.endpoints.map((e) => ({ ...e })),
    blocked: entry.blocked
  }
}

/** The `ChatContact` data type. */
export const ChatContactType: DataType = {
  name: "ChatContact",
  capability: Capability.chat,
  properties: [
    "id",
    "login",
    "displayName",
    "firstSeenAt",
    "lastSeenAt",
    "presence",
    "lastActiveAt",
    "statusText",
    "statusEmoji",
    "endpoints",
    "blocked"
  ],
  project,
  query: {
    filters: {
      blocked: filter(Schema.Boolean, (r, v) => r.blocked === v),
      presence: filter(Schema.String, (r, v) => r.presence === v)
    },
    sorts: ["lastSeenAt", "login", "lastActiveAt", "displayName", "firstSeenAt"],
    defaultSort: () => [{ property: "login", isAscending: true, collation: undefined }]
  },
  set: {
    update: {
      properties: { blocked: Schema.Boolean, displayName: Schema.NullOr(Schema.String) },
      run: (ctx, id, { changed }) =>
        Effect.sync(() => {
          const entry = ctx.account.contacts.get(id)!
          if ("blocked" in changed) entry.blocked = changed.blocked as boolean
          if ("displayName" in changed) entry.displayName = (changed.displayName as string | null) ?? undefined
          ctx.world.touch(ctx.account, "ChatContact", id)
        })
    }
  }
}
