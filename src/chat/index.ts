/**
 * The JMAP Chat data model (draft-atwood-jmap-chat-00 and its push, WSS and CID siblings) as
 * `effect/Schema`: capabilities, enums and every object type.
 *
 * @since 0.1.0
 */
export * from "./Blob.js"
export * from "./Capabilities.js"
export * from "./Chat.js"
export * from "./ChatContact.js"
export * from "./CustomEmoji.js"
export * from "./Enums.js"
export * from "./Message.js"
export * from "./PresenceStatus.js"
export * from "./PushTypes.js"
export * from "./Quota.js"
export * from "./ReadPosition.js"
export * from "./ReceiptTimestamp.js"
export * from "./RichBody.js"
export * from "./Space.js"
export * from "./SpaceBan.js"
export * from "./SpaceInvite.js"
