/**
 * RFC 8620 §3 request/response envelopes: `Invocation`, `Request`, `Response`, result references
 * (§3.7) and the request-level problem body (§3.6.1, RFC 7807). All are open structs, so
 * extension properties survive decode → encode.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { Id, JsonObject, OpenStruct, State } from "./Primitives.js"

/** RFC 8620 §3.2 Invocation: `[methodName, arguments, methodCallId]`. */
export const Invocation = Schema.Tuple(Schema.String, JsonObject, Schema.String).annotations({
  identifier: "Invocation"
})
/** @see {@link Invocation} */
export type Invocation = typeof Invocation.Type

/** Client-chosen creation id → server-assigned id (RFC 8620 §3.3 `createdIds`). */
export const CreatedIds = Schema.Record({ key: Schema.String, value: Id })
/** @see {@link CreatedIds} */
export type CreatedIds = typeof CreatedIds.Type

/** RFC 8620 §3.3 Request object. */
export const JmapRequest = OpenStruct({
  using: Schema.Array(Schema.String),
  methodCalls: Schema.Array(Invocation),
  createdIds: Schema.optional(CreatedIds)
}, "JmapRequest")
/** @see {@link JmapRequest} */
export type JmapRequest = typeof JmapRequest.Type

/** RFC 8620 §3.4 Response object. */
export const JmapResponse = OpenStruct({
  methodResponses: Schema.Array(Invocation),
  createdIds: Schema.optional(CreatedIds),
  sessionState: State
}, "JmapResponse")
/** @see {@link JmapResponse} */
export type JmapResponse = typeof JmapResponse.Type

/** RFC 8620 §3.7 ResultReference: the value of a `#`-prefixed argument. */
export const ResultReference = OpenStruct({
  resultOf: Schema.String,
  name: Schema.String,
  path: Schema.String
}, "ResultReference")
/** @see {@link ResultReference} */
export type ResultReference = typeof ResultReference.Type

/**
 * RFC 8620 §3.6.1 request-level error: an RFC 7807 problem details object whose `type` is usually
 * `urn:ietf:params:jmap:error:{unknownCapability,notJSON,notRequest,limit}`.
 */
export const ProblemDetails = OpenStruct({
  type: Schema.String,
  status: Schema.optional(Schema.Number),
  title: Schema.optional(Schema.String),
  detail: Schema.optional(Schema.String),
  limit: Schema.optional(Schema.String)
}, "ProblemDetails")
/** @see {@link ProblemDetails} */
export type ProblemDetails = typeof ProblemDetails.Type

/** RFC 8620 §3.6.2 method-level error arguments (the object of an `"error"` invocation); `type` is open. */
export const MethodErrorArguments = OpenStruct({
  type: Schema.String,
  description: Schema.optional(Schema.NullOr(Schema.String))
}, "MethodErrorArguments")
/** @see {@link MethodErrorArguments} */
export type MethodErrorArguments = typeof MethodErrorArguments.Type
