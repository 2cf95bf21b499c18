/**
 * effect-jmap-chat: an Effect SDK for JMAP Chat (RFC 8620 + draft-atwood-jmap-chat-00).
 *
 * Services (each a module with its `Context.Tag`, `make` and `layer`): `HttpTransport` →
 * `SessionService` → `ChatClient`. Errors, wire types and the chat data model are flat exports.
 *
 * @since 0.1.0
 */
export * as Auth from "./jmap/Auth.js"
export * as ClientConfig from "./jmap/ClientConfig.js"
export * from "./jmap/Errors.js"
export * as HttpTransport from "./jmap/HttpTransport.js"
export * from "./jmap/MethodResponses.js"
export * from "./jmap/Primitives.js"
export * from "./jmap/RequestBuilder.js"
export * from "./jmap/Session.js"
export * as SessionService from "./jmap/SessionService.js"
export * as UriTemplate from "./jmap/UriTemplate.js"
export * from "./jmap/Wire.js"

export * from "./chat/index.js"
