/**
 * Every JMAP Chat method as a function from a typed input to a prepared invocation
 * (`ChatApis<Prepared>`): pure, except that a default timestamp is read from Effect's `Clock`
 * (`Message.create` without `sentAt`, a reaction without `sentAt`). Built from a table: one
 * RFC 8620 §5 {@link DataTypes descriptor} per data type, and per type which generic builders apply
 * (get / changes / query / create / update / destroy) with their filters, patches and guards.
 * Only `Chat/typing`, `Space/join`, the blob2 methods and the account-less `PushSubscription/*`
 * are written out.
 *
 * Inputs are decoded with their schemas and checked by the guards of seed-api §2.5 before anything
 * is built, so a bad input is an `InvalidArgument` and no request is sent.
 *
 * @since 0.1.0
 */
import { Duration, Effect, Either, Redacted, type Schema } from "effect"
import { ulid } from "ulid"
import { type InvalidArgument, RateLimited, UnexpectedResponse } from "../../jmap/Errors.js"
import * as Invocation from "../../jmap/Invocation.js"
import { serverRetryAfter, type SetResponse } from "../../jmap/MethodResponses.js"
import * as StandardMethods from "../../jmap/StandardMethods.js"
import { CapabilityUri } from "../Capabilities.js"
import { Chat } from "../Chat.js"
import { ChatContact } from "../ChatContact.js"
import { CustomEmoji } from "../CustomEmoji.js"
import { ContactSortProperty } from "../Enums.js"
import { Message } from "../Message.js"
import { PresenceStatus } from "../PresenceStatus.js"
import { Quota } from "../Quota.js"
import { ReadPosition } from "../ReadPosition.js"
import { Space } from "../Space.js"
import { SpaceBan } from "../SpaceBan.js"
import { SpaceInvite } from "../SpaceInvite.js"
import type { ChatApis, Prepared } from "./Api.js"
import {
  BlobConvertInput,
  BlobLookupInput,
  ChangesInput,
  ChatContactFilter,
  ChatCreateInput,
  ChatFilter,
  ChatSortProperty,
  type Comparator,
  CustomEmojiCreateInput,
  CustomEmojiFilter,
  CustomEmojiSortProperty,
  DestroyInput,
  GetInput,
  MessageCreateInput,
  MessageFilter,
  MessageGetInput,
  MessageSortProperty,
  PushSubscriptionCreateInput,
  QueryChangesInput,
  QueryInput,
  SpaceBanCreateInput,
  SpaceCreateInput,
  SpaceFilter,
  SpaceInviteCreateInput,
  SpaceJoinInput,
  SpaceSortProperty,
  TypingInput,
  UpdateInput
} from "./Inputs.js"
import { firstOf, type Guard, idList, invalid, nonEmpty, seedName, validate } from "./internal/guards.js"
import { flatMapPrepared, mapPrepared, now, own, present } from "./internal/schema.js"
import * as Patches from "./Patches.js"
import { PushSubscriptionGetResponse, PushSubscriptionSetResponse } from "./PushSubscription.js"
import { BlobConvertResponse, BlobLookupResponse, SpaceJoinResponse, TypingResponse } from "./Responses.js"

const { blob2, chat, chatPush, quota } = CapabilityUri

const { Listing } = StandardMethods
const chats = StandardMethods.dataType("Chat", Chat, { using: [chat], listing: Listing.query })

/**
 * The RFC 8620 §5 descriptors of the JMAP Chat data types (and RFC 9425 Quota). Types with a
 * `/query` are listed in full through it; Messages chat by chat, since `Message/query` needs a
 * `chatId` (draft-atwood-jmap-chat-00 §Message/query).
 */
export const DataTypes = {
  Chat: chats,
  Message: StandardMethods.dataType("Message", Message, {
    using: [chat],
    listing: Listing.queryWithin(chats, "chatId")
  }),
  Space: StandardMethods.dataType("Space", Space, { using: [chat], listing: Listing.query }),
  SpaceInvite: StandardMethods.dataType("SpaceInvite", SpaceInvite, { using: [chat] }),
  SpaceBan: StandardMethods.dataType("SpaceBan", SpaceBan, { using: [chat] }),
  ChatContact: StandardMethods.dataType("ChatContact", ChatContact, { using: [chat], listing: Listing.query }),
  CustomEmoji: StandardMethods.dataType("CustomEmoji", CustomEmoji, { using: [chat], listing: Listing.query }),
  ReadPosition: StandardMethods.dataType("ReadPosition", ReadPosition, { using: [chat] }),
  PresenceStatus: StandardMethods.dataType("PresenceStatus", PresenceStatus, { using: [chat] }),
  Quota: StandardMethods.dataType("Quota", Quota, { using: [quota] })
} as const

