/**
 * The `Chat` data type (draft-atwood-jmap-chat-00 §Chat, §Chat/set, §Chat/query): direct chats
 * deduplicated per contact, group chats with admin-managed membership (`addMembers`,
 * `removeMembers`, `updateMemberRoles` patch keys), channels (created through Space/set), and the
 * owner-side preferences (`muted`, `receiveTypingIndicators`, …) plus derived `unreadCount`.
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect"
import { UnsignedInt, UTCDate } from "../../jmap/Primitives.js"
import { create, type DataType, filter } from "../DataType.js"
import { compact, type JsonRecord } from "../Json.js"
import type { MethodContext } from "../MethodContext.js"
import { SetFailure } from "../ProtocolErrors.js"
import { Capability } from "../ServerConfig.js"
import { type Account, type ChatState, utcDate, type World } from "../World.js"

const Role = Schema.Literal("admin", "member")

const CreateChat = Schema.Struct({
  kind: Schema.Literal("direct", "group", "channel"),
  contactId: Schema.optional(Schema.NonEmptyString),
  name: Schema.optional(Schema.String),
  memberIds: Schema.optional(Schema.Array(Schema.NonEmptyString)),
  description: Schema.optional(Schema.String),
  avatarBlobId: Schema.optional(Schema.NonEmptyString),
  messageExpirySeconds: Schema.optional(UnsignedInt)
})

/** Whether the chat is visible in a mailbox (channels also need the `view` permission). */
export const chatVisible = (world: World, account: Account, chat: ChatState): boolean => {
  if (!account.chats.has(chat.id)) return false
  if (chat.kind !== "channel") return true
  return world.participants(chat).includes(account.user.userId)
}

const project = (world: World, account: Account, id: string): JsonRecord | undefined => {
  const chat = world.chats.get(id)
  const entry = account.chats.get(id)
  if (chat === undefined || entry === undefined || !chatVisible(world, account, chat)) return undefined
  const me = account.user.userId
  const channel = chat.kind === "channel"
  let lastMessageAt: number | undefined
  let unreadCount = 0
  for (const canonId of chat.messages) {
    const localId = account.messageIds.get(canonId)
    const message = world.messages.get(canonId)
    const copy = localId === undefined ? undefined : account.messages.get(localId)
    if (copy === undefined || message === undefined) continue
    lastMessageAt = copy.receivedAt
    const deleted = copy.deletedAt !== undefined || message.deletedForAll !== undefined
    const unread = entry.lastReadMessageId === undefined || copy.localId > entry.lastReadMessageId
    if (message.senderId !== me && !deleted && unread) unreadCount += 1
  }
  const pinned = chat.kind === "direct"
    ? entry.pinnedMessageIds
    : chat.pinnedMessageIds.flatMap((canonId) => account.messageIds.get(canonId) ?? [])
  return compact({
    id: chat.id,
    kind: chat.kind,
    contactId: chat.kind === "direct" ? chat.participants.find((p) => p !== me) ?? me : undefined,
    name: chat.name,
    description: chat.description,
    avatarBlobId: chat.avatarBlobId,
    members: chat.kind === "group"
      ? chat.members.map((m) => ({ id: m.id, role: m.role, joinedAt: utcDate(m.joinedAt), invitedBy: m.invitedBy }))
      : undefined,
    spaceId: chat.spaceId,
    categoryId: channel
      ? world.spaces.get(chat.spaceId ?? "")?.categories.find((c) => c.channelIds.includes(chat.id))?.id
      : undefined,
    position: chat.position,
    topic: chat.topic,
    slowModeSeconds: channel ? chat.slowModeSeconds : undefined,
    permissionOverrides: channel ? [...chat.permissionOverrides] : undefined,
    createdAt: utcDate(entry.createdAt),
    lastMessageAt: lastMessageAt === undefined ? undefined : utcDate(lastMessageAt),
    unreadCount,
    pinnedMessageIds: [...pinned],
    muted: entry.muted,
    muteUntil: entry.muteUntil,
    receiveTypingIndicators: entry.receiveTypingIndicators,
    receiptSharing: entry.receiptSharing,
    messageExpirySeconds: entry.messageExpirySeconds
  })
}

const newChat = (
  world: World,
  fields: Pick<ChatState, "kind" | "participants" | "members" | "name" | "description" | "avatarBlobId"> & {
    readonly spaceId?: string
  }
): ChatState => {
  const chat: ChatState = {
    id: world.newId(),
    createdAt: world.now,
    pinnedMessageIds: [],
    position: undefined,
    topic: undefined,
    slowModeSeconds: 0,
    permissionOverrides: [],
    messages: [],
    spaceId: fields.spaceId,
    ...fields
  }
  world.chats.set(chat.id, chat)
  return chat
}

/** Creates a channel chat in a Space (used by Space/set `addChannels`). */
export const newChannel = (world: World, spaceId: string, name: string): ChatState =>
  newChat(world, {
    kind: "channel",
    participants: [],
    members: [],
    name,
    description: undefined,
    avatarBlobId: undefined,
    spaceId
  })

