/**
 * The reference server's canonical state: users, their mailboxes (accounts), and the shared
 * things several mailboxes see — chats, messages, Spaces, invites, bans, custom emoji, blobs.
 *
 * Account-visible records (what `Foo/get` returns) are *projections* of this state for one
 * mailbox (draft-atwood-jmap-chat-00: ids, `senderId: "self"`, `unreadCount` … are per mailbox).
 * Mutations change the canonical state and {@link World.touch} every projected record they may
 * have changed; the backend then re-projects exactly those, which advances the per-type states
 * and feeds `/changes` and push.
 *
 * @since 0.1.0
 */
import { monotonicFactory } from "ulid"
import type { JsonRecord } from "./Json.js"
import type { ServerLimits } from "./ServerConfig.js"
import { TypeStore } from "./TypeStore.js"

/** The data types with state, `/get` and `/changes` (draft-atwood-jmap-chat-00 IANA registrations, RFC 9425). */
export type TypeName =
  | "Chat"
  | "Message"
  | "ChatContact"
  | "ReadPosition"
  | "PresenceStatus"
  | "Space"
  | "SpaceInvite"
  | "SpaceBan"
  | "CustomEmoji"
  | "Quota"

/** Every {@link TypeName}, in the order StateChange objects list them. */
export const typeNames: ReadonlyArray<TypeName> = [
  "Chat",
  "Message",
  "ChatContact",
  "ReadPosition",
  "PresenceStatus",
  "Space",
  "SpaceInvite",
  "SpaceBan",
  "CustomEmoji",
  "Quota"
]

/** The owner's own presence record (PresenceStatus, draft §PresenceStatus). */
export interface PresenceState {
  readonly id: string
  presence: string
  statusText: string | undefined
  statusEmoji: string | undefined
  expiresAt: string | undefined
  receiptSharing: boolean
  updatedAt: number
  lastActiveAt: number
}

/** A user of the server; each owns exactly one account (mailbox). */
export interface User {
  /** Short handle used in options and tests, e.g. `"alice"`. */
  readonly name: string
  /** The authentication-layer identity, used as ChatContact.id everywhere. */
  readonly userId: string
  readonly login: string
  displayName: string
  readonly accountId: string
  readonly token: string
  readonly password: string | undefined
  readonly endpoints: ReadonlyArray<JsonRecord>
  readonly presence: PresenceState
}

/** What one mailbox knows about a contact (ChatContact's owner-side fields). */
export interface ContactEntry {
  blocked: boolean
  displayName: string | undefined
  readonly firstSeenAt: number
  lastSeenAt: number
}

/** One mailbox's side of a chat: its preferences and its ReadPosition. */
export interface ChatEntry {
  readonly createdAt: number
  muted: boolean
  muteUntil: string | undefined
  receiveTypingIndicators: boolean
  receiptSharing: boolean | undefined
  messageExpirySeconds: number | undefined
  /** Local message ids; used for direct chats (group and channel pins are shared). */
  pinnedMessageIds: ReadonlyArray<string>
  readonly readPositionId: string
  lastReadMessageId: string | undefined
  lastReadAt: number
}

/** One mailbox's copy of a message. */
export interface MessageEntry {
  readonly localId: string
  readonly canonId: string
  readonly chatId: string
  readonly receivedAt: number
  readAt: string | undefined
  readDisposition: string | undefined
  deletedAt: string | undefined
}

/** A member of a group chat (ChatMember). */
export interface ChatMemberState {
  readonly id: string
  role: string
  readonly joinedAt: number
  readonly invitedBy: string | null
}

/** A chat as the server knows it, shared by every participating mailbox. */
export interface ChatState {
  readonly id: string
  readonly kind: "direct" | "group" | "channel"
  readonly createdAt: number
  /** Direct chats: the two userIds. */
  readonly participants: ReadonlyArray<string>
  /** Group chats. */
  members: Array<ChatMemberState>
  name: string | undefined
  description: string | undefined
  avatarBlobId: string | undefined
  /** Canonical message ids (group and channel pins). */
  pinnedMessageIds: ReadonlyArray<string>
  readonly spaceId: string | undefined
  position: number | undefined
  topic: string | undefined
  slowModeSeconds: number
  permissionOverrides: ReadonlyArray<JsonRecord>
  /** Canonical message ids, oldest first. */
  readonly messages: Array<string>
}

