/**
 * CustomEmoji, a server-wide or Space-scoped custom emoji image (draft-atwood-jmap-chat-00
 * §CustomEmoji).
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { Id, OpenStruct, UTCDate } from "../jmap/Primitives.js"
import { ContactId } from "./ChatContact.js"
import { optionalNullable } from "./internal/schema.js"

/**
 * A CustomEmoji shortcode: lowercase letters, digits, `-` and `_`, without colons (core draft
 * §CustomEmoji; compliance test 4.12). For values this client sends; decoding a CustomEmoji accepts
 * any string, since enforcing the pattern is the server's job.
 */
export const CustomEmojiName = Schema.String.pipe(
  Schema.pattern(/^[a-z0-9_-]+$/, {
    message: () => "an emoji name may only contain lowercase letters, digits, '-' and '_'"
  })
).annotations({ identifier: "CustomEmojiName" })
/** @see {@link CustomEmojiName} */
export type CustomEmojiName = typeof CustomEmojiName.Type

/** A custom emoji (core draft §CustomEmoji). Absent `spaceId`: server-global. */
export const CustomEmoji = OpenStruct({
  id: Id,
  name: Schema.String,
  /** An image blob (PNG, GIF, WebP, …). */
  blobId: Id,
  spaceId: optionalNullable(Id),
  createdBy: ContactId,
  createdAt: UTCDate
}, "CustomEmoji")
/** @see {@link CustomEmoji} */
export interface CustomEmoji extends Schema.Schema.Type<typeof CustomEmoji> {}
