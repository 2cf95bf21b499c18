/**
 * The `Message` data type (draft-atwood-jmap-chat-00 §Message, §Message/set, §Message/query):
 * delivery to every participant's mailbox under its own id, `senderId: "self"` in the sender's
 * copy, edits with `editHistory`, reactions patched as `reactions/<senderReactionId>`, read
 * marks, local and for-everyone deletion as tombstones, threads, slow mode and the body rules.
 *
 * `Message/set destroy` hard-deletes the caller's own copy (RFC 8620 semantics; the drafts only
 * define deletion through `deletedAt`).
 *
 * @since 0.1.0
 */
import { Effect, Either, Schema } from "effect"
import { UnsignedInt, UTCDate } from "../../jmap/Primitives.js"
import { create, type DataType, filter, type UpdateChange } from "../DataType.js"
import { compact, isRecord, jsonEqual, type JsonRecord, type JsonValue, utf8Length } from "../Json.js"
import { validateBody } from "../MessageBody.js"
import type { MethodContext } from "../MethodContext.js"
import { MethodFailure, SetFailure } from "../ProtocolErrors.js"
import { Capability } from "../ServerConfig.js"
import { type Account, type ChatState, type MessageState, utcDate, type World } from "../World.js"
import { chatVisible } from "./Chat.js"

const Mention = Schema.Struct({ id: Schema.NonEmptyString, offset: UnsignedInt, length: UnsignedInt })
const BroadcastMention = Schema.Struct({ scope: Schema.String, offset: UnsignedInt, length: UnsignedInt })
const Attachment = Schema.Struct({
  blobId: Schema.NonEmptyString,
  // eslint-disable-next-line no-control-regex -- a filename must not contain NUL
  filename: Schema.String.pipe(Schema.pattern(/^[^/\\\u0000]+$/)),
  contentType: Schema.String.pipe(Schema.pattern(/^[\w!#$%&'*+.^`|~-]+\/[\w!#$%&'*+.^`|~-]+(\s*;.*)?$/)),
  size: UnsignedInt,
  sha256: Schema.String.pipe(Schema.pattern(/^[0-9a-f]{64}$/)),
  filenodeId: Schema.optional(Schema.String),
  thumbnailBlobId: Schema.optional(Schema.String)
})
const Action = Schema.Struct({
  type: Schema.NonEmptyString,
  uri: Schema.String,
  label: Schema.optional(Schema.String),
  expiresAt: Schema.optional(UTCDate),
  metadata: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Unknown }))
})
const ReactionInput = Schema.Struct({
  emoji: Schema.NonEmptyString.pipe(Schema.filter((s) => utf8Length(s) <= 64)),
  sentAt: UTCDate,
  customEmojiId: Schema.optional(Schema.String),
  senderId: Schema.optional(Schema.Literal("self"))
})

const CreateMessage = Schema.Struct({
  chatId: Schema.NonEmptyString,
  body: Schema.String,
  bodyType: Schema.String,
  sentAt: UTCDate,
  attachments: Schema.optional(Schema.Array(Attachment)),
  mentions: Schema.optional(Schema.Array(Mention)),
  broadcastMentions: Schema.optional(Schema.Array(BroadcastMention)),
  actions: Schema.optional(Schema.Array(Action)),
  replyTo: Schema.optional(Schema.NonEmptyString),
  threadRootId: Schema.optional(Schema.NonEmptyString),
  senderExpiresAt: Schema.optional(UTCDate),
  burnOnRead: Schema.optional(Schema.Boolean)
})

const sharesReceipts = (account: Account, chat: ChatState): boolean =>
  account.chats.get(chat.id)?.receiptSharing ?? account.user.presence.receiptSharing

