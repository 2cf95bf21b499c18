/**
 * `Space/join` (draft-atwood-jmap-chat-00 §Space/join): join by invite code (counted against
 * `maxUses`, refused when expired) or by id for public Spaces (`notPermitted` otherwise). The new
 * member holds `@everyone` only. Banned users are refused with `forbidden`.
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect"
import { decodeArgs, type MethodHandler, requireAccount, resolveId } from "../MethodContext.js"
import { MethodFailure } from "../ProtocolErrors.js"
import { Capability } from "../ServerConfig.js"
import { activeBan, syncSpace } from "../Spaces.js"
import { touchInvite } from "../types/SpaceInvite.js"

const Args = Schema.Struct({
  accountId: Schema.String,
  inviteCode: Schema.optional(Schema.String),
  spaceId: Schema.optional(Schema.String)
})

/** The `Space/join` method. */
export const SpaceJoin: MethodHandler = {
  capability: Capability.chat,
  run: (ctx, raw) =>
    Effect.gen(function*() {
      const args = yield* decodeArgs(Args, raw)
      yield* requireAccount(ctx, args.accountId)
      const { account, limits, world } = ctx
      if ((args.inviteCode === undefined) === (args.spaceId === undefined)) {
        return yield* MethodFailure.of("invalidArguments", "give exactly one of inviteCode and spaceId")
      }
      const invite = args.inviteCode === undefined
        ? undefined
        : Array.from(world.invites.values()).find((i) => i.code === args.inviteCode)
      let spaceId: string
      if (args.inviteCode !== undefined) {
        const usable = invite !== undefined &&
          (invite.expiresAt === undefined || Date.parse(invite.expiresAt) > world.now) &&
          (invite.maxUses === undefined || invite.uses < invite.maxUses)
        if (!usable) return yield* MethodFailure.of("invalidArguments", "unknown, expired or used-up invite code")
        spaceId = invite.spaceId
      } else {
        spaceId = resolveId(ctx, args.spaceId!)
        if (world.spaces.get(spaceId)?.isPublic !== true) {
          return yield* MethodFailure.of("notPermitted", "only public Spaces can be joined by id")
        }
      }
      const space = world.spaces.get(spaceId)!
      const me = account.user.userId
      if (activeBan(world, spaceId, me) !== undefined) {
        return yield* MethodFailure.of("forbidden", "you are banned from this Space")
      }
      if (!space.members.has(me)) {
        if (space.members.size >= limits.maxSpaceMembers) {
          return yield* MethodFailure.of("overQuota", "the Space is full")
        }
        space.members.set(me, { roleIds: [], nick: undefined, joinedAt: world.now })
        if (invite !== undefined) {
          invite.uses += 1
          touchInvite(world, invite.id)
        }
        syncSpace(world, space)
      }
      return { accountId: args.accountId, spaceId }
    })
}
