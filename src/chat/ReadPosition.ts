/**
 * ReadPosition, the owner's read cursor in one Chat (draft-atwood-jmap-chat-00 §ReadPosition).
 *
 * @since 0.1.0
 */
import type { Schema } from "effect"
import { Id, OpenStruct, UTCDate } from "../jmap/Primitives.js"
import { optionalNullable } from "./internal/schema.js"

/**
 * The owner's read position in a Chat (core draft §ReadPosition). The server creates one per Chat;
 * its `id` differs from `chatId` (compliance test 1.5). Absent or `null` `lastReadMessageId`:
 * nothing has been read (compliance test 1.10). `lastReadAt` is server-set; it is optional here as
 * in the Rust client, since nothing has been read before it is first set.
 */
export const ReadPosition = OpenStruct({
  id: Id,
  chatId: Id,
  lastReadMessageId: optionalNullable(Id),
  lastReadAt: optionalNullable(UTCDate)
}, "ReadPosition")
/** @see {@link ReadPosition} */
export interface ReadPosition extends Schema.Schema.Type<typeof ReadPosition> {}
