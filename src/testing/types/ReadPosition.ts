/**
 * The `ReadPosition` data type (draft-atwood-jmap-chat-00 §ReadPosition): one per chat in a
 * mailbox, server-created. Updating `lastReadMessageId` stamps `lastReadAt` and recomputes the
 * chat's `unreadCount` and the senders' read receipts.
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect"
import type { DataType } from "../DataType.js"
import type { JsonRecord } from "../Json.js"
import { SetFailure } from "../ProtocolErrors.js"
import { Capability } from "../ServerConfig.js"
import { type Account, utcDate, type World } from "../World.js"
import { chatVisible } from "./Chat.js"

const project = (world: World, account: Account, id: string): JsonRecord | undefined => {
  const chatId = account.readPositions.get(id)
  const chat = chatId === undefined ? undefined : world.chats.get(chatId)
  const entry = chatId === undefined ? undefined : account.chats.get(chatId)
  if (chat === undefined || entry === undefined || !chatVisible(world, account, chat)) return undefined
  return {
    id,
    chatId: chat.id,
    lastReadMessageId: entry.lastReadMessageId ?? null,
    lastReadAt: utcDate(entry.lastReadAt)
  }
}

/** The `ReadPosition` data type. */
export const ReadPositionType: DataType = {
  name: "ReadPosition",
  capability: Capability.chat,
  properties: ["id", "chatId", "lastReadMessageId", "lastReadAt"],
  project,
  set: {
    update: {
      properties: { lastReadMessageId: Schema.NullOr(Schema.NonEmptyString) },
      run: (ctx, id, { changed }) =>
        Effect.gen(function*() {
          const { account, world } = ctx
          const chatId = account.readPositions.get(id)!
          const entry = account.chats.get(chatId)!
          const messageId = changed.lastReadMessageId as string | null
          if (messageId !== null && account.messages.get(messageId)?.chatId !== chatId) {
            return yield* SetFailure.invalidProperties(["lastReadMessageId"], "not a message of this chat")
          }
          entry.lastReadMessageId = messageId ?? undefined
          entry.lastReadAt = world.now
          const chat = world.chats.get(chatId)!
          world.touch(account, "ReadPosition", id)
          world.touch(account, "Chat", chatId)
          for (const canonId of chat.messages) {
            const localId = account.messageIds.get(canonId)
            if (localId !== undefined) world.touch(account, "Message", localId)
          }
          world.touchReceipts(chat)
        })
    }
  }
}
