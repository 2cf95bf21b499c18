/**
 * The RFC 8887 §4.3 JMAP-over-WebSocket frames: every frame is a JSON text message with a top-level
 * `@type`. All schemas are open structs (unknown properties survive decode → encode); the `@type`
 * of each is required on decode and filled in by `make`.
 *
 * @since 0.1.0
 */
import { Either, Schema } from "effect"
import { SerializeError } from "../Errors.js"
import { OpenStruct, State } from "../Primitives.js"
import { CreatedIds, Invocation, type JmapRequest } from "../Wire.js"

/** RFC 8887 §4.3.1 `Request` frame (c→s): an RFC 8620 Request plus an optional `id` echoed as `requestId`. */
export const WebSocketRequest = OpenStruct({
  "@type": Schema.tag("Request"),
  id: Schema.optionalWith(Schema.String, { exact: true }),
  using: Schema.Array(Schema.String),
  methodCalls: Schema.Array(Invocation),
  createdIds: Schema.optionalWith(CreatedIds, { exact: true })
}, "WebSocketRequest")
/** @see {@link WebSocketRequest} */
export type WebSocketRequest = typeof WebSocketRequest.Type

/** RFC 8887 §4.3.2 `Response` frame (s→c): an RFC 8620 Response plus the `requestId` of its Request. */
export const WebSocketResponse = OpenStruct({
  "@type": Schema.tag("Response"),
  requestId: Schema.optionalWith(Schema.String, { exact: true }),
  methodResponses: Schema.Array(Invocation),
  createdIds: Schema.optionalWith(CreatedIds, { exact: true }),
  sessionState: State
}, "WebSocketResponse")
/** @see {@link WebSocketResponse} */
export type WebSocketResponse = typeof WebSocketResponse.Type

/**
 * RFC 8887 §4.3.4 `RequestError` frame (s→c): an RFC 7807 problem details object (RFC 8620 §3.6.1)
 * plus the `requestId` of the Request it answers, when the server could read one.
 */
export const WebSocketRequestError = OpenStruct({
  "@type": Schema.tag("RequestError"),
  requestId: Schema.optionalWith(Schema.String, { exact: true }),
  type: Schema.String,
  status: Schema.optionalWith(Schema.Number, { exact: true }),
  title: Schema.optionalWith(Schema.String, { exact: true }),
  detail: Schema.optionalWith(Schema.String, { exact: true }),
  limit: Schema.optionalWith(Schema.String, { exact: true })
}, "WebSocketRequestError")
/** @see {@link WebSocketRequestError} */
export type WebSocketRequestError = typeof WebSocketRequestError.Type

/**
 * RFC 8887 §4.3.5.2 `WebSocketPushEnable` (c→s): start push of `StateChange` frames for `dataTypes`
 * (`null` = all types), resuming after `pushState` when given. A later enable replaces the earlier.
 */
export const WebSocketPushEnable = OpenStruct({
  "@type": Schema.tag("WebSocketPushEnable"),
  dataTypes: Schema.NullOr(Schema.Array(Schema.String)),
  pushState: Schema.optionalWith(State, { exact: true })
}, "WebSocketPushEnable")
/** @see {@link WebSocketPushEnable} */
export type WebSocketPushEnable = typeof WebSocketPushEnable.Type

/** RFC 8887 §4.3.5.3 `WebSocketPushDisable` (c→s): stop push on this connection. */
export const WebSocketPushDisable = OpenStruct({
  "@type": Schema.tag("WebSocketPushDisable")
}, "WebSocketPushDisable")
/** @see {@link WebSocketPushDisable} */
export type WebSocketPushDisable = typeof WebSocketPushDisable.Type

const serialize = (value: unknown): Either.Either<string, SerializeError> => {
  try {
    const text = JSON.stringify(value)
    return typeof text === "string"
      ? Either.right(text)
      : Either.left(new SerializeError({ description: "the frame is not representable as JSON" }))
  } catch (e) {
    return Either.left(new SerializeError({ description: e instanceof Error ? e.message : String(e) }))
  }
}

/**
 * Serialises `request` as an RFC 8887 `Request` frame with `id`: `{"@type":"Request","id":…,…}`.
 * Properties of `request` named `@type` or `id` cannot override the frame's own. Fails with
 * `SerializeError` for values JSON cannot represent (BigInt, cycles).
 */
export const encodeRequest = (request: JmapRequest, id: string): Either.Either<string, SerializeError> => {
  const { "@type": _type, id: _id, ...rest } = request as JmapRequest & {
    readonly "@type"?: unknown
    readonly id?: unknown
  }
  return serialize({ "@type": "Request", id, ...rest })
}

/** Serialises a client → server control frame (`WebSocketPushEnable`, an extension's enable, …) as JSON text. */
export const encodeFrame = (frame: { readonly "@type": string }): Either.Either<string, SerializeError> =>
  serialize(frame)
