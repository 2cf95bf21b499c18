/**
 * `Core/echo` (RFC 8620 §4): returns its arguments unchanged.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import type { MethodHandler } from "../MethodContext.js"
import { Capability } from "../ServerConfig.js"

/** The `Core/echo` method. */
export const CoreEcho: MethodHandler = {
  capability: Capability.core,
  run: (_ctx, args) => Effect.succeed(args)
}
