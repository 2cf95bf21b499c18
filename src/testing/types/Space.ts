/**
 * The `Space` data type (draft-atwood-jmap-chat-00 §Space, §Space/set, §Space/query): members,
 * roles, categories and channels changed through the semantic patch keys (`addRoles`,
 * `removeMembers`, `updateChannels`, …), each permission-checked with the role hierarchy; a
 * restricted view for non-members of previewable Spaces; public Spaces in `Space/query`.
 *
 * An update applies all of its keys or none: it is worked out on a draft and written back only
 * when every key is valid.
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect"
import { UnsignedInt } from "../../jmap/Primitives.js"
import { create, type DataType, filter } from "../DataType.js"
import { compact, isRecord, type JsonRecord } from "../Json.js"
import type { MethodContext } from "../MethodContext.js"
import { SetFailure } from "../ProtocolErrors.js"
import { Capability } from "../ServerConfig.js"
import { activeBan, everyoneDefault, permissionNames, removeChannel, syncSpace } from "../Spaces.js"
import type { Account, CategoryState, RoleState, SpaceMemberState, SpaceState, World } from "../World.js"
import { utcDate } from "../World.js"
import { newChannel } from "./Chat.js"

const restrictedView = (space: SpaceState): JsonRecord =>
  compact({
    id: space.id,
    name: space.name,
    description: space.description,
    iconBlobId: space.iconBlobId,
    memberCount: space.members.size,
    createdAt: utcDate(space.createdAt),
    isPublic: space.isPublic,
    isPubliclyPreviewable: space.isPubliclyPreviewable
  })

const fullView = (space: SpaceState): JsonRecord => ({
  ...restrictedView(space),
  roles: [...space.roles]
    .sort((a, b) => b.position - a.position)
    .map((r) =>
      compact({ id: r.id, name: r.name, color: r.color, permissions: [...r.permissions], position: r.position })
    ),
  members: Array.from(
    space.members,
    ([id, m]) => compact({ id, roleIds: [...m.roleIds], nick: m.nick, joinedAt: utcDate(m.joinedAt) })
  ),
  categories: [...space.categories]
    .sort((a, b) => a.position - b.position)
    .map((c) => ({ id: c.id, name: c.name, position: c.position, channelIds: [...c.channelIds] })),
  uncategorizedChannelIds: space.channelIds.filter((id) => !space.categories.some((c) => c.channelIds.includes(id)))
})

const project = (world: World, account: Account, id: string): JsonRecord | undefined => {
  const space = world.spaces.get(id)
  return space !== undefined && space.members.has(account.user.userId) ? fullView(space) : undefined
}

const CreateSpace = Schema.Struct({
  name: Schema.NonEmptyString,
  description: Schema.optional(Schema.String),
  iconBlobId: Schema.optional(Schema.NonEmptyString)
})

const ChannelPermission = Schema.Struct({
  targetId: Schema.NonEmptyString,
  targetType: Schema.Literal("role", "member"),
  allow: Schema.Array(Schema.String),
  deny: Schema.Array(Schema.String)
})

const Semantic = {
  addRoles: Schema.Array(Schema.Struct({
    name: Schema.NonEmptyString,
    permissions: Schema.Array(Schema.String),
    position: UnsignedInt,
    color: Schema.optional(Schema.String)
  })),
  removeRoles: Schema.Array(Schema.String),
  updateRoles: Schema.Array(Schema.Struct({
    id: Schema.String,
    name: Schema.optional(Schema.NonEmptyString),
    color: Schema.optional(Schema.NullOr(Schema.String)),
    permissions: Schema.optional(Schema.Array(Schema.String)),
    position: Schema.optional(UnsignedInt)
  })),
  addMembers: Schema.Array(Schema.Struct({
    id: Schema.NonEmptyString,
    roleIds: Schema.optional(Schema.Array(Schema.String))
  })),
  removeMembers: Schema.Array(Schema.String),
  updateMembers: Schema.Array(Schema.Struct({
    id: Schema.String,
    roleIds: Schema.optional(Schema.Array(Schema.String)),
    nick: Schema.optional(Schema.NullOr(Schema.String))
  })),
  addChannels: Schema.Array(Schema.Struct({
    name: Schema.NonEmptyString,
    categoryId: Schema.optional(Schema.String),
    position: Schema.optional(UnsignedInt),
    topic: Schema.optional(Schema.String)
  })),
  removeChannels: Schema.Array(Schema.String),
  updateChannels: Schema.Array(Schema.Struct({
    id: Schema.String,
    name: Schema.optional(Schema.NonEmptyString),
    topic: Schema.optional(Schema.NullOr(Schema.String)),
    categoryId: Schema.optional(Schema.NullOr(Schema.String)),
    position: Schema.optional(UnsignedInt),
    slowModeSeconds: Schema.optional(UnsignedInt),
    permissionOverrides: Schema.optional(Schema.Array(ChannelPermission))
  })),
  addCategories: Schema.Array(Schema.Struct({
    name: Schema.NonEmptyString,
    position: Schema.optional(UnsignedInt),
    channelIds: Schema.optional(Schema.Array(Schema.String))
  })),
  removeCategories: Schema.Array(Schema.String),
  updateCategories: Schema.Array(Schema.Struct({
    id: Schema.String,
    name: Schema.optional(Schema.NonEmptyString),
    position: Schema.optional(UnsignedInt),
    channelIds: Schema.optional(Schema.Array(Schema.String))
  }))
}

type SemanticInput = { readonly [K in keyof typeof Semantic]?: typeof Semantic[K]["Type"] }

const knownPermissions = (names: ReadonlyArray<string>) => names.filter((p) => permissionNames.includes(p))

const createSpace = (ctx: MethodContext, input: typeof CreateSpace.Type) =>
  Effect.sync(() => {
    const { account, world } = ctx
    const admin: RoleState = {
      id: world.newId(),
      name: "Admin",
      color: undefined,
      permissions: [...permissionNames],
      position: 100
    }
    const space: SpaceState = {
      id: world.newId(),
      name: input.name,
      description: input.description,
      iconBlobId: input.iconBlobId,
      roles: [admin],
      members: new Map([[account.user.userId, { roleIds: [admin.id], nick: undefined, joinedAt: world.now }]]),
      categories: [],
      createdAt: world.now,
      isPublic: false,
      isPubliclyPreviewable: false,
      everyone: everyoneDefault,
      channelIds: []
    }
    world.spaces.set(space.id, space)
    syncSpace(world, space)
    return space.id
  })

const updateSpace = (ctx: MethodContext, id: string, changed: JsonRecord, semantic: SemanticInput) =>
  Effect.gen(function*() {
    const { account, limits, world } = ctx
    const me = account.user.userId
    const space = world.spaces.get(id)!
    const mine = world.spacePermissions(space, me)
    const top = world.highestPosition(space, me)
    const need = (permission: string, what: string) =>
      mine.has(permission)
        ? Effect.void
        : Effect.fail(SetFailure.forbidden(`${what} needs the ${permission} permission`))
    const invalid = (key: string, description: string) => Effect.fail(SetFailure.invalidProperties([key], description))
    const s = semantic

    if (Object.keys(changed).length > 0) yield* need("manage_space", "changing the Space")
    if (s.addRoles || s.removeRoles || s.updateRoles) yield* need("manage_roles", "changing roles")
    if (s.addMembers || s.removeMembers?.some((m) => m !== me)) {
      yield* need("manage_members", "adding or removing members")
    }
    if (
      s.addChannels || s.removeChannels || s.updateChannels || s.addCategories || s.removeCategories ||
      s.updateCategories
    ) yield* need("manage_channels", "changing channels and categories")

    // Work on a draft; nothing below touches the Space until every key has been checked.
    const roles: Array<RoleState> = space.roles.map((r) => ({ ...r }))
    const members = new Map<string, SpaceMemberState>(Array.from(space.members, ([k, v]) => [k, { ...v }]))
    const categories: Array<CategoryState> = space.categories.map((c) => ({ ...c }))
    const channels = new Map(space.channelIds.map((cid) => {
      const chat = world.chats.get(cid)!
      return [cid, {
        name: chat.name,
        topic: chat.topic,
        position: chat.position,
        slowModeSeconds: chat.slowModeSeconds,
        permissionOverrides: chat.permissionOverrides
      }]
    }))
    const added: Array<NonNullable<SemanticInput["addChannels"]>[number]> = []
    const removed = new Set<string>()

    for (const role of s.addRoles ?? []) {
      if (role.position <= 0) return yield* invalid("addRoles", "role positions start at 1 (0 is @everyone)")
      if (role.position >= top) return yield* SetFailure.forbidden("roles must be below your highest role")
      if (roles.length >= limits.maxRolesPerSpace) return yield* SetFailure.of("overQuota", "too many roles")
      roles.push({
        id: world.newId(),
        name: role.name,
        color: role.color,
        permissions: knownPermissions(role.permissions),
        position: role.position
      })
    }
    for (const update of s.updateRoles ?? []) {
      const role = roles.find((r) => r.id === update.id)
      if (role === undefined) return yield* invalid("updateRoles", `no role ${update.id}`)
      if (role.position >= top || (update.position !== undefined && update.position >= top)) {
        return yield* SetFailure.forbidden("only roles below your highest role may be changed")
      }
      if (update.position !== undefined && update.position <= 0) {
        return yield* invalid("updateRoles", "positions start at 1")
      }
      if (update.name !== undefined) role.name = update.name
      if (update.color !== undefined) role.color = update.color ?? undefined
      if (update.permissions !== undefined) role.permissions = knownPermissions(update.permissions)
      if (update.position !== undefined) role.position = update.position
    }
    for (const roleId of s.removeRoles ?? []) {
      const index = roles.findIndex((r) => r.id === roleId)
      if (index < 0) return yield* invalid("removeRoles", `no role ${roleId}`)
      if (roles[index]!.position >= top) {
        return yield* SetFailure.forbidden("only roles below your highest role may be removed")
      }
      roles.splice(index, 1)
      for (const member of members.values()) member.roleIds = member.roleIds.filter((r) => r !== roleId)
    }
    const checkRoles = (key: string, roleIds: ReadonlyArray<string>) => {
      for (const roleId of roleIds) {
        const role = roles.find((r) => r.id === roleId)
        if (role === undefined) return Effect.fail(SetFailure.invalidProperties([key], `no role ${roleId}`))
        if (role.position >= top) {
          return Effect.fail(SetFailure.forbidden("roles at or above your own cannot be assigned"))
        }
      }
      return Effect.void
    }
    for (const add of s.addMembers ?? []) {
      if (members.has(add.id)) continue
      if (activeBan(world, space.id, add.id) !== undefined) return yield* SetFailure.forbidden(`${add.id} is banned`)
      if (members.size >= limits.maxSpaceMembers) return yield* SetFailure.of("overQuota", "too many members")
      yield* checkRoles("addMembers", add.roleIds ?? [])
      members.set(add.id, { roleIds: [...(add.roleIds ?? [])], nick: undefined, joinedAt: world.now })
    }
    for (const update of s.updateMembers ?? []) {
      const member = members.get(update.id)
      if (member === undefined) return yield* invalid("updateMembers", `${update.id} is not a member`)
      if (update.roleIds !== undefined) {
        yield* need("manage_roles", "changing member roles")
        yield* checkRoles("updateMembers", update.roleIds)
        member.roleIds = [...update.roleIds]
      }
      if (update.nick !== undefined) {
        if (update.id !== me) yield* need("manage_members", "changing another member's nick")
        member.nick = update.nick ?? undefined
      }
    }
    for (const userId of s.removeMembers ?? []) {
      if (!members.delete(userId)) return yield* invalid("removeMembers", `${userId} is not a member`)
    }
    if (s.removeMembers !== undefined && members.size > 0) {
      const administers = (member: SpaceMemberState) =>
        roles.some((r) =>
          member.roleIds.includes(r.id) &&
          (r.permissions.includes("manage_members") || r.permissions.includes("manage_space"))
        )
      if (!Array.from(members.values()).some(administers)) {
        return yield* invalid("removeMembers", "the Space would be left without an administrator")
      }
    }

    const uncategorize = (channelIds: ReadonlyArray<string>) => {
      for (const category of categories) {
        category.channelIds = category.channelIds.filter((c) => !channelIds.includes(c))
      }
    }
    const checkChannels = (key: string, channelIds: ReadonlyArray<string>) =>
      channelIds.every((c) => channels.has(c) && !removed.has(c))
        ? Effect.void
        : Effect.fail(SetFailure.invalidProperties([key], "not a channel of this Space"))
    for (const add of s.addCategories ?? []) {
      if (categories.length >= limits.maxCategoriesPerSpace) {
        return yield* SetFailure.of("overQuota", "too many categories")
      }
      yield* checkChannels("addCategories", add.channelIds ?? [])
      uncategorize(add.channelIds ?? [])
      categories.push({
        id: world.newId(),
        name: add.name,
        position: add.position ?? categories.length,
        channelIds: [...(add.channelIds ?? [])]
      })
    }
    for (const update of s.updateCategories ?? []) {
      const category = categories.find((c) => c.id === update.id)
      if (category === undefined) return yield* invalid("updateCategories", `no category ${update.id}`)
      if (update.name !== undefined) category.name = update.name
      if (update.position !== undefined) category.position = update.position
      if (update.channelIds !== undefined) {
        yield* checkChannels("updateCategories", update.channelIds)
        uncategorize(update.channelIds)
        category.channelIds = [...update.channelIds]
      }
    }
    for (const categoryId of s.removeCategories ?? []) {
      const index = categories.findIndex((c) => c.id === categoryId)
      if (index < 0) return yield* invalid("removeCategories", `no category ${categoryId}`)
      categories.splice(index, 1)
    }
    for (const channelId of s.removeChannels ?? []) {
      yield* checkChannels("removeChannels", [channelId])
      removed.add(channelId)
      uncategorize([channelId])
    }
    for (const update of s.updateChannels ?? []) {
      yield* checkChannels("updateChannels", [update.id])
      const channel = channels.get(update.id)!
      if (update.name !== undefined) channel.name = update.name
      if (update.topic !== undefined) channel.topic = update.topic ?? undefined
      if (update.position !== undefined) channel.position = update.position
      if (update.slowModeSeconds !== undefined) channel.slowModeSeconds = update.slowModeSeconds
      if (update.permissionOverrides !== undefined) {
        channel.permissionOverrides = update.permissionOverrides.map((o) => ({
          targetId: o.targetId,
          targetType: o.targetType,
          allow: knownPermissions(o.allow),
          deny: knownPermissions(o.deny)
        }))
      }
      if (update.categoryId !== undefined) {
        const target = update.categoryId === null ? undefined : categories.find((c) => c.id === update.categoryId)
        if (update.categoryId !== null && target === undefined) {
          return yield* invalid("updateChannels", `no category ${update.categoryId}`)
        }
        uncategorize([update.id])
        if (target !== undefined) target.channelIds = [...target.channelIds, update.id]
      }
    }
    for (const add of s.addChannels ?? []) {
      if (channels.size - removed.size + added.length >= limits.maxChannelsPerSpace) {
        return yield* SetFailure.of("overQuota", "too many channels")
      }
      if (add.categoryId !== undefined && !categories.some((c) => c.id === add.categoryId)) {
        return yield* invalid("addChannels", `no category ${add.categoryId}`)
      }
      added.push(add)
    }

    // Every key is valid: write the draft back.
    const former = Array.from(space.members.keys())
    if ("name" in changed) space.name = changed.name as string
    if ("description" in changed) space.description = (changed.description as string | null) ?? undefined
    if ("iconBlobId" in changed) space.iconBlobId = (changed.iconBlobId as string | null) ?? undefined
    if ("isPublic" in changed) space.isPublic = changed.isPublic as boolean
    if ("isPubliclyPreviewable" in changed) space.isPubliclyPreviewable = changed.isPubliclyPreviewable as boolean
    space.roles.splice(0, space.roles.length, ...roles)
    space.members.clear()
    for (const [userId, member] of members) space.members.set(userId, member)
    space.categories.splice(0, space.categories.length, ...categories)
    for (const [channelId, edit] of channels) {
      const chat = world.chats.get(channelId)!
      chat.name = edit.name
      chat.topic = edit.topic
      chat.position = edit.position
      chat.slowModeSeconds = edit.slowModeSeconds
      chat.permissionOverrides = edit.permissionOverrides
      world.touchChat(chat)
    }
    for (const channelId of removed) removeChannel(world, space, world.chats.get(channelId)!)
    for (const add of added) {
      const chat = newChannel(world, space.id, add.name)
      chat.topic = add.topic
      chat.position = add.position
      space.channelIds.push(chat.id)
      const category = space.categories.find((c) => c.id === add.categoryId)
      if (category !== undefined) category.channelIds = [...category.channelIds, chat.id]
    }
    syncSpace(world, space, former)
  })

/** Whether the filter asks for public Spaces (which then include previewable ones the caller is not in). */
const wantsPublic = (filter: JsonRecord | undefined): boolean =>
  isRecord(filter) && (filter.isPublic === true ||
    (Array.isArray(filter.conditions) && filter.operator === "AND" &&
      filter.conditions.some((c) => wantsPublic(c as JsonRecord))))

