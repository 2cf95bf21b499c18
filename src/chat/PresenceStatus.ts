/**
 * PresenceStatus, the owner's own availability and custom status (draft-atwood-jmap-chat-00
 * §PresenceStatus).
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { Id, OpenStruct, UTCDate } from "../jmap/Primitives.js"
import { Presence } from "./Enums.js"
import { optionalNullable } from "./internal/schema.js"

/**
 * The account's singleton presence record (core draft §PresenceStatus). When `expiresAt` passes the
 * server SHOULD clear `statusText` and `statusEmoji` and reset `presence` (to `"online"` per the
 * draft; compliance test 9.3 says `"offline"`, spec-digest §7.11).
 *
 * `receiptSharing` defaults to `true` when absent: the draft gives it default `true`, the Rust
 * client requires it, and the jmapchat-client fixtures omit it (seed-api §3.4), so both decode.
 * When `false`, no read receipts go out and inbound ones are hidden from the owner.
 */
export const PresenceStatus = OpenStruct({
  id: Id,
  presence: Presence,
  statusText: optionalNullable(Schema.String),
  statusEmoji: optionalNullable(Schema.String),
  expiresAt: optionalNullable(UTCDate),
  receiptSharing: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  updatedAt: UTCDate
}, "PresenceStatus")
/** @see {@link PresenceStatus} */
export interface PresenceStatus extends Schema.Schema.Type<typeof PresenceStatus> {}