/** The name of a type in {@link DataTypes}. */
export type DataTypeName = keyof typeof DataTypes

type Type = StandardMethods.DataType<any>
type Prep<A = unknown, E = unknown> = Invocation.Preparation<A, E>
type Method = (input?: unknown) => Prep

const withoutClientId = <C extends { readonly clientId?: string }>(c: C): Record<string, unknown> => {
  const { clientId: _, ...rest } = c
  return present(rest)
}

/** `/get` options: `ids: null` sent explicitly where the Rust client does so (singletons, Quota). */
interface GetSpec {
  readonly requireIds?: boolean
  readonly explicitNullIds?: boolean
}

const get = (type: Type, spec: GetSpec = {}): Method => {
  const where = seedName(type.name, "get")
  const schema = (spec.requireIds ? MessageGetInput : GetInput) as Schema.Schema<GetInput, any, never>
  return (input = {}) =>
    Either.map(validate(where, schema, input, (i) => idList(where, "ids", i.ids, spec.requireIds)), (i) => {
      const ids = i.ids === undefined && spec.explicitNullIds ? null : i.ids
      const options = present({ ids, properties: i.properties })
      return i.properties === undefined
        ? StandardMethods.get(type, options)
        : StandardMethods.getProperties(type, { ...options, properties: i.properties })
    })
}

const changes = (type: Type): Method => {
  const where = seedName(type.name, "changes")
  return (input) =>
    Either.map(
      validate(where, ChangesInput, input, (i) => nonEmpty(where, "sinceState", i.sinceState)),
      (i) => StandardMethods.changes(type, i)
    )
}

/** How a type is queried: its filter and sort schemas, and how an empty filter is sent. */
interface QuerySpec {
  readonly filter: Schema.Schema<any, any, never>
  readonly sort: Schema.Schema<string, string, never>
  /** Filter properties holding ids, refused when empty. */
  readonly idFilters?: ReadonlyArray<string>
  /** `null` (the default) or left out (CustomEmoji/query, seed-api §2.1). */
  readonly emptyFilter?: "null" | "omit"
  readonly defaultSort?: ReadonlyArray<Comparator>
  readonly guard?: (where: string, filter: Readonly<Record<string, unknown>> | undefined) => Guard
}

const query = (type: Type, spec: QuerySpec): { query: Method; queryChanges: Method } => {
  const queryWhere = seedName(type.name, "query")
  const changesWhere = seedName(type.name, "queryChanges")
  const querySchema = QueryInput(spec.filter, spec.sort)
  const changesSchema = QueryChangesInput(spec.filter, spec.sort)
  const filterGuard = (where: string, filter: Readonly<Record<string, unknown>> | undefined) =>
    firstOf(...(spec.idFilters ?? []).map((key) => nonEmpty(where, key, filter?.[key] as string | undefined)))
  const shape = (i: { readonly filter?: object; readonly sort?: ReadonlyArray<Comparator> }) => {
    const filter = present(i.filter ?? {})
    const empty = Object.keys(filter).length === 0
    return {
      filter: empty ? (spec.emptyFilter === "omit" ? undefined : null) : filter,
      sort: i.sort ?? spec.defaultSort
    }
  }
  return {
    query: (input = {}) =>
      Either.map(
        validate(queryWhere, querySchema, input, (i) =>
          firstOf(
            spec.guard?.(queryWhere, i.filter),
            filterGuard(queryWhere, i.filter),
            nonEmpty(queryWhere, "anchor", i.anchor)
          )),
        (i) => {
          const { filter: _f, sort: _s, ...rest } = i
          return StandardMethods.query(type, present({ ...shape(i), ...rest }) as StandardMethods.QueryOptions)
        }
      ),
    queryChanges: (input) =>
      Either.map(
        validate(changesWhere, changesSchema, input, (i) =>
          firstOf(
            nonEmpty(changesWhere, "sinceQueryState", i.sinceQueryState),
            filterGuard(changesWhere, i.filter),
            nonEmpty(changesWhere, "upToId", i.upToId)
          )),
        (i) => {
          const { filter: _f, sinceQueryState, sort: _s, ...rest } = i
          return StandardMethods.queryChanges(
            type,
            present({ sinceQueryState, ...shape(i), ...rest }) as unknown as StandardMethods.QueryChangesOptions
          )
        }
      )
  }
}

