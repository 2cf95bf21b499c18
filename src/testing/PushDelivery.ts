/**
 * What the server sends to PushSubscriptions after a request (RFC 8620 §7.2 StateChange;
 * draft-atwood-jmap-chat-push-00 ChatMessagePush): verified, unexpired subscriptions get a
 * StateChange for the types they asked for, and those with a `chatPush` config for the account get
 * a ChatMessagePush for each batch of new inbound messages that match it (mute respected, except
 * for broadcast mentions that reach the owner).
 *
 * @since 0.1.0
 */
import { compact, isRecord, type JsonRecord, type JsonValue, utf8Length } from "./Json.js"
import type { Account, MessageState, PushSubscriptionState, TypeName, World } from "./World.js"

const plaintextTypes = ["text/plain", "text/markdown", "application/jmap-chat-rich"]

/**
 * The fields sent when `properties` is absent: the draft's default list plus `chatName`, `spaceId`
 * and `spaceName`, which its example payload carries and compliance test 6.3 requires on channel
 * entries (spec-digest §7.12). Each appears only where it applies (no `chatName` for direct chats).
 */
const defaultProperties = [
  "messageId",
  "chatId",
  "chatKind",
  "chatName",
  "spaceId",
  "spaceName",
  "senderId",
  "senderDisplayName",
  "sentAt",
  "hasMention",
  "mentionScopes",
  "encrypted",
  "bodySnippet"
]

/** Cuts a string to at most `max` UTF-8 bytes on a character boundary. */
const truncate = (text: string, max: number): string => {
  let out = ""
  for (const ch of text) {
    if (utf8Length(out + ch) > max) break
    out += ch
  }
  return out
}

const plainText = (message: MessageState): string => {
  if (message.bodyType !== "application/jmap-chat-rich") return message.body
  try {
    const parsed = JSON.parse(message.body) as { spans?: ReadonlyArray<{ text?: unknown }> }
    return (parsed.spans ?? []).map((s) => (typeof s.text === "string" ? s.text : "")).join("")
  } catch {
    return ""
  }
}

const richMentions = (message: MessageState): ReadonlyArray<JsonRecord> => {
  if (message.bodyType !== "application/jmap-chat-rich") return []
  try {
    const parsed = JSON.parse(message.body) as { spans?: ReadonlyArray<JsonValue> }
    return (parsed.spans ?? []).filter(isRecord)
  } catch {
    return []
  }
}

/** One ChatMessageEntry for a recipient's copy of a message, before `properties` filtering. */
const entry = (world: World, account: Account, localId: string) => {
  const copy = account.messages.get(localId)
  const message = copy === undefined ? undefined : world.messages.get(copy.canonId)
  const chat = message === undefined ? undefined : world.chats.get(message.chatId)
  if (copy === undefined || message === undefined || chat === undefined) return undefined
  const me = account.user.userId
  const space = chat.spaceId === undefined ? undefined : world.spaces.get(chat.spaceId)
  const sender = world.users.get(message.senderId)
  const nick = space?.members.get(message.senderId)?.nick
  const contactName = account.contacts.get(message.senderId)?.displayName
  const spans = richMentions(message)
  const scopes = new Set([
    ...message.broadcastMentions.map((m) => m.scope as string),
    ...spans.flatMap((s) => (s.type === "broadcast" && typeof s.scope === "string" ? [s.scope] : []))
  ])
  const isAdmin = space !== undefined
    ? world.spacePermissions(space, me).has("manage_space")
    : chat.members.some((m) => m.id === me && m.role === "admin")
  const mentionScopes = [...scopes].filter((scope) =>
    scope === "everyone" || (scope === "here" && account.user.presence.presence === "online") ||
    (scope === "admins" && isAdmin)
  )
  const encrypted = !plaintextTypes.includes(message.bodyType)
  return {
    mentionScopes,
    hasMention: message.mentions.some((m) => m.id === me) ||
      spans.some((s) => s.type === "mention" && s.userId === me),
    kind: chat.kind,
    chatId: chat.id,
    fields: compact({
      messageId: localId,
      chatId: chat.id,
      chatKind: chat.kind,
      chatName: chat.kind === "direct" ? undefined : chat.name,
      spaceId: space?.id,
      spaceName: space?.name,
      senderId: message.senderId,
      senderDisplayName: nick ?? contactName ?? sender?.displayName ?? sender?.login ?? message.senderId,
      sentAt: message.sentAt,
      encrypted,
      bodySnippet: encrypted ? undefined : truncate(plainText(message), world.limits.maxSnippetBytes)
    })
  }
}

