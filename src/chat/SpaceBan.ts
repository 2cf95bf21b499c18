/**
 * SpaceBan, a ban of a user from a Space (draft-atwood-jmap-chat-00 §SpaceBan).
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { Id, OpenStruct, UTCDate } from "../jmap/Primitives.js"
import { ContactId } from "./ChatContact.js"
import { optionalNullable } from "./internal/schema.js"

/** A ban of one user from a Space (core draft §SpaceBan). Absent `expiresAt`: permanent until destroyed. */
export const SpaceBan = OpenStruct({
  id: Id,
  spaceId: Id,
  userId: ContactId,
  bannedBy: ContactId,
  /** Visible to the banned user. */
  reason: optionalNullable(Schema.String),
  createdAt: UTCDate,
  expiresAt: optionalNullable(UTCDate)
}, "SpaceBan")
/** @see {@link SpaceBan} */
export interface SpaceBan extends Schema.Schema.Type<typeof SpaceBan> {}
