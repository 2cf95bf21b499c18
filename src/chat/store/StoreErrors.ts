/**
 * The errors of a `ChatStore`'s own operations (its writes fail with the client's errors).
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * `retry` or `discard` named a write that cannot take it: `Unknown` (no such open write: never
 * made, already confirmed or discarded) or `InFlight` (it is being sent; wait for its outcome).
 */
export class PendingWriteError extends Schema.TaggedError<PendingWriteError>("effect-jmap-chat/PendingWriteError")(
  "PendingWriteError",
  { writeId: Schema.String, reason: Schema.Literal("Unknown", "InFlight") }
) {
  override get message(): string {
    return this.reason === "Unknown"
      ? `no open write ${this.writeId} (never made, confirmed or discarded)`
      : `write ${this.writeId} is being sent; wait for its outcome`
  }
}

/** The write was discarded (`ChatStore.discard`) before the server confirmed it. */
export class WriteDiscarded extends Schema.TaggedError<WriteDiscarded>("effect-jmap-chat/WriteDiscarded")(
  "WriteDiscarded",
  { writeId: Schema.String }
) {
  override get message(): string {
    return `write ${this.writeId} was discarded`
  }
}
