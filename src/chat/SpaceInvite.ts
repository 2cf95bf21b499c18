/**
 * SpaceInvite, a shareable invite code for a Space (draft-atwood-jmap-chat-00 §SpaceInvite).
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { Id, OpenStruct, UnsignedInt, UTCDate } from "../jmap/Primitives.js"
import { ContactId } from "./ChatContact.js"
import { optionalNullable } from "./internal/schema.js"

/**
 * An invite to a Space (core draft §SpaceInvite). The server assigns `id` and `code`.
 *
 * `code` is a secret: whoever holds it can join the Space. It decodes to a `Redacted` string, so a
 * logged or inspected invite never shows it; pass it as it is to `Space.join({ inviteCode })`, or
 * read it with `Redacted.value` to share it. It encodes back to the plain string on the wire.
 */
export const SpaceInvite = OpenStruct({
  id: Id,
  code: Schema.Redacted(Schema.String),
  spaceId: Id,
  /** The channel to highlight when a new member arrives. */
  defaultChannelId: optionalNullable(Id),
  createdBy: ContactId,
  expiresAt: optionalNullable(UTCDate),
  /** Redemption is refused once `uses` reaches it. */
  maxUses: optionalNullable(UnsignedInt),
  uses: UnsignedInt,
  createdAt: UTCDate
}, "SpaceInvite")
/** @see {@link SpaceInvite} */
export interface SpaceInvite extends Schema.Schema.Type<typeof SpaceInvite> {}
