/**
 * effect-jmap-chat: an Effect SDK for JMAP Chat (RFC 8620 + draft-atwood-jmap-chat-00).
 *
 * @since 0.1.0
 */
export * from "./jmap/Primitives.js"
export * from "./jmap/Errors.js"
