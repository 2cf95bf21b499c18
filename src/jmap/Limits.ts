/**
 * The server limits of `urn:ietf:params:jmap:core` (RFC 8620 §2) and the check every Request
 * passes before it is sent, so a request the server would refuse fails with `InvalidArgument`
 * before any I/O.
 *
 * @since 0.1.0
 */
import { Either } from "effect"
import { InvalidArgument, SerializeError } from "./Errors.js"
import { utf8Length } from "./internal/bytes.js"
import { CoreCapabilityUri, type Session } from "./Session.js"
import type { JmapRequest } from "./Wire.js"

/** The server limits of `urn:ietf:params:jmap:core` this client enforces before sending (RFC 8620 §2). */
export interface CoreLimits {
  readonly maxSizeUpload?: number
  readonly maxConcurrentUpload?: number
  readonly maxSizeRequest?: number
  readonly maxConcurrentRequests?: number
  readonly maxCallsInRequest?: number
  readonly maxObjectsInGet?: number
  readonly maxObjectsInSet?: number
}

const positive = (value: unknown): number | undefined =>
  typeof value === "number" && Number.isSafeInteger(value) && value > 0 ? value : undefined

/** The core limits a Session advertises; a missing or non-positive value is not enforced. */
export const coreLimits = (session: Session): CoreLimits => {
  const core = session.capabilities[CoreCapabilityUri]
  if (typeof core !== "object" || core === null) return {}
  const c = core as Record<string, unknown>
  const limits: Record<string, number> = {}
  for (
    const key of [
      "maxSizeUpload",
      "maxConcurrentUpload",
      "maxSizeRequest",
      "maxConcurrentRequests",
      "maxCallsInRequest",
      "maxObjectsInGet",
      "maxObjectsInSet"
    ] as const
  ) {
    const value = positive(c[key])
    if (value !== undefined) limits[key] = value
  }
  return limits
}

const countSetObjects = (args: Record<string, unknown>): number => {
  const size = (v: unknown) =>
    Array.isArray(v) ? v.length : typeof v === "object" && v !== null ? Object.keys(v).length : 0
  return size(args["create"]) + size(args["update"]) + size(args["destroy"])
}

/**
 * The size of `request` as sent: the UTF-8 bytes of its JSON. A request that cannot be serialised
 * (a cycle, a BigInt, nesting too deep for the serialiser) is a `SerializeError`.
 */
export const requestSize = (request: JmapRequest): Either.Either<number, SerializeError> => {
  try {
    return Either.right(utf8Length(JSON.stringify(request)))
  } catch (e) {
    return Either.left(new SerializeError({ description: e instanceof Error ? e.message : "request is not JSON" }))
  }
}

/**
 * Checks a request against the server's limits before it is sent (RFC 8620 §2 core capability):
 * `maxCallsInRequest`, `maxObjectsInGet`, `maxObjectsInSet` and `maxSizeRequest` (the UTF-8 bytes of
 * the serialised request). A refused request is an `InvalidArgument`; nothing is sent.
 */
export const checkLimits = (
  request: JmapRequest,
  limits: CoreLimits
): Either.Either<void, InvalidArgument | SerializeError> => {
  if (limits.maxCallsInRequest !== undefined && request.methodCalls.length > limits.maxCallsInRequest) {
    return Either.left(
      new InvalidArgument({
        description:
          `request has ${request.methodCalls.length} method calls; the server allows ${limits.maxCallsInRequest}`
      })
    )
  }
  for (const [name, args] of request.methodCalls) {
    const ids = args["ids"]
    if (
      limits.maxObjectsInGet !== undefined && name.endsWith("/get") && Array.isArray(ids) &&
      ids.length > limits.maxObjectsInGet
    ) {
      return Either.left(
        new InvalidArgument({
          description: `${name} asks for ${ids.length} objects; the server allows ${limits.maxObjectsInGet}`
        })
      )
    }
    if (limits.maxObjectsInSet !== undefined && name.endsWith("/set")) {
      const count = countSetObjects(args)
      if (count > limits.maxObjectsInSet) {
        return Either.left(
          new InvalidArgument({
            description: `${name} changes ${count} objects; the server allows ${limits.maxObjectsInSet}`
          })
        )
      }
    }
  }
  const max = limits.maxSizeRequest
  if (max === undefined) return Either.void
  return Either.flatMap(requestSize(request), (size) =>
    size > max
      ? Either.left(
        new InvalidArgument({ description: `request is ${size} bytes; the server allows ${max} (maxSizeRequest)` })
      )
      : Either.void)
}
