/**
 * A JMAP Chat WebSocket session: the generic RFC 8887 `WebSocketSession` with the ephemeral frames
 * of draft-atwood-jmap-chat-wss-00 plugged in (`ChatWsFrame.codec`), and the ephemeral subscription
 * controls `chatStreamEnable` / `chatStreamDisable` (WSS draft §Enabling Ephemeral Push).
 *
 * @since 0.1.0
 */
import { Effect, type Scope } from "effect"
import { InvalidArgument } from "../../jmap/Errors.js"
import type { WebSocketFactory } from "../../jmap/push/WebSocketFactory.js"
import * as WebSocketSession from "../../jmap/push/WebSocketSession.js"
import * as ChatWsFrame from "./ChatWsFrame.js"
import { ChatStreamDisable, ChatStreamEnable } from "./Ephemeral.js"

/** Options of {@link ChatWebSocketSession.chatStreamEnable} (WSS draft §Enabling Ephemeral Push). */
export interface ChatStreamOptions {
  /** Non-empty: `"typing"`, `"presence"`, or companion values. */
  readonly dataTypes: ReadonlyArray<string>
  /** Chats to get typing events for; `null` or absent = all the owner's chats. */
  readonly chatIds?: ReadonlyArray<string> | null | undefined
  /** Contacts to get presence events for; `null` or absent = all known contacts. */
  readonly contactIds?: ReadonlyArray<string> | null | undefined
}

/** A `WebSocketSession` whose events include the chat ephemeral frames, with their subscription controls. */
export interface ChatWebSocketSession<E = never>
  extends WebSocketSession.WebSocketSession<E, ChatWsFrame.EphemeralFrame>
{
  /** `ChatStreamEnable`, replacing the previous one, now and after every reconnect (after push enable). */
  readonly chatStreamEnable: (options: ChatStreamOptions) => Effect.Effect<void, WebSocketSession.SessionError<E>>
  /** `ChatStreamDisable`: no ephemeral events any more; push and the connection are unaffected. */
  readonly chatStreamDisable: Effect.Effect<void, WebSocketSession.SessionError<E>>
}

const key = "ChatStream"

/**
 * The chat controls on a session that decodes the chat frames (one made with `ChatWsFrame.codec`).
 * An empty `dataTypes` is an `InvalidArgument` and nothing is sent.
 */
export const fromSession = <E>(
  session: WebSocketSession.WebSocketSession<E, ChatWsFrame.EphemeralFrame>
): ChatWebSocketSession<E> => ({
  ...session,
  chatStreamEnable: (o) =>
    o.dataTypes.length === 0
      ? Effect.fail(new InvalidArgument({ description: "ChatStreamEnable: dataTypes must not be empty" }))
      : session.enableExtension(
        key,
        ChatStreamEnable.make({
          dataTypes: [...o.dataTypes],
          chatIds: o.chatIds === undefined || o.chatIds === null ? null : [...o.chatIds],
          contactIds: o.contactIds === undefined || o.contactIds === null ? null : [...o.contactIds]
        })
      ),
  chatStreamDisable: session.disableExtension(key, ChatStreamDisable.make({}))
})

/**
 * Starts a chat WebSocket session in the current scope: `WebSocketSession.make` (see it for the
 * options, the resilience and the errors) with the chat frames decoded.
 */
export const make = <E = never>(
  options: Omit<WebSocketSession.Options<E>, "codec">
): Effect.Effect<ChatWebSocketSession<E>, InvalidArgument, Scope.Scope | WebSocketFactory> =>
  Effect.map(WebSocketSession.make({ ...options, codec: ChatWsFrame.codec }), fromSession)