const verified = (world: World, sub: PushSubscriptionState): boolean =>
  sub.verificationCode === sub.expectedVerificationCode &&
  (sub.expires === null || Date.parse(sub.expires) > world.now)

/**
 * Records the pushes of one request: `moved` are the (account, types) whose states advanced,
 * `world.inbound` the messages newly delivered to recipients.
 */
export const recordPushes = (world: World, moved: ReadonlyMap<Account, ReadonlySet<TypeName>>): void => {
  const inbound = world.inbound.splice(0, world.inbound.length)
  for (const account of world.accounts.values()) {
    const accountId = account.user.accountId
    const types = moved.get(account)
    const mine = inbound.filter((i) => i.accountId === accountId)
    for (const sub of account.pushSubscriptions.values()) {
      if (!verified(world, sub)) continue
      const config = isRecord(sub.chatPush) ? sub.chatPush[accountId] : undefined
      let coveredMessages = false
      if (isRecord(config) && mine.length > 0) {
        const kinds = Array.isArray(config.kinds) ? config.kinds : undefined
        const chatIds = Array.isArray(config.chatIds) ? config.chatIds : undefined
        const properties = Array.isArray(config.properties)
          ? (config.properties as ReadonlyArray<string>)
          : defaultProperties
        const entries = mine.flatMap(({ localId }) => {
          const e = entry(world, account, localId)
          if (e === undefined || (kinds !== undefined && !kinds.includes(e.kind))) return []
          if (chatIds !== undefined && !chatIds.includes(e.chatId)) return []
          const chatEntry = account.chats.get(e.chatId)
          const muted = chatEntry !== undefined &&
            (chatEntry.muted || (chatEntry.muteUntil !== undefined && Date.parse(chatEntry.muteUntil) > world.now))
          if (muted && e.mentionScopes.length === 0) return []
          const full: JsonRecord = { ...e.fields, hasMention: e.hasMention, mentionScopes: e.mentionScopes }
          return [{
            e,
            fields: Object.fromEntries(properties.flatMap((p) => (full[p] === undefined ? [] : [[p, full[p]]])))
          }]
        })
        const state = world.store(account, "Message").state
        for (let i = 0; i < entries.length; i += world.limits.maxMessagesPerPush) {
          const batch = entries.slice(i, i + world.limits.maxMessagesPerPush)
          const mentioned = batch.some(({ e }) => e.hasMention || e.mentionScopes.length > 0)
          const urgency = (mentioned ? config.mentionUrgency : undefined) ?? config.urgency ?? "normal"
          world.deliverPush(sub, {
            "@type": "ChatMessagePush",
            accountId,
            state,
            messages: batch.map(({ fields }) => fields)
          }, typeof urgency === "string" ? urgency : "normal")
          coveredMessages = true
        }
      }
      if (types === undefined) continue
      const wanted = [...types].filter((t) =>
        (sub.types === null || sub.types.includes(t)) && !(t === "Message" && coveredMessages)
      )
      if (wanted.length === 0) continue
      world.deliverPush(sub, {
        "@type": "StateChange",
        changed: { [accountId]: Object.fromEntries(wanted.map((t) => [t, world.store(account, t).state])) }
      })
    }
  }
}