/** The creation id: the caller's, or a fresh ULID when absent or empty (seed-api §2.1). */
export const creationId = (clientId: string | undefined): string =>
  clientId === undefined || clientId === "" ? ulid() : clientId

const create = <C extends { readonly clientId?: string }>(
  type: Type,
  schema: Schema.Schema<C, any, never>,
  toObject: (where: string, input: C) => Effect.Effect<Record<string, unknown>, InvalidArgument>
): Method => {
  const where = seedName(type.name, "create")
  return (input) =>
    flatMapPrepared(validate(where, schema, input), (c) =>
      mapPrepared(toObject(where, c), (object) => {
        const id = creationId(c.clientId)
        return StandardMethods.set(type, { create: { [id]: object } })
      }))
}

/** A create whose only checks are non-empty strings and id lists. */
const plainCreate = <C extends { readonly clientId?: string }>(
  type: Type,
  schema: Schema.Schema<C, any, never>,
  guard: (where: string, input: C) => Guard,
  defaults: (input: C) => Record<string, unknown> = () => ({})
): Method =>
  create(type, schema, (where, c) => {
    const failure = guard(where, c)
    return failure === undefined ? Either.right({ ...withoutClientId(c), ...defaults(c) }) : Either.left(failure)
  })

const update = <P>(
  type: Type,
  patch: Schema.Schema<P, any, never>,
  encode: (where: string, patch: P) => Effect.Effect<Patches.PatchObject, InvalidArgument>
): Method => {
  const where = seedName(type.name, "update")
  const schema = UpdateInput(patch)
  return (input) =>
    flatMapPrepared(
      validate(where, schema, input, (i) => nonEmpty(where, "id", i.id)),
      (i) => mapPrepared(encode(where, i.patch), (object) => StandardMethods.set(type, { update: { [i.id]: object } }))
    )
}

const destroy = (type: Type): Method => {
  const where = seedName(type.name, "destroy")
  return (input) =>
    Either.map(
      validate(where, DestroyInput, input, (i) => idList(where, "ids", i.ids, true)),
      (i) => StandardMethods.set(type, { destroy: i.ids })
    )
}

/**
 * A `rateLimited` SetError for the creation becomes `RateLimited`: with its `serverRetryAfter`
 * when the server sent a valid one (seed-api §2.7), and with an unknown retry time when it sent
 * none — the draft defines `rateLimited` with only `type` and `description` (spec-digest §7.12).
 * A `serverRetryAfter` that is present but malformed is an `UnexpectedResponse` (seed-api §2.7).
 */
export const failOnRateLimited = (id: string) =>
<A extends SetResponse<unknown, unknown>>(
  response: A
): Either.Either<A, RateLimited | UnexpectedResponse> => {
  const error = own(response.notCreated, id)
  if (error?.type !== "rateLimited") return Either.right(response)
  const after = serverRetryAfter(error)
  switch (after._tag) {
    case "Valid":
      return Either.left(
        new RateLimited({
          serverRetryAfter: after.value,
          retryAfter: Duration.millis(Math.max(0, Date.parse(after.value) - Date.now()))
        })
      )
    case "Absent":
      return Either.left(new RateLimited({}))
    case "Malformed":
      return Either.left(
        new UnexpectedResponse({ description: `rateLimited SetError has malformed serverRetryAfter: ${after.raw}` })
      )
  }
}

const messageCreate = create(DataTypes.Message, MessageCreateInput, (where, c) => {
  const failure = firstOf(
    nonEmpty(where, "chatId", c.chatId),
    nonEmpty(where, "replyTo", c.replyTo),
    nonEmpty(where, "threadRootId", c.threadRootId)
  )
  if (failure !== undefined) return Either.left(failure)
  const { body, bodyType = "text/plain", chatId, sentAt, ...rest } = c
  const object = (at: string) => ({ chatId, body, bodyType, sentAt: at, ...withoutClientId(rest) })
  return sentAt === undefined ? Effect.map(now, object) : Either.right(object(sentAt))
})

const chatCreate = create(DataTypes.Chat, ChatCreateInput, (where, c) => {
  const failure = c.kind === "direct"
    ? nonEmpty(where, "contactId", c.contactId)
    : firstOf(
      nonEmpty(where, "name", c.name),
      idList(where, "memberIds", c.memberIds),
      nonEmpty(where, "avatarBlobId", c.avatarBlobId)
    )
  return failure === undefined ? Either.right(withoutClientId(c)) : Either.left(failure)
})

