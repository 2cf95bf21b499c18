/**
 * `ChatPush`: real-time JMAP Chat events as one resilient `Stream`, over the RFC 8887 WebSocket
 * when the session advertises chat over WebSocket (draft-atwood-jmap-chat-wss-00) and over the RFC
 * 8620 §7.3 EventSource otherwise. It is `JmapPush` (which owns the transports, the reconnection
 * and the resumption) with the chat draft's ephemeral events: `Typing` and `Presence` over either
 * transport, and the `ChatStreamEnable` subscription on the WebSocket. Either way the elements are
 * the same {@link ChatPushEvent}s, the stream reconnects by itself (resuming from the last event id
 * or `pushState`), and it emits `Connected` once its first connection is live and `Reconnected`
 * after each reconnection, so consumers know when to call `/changes`.
 *
 * @since 0.1.0
 */
import { Context, Effect, Layer, Option, type Scope } from "effect"
import type { InvalidSession } from "../../jmap/Errors.js"
import * as JmapPush from "../../jmap/push/JmapPush.js"
import * as PushEvent from "../../jmap/push/PushEvent.js"
import type { WebSocketFactory } from "../../jmap/push/WebSocketFactory.js"
import type * as WebSocketSession from "../../jmap/push/WebSocketSession.js"
import { SessionService } from "../../jmap/SessionService.js"
import type * as SessionServiceModule from "../../jmap/SessionService.js"
import { CapabilityUri } from "../Capabilities.js"
import * as ChatClient from "../ChatClient.js"
import { supportsChatWebSocket } from "../ChatSession.js"
import { DataTypes } from "../client/Requests.js"
import * as ChatSseEvent from "./ChatSseEvent.js"
import * as ChatWebSocket from "./ChatWebSocket.js"
import * as ChatWsFrame from "./ChatWsFrame.js"

/**
 * What {@link Service.events} yields, whichever transport carries it: `Connected` (first, once the
 * subscription is in place: call `/changes` once if you fetched state before), `StateChange` (call
 * `/changes`), `Typing`, `Presence`, `Ping`, `Unknown` and `Reconnected` (call `/changes`). Over the
 * WebSocket the elements carry no SSE `id` (`Option.none()`).
 */
export type ChatPushEvent = ChatSseEvent.ChatSseEvent

/** The failures that end a push stream (everything else reconnects). */
export type PushError = JmapPush.PushError

/** The transport failures of a {@link Service.webSocketClient}'s calls. */
export type WebSocketCallError =
  | WebSocketSession.CallError<JmapPush.UpgradeError>
  | SessionServiceModule.SessionError
  | InvalidSession

/** Options of {@link Service.events}: those of `JmapPush.events`, and the chat stream. */
export interface EventsOptions extends JmapPush.EventsOptions, ChatStreamOption {}

/** The chat options of {@link Service.events}. */
export interface ChatStreamOption {
  /**
   * Ephemeral events over the WebSocket (`ChatStreamEnable`): default typing and presence for all
   * chats and contacts; `false` for none. The EventSource always carries them (spec-digest §4.1).
   */
  readonly chatStream?: ChatWebSocket.ChatStreamOptions | false
}

/** Options of {@link Service.webSocket}. */
export type WebSocketOptions = JmapPush.WebSocketOptions

/** The operations of `ChatPush`: those of `JmapPush` with the chat events. Every method has `R = never`. */
export interface Service
  extends Omit<JmapPush.Push<ChatSseEvent.EphemeralEvent, ChatWsFrame.EphemeralFrame, ChatStreamOption>, "webSocket">
{
  /**
   * A connected, self-reconnecting RFC 8887 session for the session's WebSocket URL (credentials sent
   * on the upgrade only to trusted origins), for calls, push control and the chat stream.
   */
  readonly webSocket: (
    options?: WebSocketOptions
  ) => Effect.Effect<ChatWebSocket.ChatWebSocketSession<JmapPush.UpgradeError>, PushError, Scope.Scope>
  /** A `ChatClient` whose calls go over a WebSocket session (blobs still go over HTTP). */
  readonly webSocketClient: (
    options?: WebSocketOptions
  ) => Effect.Effect<
    {
      readonly session: ChatWebSocket.ChatWebSocketSession<JmapPush.UpgradeError>
      readonly client: ChatClient.Service<WebSocketCallError>
    },
    PushError,
    Scope.Scope
  >
}