const createChat = (ctx: MethodContext, input: typeof CreateChat.Type) =>
  Effect.gen(function*() {
    const { account, world } = ctx
    const me = account.user.userId
    if (input.kind === "channel") {
      return yield* SetFailure.forbidden("channels are created with Space/set addChannels")
    }
    if (input.kind === "direct") {
      if (input.contactId === undefined || input.contactId === me) {
        return yield* SetFailure.invalidProperties(
          ["contactId"],
          "a direct chat needs the other participant's contactId"
        )
      }
      if (input.memberIds !== undefined || input.name !== undefined) {
        return yield* SetFailure.invalidProperties(
          [input.memberIds !== undefined ? "memberIds" : "name"],
          "direct chats take only contactId"
        )
      }
      const contactId = input.contactId
      const existing = Array.from(world.chats.values()).find((c) =>
        c.kind === "direct" && c.participants.includes(me) && c.participants.includes(contactId)
      )
      if (existing !== undefined && account.chats.has(existing.id)) {
        if (ctx.directChatDuplicate === "alreadyExists") {
          return yield* SetFailure.of("alreadyExists", "a direct chat with this contact exists", {
            existingId: existing.id
          })
        }
        return { existing: existing.id }
      }
      const chat = existing ?? newChat(world, {
        kind: "direct",
        participants: [me, contactId],
        members: [],
        name: undefined,
        description: undefined,
        avatarBlobId: undefined
      })
      world.openChat(account, chat)
      return chat.id
    }
    const name = input.name?.trim() ?? ""
    if (name === "") return yield* SetFailure.invalidProperties(["name"], "a group chat needs a name")
    if (input.memberIds === undefined) {
      return yield* SetFailure.invalidProperties(["memberIds"], "a group chat needs memberIds")
    }
    const others = Array.from(new Set(input.memberIds)).filter((id) => id !== me)
    if (others.length + 1 > ctx.limits.maxGroupMembers) {
      return yield* SetFailure.of("overQuota", `a group chat may have at most ${ctx.limits.maxGroupMembers} members`)
    }
    const chat = newChat(world, {
      kind: "group",
      participants: [],
      members: [
        { id: me, role: "admin", joinedAt: world.now, invitedBy: null },
        ...others.map((id) => ({ id, role: "member", joinedAt: world.now, invitedBy: me }))
      ],
      name,
      description: input.description,
      avatarBlobId: input.avatarBlobId
    })
    world.openChat(account, chat).messageExpirySeconds = input.messageExpirySeconds
    for (const id of others) {
      const other = world.accountOf(id)
      if (other !== undefined) world.openChat(other, chat)
      else world.knowContact(account, id)
    }
    return chat.id
  })

const AddMember = Schema.Struct({ id: Schema.NonEmptyString, role: Schema.optional(Role) })
const UpdateMemberRole = Schema.Struct({ id: Schema.NonEmptyString, role: Role })

const groupOnly = ["name", "description", "avatarBlobId"]

