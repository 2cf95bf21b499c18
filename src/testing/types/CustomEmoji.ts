/**
 * The `CustomEmoji` data type (draft-atwood-jmap-chat-00 §CustomEmoji): server-global emoji
 * (anyone may add them) and Space emoji (`manage_space`). Names match `^[a-z0-9_-]+$` and are
 * unique within their scope (`alreadyExists`, compliance test 4.11); the blob must be an image.
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect"
import { create, type DataType, filter } from "../DataType.js"
import { compact, type JsonRecord } from "../Json.js"
import type { MethodContext } from "../MethodContext.js"
import { SetFailure } from "../ProtocolErrors.js"
import { Capability } from "../ServerConfig.js"
import { type Account, type EmojiState, utcDate, type World } from "../World.js"

const namePattern = /^[a-z0-9_-]+$/

const project = (world: World, account: Account, id: string): JsonRecord | undefined => {
  const emoji = world.emojis.get(id)
  if (emoji === undefined) return undefined
  if (emoji.spaceId !== undefined && !world.spaces.get(emoji.spaceId)?.members.has(account.user.userId)) {
    return undefined
  }
  return compact({
    id,
    name: emoji.name,
    blobId: emoji.blobId,
    spaceId: emoji.spaceId,
    createdBy: emoji.createdBy,
    createdAt: utcDate(emoji.createdAt)
  })
}

const touchEmoji = (world: World, id: string): void => {
  for (const account of world.accounts.values()) world.touch(account, "CustomEmoji", id)
}

/** Checks name, blob and scope rules; `self` is the emoji being updated, if any. */
const check = (
  ctx: MethodContext,
  fields: { name: string; blobId: string; spaceId: string | undefined },
  self?: string
) =>
  Effect.gen(function*() {
    if (!namePattern.test(fields.name)) {
      return yield* SetFailure.invalidProperties(["name"], "emoji names match ^[a-z0-9_-]+$")
    }
    const blob = ctx.account.blobs.get(fields.blobId)
    if (
      blob === undefined &&
      !Array.from(ctx.world.emojis.values()).some((e) => e.id === self && e.blobId === fields.blobId)
    ) {
      return yield* SetFailure.invalidProperties(["blobId"], `no uploaded blob ${fields.blobId}`)
    }
    if (blob !== undefined && !blob.type.startsWith("image/")) {
      return yield* SetFailure.invalidProperties(["blobId"], "the blob must be an image")
    }
    const duplicate = Array.from(ctx.world.emojis.values()).find((e) =>
      e.id !== self && e.spaceId === fields.spaceId && e.name === fields.name
    )
    if (duplicate !== undefined) {
      return yield* SetFailure.of("alreadyExists", `an emoji named ${fields.name} exists`, { existingId: duplicate.id })
    }
  })

/** Space emoji need `manage_space`; global emoji may be changed by their creator. */
const mayManage = (ctx: MethodContext, spaceId: string | undefined, createdBy: string | undefined): boolean => {
  const me = ctx.account.user.userId
  if (spaceId === undefined) return createdBy === undefined || createdBy === me
  const space = ctx.world.spaces.get(spaceId)
  return space !== undefined && ctx.world.spacePermissions(space, me).has("manage_space")
}

const CreateEmoji = Schema.Struct({
  name: Schema.String,
  blobId: Schema.NonEmptyString,
  spaceId: Schema.optional(Schema.NonEmptyString)
})

/** The `CustomEmoji` data type. */
export const CustomEmojiType: DataType = {
  name: "CustomEmoji",
  capability: Capability.chat,
  properties: ["id", "name", "blobId", "spaceId", "createdBy", "createdAt"],
  project,
  query: {
    filters: { spaceId: filter(Schema.String, (r, v) => r.spaceId === v) },
    sorts: ["name", "createdAt"],
    defaultSort: () => [{ property: "name", isAscending: true, collation: undefined }]
  },
  set: {
    idReferences: ["spaceId", "blobId"],
    create: create(CreateEmoji, (ctx, input) =>
      Effect.gen(function*() {
        const { account, world } = ctx
        if (input.spaceId !== undefined && !world.spaces.get(input.spaceId)?.members.has(account.user.userId)) {
          return yield* SetFailure.invalidProperties(["spaceId"], `no Space ${input.spaceId}`)
        }
        if (!mayManage(ctx, input.spaceId, undefined)) {
          return yield* SetFailure.forbidden("Space emoji need the manage_space permission")
        }
        yield* check(ctx, { name: input.name, blobId: input.blobId, spaceId: input.spaceId })
        const emoji: EmojiState = {
          id: world.newId(),
          name: input.name,
          blobId: input.blobId,
          spaceId: input.spaceId,
          createdBy: account.user.userId,
          createdAt: world.now
        }
        world.emojis.set(emoji.id, emoji)
        touchEmoji(world, emoji.id)
        return emoji.id
      })),
    update: {
      properties: { name: Schema.String, blobId: Schema.NonEmptyString },
      run: (ctx, id, { next }) =>
        Effect.gen(function*() {
          const emoji = ctx.world.emojis.get(id)!
          if (!mayManage(ctx, emoji.spaceId, emoji.createdBy)) {
            return yield* SetFailure.forbidden("only the creator (or manage_space) may change this emoji")
          }
          const fields = { name: next.name as string, blobId: next.blobId as string, spaceId: emoji.spaceId }
          yield* check(ctx, fields, id)
          emoji.name = fields.name
          emoji.blobId = fields.blobId
          touchEmoji(ctx.world, id)
        })
    },
    destroy: (ctx, id) =>
      Effect.gen(function*() {
        const emoji = ctx.world.emojis.get(id)!
        if (!mayManage(ctx, emoji.spaceId, emoji.createdBy)) {
          return yield* SetFailure.forbidden("only the creator (or manage_space) may remove this emoji")
        }
        ctx.world.emojis.delete(id)
        touchEmoji(ctx.world, id)
      })
  }
}
