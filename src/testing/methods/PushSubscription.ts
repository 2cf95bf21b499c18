/**
 * `PushSubscription/get` and `PushSubscription/set` (RFC 8620 §7.2, not account-scoped, no
 * state) with the `chatPush` extension of draft-atwood-jmap-chat-push-00. `url` and `keys` are
 * never returned. A new subscription is sent a `PushVerification`; deliveries are recorded in the
 * server's push outbox rather than sent over the network.
 *
 * @since 0.1.0
 */
import { Effect, Either, Schema } from "effect"
import { randomBytes } from "node:crypto"
import { UTCDate } from "../../jmap/Primitives.js"
import { compact, type JsonRecord, type JsonValue, nullIfEmpty } from "../Json.js"
import { decodeArgs, decodeProperties, type MethodContext, type MethodHandler, resolveId } from "../MethodContext.js"
import { MethodFailure, SetFailure } from "../ProtocolErrors.js"
import { Capability, supportedUrgencyValues } from "../ServerConfig.js"
import { type PushSubscriptionState, utcDate } from "../World.js"

const readable = ["id", "deviceClientId", "verificationCode", "expires", "types", "chatPush"]
const maxLifetime = 7 * 24 * 3600 * 1000

const ChatPushConfig = Schema.Struct({
  kinds: Schema.optional(Schema.NullOr(Schema.Array(Schema.String))),
  chatIds: Schema.optional(Schema.NullOr(Schema.Array(Schema.String))),
  properties: Schema.optional(Schema.Array(Schema.String)),
  urgency: Schema.optional(Schema.String),
  mentionUrgency: Schema.optional(Schema.String)
})
const ChatPush = Schema.NullOr(Schema.Record({ key: Schema.String, value: ChatPushConfig }))

const CreateSubscription = Schema.Struct({
  deviceClientId: Schema.NonEmptyString,
  url: Schema.String.pipe(Schema.filter((u) => URL.canParse(u))),
  keys: Schema.optional(Schema.NullOr(Schema.Struct({ p256dh: Schema.String, auth: Schema.String }))),
  expires: Schema.optional(Schema.NullOr(UTCDate)),
  types: Schema.optional(Schema.NullOr(Schema.Array(Schema.String))),
  chatPush: Schema.optional(ChatPush)
})

const UpdateSubscription = Schema.Struct({
  verificationCode: Schema.optional(Schema.NullOr(Schema.String)),
  expires: Schema.optional(Schema.NullOr(UTCDate)),
  types: Schema.optional(Schema.NullOr(Schema.Array(Schema.String))),
  chatPush: Schema.optional(ChatPush)
})

/** Validates `chatPush` (draft-atwood-jmap-chat-push-00): own account, known kinds and urgencies. */
const checkChatPush = (ctx: MethodContext, chatPush: typeof ChatPush.Type | undefined) => {
  for (const [accountId, config] of Object.entries(chatPush ?? {})) {
    if (accountId !== ctx.account.user.accountId) {
      return Either.left(SetFailure.of("invalidArguments", `account ${accountId} does not have chat:push`))
    }
    for (const urgency of [config.urgency, config.mentionUrgency]) {
      if (urgency !== undefined && !supportedUrgencyValues.includes(urgency)) {
        return Either.left(SetFailure.of("invalidArguments", `unsupported urgency ${urgency}`))
      }
    }
    if (config.kinds?.some((k) => !["direct", "group", "channel"].includes(k))) {
      return Either.left(SetFailure.of("invalidArguments", "kinds may contain direct, group and channel only"))
    }
  }
  return Either.right(chatPush ?? null)
}

/** Caps a requested expiry at the server maximum (RFC 8620 §7.2: the server may shorten it). */
const expiry = (ctx: MethodContext, requested: string | null | undefined) => {
  const max = ctx.world.now + maxLifetime
  const at = requested === undefined || requested === null ? max : Math.min(Date.parse(requested), max)
  return utcDate(at)
}

const view = (sub: PushSubscriptionState): JsonRecord => ({
  id: sub.id,
  deviceClientId: sub.deviceClientId,
  verificationCode: sub.verificationCode,
  expires: sub.expires,
  types: sub.types === null ? null : [...sub.types],
  chatPush: sub.chatPush
})

const GetArgs = Schema.Struct({
  ids: Schema.optional(Schema.NullOr(Schema.Array(Schema.String))),
  properties: Schema.optional(Schema.NullOr(Schema.Array(Schema.String)))
})

