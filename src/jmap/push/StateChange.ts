/**
 * RFC 8620 §7.1 `StateChange`: the push message saying which data types changed state, sent as the
 * `data` of an EventSource `state` event (§7.3), as an RFC 8887 §4.3.5 WebSocket frame (with
 * `pushState`), and to push subscriptions (§7.2).
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { Id, OpenStruct, State } from "../Primitives.js"

/** `TypeState`: data type name (`"Message"`, `"Chat"`, …) → its new state string (RFC 8620 §7.1). */
export const TypeState = Schema.Record({ key: Schema.String, value: State }).annotations({ identifier: "TypeState" })
/** @see {@link TypeState} */
export type TypeState = typeof TypeState.Type

/**
 * RFC 8620 §7.1 `StateChange` (open struct: unknown properties survive decode → encode).
 *
 * `changed` maps each accountId to the data types whose state changed. `pushState` (RFC 8887 §4.3.5)
 * is the opaque token to resume WebSocket push from with `WebSocketPushEnable.pushState`.
 *
 * `@type` may be absent on decode (some EventSource servers omit it; the Rust seed accepts that),
 * must be `"StateChange"` when present, and is always written on encode.
 */
export const StateChange = OpenStruct({
  "@type": Schema.optionalWith(Schema.Literal("StateChange"), { default: () => "StateChange" as const }),
  changed: Schema.Record({ key: Id, value: TypeState }),
  pushState: Schema.optionalWith(State, { exact: true })
}, "StateChange")
/** @see {@link StateChange} */
export type StateChange = typeof StateChange.Type
/** The JSON form of {@link StateChange}. */
export type StateChangeEncoded = typeof StateChange.Encoded