/** The `Space` data type. */
export const SpaceType: DataType = {
  name: "Space",
  capability: Capability.chat,
  properties: [
    "id",
    "name",
    "description",
    "iconBlobId",
    "roles",
    "members",
    "categories",
    "uncategorizedChannelIds",
    "createdAt",
    "isPublic",
    "isPubliclyPreviewable",
    "memberCount"
  ],
  project,
  getFallback: (ctx, id) => {
    const space = ctx.world.spaces.get(id)
    return space !== undefined && space.isPubliclyPreviewable ? restrictedView(space) : undefined
  },
  query: {
    filters: {
      name: filter(
        Schema.String,
        (r, v) => typeof r.name === "string" && r.name.toLowerCase().includes(v.toLowerCase())
      ),
      isPublic: filter(Schema.Boolean, (r, v) => r.isPublic === v)
    },
    sorts: ["name", "createdAt", "memberCount"],
    defaultSort: () => [{ property: "name", isAscending: true, collation: undefined }],
    candidates: (ctx, filter) => {
      if (!wantsPublic(filter)) return undefined
      const me = ctx.account.user.userId
      return Array.from(ctx.world.spaces.values())
        .filter((s) => s.members.has(me) || (s.isPublic && s.isPubliclyPreviewable))
        .map((s) => (s.members.has(me) ? fullView(s) : restrictedView(s)))
    }
  },
  set: {
    idReferences: ["iconBlobId"],
    create: create(CreateSpace, createSpace),
    update: {
      properties: {
        name: Schema.NonEmptyString,
        description: Schema.NullOr(Schema.String),
        iconBlobId: Schema.NullOr(Schema.String),
        isPublic: Schema.Boolean,
        isPubliclyPreviewable: Schema.Boolean
      },
      semantic: Semantic,
      run: (ctx, id, { changed, semantic }) => updateSpace(ctx, id, changed as JsonRecord, semantic as SemanticInput)
    },
    destroy: (ctx, id) =>
      Effect.gen(function*() {
        const { account, world } = ctx
        const space = world.spaces.get(id)!
        if (!world.spacePermissions(space, account.user.userId).has("manage_space")) {
          return yield* SetFailure.forbidden("destroying a Space needs the manage_space permission")
        }
        const former = Array.from(space.members.keys())
        for (const channelId of [...space.channelIds]) removeChannel(world, space, world.chats.get(channelId)!)
        space.members.clear()
        syncSpace(world, space, former)
        for (const [inviteId, invite] of world.invites) if (invite.spaceId === id) world.invites.delete(inviteId)
        for (const [banId, ban] of world.bans) if (ban.spaceId === id) world.bans.delete(banId)
        for (const [emojiId, emoji] of world.emojis) if (emoji.spaceId === id) world.emojis.delete(emojiId)
        world.spaces.delete(id)
      })
  }
}