/** A reaction as stored: the canonical sender is a userId. */
export interface ReactionState {
  readonly emoji: string
  readonly customEmojiId: string | undefined
  readonly senderId: string
  readonly sentAt: string
}

/** A message as the server knows it; every mailbox that received it holds a {@link MessageEntry}. */
export interface MessageState {
  /** The sender's local id, which is also every copy's `senderMsgId`. */
  readonly id: string
  readonly chatId: string
  readonly senderId: string
  body: string
  bodyType: string
  readonly attachments: ReadonlyArray<JsonRecord>
  mentions: ReadonlyArray<JsonRecord>
  broadcastMentions: ReadonlyArray<JsonRecord>
  readonly actions: ReadonlyArray<JsonRecord>
  readonly replyTo: string | undefined
  readonly threadRootId: string | undefined
  readonly sentAt: string
  readonly receivedAt: number
  readonly senderExpiresAt: string | undefined
  readonly burnOnRead: boolean | undefined
  readonly reactions: Map<string, ReactionState>
  editedAt: number | undefined
  readonly editHistory: Array<JsonRecord>
  /** Set when the sender deleted the message for everyone. */
  deletedForAll: string | undefined
  /** accountId → local id of that mailbox's copy. */
  readonly copies: Map<string, string>
  /** Accounts that dropped the message because they block the sender (never backfilled to them). */
  readonly droppedBy: Set<string>
}

/** A SpaceRole. */
export interface RoleState {
  readonly id: string
  name: string
  color: string | undefined
  permissions: ReadonlyArray<string>
  position: number
}

/** A SpaceMember. */
export interface SpaceMemberState {
  roleIds: ReadonlyArray<string>
  nick: string | undefined
  readonly joinedAt: number
}

/** A Category. */
export interface CategoryState {
  readonly id: string
  name: string
  position: number
  channelIds: ReadonlyArray<string>
}

/** A Space, shared by its members. */
export interface SpaceState {
  readonly id: string
  name: string
  description: string | undefined
  iconBlobId: string | undefined
  readonly roles: Array<RoleState>
  readonly members: Map<string, SpaceMemberState>
  readonly categories: Array<CategoryState>
  readonly createdAt: number
  isPublic: boolean
  isPubliclyPreviewable: boolean
  /** Permissions of the implicit `@everyone` role. */
  readonly everyone: ReadonlyArray<string>
  /** Channel chat ids, in creation order. */
  readonly channelIds: Array<string>
}

/** A SpaceInvite. */
export interface InviteState {
  readonly id: string
  readonly code: string
  readonly spaceId: string
  readonly defaultChannelId: string | undefined
  readonly createdBy: string
  readonly expiresAt: string | undefined
  readonly maxUses: number | undefined
  uses: number
  readonly createdAt: number
}

/** A SpaceBan. */
export interface BanState {
  readonly id: string
  readonly spaceId: string
  readonly userId: string
  readonly bannedBy: string
  reason: string | undefined
  readonly createdAt: number
  expiresAt: string | undefined
}

/** A CustomEmoji. */
export interface EmojiState {
  readonly id: string
  name: string
  blobId: string
  readonly spaceId: string | undefined
  readonly createdBy: string
  readonly createdAt: number
}

/** An uploaded blob (RFC 8620 §6.1; sha256 per draft-atwood-jmap-cid-00). */
export interface BlobState {
  readonly id: string
  readonly bytes: Uint8Array
  readonly type: string
  readonly sha256: string
  readonly createdAt: number
}

/** RFC 8620 §7.2 PushSubscription as stored (with the push draft's `chatPush`). */
export interface PushSubscriptionState {
  readonly id: string
  readonly deviceClientId: string
  readonly url: string
  readonly keys: JsonRecord | null
  verificationCode: string | null
  readonly expectedVerificationCode: string
  expires: string | null
  types: ReadonlyArray<string> | null
  chatPush: JsonRecord | null
  readonly createdAt: number
}

/** One user's mailbox. */
export interface Account {
  readonly user: User
  readonly contacts: Map<string, ContactEntry>
  readonly chats: Map<string, ChatEntry>
  /** ReadPosition id → chat id. */
  readonly readPositions: Map<string, string>
  readonly messages: Map<string, MessageEntry>
  /** Canonical message id → local id. */
  readonly messageIds: Map<string, string>
  readonly blobs: Map<string, BlobState>
  readonly pushSubscriptions: Map<string, PushSubscriptionState>
  /** chat id → time of the owner's last message there (slow mode). */
  readonly lastSentAt: Map<string, number>
  /** Direct/group chat id → the last message it held when the owner removed it (not backfilled again). */
  readonly historyFloor: Map<string, string>
  readonly stores: Map<TypeName, TypeStore>
}

