/**
 * The method registry of the reference server: the standard methods of every data type, built
 * by the generic engine, plus the methods with their own shapes.
 *
 * @since 0.1.0
 */
import type { DataType } from "./DataType.js"
import type { MethodHandler } from "./MethodContext.js"
import { BlobConvert, BlobLookup } from "./methods/Blob.js"
import { ChatTyping } from "./methods/ChatTyping.js"
import { CoreEcho } from "./methods/CoreEcho.js"
import { PeerForbidden, peerMethodNames } from "./methods/Peer.js"
import { PushSubscriptionGet, PushSubscriptionSet } from "./methods/PushSubscription.js"
import { SpaceJoin } from "./methods/SpaceJoin.js"
import { standardMethods } from "./StandardMethods.js"
import { ChatType } from "./types/Chat.js"
import { ChatContactType } from "./types/ChatContact.js"
import { CustomEmojiType } from "./types/CustomEmoji.js"
import { MessageType } from "./types/Message.js"
import { PresenceStatusType } from "./types/PresenceStatus.js"
import { QuotaType } from "./types/Quota.js"
import { ReadPositionType } from "./types/ReadPosition.js"
import { SpaceType } from "./types/Space.js"
import { SpaceBanType } from "./types/SpaceBan.js"
import { SpaceInviteType } from "./types/SpaceInvite.js"
import type { TypeName } from "./World.js"

/** Every data type, by name. */
export const dataTypes: { readonly [K in TypeName]: DataType } = {
  Chat: ChatType,
  Message: MessageType,
  ChatContact: ChatContactType,
  ReadPosition: ReadPositionType,
  PresenceStatus: PresenceStatusType,
  Space: SpaceType,
  SpaceInvite: SpaceInviteType,
  SpaceBan: SpaceBanType,
  CustomEmoji: CustomEmojiType,
  Quota: QuotaType
}

/** Every method the server answers, by name. */
export const methods: ReadonlyMap<string, MethodHandler> = new Map([
  ...Object.values(dataTypes).flatMap((type) => standardMethods(type)),
  ["Chat/typing", ChatTyping],
  ["Space/join", SpaceJoin],
  ["PushSubscription/get", PushSubscriptionGet],
  ["PushSubscription/set", PushSubscriptionSet],
  ["Blob/lookup", BlobLookup],
  ["Blob/convert", BlobConvert],
  ["Core/echo", CoreEcho],
  ...peerMethodNames.map((name) => [name, PeerForbidden] as const)
])