/** The `ChatPush` tag. */
export class ChatPush extends Context.Tag("effect-jmap-chat/ChatPush")<ChatPush, Service>() {}

/** The chat event a chat WebSocket frame is. */
const fromEphemeralFrame = (frame: ChatWsFrame.EphemeralFrame): Option.Option<ChatSseEvent.EphemeralEvent> => {
  const { _tag, ...fields } = frame
  return Option.some(
    _tag === "ChatTypingEvent"
      ? new ChatSseEvent.Typing({ id: Option.none(), ...(fields as Omit<ChatWsFrame.ChatTypingEvent, "_tag">) }, true)
      : new ChatSseEvent.Presence(
        { id: Option.none(), ...(fields as Omit<ChatWsFrame.ChatPresenceEvent, "_tag">) },
        true
      )
  )
}

/** Maps a WebSocket frame to the common event type; `Response`/`RequestError` frames (answers to calls) are dropped. */
export const fromWsFrame = (frame: ChatWsFrame.ChatWsFrame): Option.Option<ChatPushEvent> =>
  PushEvent.fromWsFrame(frame, fromEphemeralFrame)

const defaultChatStream: ChatWebSocket.ChatStreamOptions = { dataTypes: ["typing", "presence"] }

/**
 * The data types `WebSocketPushEnable` names when the caller names none: every JMAP Chat type
 * (draft-atwood-jmap-chat-00) and Quota (RFC 9425), rather than `null`.
 */
export const chatDataTypes: ReadonlyArray<string> = Object.keys(DataTypes)

/** The chat draft's part of push: its events over both transports, and the chat stream on the WebSocket. */
export const extension: JmapPush.Extension<ChatSseEvent.EphemeralEvent, ChatWsFrame.EphemeralFrame, ChatStreamOption> =
  {
    name: "ChatPush",
    eventSource: ChatSseEvent.codec,
    webSocket: ChatWsFrame.codec,
    fromFrame: fromEphemeralFrame,
    dataTypes: chatDataTypes,
    prefersWebSocket: supportsChatWebSocket,
    onWebSocket: (session, options) => {
      const chatStream = options.chatStream ?? defaultChatStream
      return chatStream === false ? Effect.void : ChatWebSocket.fromSession(session).chatStreamEnable(chatStream)
    }
  }

/** Builds the service from the session (and its transport) and a WebSocket factory. */
export const make: Effect.Effect<Service, never, SessionService | WebSocketFactory> = Effect.gen(function*() {
  const session = yield* SessionService
  const push = yield* JmapPush.makeWith(extension)

  const webSocket: Service["webSocket"] = (options) => Effect.map(push.webSocket(options), ChatWebSocket.fromSession)

  const webSocketClient: Service["webSocketClient"] = (options) =>
    Effect.map(webSocket(options), (ws) => ({
      session: ws,
      client: ChatClient.makeWith<WebSocketCallError>({
        call: ws.call,
        accountId: session.primaryAccountId(CapabilityUri.chat),
        upload: session.upload,
        download: session.download
      })
    }))

  return ChatPush.of({ events: push.events, eventSource: push.eventSource, webSocket, webSocketClient })
})

/** The `ChatPush` layer; needs `SessionService` and a `WebSocketFactory` (e.g. `NodeWebSocket.layer`). */
export const layer: Layer.Layer<ChatPush, never, SessionService | WebSocketFactory> = Layer.effect(ChatPush, make)