/** An ephemeral push event produced by a method (typing, presence), before sequencing. */
export type EphemeralEvent =
  | { readonly _tag: "Typing"; readonly chatId: string; readonly senderId: string; readonly typing: boolean }
  | {
    readonly _tag: "Presence"
    readonly contactId: string
    readonly presence: string
    readonly lastActiveAt: string
    readonly statusText: string | null
    readonly statusEmoji: string | null
    /** Which of `statusText` / `statusEmoji` changed (the WebSocket frame omits unchanged ones). */
    readonly changed: ReadonlyArray<"statusText" | "statusEmoji">
  }

/** A payload the server would POST to a PushSubscription's URL (recorded, not sent). */
export interface PushDelivery {
  readonly subscriptionId: string
  readonly url: string
  /** RFC 8030 urgency for ChatMessagePush payloads (draft-atwood-jmap-chat-push-00). */
  readonly urgency: string
  readonly payload: JsonRecord
  readonly at: string
}

/** Formats epoch milliseconds as an RFC 3339 UTCDate, omitting zero fractional seconds. */
export const utcDate = (ms: number): string => new Date(ms).toISOString().replace(".000Z", "Z")

/** The canonical state of one reference server. */
export class World {
  readonly users = new Map<string, User>()
  readonly accounts = new Map<string, Account>()
  readonly chats = new Map<string, ChatState>()
  readonly messages = new Map<string, MessageState>()
  readonly spaces = new Map<string, SpaceState>()
  readonly invites = new Map<string, InviteState>()
  readonly bans = new Map<string, BanState>()
  readonly emojis = new Map<string, EmojiState>()
  /** The time of the request being processed, in epoch milliseconds. */
  now = 0
  private readonly dirty = new Map<Account, Map<TypeName, Set<string>>>()
  private readonly ephemeral: Array<{ readonly userId: string; readonly event: EphemeralEvent }> = []
  private readonly ulid = monotonicFactory()
  /** Every push payload produced, oldest first (bounded by `pushLogCapacity`). */
  readonly pushOutbox: Array<PushDelivery> = []
  /** Messages delivered to a recipient's mailbox in the current request: (accountId, local id). */
  readonly inbound: Array<{ readonly accountId: string; readonly localId: string }> = []

  constructor(readonly limits: ServerLimits) {}

  /** A fresh ULID; monotonic, so ids minted later always sort higher. */
  newId(): string {
    return this.ulid(Math.max(1, this.now))
  }

  /** The account owned by this userId, if the user is local. */
  accountOf(userId: string): Account | undefined {
    const user = this.users.get(userId)
    return user === undefined ? undefined : this.accounts.get(user.accountId)
  }

  /** The store of one type in one account (created on first use). */
  store(account: Account, type: TypeName): TypeStore {
    let store = account.stores.get(type)
    if (store === undefined) {
      store = new TypeStore(this.limits.changeLogCapacity)
      account.stores.set(type, store)
    }
    return store
  }

  /** Marks a projected record as possibly changed; the backend re-projects it at commit. */
  touch(account: Account, type: TypeName, id: string): void {
    let byType = this.dirty.get(account)
    if (byType === undefined) {
      byType = new Map()
      this.dirty.set(account, byType)
    }
    let ids = byType.get(type)
    if (ids === undefined) {
      ids = new Set()
      byType.set(type, ids)
    }
    ids.add(id)
  }

  /** Takes the set of touched records, leaving it empty. */
  drainDirty(): ReadonlyMap<Account, ReadonlyMap<TypeName, ReadonlySet<string>>> {
    const out = new Map(this.dirty)
    this.dirty.clear()
    return out
  }

  /** Queues an ephemeral event for one user's push connections. */
  emit(userId: string, event: EphemeralEvent): void {
    this.ephemeral.push({ userId, event })
  }

  /** Takes the queued ephemeral events, leaving the queue empty. */
  drainEphemeral(): ReadonlyArray<{ readonly userId: string; readonly event: EphemeralEvent }> {
    return this.ephemeral.splice(0, this.ephemeral.length)
  }

