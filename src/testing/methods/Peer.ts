/**
 * The federation methods (draft-atwood-jmap-chat-federation-00 §4, §6): only accounts with
 * `role: "peer"` may call them. Every account of this server is an owner account, so each call
 * is refused with `forbidden` (compliance test 5.3) rather than `unknownMethod`.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import type { MethodHandler } from "../MethodContext.js"
import { MethodFailure } from "../ProtocolErrors.js"
import { Capability } from "../ServerConfig.js"

/** The Peer/* method names of the federation draft. */
export const peerMethodNames: ReadonlyArray<string> = [
  "Peer/deliver",
  "Peer/receipt",
  "Peer/typing",
  "Peer/retract",
  "Peer/groupUpdate",
  "Peer/subscribePresence",
  "Peer/unsubscribePresence",
  "Peer/presence"
]

/** A Peer/* method called by an owner account. */
export const PeerForbidden: MethodHandler = {
  capability: Capability.chat,
  run: () =>
    Effect.fail(MethodFailure.of("forbidden", "Peer/* methods are for peer accounts; this account's role is owner"))
}