/** Per-recipient read state of one of the owner's messages (deliveryState, deliveryReceipts). */
const receipts = (world: World, owner: Account, message: MessageState, chat: ChatState) => {
  const ownerShares = sharesReceipts(owner, chat)
  const out: Array<{ readonly userId: string; readonly receipt: JsonRecord; readonly read: boolean }> = []
  for (const [accountId, localId] of message.copies) {
    if (accountId === owner.user.accountId) continue
    const recipient = world.accounts.get(accountId)
    const copy = recipient?.messages.get(localId)
    if (recipient === undefined || copy === undefined) continue
    const entry = recipient.chats.get(chat.id)
    const readByPosition = entry?.lastReadMessageId !== undefined && entry.lastReadMessageId >= localId
    const readAt = copy.readAt ?? (readByPosition ? utcDate(entry.lastReadAt) : undefined)
    const visible = ownerShares && sharesReceipts(recipient, chat) && readAt !== undefined
    out.push({
      userId: recipient.user.userId,
      read: visible,
      receipt: compact({
        deliveredAt: utcDate(copy.receivedAt),
        readAt: visible ? readAt : null,
        readDisposition: visible && copy.readAt !== undefined ? copy.readDisposition : undefined
      })
    })
  }
  return out
}

const project = (world: World, account: Account, id: string): JsonRecord | undefined => {
  const copy = account.messages.get(id)
  const message = copy === undefined ? undefined : world.messages.get(copy.canonId)
  const chat = copy === undefined ? undefined : world.chats.get(copy.chatId)
  if (copy === undefined || message === undefined || chat === undefined || !chatVisible(world, account, chat)) {
    return undefined
  }
  const me = account.user.userId
  const own = message.senderId === me
  const deletedAt = copy.deletedAt ?? message.deletedForAll
  const deleted = deletedAt !== undefined
  const local = (canonId: string | undefined) => (canonId === undefined ? undefined : account.messageIds.get(canonId))
  const entry = account.chats.get(chat.id)
  let replyCount = 0
  let unreadReplyCount = 0
  for (const otherId of chat.messages) {
    const other = world.messages.get(otherId)
    if (other?.replyTo === message.id) replyCount += 1
    const otherLocal = local(otherId)
    if (
      other?.threadRootId === message.id && otherLocal !== undefined && other.senderId !== me &&
      (entry?.lastReadMessageId === undefined || otherLocal > entry.lastReadMessageId)
    ) unreadReplyCount += 1
  }
  const reactions: Record<string, JsonValue> = {}
  for (const [key, r] of message.reactions) {
    reactions[key] = compact({
      emoji: r.emoji,
      customEmojiId: r.customEmojiId,
      senderId: r.senderId === me ? "self" : r.senderId,
      sentAt: r.sentAt
    })
  }
  const recipients = own ? receipts(world, account, message, chat) : []
  const deliveryState = !own
    ? "delivered"
    : recipients.length === 0
    ? world.participants(chat).some((p) => p !== me) ? "pending" : "delivered"
    : recipients.every((r) => r.read)
    ? "received"
    : "delivered"
  return compact({
    id,
    senderMsgId: message.id,
    chatId: chat.id,
    senderId: own ? "self" : message.senderId,
    body: deleted ? "" : message.body,
    bodyType: message.bodyType,
    attachments: deleted ? [] : [...message.attachments],
    mentions: [...message.mentions],
    broadcastMentions: [...message.broadcastMentions],
    actions: [...message.actions],
    reactions,
    replyTo: local(message.replyTo),
    threadRootId: local(message.threadRootId),
    replyCount,
    unreadReplyCount: message.threadRootId === undefined && replyCount + unreadReplyCount > 0
      ? unreadReplyCount
      : undefined,
    sentAt: message.sentAt,
    receivedAt: utcDate(copy.receivedAt),
    senderExpiresAt: message.senderExpiresAt,
    burnOnRead: message.burnOnRead,
    deliveryState,
    deliveryReceipts: own && chat.kind === "group"
      ? Object.fromEntries(recipients.map((r) => [r.userId, r.receipt]))
      : undefined,
    deliveredAt: own && recipients.length > 0 ? utcDate(copy.receivedAt) : undefined,
    readAt: copy.readAt,
    readDisposition: copy.readAt === undefined ? undefined : copy.readDisposition,
    editedAt: message.editedAt === undefined ? undefined : utcDate(message.editedAt),
    editHistory: message.editHistory.length > 0 && !deleted ? [...message.editHistory] : undefined,
    deletedAt,
    deletedForAll: message.deletedForAll !== undefined ? true : undefined
  })
}

/** The caller's permissions in a chat's Space channel, or `undefined` outside Spaces. */
const channelPermissions = (world: World, chat: ChatState, userId: string): ReadonlySet<string> | undefined => {
  const space = chat.kind === "channel" ? world.spaces.get(chat.spaceId ?? "") : undefined
  return space === undefined ? undefined : world.channelPermissions(space, chat, userId)
}