  /** Records a push payload for a subscription. */
  deliverPush(subscription: PushSubscriptionState, payload: JsonRecord, urgency = "normal"): void {
    this.pushOutbox.push({
      subscriptionId: subscription.id,
      url: subscription.url,
      urgency,
      payload,
      at: utcDate(this.now)
    })
    if (this.pushOutbox.length > this.limits.pushLogCapacity) this.pushOutbox.shift()
  }

  // ---------------------------------------------------------------------------------------------
  // Membership
  // ---------------------------------------------------------------------------------------------

  /** The userIds taking part in a chat right now (channel: Space members who may `view` it). */
  participants(chat: ChatState): ReadonlyArray<string> {
    switch (chat.kind) {
      case "direct":
        return chat.participants
      case "group":
        return chat.members.map((member) => member.id)
      case "channel": {
        const space = chat.spaceId === undefined ? undefined : this.spaces.get(chat.spaceId)
        if (space === undefined) return []
        return Array.from(space.members.keys()).filter((userId) =>
          this.channelPermissions(space, chat, userId).has("view")
        )
      }
    }
  }

  /** Makes `userId` a known ChatContact of `account` (a no-op for the owner themself). */
  knowContact(account: Account, userId: string): void {
    if (userId === account.user.userId) return
    const entry = account.contacts.get(userId)
    if (entry === undefined) {
      account.contacts.set(userId, {
        blocked: false,
        displayName: undefined,
        firstSeenAt: this.now,
        lastSeenAt: this.now
      })
    }
    this.touch(account, "ChatContact", userId)
  }

  /** Records activity from a contact (ChatContact.lastSeenAt). */
  sawContact(account: Account, userId: string): void {
    const entry = account.contacts.get(userId)
    if (entry !== undefined) {
      entry.lastSeenAt = this.now
      this.touch(account, "ChatContact", userId)
    }
  }

  /** Adds a chat (and its ReadPosition) to a mailbox if it is not there yet. */
  openChat(account: Account, chat: ChatState): ChatEntry {
    let entry = account.chats.get(chat.id)
    if (entry === undefined) {
      entry = {
        createdAt: this.now,
        muted: false,
        muteUntil: undefined,
        receiveTypingIndicators: true,
        receiptSharing: undefined,
        messageExpirySeconds: undefined,
        pinnedMessageIds: [],
        readPositionId: this.newId(),
        lastReadMessageId: undefined,
        lastReadAt: this.now
      }
      account.chats.set(chat.id, entry)
      account.readPositions.set(entry.readPositionId, chat.id)
      this.touch(account, "ReadPosition", entry.readPositionId)
      this.touch(account, "Quota", "chats")
      for (const userId of this.participants(chat)) this.knowContact(account, userId)
      // Backfill the history a newcomer may read, except what the owner removed before.
      const floor = account.historyFloor.get(chat.id) ?? ""
      for (const canonId of chat.messages) {
        if (canonId <= floor) continue
        const message = this.messages.get(canonId)
        const dropped = message === undefined || message.droppedBy.has(account.user.accountId)
        if (!dropped && message.deletedForAll === undefined) this.addCopy(account, message)
      }
    }
    this.touch(account, "Chat", chat.id)
    return entry
  }

  /** Removes a chat, its ReadPosition and its messages from a mailbox. */
  closeChat(account: Account, chat: ChatState): void {
    const entry = account.chats.get(chat.id)
    if (entry === undefined) return
    const last = chat.messages[chat.messages.length - 1]
    if (chat.kind !== "channel" && last !== undefined) account.historyFloor.set(chat.id, last)
    for (const canonId of chat.messages) this.dropCopy(account, canonId)
    account.chats.delete(chat.id)
    account.readPositions.delete(entry.readPositionId)
    this.touch(account, "Chat", chat.id)
    this.touch(account, "ReadPosition", entry.readPositionId)
    this.touch(account, "Quota", "chats")
  }

  /** Gives a mailbox its own copy of a message (a fresh local id), if it has none yet. */
  addCopy(account: Account, message: MessageState, receivedAt = this.now): string {
    const existing = message.copies.get(account.user.accountId)
    if (existing !== undefined) return existing
    const localId = message.senderId === account.user.userId ? message.id : this.newId()
    message.copies.set(account.user.accountId, localId)
    account.messages.set(localId, {
      localId,
      canonId: message.id,
      chatId: message.chatId,
      receivedAt,
      readAt: undefined,
      readDisposition: undefined,
      deletedAt: undefined
    })
    account.messageIds.set(message.id, localId)
    this.touch(account, "Message", localId)
    this.touch(account, "Quota", "messages")
    return localId
  }

