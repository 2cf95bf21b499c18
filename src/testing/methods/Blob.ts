/**
 * `Blob/lookup` (RFC 9404 §4.3: which records reference a blob) and a trivial `Blob/convert`
 * (draft-ietf-jmap-blobext: `imageConvert` copies the bytes under the requested type).
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect"
import { createHash } from "node:crypto"
import { isRecord, type JsonValue, nullIfEmpty } from "../Json.js"
import { decodeArgs, type MethodContext, type MethodHandler, requireAccount, resolveId } from "../MethodContext.js"
import { MethodFailure } from "../ProtocolErrors.js"
import { Capability } from "../ServerConfig.js"
import type { Account, BlobState, World } from "../World.js"

const lookupTypes = ["Message", "Chat", "Space", "CustomEmoji"] as const

const references = (value: JsonValue | undefined, blobId: string): boolean =>
  value === blobId ||
  (Array.isArray(value) && value.some((v) => references(v, blobId))) ||
  (isRecord(value) && Object.values(value).some((v) => references(v, blobId)))

/**
 * The blob with this id if the account may read it: it uploaded it, or the blob is referenced by a
 * record the account can see (an attachment, a chat avatar, a Space icon, a custom emoji).
 */
export const readableBlob = (world: World, account: Account, blobId: string): BlobState | undefined => {
  const own = account.blobs.get(blobId)
  if (own !== undefined) return own
  let blob: BlobState | undefined
  for (const other of world.accounts.values()) blob ??= other.blobs.get(blobId)
  if (blob === undefined) return undefined
  const visible = lookupTypes.some((type) =>
    world.store(account, type).all().some((record) => references(record, blobId))
  )
  return visible ? blob : undefined
}

const findBlob = (ctx: MethodContext, blobId: string) => readableBlob(ctx.world, ctx.account, blobId)

const LookupArgs = Schema.Struct({
  accountId: Schema.String,
  typeNames: Schema.optional(Schema.NullOr(Schema.Array(Schema.String))),
  ids: Schema.Array(Schema.String)
})

/** The `Blob/lookup` method. */
export const BlobLookup: MethodHandler = {
  capability: Capability.blob2,
  run: (ctx, raw) =>
    Effect.gen(function*() {
      const args = yield* decodeArgs(LookupArgs, raw)
      yield* requireAccount(ctx, args.accountId)
      const typeNames = args.typeNames ?? lookupTypes
      const unknown = typeNames.find((t) => !(lookupTypes as ReadonlyArray<string>).includes(t))
      if (unknown !== undefined) return yield* MethodFailure.of("unknownDataType", `cannot look up ${unknown}`)
      const list: Array<JsonValue> = []
      const notFound: Array<JsonValue> = []
      for (const rawId of args.ids) {
        const id = resolveId(ctx, rawId)
        if (findBlob(ctx, id) === undefined) {
          notFound.push(rawId)
          continue
        }
        const matchedIds: Record<string, JsonValue> = {}
        for (const type of typeNames) {
          matchedIds[type] = ctx.world.store(ctx.account, type as typeof lookupTypes[number]).all()
            .filter((record) => references(record, id))
            .map((record) => record.id as string)
        }
        list.push({ id, matchedIds })
      }
      return { accountId: args.accountId, list, notFound }
    })
}

const ConvertArgs = Schema.Struct({
  accountId: Schema.String,
  create: Schema.Record({ key: Schema.String, value: Schema.Unknown })
})

const ImageConvert = Schema.Struct({
  imageConvert: Schema.Struct({
    blobId: Schema.String,
    type: Schema.NonEmptyString,
    width: Schema.optional(Schema.Number),
    height: Schema.optional(Schema.Number)
  })
})

/** The `Blob/convert` method (conversion keeps the bytes and relabels the type). */
export const BlobConvert: MethodHandler = {
  capability: Capability.blob2,
  run: (ctx, raw) =>
    Effect.gen(function*() {
      const args = yield* decodeArgs(ConvertArgs, raw)
      yield* requireAccount(ctx, args.accountId)
      const created: Record<string, JsonValue> = {}
      const notCreated: Record<string, JsonValue> = {}
      for (const [creationId, value] of Object.entries(args.create)) {
        const decoded = Schema.decodeUnknownOption(ImageConvert)(value)
        if (decoded._tag === "None") {
          notCreated[creationId] = { type: "invalidArguments", description: "expected {imageConvert: {blobId, type}}" }
          continue
        }
        const source = findBlob(ctx, resolveId(ctx, decoded.value.imageConvert.blobId))
        if (source === undefined) {
          notCreated[creationId] = { type: "notFound", description: "no such blob" }
          continue
        }
        const blob: BlobState = {
          id: `B${ctx.world.newId()}`,
          bytes: source.bytes,
          type: decoded.value.imageConvert.type,
          sha256: createHash("sha256").update(source.bytes).digest("hex"),
          createdAt: ctx.world.now
        }
        ctx.account.blobs.set(blob.id, blob)
        ctx.createdIds.set(creationId, blob.id)
        ctx.world.touch(ctx.account, "Quota", "messages")
        created[creationId] = { id: blob.id, blobId: blob.id, type: blob.type, size: blob.bytes.length }
      }
      return { accountId: args.accountId, created: nullIfEmpty(created), notCreated: nullIfEmpty(notCreated) }
    })
}
