/**
 * Short, human display of a delivery/read receipt time (the Rust client's
 * `format_receipt_timestamp`): "Today", "Yesterday", "Mon 14:00" within a week, "Apr 12" this
 * year, "Apr 12 2023" before. All in UTC. A display helper, not a stable contract.
 *
 * @since 0.1.0
 */
import { Clock, Effect } from "effect"

const weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"] as const
const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"] as const
const dayMillis = 24 * 60 * 60 * 1000

const utcDay = (t: number) => Math.floor(t / dayMillis)
const pad = (n: number) => String(n).padStart(2, "0")

/**
 * Formats `timestamp` (an RFC 3339 date-time) relative to `now`. An unparsable `timestamp` is
 * returned unchanged; an unparsable `now` gives "Today"; a time in the future is "Today".
 */
export const formatReceiptTimestampAt = (timestamp: string, now: string | number | Date): string => {
  const t = Date.parse(timestamp)
  if (Number.isNaN(t)) return timestamp
  const n = typeof now === "number" ? now : now instanceof Date ? now.getTime() : Date.parse(now)
  if (Number.isNaN(n)) return "Today"
  const days = utcDay(n) - utcDay(t)
  const date = new Date(t)
  if (days <= 0) return "Today"
  if (days === 1) return "Yesterday"
  if (days < 7) return `${weekdays[date.getUTCDay()]} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}`
  const monthDay = `${months[date.getUTCMonth()]} ${date.getUTCDate()}`
  return date.getUTCFullYear() === new Date(n).getUTCFullYear() ? monthDay : `${monthDay} ${date.getUTCFullYear()}`
}

/** {@link formatReceiptTimestampAt} relative to the current time of Effect's `Clock` (so `TestClock` works). */
export const formatReceiptTimestamp = (timestamp: string): Effect.Effect<string> =>
  Effect.map(Clock.currentTimeMillis, (now) => formatReceiptTimestampAt(timestamp, now))