const mayBroadcast = (world: World, chat: ChatState, userId: string): boolean => {
  const permissions = channelPermissions(world, chat, userId)
  if (permissions !== undefined) return permissions.has("mention_broadcast")
  return chat.kind !== "group" || chat.members.some((m) => m.id === userId && m.role === "admin")
}

const checkBody = (ctx: MethodContext, chat: ChatState, input: Parameters<typeof validateBody>[0]) =>
  Effect.gen(function*() {
    const facts = yield* validateBody(input, ctx.limits.maxBodyBytes)
    if (facts.broadcasts && !mayBroadcast(ctx.world, chat, ctx.account.user.userId)) {
      return yield* SetFailure.forbidden("broadcast mentions need the mention_broadcast permission")
    }
  })

const createMessage = (ctx: MethodContext, input: typeof CreateMessage.Type) =>
  Effect.gen(function*() {
    const { account, world } = ctx
    const me = account.user.userId
    const chat = world.chats.get(input.chatId)
    if (chat === undefined || !chatVisible(world, account, chat)) {
      return yield* SetFailure.invalidProperties(["chatId"], `no chat ${input.chatId}`)
    }
    const permissions = channelPermissions(world, chat, me)
    if (permissions !== undefined && !permissions.has("send")) {
      return yield* SetFailure.forbidden("sending in this channel needs the send permission")
    }
    yield* checkBody(ctx, chat, {
      body: input.body,
      bodyType: input.bodyType,
      mentions: input.mentions ?? [],
      broadcastMentions: input.broadcastMentions ?? []
    })
    const attachments = input.attachments ?? []
    if (attachments.length > ctx.limits.maxAttachmentsPerMessage) {
      return yield* SetFailure.invalidProperties(["attachments"], "too many attachments")
    }
    for (const attachment of attachments) {
      const blob = account.blobs.get(attachment.blobId)
      if (blob === undefined || blob.bytes.length !== attachment.size || blob.sha256 !== attachment.sha256) {
        return yield* SetFailure.invalidProperties(
          ["attachments"],
          `attachment ${attachment.blobId} does not match an uploaded blob (size and sha256)`
        )
      }
    }
    if (input.senderExpiresAt !== undefined && Date.parse(input.senderExpiresAt) <= world.now) {
      return yield* SetFailure.of("invalidArguments", "senderExpiresAt is in the past")
    }
    let replyTo: MessageState | undefined
    if (input.replyTo !== undefined) {
      const copy = account.messages.get(input.replyTo)
      replyTo = copy?.chatId === chat.id ? world.messages.get(copy.canonId) : undefined
      if (replyTo === undefined) {
        return yield* SetFailure.invalidProperties(["replyTo"], "replyTo must be a message of the same chat")
      }
    } else if (input.threadRootId !== undefined) {
      return yield* SetFailure.invalidProperties(["threadRootId"], "a message without replyTo has no threadRootId")
    }
    const slow = chat.slowModeSeconds
    if (slow > 0 && !(permissions?.has("manage_channels") ?? false)) {
      const last = account.lastSentAt.get(chat.id)
      if (last !== undefined && world.now < last + slow * 1000) {
        return yield* SetFailure.of("rateLimited", `slow mode: one message every ${slow} seconds`, {
          serverRetryAfter: utcDate(last + slow * 1000)
        })
      }
    }
    const message: MessageState = {
      id: world.newId(),
      chatId: chat.id,
      senderId: me,
      body: input.body,
      bodyType: input.bodyType,
      attachments: attachments as unknown as ReadonlyArray<JsonRecord>,
      mentions: input.mentions ?? [],
      broadcastMentions: input.broadcastMentions ?? [],
      actions: (input.actions ?? []) as unknown as ReadonlyArray<JsonRecord>,
      replyTo: replyTo?.id,
      threadRootId: replyTo === undefined ? undefined : replyTo.threadRootId ?? replyTo.id,
      sentAt: input.sentAt,
      receivedAt: world.now,
      senderExpiresAt: input.senderExpiresAt,
      burnOnRead: input.burnOnRead,
      reactions: new Map(),
      editedAt: undefined,
      editHistory: [],
      deletedForAll: undefined,
      copies: new Map(),
      droppedBy: new Set()
    }
    world.messages.set(message.id, message)
    chat.messages.push(message.id)
    world.addCopy(account, message)
    for (const userId of world.participants(chat)) {
      const other = userId === me ? undefined : world.accountOf(userId)
      if (other === undefined) continue
      if (other.contacts.get(me)?.blocked === true) {
        message.droppedBy.add(other.user.accountId)
        continue
      }
      world.openChat(other, chat)
      world.inbound.push({ accountId: other.user.accountId, localId: world.addCopy(other, message) })
      world.sawContact(other, me)
    }
    world.touchChat(chat)
    account.lastSentAt.set(chat.id, world.now)
    for (const related of [replyTo, world.messages.get(message.threadRootId ?? "")]) {
      if (related !== undefined) world.touchMessage(related)
    }
    return message.id
  })