/** `PushSubscription/get`. */
export const PushSubscriptionGet: MethodHandler = {
  capability: Capability.core,
  run: (ctx, raw) =>
    Effect.gen(function*() {
      const args = yield* decodeArgs(GetArgs, raw)
      const properties = args.properties ?? readable
      if (properties.some((p) => p === "url" || p === "keys")) {
        return yield* MethodFailure.of("forbidden", "url and keys are never returned")
      }
      const subscriptions = ctx.account.pushSubscriptions
      const ids = args.ids?.map((id) => resolveId(ctx, id)) ?? Array.from(subscriptions.keys())
      const list: Array<JsonValue> = []
      const notFound: Array<JsonValue> = []
      for (const id of ids) {
        const sub = subscriptions.get(id)
        if (sub === undefined) notFound.push(id)
        else {
          const record = view(sub)
          list.push(Object.fromEntries(["id", ...properties].map((p) => [p, record[p] ?? null])))
        }
      }
      return { list, notFound }
    })
}

const SetArgs = Schema.Struct({
  create: Schema.optional(Schema.NullOr(Schema.Record({ key: Schema.String, value: Schema.Unknown }))),
  update: Schema.optional(Schema.NullOr(Schema.Record({ key: Schema.String, value: Schema.Unknown }))),
  destroy: Schema.optional(Schema.NullOr(Schema.Array(Schema.String)))
})

/** `PushSubscription/set`. */
export const PushSubscriptionSet: MethodHandler = {
  capability: Capability.core,
  run: (ctx, raw) =>
    Effect.gen(function*() {
      const args = yield* decodeArgs(SetArgs, raw)
      const { account, world } = ctx
      const created: Record<string, JsonValue> = {}
      const updated: Record<string, JsonValue> = {}
      const destroyed: Array<JsonValue> = []
      const notCreated: Record<string, JsonValue> = {}
      const notUpdated: Record<string, JsonValue> = {}
      const notDestroyed: Record<string, JsonValue> = {}

      for (const [creationId, value] of Object.entries(args.create ?? {})) {
        const result = Either.flatMap(decodeProperties(CreateSubscription, value), (input) =>
          Either.map(checkChatPush(ctx, input.chatPush), (chatPush) => ({ input, chatPush })))
        if (Either.isLeft(result)) {
          notCreated[creationId] = result.left.body
          continue
        }
        const { chatPush, input } = result.right
        const sub: PushSubscriptionState = {
          id: world.newId(),
          deviceClientId: input.deviceClientId,
          url: input.url,
          keys: input.keys ?? null,
          verificationCode: null,
          expectedVerificationCode: randomBytes(12).toString("base64url"),
          expires: expiry(ctx, input.expires),
          types: input.types ?? null,
          chatPush: chatPush as JsonRecord | null,
          createdAt: world.now
        }
        account.pushSubscriptions.set(sub.id, sub)
        ctx.createdIds.set(creationId, sub.id)
        world.deliverPush(sub, {
          "@type": "PushVerification",
          pushSubscriptionId: sub.id,
          verificationCode: sub.expectedVerificationCode
        })
        created[creationId] = compact({ id: sub.id, expires: sub.expires !== input.expires ? sub.expires : undefined })
      }

      for (const [rawId, value] of Object.entries(args.update ?? {})) {
        const id = resolveId(ctx, rawId)
        const sub = account.pushSubscriptions.get(id)
        if (sub === undefined) {
          notUpdated[rawId] = SetFailure.notFound(id).body
          continue
        }
        const result = Either.flatMap(decodeProperties(UpdateSubscription, value), (input) =>
          Either.map(checkChatPush(ctx, input.chatPush), (chatPush) => ({ input, chatPush })))
        if (Either.isLeft(result)) {
          notUpdated[rawId] = result.left.body
          continue
        }
        const { chatPush, input } = result.right
        if (
          input.verificationCode !== undefined && input.verificationCode !== null &&
          input.verificationCode !== sub.expectedVerificationCode
        ) {
          notUpdated[rawId] = SetFailure.invalidProperties(["verificationCode"], "wrong verification code").body
          continue
        }
        if (input.verificationCode !== undefined) {
          sub.verificationCode = input.verificationCode
        }
        if (input.types !== undefined) {
          sub.types = input.types
        }
        if (input.chatPush !== undefined) {
          sub.chatPush = chatPush as JsonRecord | null
        }
        let serverSet: JsonValue = null
        if (input.expires !== undefined) {
          sub.expires = expiry(ctx, input.expires)
          if (sub.expires !== input.expires) {
            serverSet = { expires: sub.expires }
          }
        }
        updated[id] = serverSet
      }

      for (const rawId of args.destroy ?? []) {
        const id = resolveId(ctx, rawId)
        if (account.pushSubscriptions.delete(id)) {
          destroyed.push(id)
        } else notDestroyed[rawId] = SetFailure.notFound(id).body
      }
      return {
        created: nullIfEmpty(created),
        updated: nullIfEmpty(updated),
        destroyed: destroyed.length > 0 ? destroyed : null,
        notCreated: nullIfEmpty(notCreated),
        notUpdated: nullIfEmpty(notUpdated),
        notDestroyed: nullIfEmpty(notDestroyed)
      }
    })
}