const typing: Method = (input) => {
  const where = "chat_typing"
  return Either.map(
    validate(where, TypingInput, input, (i) => nonEmpty(where, "chatId", i.chatId)),
    (i) => Invocation.make("Chat/typing", i, TypingResponse, { using: [chat] })
  )
}

const join: Method = (input) => {
  const where = "space_join"
  return Either.map(
    validate(where, SpaceJoinInput, input, (i) =>
      "inviteCode" in i
        ? nonEmpty(where, "inviteCode", Redacted.isRedacted(i.inviteCode) ? Redacted.value(i.inviteCode) : i.inviteCode)
        : nonEmpty(where, "spaceId", i.spaceId)),
    (i) =>
      Invocation.make(
        "Space/join",
        "inviteCode" in i
          ? { inviteCode: Redacted.isRedacted(i.inviteCode) ? Redacted.value(i.inviteCode) : i.inviteCode }
          : { spaceId: i.spaceId },
        SpaceJoinResponse,
        { using: [chat] }
      )
  )
}

const lookup: Method = (input) => {
  const where = "blob_lookup"
  return Either.map(
    validate(where, BlobLookupInput, input, (i) => idList(where, "blobIds", i.ids, true)),
    (i) =>
      Invocation.make("Blob/lookup", { ids: i.ids, typeNames: i.typeNames ?? null }, BlobLookupResponse, {
        using: [blob2]
      })
  )
}

const convert: Method = (input) => {
  const where = "blob_convert"
  return Either.map(
    validate(
      where,
      BlobConvertInput,
      input,
      (i) => firstOf(nonEmpty(where, "blobId", i.blobId), nonEmpty(where, "contentType", i.type))
    ),
    (i) =>
      Invocation.make(
        "Blob/convert",
        { create: { [Invocation.CALL_ID]: { imageConvert: present(i) } } },
        BlobConvertResponse,
        { using: [blob2] }
      )
  )
}

const pushSet = (args: Record<string, unknown>, usesChatPush: boolean) =>
  Invocation.make("PushSubscription/set", args, PushSubscriptionSetResponse, {
    accountScoped: false,
    using: usesChatPush ? [chatPush] : []
  })

const pushSubscription = {
  get: ((input = {}) => {
    const where = "push_subscription_get"
    return Either.map(
      validate(where, GetInput, input, (i) => idList(where, "ids", i.ids)),
      (i) =>
        Invocation.make(
          "PushSubscription/get",
          StandardMethods.toArguments(present({ ids: i.ids, properties: i.properties })),
          PushSubscriptionGetResponse,
          { accountScoped: false }
        )
    )
  }) satisfies Method,
  create: ((input) => {
    const where = "push_subscription_create"
    return Either.flatMap(
      validate(
        where,
        PushSubscriptionCreateInput,
        input,
        (i) => firstOf(nonEmpty(where, "deviceClientId", i.deviceClientId), nonEmpty(where, "url", i.url))
      ),
      (i) => {
        const { chatPush: config, ...rest } = i
        const encoded = config === undefined ? Either.right(undefined) : Patches.encodeChatPush(where, config)
        return Either.map(encoded, (map) =>
          pushSet(
            {
              create: {
                [creationId(i.clientId)]: { ...withoutClientId(rest), ...(map === undefined ? {} : { chatPush: map }) }
              }
            },
            map !== undefined
          ))
      }
    )
  }) satisfies Method,
  update: ((input) => {
    const where = "push_subscription_update"
    return Either.flatMap(
      validate(where, UpdateInput(Patches.PushSubscriptionPatch), input, (i) => nonEmpty(where, "id", i.id)),
      (i) =>
        Either.map(
          Patches.encodePushSubscriptionPatch(where, i.patch),
          (patch) => pushSet({ update: { [i.id]: patch } }, i.patch.chatPush !== undefined)
        )
    )
  }) satisfies Method,
  destroy: ((input) => {
    const where = "push_subscription_destroy"
    return Either.map(
      validate(where, DestroyInput, input, (i) => idList(where, "ids", i.ids, true)),
      (i) => pushSet({ destroy: i.ids }, false)
    )
  }) satisfies Method
}

const state = (type: Type): Method => () => Either.right(StandardMethods.state(type))

/** `/get`, `/changes` and the `state` read that every type with both has. */
const standard = (type: Type, spec: GetSpec = {}) => ({
  get: get(type, spec),
  changes: changes(type),
  state: state(type)
})