/** The `Chat` data type. */
export const ChatType: DataType = {
  name: "Chat",
  capability: Capability.chat,
  properties: [
    "id",
    "kind",
    "contactId",
    "name",
    "description",
    "avatarBlobId",
    "members",
    "spaceId",
    "categoryId",
    "position",
    "topic",
    "slowModeSeconds",
    "permissionOverrides",
    "createdAt",
    "lastMessageAt",
    "unreadCount",
    "pinnedMessageIds",
    "muted",
    "muteUntil",
    "receiveTypingIndicators",
    "receiptSharing",
    "messageExpirySeconds"
  ],
  project,
  query: {
    filters: {
      kind: filter(Schema.String, (r, v) => r.kind === v),
      muted: filter(Schema.Boolean, (r, v) => r.muted === v),
      spaceId: filter(Schema.String, (r, v) => r.spaceId === v)
    },
    sorts: ["lastMessageAt", "createdAt", "name", "unreadCount"],
    defaultSort: () => [{ property: "lastMessageAt", isAscending: false, collation: undefined }]
  },
  set: {
    idReferences: ["pinnedMessageIds", "avatarBlobId"],
    create: create(CreateChat, createChat),
    update: {
      properties: {
        muted: Schema.Boolean,
        muteUntil: Schema.NullOr(UTCDate),
        receiveTypingIndicators: Schema.Boolean,
        pinnedMessageIds: Schema.Array(Schema.String),
        messageExpirySeconds: Schema.NullOr(UnsignedInt),
        receiptSharing: Schema.NullOr(Schema.Boolean),
        name: Schema.NonEmptyString,
        description: Schema.NullOr(Schema.String),
        avatarBlobId: Schema.NullOr(Schema.String)
      },
      semantic: {
        addMembers: Schema.Array(AddMember),
        removeMembers: Schema.Array(Schema.NonEmptyString),
        updateMemberRoles: Schema.Array(UpdateMemberRole)
      },
      run: (ctx, id, { changed, semantic }) =>
        Effect.gen(function*() {
          const { account, world } = ctx
          const chat = world.chats.get(id)!
          const entry = account.chats.get(id)!
          const me = account.user.userId
          const adminKeys = [...groupOnly.filter((k) => k in changed), ...Object.keys(semantic)]
          if (adminKeys.length > 0 && chat.kind !== "group") {
            return yield* SetFailure.invalidProperties(adminKeys, `not applicable to ${chat.kind} chats`)
          }
          const isAdmin = chat.members.some((m) => m.id === me && m.role === "admin")
          const pinning = "pinnedMessageIds" in changed
          if ((adminKeys.length > 0 || (pinning && chat.kind === "group")) && !isAdmin) {
            return yield* SetFailure.forbidden("only group admins may do this")
          }
          if (pinning && chat.kind === "channel") {
            const space = world.spaces.get(chat.spaceId ?? "")
            if (space === undefined || !world.channelPermissions(space, chat, me).has("pin")) {
              return yield* SetFailure.forbidden("pinning in this channel needs the pin permission")
            }
          }
          const pins = (changed.pinnedMessageIds ?? []) as ReadonlyArray<string>
          const pinnedCanon: Array<string> = []
          for (const localId of pins) {
            const copy = account.messages.get(localId)
            if (copy === undefined || copy.chatId !== id) {
              return yield* SetFailure.invalidProperties(
                ["pinnedMessageIds"],
                `${localId} is not a message of this chat`
              )
            }
            pinnedCanon.push(copy.canonId)
          }
          const adds = (semantic.addMembers ?? []) as ReadonlyArray<typeof AddMember.Type>
          const removes = (semantic.removeMembers ?? []) as ReadonlyArray<string>
          const roleUpdates = (semantic.updateMemberRoles ?? []) as ReadonlyArray<typeof UpdateMemberRole.Type>
          const newIds = adds.map((a) => a.id).filter((a) => !chat.members.some((m) => m.id === a))
          const remaining = chat.members.filter((m) => !removes.includes(m.id)).length + new Set(newIds).size
          if (remaining > ctx.limits.maxGroupMembers) {
            return yield* SetFailure.of(
              "overQuota",
              `a group chat may have at most ${ctx.limits.maxGroupMembers} members`
            )
          }
          const unknownRole = roleUpdates.find((u) => !chat.members.some((m) => m.id === u.id))
          if (unknownRole !== undefined) {
            return yield* SetFailure.invalidProperties(["updateMemberRoles"], `${unknownRole.id} is not a member`)
          }

          // Everything is valid: apply.
          if ("muted" in changed) entry.muted = changed.muted as boolean
          if ("muteUntil" in changed) entry.muteUntil = (changed.muteUntil as string | null) ?? undefined
          if ("receiveTypingIndicators" in changed) {
            entry.receiveTypingIndicators = changed.receiveTypingIndicators as boolean
          }
          if ("messageExpirySeconds" in changed) {
            entry.messageExpirySeconds = (changed.messageExpirySeconds as number | null) ?? undefined
          }
          if ("receiptSharing" in changed) {
            entry.receiptSharing = (changed.receiptSharing as boolean | null) ?? undefined
          }
          if (pinning) {
            if (chat.kind === "direct") entry.pinnedMessageIds = pins
            else chat.pinnedMessageIds = pinnedCanon
          }
          if ("name" in changed) chat.name = changed.name as string
          if ("description" in changed) chat.description = (changed.description as string | null) ?? undefined
          if ("avatarBlobId" in changed) chat.avatarBlobId = (changed.avatarBlobId as string | null) ?? undefined
          for (const add of adds) {
            if (!newIds.includes(add.id) || chat.members.some((m) => m.id === add.id)) continue
            chat.members.push({ id: add.id, role: add.role ?? "member", joinedAt: world.now, invitedBy: me })
          }
          for (const update of roleUpdates) {
            const member = chat.members.find((m) => m.id === update.id)
            if (member !== undefined) member.role = update.role
          }
          const removedAccounts = chat.members.filter((m) => removes.includes(m.id)).map((m) => m.id)
          chat.members = chat.members.filter((m) => !removes.includes(m.id))
          for (const userId of removedAccounts) {
            const other = world.accountOf(userId)
            if (other !== undefined) world.closeChat(other, chat)
          }
          for (const member of chat.members) {
            const other = world.accountOf(member.id)
            if (other !== undefined) world.openChat(other, chat)
            else world.knowContact(account, member.id)
          }
          world.touchChat(chat)
        })
    },
    destroy: (ctx, id) =>
      Effect.gen(function*() {
        const { account, world } = ctx
        const chat = world.chats.get(id)!
        if (chat.kind === "channel") {
          return yield* SetFailure.forbidden("channels are removed with Space/set removeChannels")
        }
        world.closeChat(account, chat)
        if (chat.kind === "group") {
          chat.members = chat.members.filter((m) => m.id !== account.user.userId)
          world.touchChat(chat)
        }
      })
  }
}