const updateMessage = (ctx: MethodContext, id: string, change: UpdateChange) =>
  Effect.gen(function*() {
    const { account, world } = ctx
    const { changed, current, next } = change
    const copy = account.messages.get(id)!
    const message = world.messages.get(copy.canonId)!
    const chat = world.chats.get(copy.chatId)!
    const own = message.senderId === account.user.userId
    const deleted = current.deletedAt !== undefined

    const editing = ["body", "bodyType", "mentions", "broadcastMentions"].filter((p) => p in changed)
    if (editing.length > 0) {
      if (!own || deleted) return yield* SetFailure.forbidden("only the sender may edit a message that is not deleted")
      yield* checkBody(ctx, chat, {
        body: next.body as string,
        bodyType: next.bodyType as string,
        mentions: next.mentions as ReadonlyArray<typeof Mention.Type>,
        broadcastMentions: next.broadcastMentions as ReadonlyArray<typeof BroadcastMention.Type>
      })
    }

    const reactionChanges: Array<readonly [string, typeof ReactionInput.Type | undefined]> = []
    if ("reactions" in changed) {
      if (deleted) return yield* SetFailure.forbidden("cannot react to a deleted message")
      const before = isRecord(current.reactions) ? current.reactions : {}
      const after = isRecord(next.reactions) ? next.reactions : {}
      for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
        if (jsonEqual(before[key], after[key])) continue
        const previous = before[key]
        if (isRecord(previous) && previous.senderId !== "self") {
          return yield* SetFailure.forbidden("only a reaction's sender may change or remove it")
        }
        if (after[key] === undefined) {
          reactionChanges.push([key, undefined])
          continue
        }
        const decoded = Schema.decodeUnknownEither(ReactionInput)(after[key])
        if (Either.isLeft(decoded) || key === "") {
          return yield* SetFailure.invalidProperties(["reactions"], `invalid reaction ${key}`)
        }
        reactionChanges.push([key, decoded.right])
      }
    }

    if ("readDisposition" in changed && next.readAt === undefined) {
      return yield* SetFailure.invalidProperties(["readDisposition"], "readDisposition needs readAt")
    }
    const deleting = "deletedAt" in changed || "deletedForAll" in changed
    if (deleting) {
      if (next.deletedAt === null || next.deletedAt === undefined) {
        return yield* SetFailure.invalidProperties(["deletedAt"], "a deleted message cannot be restored")
      }
      if (next.deletedForAll === true && !own) {
        return yield* SetFailure.forbidden("only the sender may delete a message for everyone")
      }
    }

    // Everything is valid: apply.
    if (editing.length > 0) {
      message.editHistory.push({ body: message.body, bodyType: message.bodyType, editedAt: utcDate(world.now) })
      message.body = next.body as string
      message.bodyType = next.bodyType as string
      message.mentions = next.mentions as ReadonlyArray<JsonRecord>
      message.broadcastMentions = next.broadcastMentions as ReadonlyArray<JsonRecord>
      message.editedAt = world.now
    }
    for (const [key, reaction] of reactionChanges) {
      if (reaction === undefined) message.reactions.delete(key)
      else {
        message.reactions.set(key, {
          emoji: reaction.emoji,
          customEmojiId: reaction.customEmojiId,
          senderId: account.user.userId,
          sentAt: reaction.sentAt
        })
      }
    }
    if ("readAt" in changed || "readDisposition" in changed) {
      copy.readAt = (next.readAt as string | null | undefined) ?? undefined
      copy.readDisposition = copy.readAt === undefined
        ? undefined
        : typeof next.readDisposition === "string"
        ? next.readDisposition
        : "displayed"
      world.touchReceipts(chat)
    }
    if (deleting) {
      if (next.deletedForAll === true) message.deletedForAll = next.deletedAt as string
      else copy.deletedAt = next.deletedAt as string
    }
    world.touchMessage(message)
    world.touchChat(chat)
    if (copy.readAt !== undefined && message.burnOnRead === true && !own) world.dropCopy(account, message.id)
  })

