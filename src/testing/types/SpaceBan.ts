/**
 * The `SpaceBan` data type (draft-atwood-jmap-chat-00 §SpaceBan): holders of `ban` create, edit,
 * lift and see a Space's bans; a banned user sees their own. Banning removes the user from the
 * Space and keeps them out until the ban is lifted or `expiresAt` passes.
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect"
import { UTCDate } from "../../jmap/Primitives.js"
import { create, type DataType } from "../DataType.js"
import { compact, type JsonRecord } from "../Json.js"
import type { MethodContext } from "../MethodContext.js"
import { SetFailure } from "../ProtocolErrors.js"
import { Capability } from "../ServerConfig.js"
import { syncSpace } from "../Spaces.js"
import { type Account, type BanState, utcDate, type World } from "../World.js"

const project = (world: World, account: Account, id: string): JsonRecord | undefined => {
  const ban = world.bans.get(id)
  const space = ban === undefined ? undefined : world.spaces.get(ban.spaceId)
  const me = account.user.userId
  if (ban === undefined || space === undefined) return undefined
  if (ban.userId !== me && !world.spacePermissions(space, me).has("ban")) return undefined
  return compact({
    id,
    spaceId: ban.spaceId,
    userId: ban.userId,
    bannedBy: ban.bannedBy,
    reason: ban.reason,
    createdAt: utcDate(ban.createdAt),
    expiresAt: ban.expiresAt
  })
}

const touchBan = (world: World, id: string): void => {
  for (const account of world.accounts.values()) world.touch(account, "SpaceBan", id)
}

const requireBanPermission = (ctx: MethodContext, spaceId: string) =>
  Effect.suspend(() => {
    const space = ctx.world.spaces.get(spaceId)
    return space !== undefined && ctx.world.spacePermissions(space, ctx.account.user.userId).has("ban")
      ? Effect.succeed(space)
      : Effect.fail(SetFailure.forbidden("managing bans needs the ban permission"))
  })

const CreateBan = Schema.Struct({
  spaceId: Schema.NonEmptyString,
  userId: Schema.NonEmptyString,
  reason: Schema.optional(Schema.String),
  expiresAt: Schema.optional(UTCDate)
})

/** The `SpaceBan` data type. */
export const SpaceBanType: DataType = {
  name: "SpaceBan",
  capability: Capability.chat,
  properties: ["id", "spaceId", "userId", "bannedBy", "reason", "createdAt", "expiresAt"],
  project,
  set: {
    idReferences: ["spaceId"],
    create: create(CreateBan, (ctx, input) =>
      Effect.gen(function*() {
        const { account, world } = ctx
        if (!world.spaces.has(input.spaceId)) {
          return yield* SetFailure.invalidProperties(["spaceId"], `no Space ${input.spaceId}`)
        }
        const space = yield* requireBanPermission(ctx, input.spaceId)
        if (input.userId === account.user.userId) {
          return yield* SetFailure.invalidProperties(["userId"], "you cannot ban yourself")
        }
        if (input.expiresAt !== undefined && Date.parse(input.expiresAt) <= world.now) {
          return yield* SetFailure.invalidProperties(["expiresAt"], "expiresAt is in the past")
        }
        const ban: BanState = {
          id: world.newId(),
          spaceId: space.id,
          userId: input.userId,
          bannedBy: account.user.userId,
          reason: input.reason,
          createdAt: world.now,
          expiresAt: input.expiresAt
        }
        world.bans.set(ban.id, ban)
        const wasMember = space.members.delete(input.userId)
        syncSpace(world, space, wasMember ? [input.userId] : [])
        touchBan(world, ban.id)
        return ban.id
      })),
    update: {
      properties: { reason: Schema.NullOr(Schema.String), expiresAt: Schema.NullOr(UTCDate) },
      run: (ctx, id, { changed }) =>
        Effect.gen(function*() {
          const ban = ctx.world.bans.get(id)!
          yield* requireBanPermission(ctx, ban.spaceId)
          if ("reason" in changed) ban.reason = (changed.reason as string | null) ?? undefined
          if ("expiresAt" in changed) ban.expiresAt = (changed.expiresAt as string | null) ?? undefined
          touchBan(ctx.world, id)
        })
    },
    destroy: (ctx, id) =>
      Effect.gen(function*() {
        const ban = ctx.world.bans.get(id)!
        yield* requireBanPermission(ctx, ban.spaceId)
        ctx.world.bans.delete(id)
        touchBan(ctx.world, id)
      })
  }
}
