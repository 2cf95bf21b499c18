/**
 * The `SpaceInvite` data type (draft-atwood-jmap-chat-00 §SpaceInvite): invite codes for
 * `Space/join`. Members holding `manage_members` create and see all of a Space's invites; other
 * members see the ones they created. Invites cannot be updated.
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect"
import { randomBytes } from "node:crypto"
import { UnsignedInt, UTCDate } from "../../jmap/Primitives.js"
import { create, type DataType } from "../DataType.js"
import { compact, type JsonRecord } from "../Json.js"
import { SetFailure } from "../ProtocolErrors.js"
import { Capability } from "../ServerConfig.js"
import { type Account, type InviteState, utcDate, type World } from "../World.js"

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

/** A short, URL-safe, unguessable invite code. */
const newCode = (): string => Array.from(randomBytes(10), (b) => CROCKFORD[b % 32]).join("")

const visible = (world: World, account: Account, invite: InviteState): boolean => {
  const space = world.spaces.get(invite.spaceId)
  const me = account.user.userId
  return space !== undefined && space.members.has(me) &&
    (invite.createdBy === me || world.spacePermissions(space, me).has("manage_members"))
}

const project = (world: World, account: Account, id: string): JsonRecord | undefined => {
  const invite = world.invites.get(id)
  if (invite === undefined || !visible(world, account, invite)) return undefined
  return compact({
    id,
    code: invite.code,
    spaceId: invite.spaceId,
    defaultChannelId: invite.defaultChannelId,
    createdBy: invite.createdBy,
    expiresAt: invite.expiresAt,
    maxUses: invite.maxUses,
    uses: invite.uses,
    createdAt: utcDate(invite.createdAt)
  })
}

/** Touches an invite in every mailbox (its projection decides who sees it). */
export const touchInvite = (world: World, id: string): void => {
  for (const account of world.accounts.values()) world.touch(account, "SpaceInvite", id)
}

const CreateInvite = Schema.Struct({
  spaceId: Schema.NonEmptyString,
  defaultChannelId: Schema.optional(Schema.NonEmptyString),
  expiresAt: Schema.optional(UTCDate),
  maxUses: Schema.optional(UnsignedInt)
})

/** The `SpaceInvite` data type. */
export const SpaceInviteType: DataType = {
  name: "SpaceInvite",
  capability: Capability.chat,
  properties: ["id", "code", "spaceId", "defaultChannelId", "createdBy", "expiresAt", "maxUses", "uses", "createdAt"],
  project,
  set: {
    idReferences: ["spaceId", "defaultChannelId"],
    create: create(CreateInvite, (ctx, input) =>
      Effect.gen(function*() {
        const { account, world } = ctx
        const me = account.user.userId
        const space = world.spaces.get(input.spaceId)
        if (space === undefined || !space.members.has(me)) {
          return yield* SetFailure.invalidProperties(["spaceId"], `no Space ${input.spaceId}`)
        }
        if (!world.spacePermissions(space, me).has("manage_members")) {
          return yield* SetFailure.forbidden("creating invites needs the manage_members permission")
        }
        if (input.defaultChannelId !== undefined && !space.channelIds.includes(input.defaultChannelId)) {
          return yield* SetFailure.invalidProperties(["defaultChannelId"], "not a channel of this Space")
        }
        const invite: InviteState = {
          id: world.newId(),
          code: newCode(),
          spaceId: space.id,
          defaultChannelId: input.defaultChannelId,
          createdBy: me,
          expiresAt: input.expiresAt,
          maxUses: input.maxUses,
          uses: 0,
          createdAt: world.now
        }
        world.invites.set(invite.id, invite)
        touchInvite(world, invite.id)
        return invite.id
      })),
    destroy: (ctx, id) =>
      Effect.gen(function*() {
        const { account, world } = ctx
        const invite = world.invites.get(id)!
        const space = world.spaces.get(invite.spaceId)!
        const me = account.user.userId
        if (invite.createdBy !== me && !world.spacePermissions(space, me).has("manage_members")) {
          return yield* SetFailure.forbidden("revoking invites needs the manage_members permission")
        }
        world.invites.delete(id)
        touchInvite(world, id)
      })
  }
}
