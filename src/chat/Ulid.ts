/**
 * ULIDs (https://github.com/ulid/spec), the ids of JMAP Chat: the drafts make Chat and Message ids,
 * `senderMsgId` and `senderReactionId` ULIDs, and a client SHOULD key the reactions it adds by a
 * fresh one (draft-atwood-jmap-chat-00 §Reaction, §Message/set).
 *
 * @since 0.1.0
 */
import { Clock, Effect } from "effect"
import { encodeTime, TIME_LEN, TIME_MAX, ulid } from "ulid"

/**
 * A fresh ULID: 48 bits of the current time of Effect's `Clock` (so `TestClock` controls it) and 80
 * random bits, in 26 characters of Crockford's base32, e.g. the key of a reaction to add. A clock
 * outside the 48-bit range (before 1970, after the year 10889) is clamped to it.
 *
 * @since 0.1.0
 */
export const make: Effect.Effect<string> = Effect.map(
  Clock.currentTimeMillis,
  // The time part encoded here: `ulid(0)` would read 0 as "now" from `Date.now()`.
  (millis) => encodeTime(Math.min(Math.max(0, Math.trunc(millis)), TIME_MAX), TIME_LEN) + ulid().slice(TIME_LEN)
)