  /** Hard-deletes a mailbox's copy of a message (no tombstone). */
  dropCopy(account: Account, canonId: string): void {
    const localId = account.messageIds.get(canonId)
    if (localId === undefined) return
    account.messageIds.delete(canonId)
    account.messages.delete(localId)
    this.messages.get(canonId)?.copies.delete(account.user.accountId)
    this.touch(account, "Message", localId)
    this.touch(account, "Quota", "messages")
    const chat = this.chats.get(this.messages.get(canonId)?.chatId ?? "")
    if (chat !== undefined) this.touch(account, "Chat", chat.id)
  }

  /** Touches the chat record in every mailbox that has it. */
  touchChat(chat: ChatState): void {
    for (const account of this.accounts.values()) {
      if (account.chats.has(chat.id)) this.touch(account, "Chat", chat.id)
    }
  }

  /** Touches every mailbox copy of a message. */
  touchMessage(message: MessageState): void {
    for (const [accountId, localId] of message.copies) {
      const account = this.accounts.get(accountId)
      if (account !== undefined) this.touch(account, "Message", localId)
    }
  }

  /**
   * Touches each sender's own copy of every message in a chat: their `deliveryState` and
   * `deliveryReceipts` depend on what the other participants have read.
   */
  touchReceipts(chat: ChatState): void {
    for (const canonId of chat.messages) {
      const message = this.messages.get(canonId)
      const sender = message === undefined ? undefined : this.accountOf(message.senderId)
      if (sender !== undefined && message !== undefined && message.copies.has(sender.user.accountId)) {
        this.touch(sender, "Message", message.id)
      }
    }
  }

  /** Touches the ChatContact record of `userId` in every mailbox that knows them. */
  touchContact(userId: string): void {
    for (const account of this.accounts.values()) {
      if (account.contacts.has(userId)) this.touch(account, "ChatContact", userId)
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Space permissions (draft-atwood-jmap-chat-00 §Authorization, channel permission resolution)
  // ---------------------------------------------------------------------------------------------

  /** The Space-wide permissions of a member (`@everyone` plus every role held); empty for non-members. */
  spacePermissions(space: SpaceState, userId: string): ReadonlySet<string> {
    const member = space.members.get(userId)
    if (member === undefined) return new Set()
    const out = new Set(space.everyone)
    for (const role of space.roles) {
      if (member.roleIds.includes(role.id)) { for (const p of role.permissions) out.add(p) }
    }
    return out
  }

  /** The highest role position a member holds (0 = `@everyone` only). */
  highestPosition(space: SpaceState, userId: string): number {
    const member = space.members.get(userId)
    if (member === undefined) return -1
    return space.roles
      .filter((role) => member.roleIds.includes(role.id))
      .reduce((max, role) => Math.max(max, role.position), 0)
  }

  /** A member's permissions in one channel, after the channel's overrides (roles ascending, then member). */
  channelPermissions(space: SpaceState, chat: ChatState, userId: string): ReadonlySet<string> {
    const out = new Set(this.spacePermissions(space, userId))
    const member = space.members.get(userId)
    if (member === undefined) return out
    const roleOverrides = chat.permissionOverrides
      .filter((o) => o.targetType === "role" && typeof o.targetId === "string")
      .map((o) => ({ o, role: space.roles.find((r) => r.id === o.targetId) }))
      .filter(({ o, role }) => role !== undefined ? member.roleIds.includes(role.id) : o.targetId === "@everyone")
      .sort((a, b) => (a.role?.position ?? 0) - (b.role?.position ?? 0))
      .map(({ o }) => o)
    const memberOverrides = chat.permissionOverrides.filter((o) => o.targetType === "member" && o.targetId === userId)
    const apply = (overrides: ReadonlyArray<JsonRecord>, key: "allow" | "deny") => {
      for (const o of overrides) {
        const list = o[key]
        if (Array.isArray(list)) {
          for (const p of list) {
            if (typeof p !== "string") continue
            if (key === "allow") out.add(p)
            else out.delete(p)
          }
        }
      }
    }
    apply(roleOverrides, "deny")
    apply(roleOverrides, "allow")
    apply(memberOverrides, "deny")
    apply(memberOverrides, "allow")
    return out
  }
}
