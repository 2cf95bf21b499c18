/**
 * effect-jmap-chat: an Effect SDK for JMAP Chat (RFC 8620 + draft-atwood-jmap-chat-00).
 *
 * Services (each a module with its `Context.Tag`, `make` and `layer`): `HttpTransport` →
 * `SessionService` → `ChatClient`. Errors, wire types and the chat data model are flat exports.
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
export * from "./jmap/MethodResponses.js"
export * from "./jmap/Primitives.js"
export * from "./jmap/RequestBuilder.js"
export * from "./jmap/Session.js"
export * as SessionService from "./jmap/SessionService.js"
export * as StandardMethods from "./jmap/StandardMethods.js"
export * as UriTemplate from "./jmap/UriTemplate.js"
export * from "./jmap/Wire.js"

export * from "./chat/index.js"
export * as ChatClient from "./chat/ChatClient.js"
export * as ChatSession from "./chat/ChatSession.js"
export * from "./chat/client/Inputs.js"
export * from "./chat/client/Patches.js"
export * from "./chat/client/PushSubscription.js"
export * from "./chat/client/Responses.js"
export type * from "./chat/client/Api.js"