const mentionsMe = (record: JsonRecord, ctx: MethodContext): boolean =>
  Array.isArray(record.mentions) &&
  record.mentions.some((m) => isRecord(m) && m.id === ctx.account.user.userId)

const hasCondition = (filter: JsonValue | undefined, test: (condition: JsonRecord) => boolean): boolean =>
  isRecord(filter) &&
  (Array.isArray(filter.conditions)
    ? filter.operator !== "NOT" && filter.conditions.some((c) => hasCondition(c, test))
    : test(filter))

/** The `Message` data type. */
export const MessageType: DataType = {
  name: "Message",
  capability: Capability.chat,
  properties: [
    "id",
    "senderMsgId",
    "chatId",
    "senderId",
    "body",
    "bodyType",
    "attachments",
    "mentions",
    "broadcastMentions",
    "actions",
    "reactions",
    "replyTo",
    "threadRootId",
    "replyCount",
    "unreadReplyCount",
    "sentAt",
    "receivedAt",
    "senderExpiresAt",
    "burnOnRead",
    "deliveryState",
    "deliveryReceipts",
    "deliveredAt",
    "readAt",
    "readDisposition",
    "editedAt",
    "editHistory",
    "deletedAt",
    "deletedForAll"
  ],
  project,
  query: {
    filters: {
      chatId: filter(Schema.String, (r, v) => r.chatId === v),
      text: filter(
        Schema.String,
        (r, v) => typeof r.body === "string" && r.body.toLowerCase().includes(v.toLowerCase())
      ),
      threadRootId: filter(Schema.String, (r, v) => r.threadRootId === v || r.id === v),
      hasAttachment: filter(Schema.Boolean, (r, v) => (Array.isArray(r.attachments) && r.attachments.length > 0) === v),
      hasMention: filter(Schema.Boolean, (r, v, ctx) => mentionsMe(r, ctx) === v),
      after: filter(UTCDate, (r, v) => typeof r.receivedAt === "string" && Date.parse(r.receivedAt) >= Date.parse(v)),
      before: filter(UTCDate, (r, v) => typeof r.receivedAt === "string" && Date.parse(r.receivedAt) < Date.parse(v))
    },
    sorts: ["receivedAt", "sentAt", "id"],
    checkFilter: (filter) =>
      hasCondition(filter, (c) => typeof c.chatId === "string" || c.hasMention === true)
        ? undefined
        : MethodFailure.of("unsupportedFilter", "Message/query needs a chatId filter unless hasMention is true"),
    defaultSort: (filter) => [{
      property: "receivedAt",
      isAscending: hasCondition(filter, (c) => typeof c.chatId === "string"),
      collation: undefined
    }]
  },
  set: {
    idReferences: ["chatId", "replyTo", "threadRootId"],
    create: create(CreateMessage, createMessage),
    update: {
      properties: {
        body: Schema.String,
        bodyType: Schema.String,
        mentions: Schema.Array(Mention),
        broadcastMentions: Schema.Array(BroadcastMention),
        reactions: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
        readAt: Schema.NullOr(UTCDate),
        readDisposition: Schema.NullOr(Schema.String),
        deletedAt: Schema.NullOr(UTCDate),
        deletedForAll: Schema.NullOr(Schema.Boolean)
      },
      run: updateMessage
    },
    destroy: (ctx, id) =>
      Effect.sync(() => {
        const copy = ctx.account.messages.get(id)!
        ctx.world.dropCopy(ctx.account, copy.canonId)
      })
  }
}
