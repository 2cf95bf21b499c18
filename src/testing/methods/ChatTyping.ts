/**
 * `Chat/typing` (draft-atwood-jmap-chat-00 §Chat/typing): an ephemeral typing signal delivered
 * to every other participant's push connections, unless that participant turned
 * `receiveTypingIndicators` off (direct and group chats) or blocks the sender — checked again at
 * delivery (see `Ephemeral`). Nothing is stored and the sender never learns about suppression.
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect"
import { typingReaches } from "../Ephemeral.js"
import { decodeArgs, type MethodHandler, requireAccount } from "../MethodContext.js"
import { MethodFailure } from "../ProtocolErrors.js"
import { Capability } from "../ServerConfig.js"
import { chatVisible } from "../types/Chat.js"

const Args = Schema.Struct({ accountId: Schema.String, chatId: Schema.String, typing: Schema.Boolean })

/** The `Chat/typing` method. */
export const ChatTyping: MethodHandler = {
  capability: Capability.chat,
  run: (ctx, raw) =>
    Effect.gen(function*() {
      const args = yield* decodeArgs(Args, raw)
      yield* requireAccount(ctx, args.accountId)
      const { account, world } = ctx
      const chat = world.chats.get(args.chatId)
      if (chat === undefined || !chatVisible(world, account, chat)) {
        return yield* MethodFailure.of("notFound", `no chat ${args.chatId}`)
      }
      const me = account.user.userId
      for (const userId of world.participants(chat)) {
        const recipient = world.accountOf(userId)
        if (recipient !== undefined && typingReaches(world, recipient, chat.id, me)) {
          world.emit(userId, { _tag: "Typing", chatId: chat.id, senderId: me, typing: args.typing })
        }
      }
      return { accountId: args.accountId }
    })
}