const { Chat: chatType, ChatContact: contactType, CustomEmoji: emojiType, Message: messageType, Space: spaceType } =
  DataTypes

/** Every JMAP Chat method as a pure function from its input to a prepared invocation. */
export const Requests: ChatApis<Prepared> = {
  Chat: {
    ...standard(chatType),
    ...query(chatType, { filter: ChatFilter, sort: ChatSortProperty }),
    create: chatCreate,
    update: update(chatType, Patches.ChatPatch, Patches.encodeChatPatch),
    destroy: destroy(chatType),
    typing
  },
  Message: {
    ...standard(messageType, { requireIds: true }),
    ...query(messageType, {
      filter: MessageFilter,
      sort: MessageSortProperty,
      idFilters: ["chatId", "threadRootId"],
      defaultSort: [{ property: "sentAt", isAscending: false }],
      guard: (where, filter) =>
        filter?.["chatId"] === undefined && filter?.["hasMention"] !== true
          ? invalid(where, "chat_id or has_mention=true must be provided")
          : undefined
    }),
    create: (input: unknown) =>
      mapPrepared(messageCreate(input), (invocation) =>
        Invocation.flatMap(
          invocation as Invocation.Invocation<SetResponse<unknown, unknown>>,
          failOnRateLimited(Object.keys(invocation.arguments["create"] as object)[0]!)
        )),
    update: update(messageType, Patches.MessagePatch, Patches.encodeMessagePatch),
    destroy: destroy(messageType)
  },
  Space: {
    ...standard(spaceType),
    ...query(spaceType, { filter: SpaceFilter, sort: SpaceSortProperty }),
    create: plainCreate(
      spaceType,
      SpaceCreateInput,
      (where, c) => firstOf(nonEmpty(where, "name", c.name), nonEmpty(where, "iconBlobId", c.iconBlobId))
    ),
    update: update(spaceType, Patches.SpacePatch, Patches.encodeSpacePatch),
    destroy: destroy(spaceType),
    join
  },
  SpaceInvite: {
    ...standard(DataTypes.SpaceInvite),
    create: plainCreate(
      DataTypes.SpaceInvite,
      SpaceInviteCreateInput,
      (where, c) =>
        firstOf(nonEmpty(where, "spaceId", c.spaceId), nonEmpty(where, "defaultChannelId", c.defaultChannelId))
    ),
    destroy: destroy(DataTypes.SpaceInvite)
  },
  SpaceBan: {
    ...standard(DataTypes.SpaceBan),
    create: plainCreate(
      DataTypes.SpaceBan,
      SpaceBanCreateInput,
      (where, c) => firstOf(nonEmpty(where, "spaceId", c.spaceId), nonEmpty(where, "userId", c.userId))
    ),
    update: update(DataTypes.SpaceBan, Patches.SpaceBanPatch, Patches.encodeSpaceBanPatch),
    destroy: destroy(DataTypes.SpaceBan)
  },
  ChatContact: {
    ...standard(contactType),
    ...query(contactType, { filter: ChatContactFilter, sort: ContactSortProperty }),
    update: update(contactType, Patches.ChatContactPatch, Patches.encodeChatContactPatch)
  },
  CustomEmoji: {
    ...standard(emojiType),
    ...query(emojiType, {
      filter: CustomEmojiFilter,
      sort: CustomEmojiSortProperty,
      idFilters: ["spaceId"],
      emptyFilter: "omit"
    }),
    create: plainCreate(
      emojiType,
      CustomEmojiCreateInput,
      (where, c) =>
        firstOf(
          nonEmpty(where, "name", c.name),
          nonEmpty(where, "blobId", c.blobId),
          nonEmpty(where, "spaceId", c.spaceId)
        )
    ),
    update: update(emojiType, Patches.CustomEmojiPatch, Patches.encodeCustomEmojiPatch),
    destroy: destroy(emojiType)
  },
  ReadPosition: {
    ...standard(DataTypes.ReadPosition),
    update: update(DataTypes.ReadPosition, Patches.ReadPositionPatch, Patches.encodeReadPositionPatch)
  },
  PresenceStatus: {
    ...standard(DataTypes.PresenceStatus, { explicitNullIds: true }),
    update: update(DataTypes.PresenceStatus, Patches.PresenceStatusPatch, Patches.encodePresenceStatusPatch)
  },
  PushSubscription: pushSubscription,
  Quota: standard(DataTypes.Quota, { explicitNullIds: true }),
  Blob: { lookup, convert }
} as unknown as ChatApis<Prepared>
