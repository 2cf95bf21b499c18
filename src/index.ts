/**
 * effect-jmap-chat: an Effect SDK for JMAP Chat (RFC 8620 + draft-atwood-jmap-chat-00), on a
 * generic JMAP client floor that serves any capability.
 *
 * Services (each a module with its `Context.Tag`, `make` and `layer`): `HttpTransport` →
 * `SessionService` → `JmapClient` and `JmapPush` (any capability) or `ChatClient` and `ChatPush`
 * (JMAP Chat). Errors, wire types and the chat data model are flat exports.
 *
 * @since 0.1.0
 */
export * as Auth from "./jmap/Auth.js"
export * as Batching from "./jmap/Batching.js"
export * as ClientConfig from "./jmap/ClientConfig.js"
export * as DeltaSync from "./jmap/DeltaSync.js"
export * from "./jmap/Errors.js"
export * as HttpTransport from "./jmap/HttpTransport.js"
export * as Invocation from "./jmap/Invocation.js"
export * as JmapClient from "./jmap/JmapClient.js"
export * as Limits from "./jmap/Limits.js"
export * from "./jmap/MethodResponses.js"
export * from "./jmap/Primitives.js"
export * as EventSourceStream from "./jmap/push/EventSourceStream.js"
export * as JmapPush from "./jmap/push/JmapPush.js"
export * as PushEvent from "./jmap/push/PushEvent.js"
export * as SseDecoder from "./jmap/push/SseDecoder.js"
export * from "./jmap/push/StateChange.js"
export * as WebSocketFactory from "./jmap/push/WebSocketFactory.js"
export * as WebSocketFrames from "./jmap/push/WebSocketFrames.js"
export * as WebSocketSession from "./jmap/push/WebSocketSession.js"
export * as WsFrame from "./jmap/push/WsFrame.js"
export * from "./jmap/RequestBuilder.js"
export * from "./jmap/Session.js"
export * as SessionService from "./jmap/SessionService.js"
export * as Sha256 from "./jmap/Sha256.js"
export * as StandardMethods from "./jmap/StandardMethods.js"
export * as UriTemplate from "./jmap/UriTemplate.js"
export * from "./jmap/Wire.js"

export * as ChatClient from "./chat/ChatClient.js"
export * as ChatSession from "./chat/ChatSession.js"
export type * from "./chat/client/Api.js"
export * from "./chat/client/Inputs.js"
export * from "./chat/client/Patches.js"
export * from "./chat/client/PushSubscription.js"
export * from "./chat/client/Responses.js"
export * from "./chat/index.js"
export * as ChatEventSource from "./chat/push/ChatEventSource.js"
export * as ChatPush from "./chat/push/ChatPush.js"
export * as ChatSseEvent from "./chat/push/ChatSseEvent.js"
export * as ChatWebSocket from "./chat/push/ChatWebSocket.js"
export * as ChatWsFrame from "./chat/push/ChatWsFrame.js"
export * from "./chat/push/Ephemeral.js"
export * as ChatStore from "./chat/store/ChatStore.js"
export * from "./chat/store/StoreErrors.js"
export * as Ulid from "./chat/Ulid.js"
