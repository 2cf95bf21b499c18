/**
 * The three error levels of RFC 8620 §3.6 as the reference server raises them: request-level
 * problems (RFC 7807 bodies), method-level errors (`["error", {...}, callId]`) and per-record
 * SetErrors (§5.3), including the JMAP Chat drafts' additions (`rateLimited`, `alreadyExists`, …).
 *
 * @since 0.1.0
 */
import { Data } from "effect"
import { compact, type JsonRecord, type JsonValue } from "./Json.js"

/** RFC 8620 §3.6.1 request-level error, served as an RFC 7807 `application/problem+json` body. */
export class RequestProblem extends Data.TaggedError("RequestProblem")<{
  readonly type: string
  readonly status: number
  readonly detail: string
  /** For `urn:ietf:params:jmap:error:limit`: the name of the limit that was exceeded. */
  readonly limit?: string
}> {
  /** The RFC 7807 body. */
  get body(): JsonRecord {
    return compact({ type: this.type, status: this.status, detail: this.detail, limit: this.limit })
  }

  /** `urn:ietf:params:jmap:error:notJSON` — the body is not `application/json` or not valid JSON. */
  static notJSON(detail: string): RequestProblem {
    return new RequestProblem({ type: "urn:ietf:params:jmap:error:notJSON", status: 400, detail })
  }

  /** `urn:ietf:params:jmap:error:notRequest` — valid JSON, but not a Request object. */
  static notRequest(detail: string): RequestProblem {
    return new RequestProblem({ type: "urn:ietf:params:jmap:error:notRequest", status: 400, detail })
  }

  /** `urn:ietf:params:jmap:error:unknownCapability` — `using` names a capability the server lacks. */
  static unknownCapability(capability: string): RequestProblem {
    return new RequestProblem({
      type: "urn:ietf:params:jmap:error:unknownCapability",
      status: 400,
      detail: `The request used capability '${capability}', which is not supported by this server.`
    })
  }

  /** HTTP 401: no or unknown credentials (RFC 8620 §3.1 leaves authentication to HTTP). */
  static unauthorized(): RequestProblem {
    return new RequestProblem({ type: "about:blank", status: 401, detail: "authentication required" })
  }

  /** `urn:ietf:params:jmap:error:limit` — a core capability limit was exceeded. */
  static limit(limit: string, detail: string): RequestProblem {
    return new RequestProblem({ type: "urn:ietf:params:jmap:error:limit", status: 400, detail, limit })
  }
}

/** RFC 8620 §3.6.2 method-level error; becomes the invocation `["error", {type, …}, callId]`. */
export class MethodFailure extends Data.TaggedError("MethodFailure")<{
  readonly type: string
  readonly description?: string
  /** Extra properties of the error object (e.g. `properties`). */
  readonly extra?: JsonRecord
}> {
  /** The error invocation's arguments. */
  get body(): JsonRecord {
    return errorObject(this)
  }

  /** Shorthand constructor. */
  static of(type: string, description?: string, extra?: JsonRecord): MethodFailure {
    return new MethodFailure(compact3(type, description, extra))
  }
}

/** RFC 8620 §5.3 SetError for one create, update or destroy; the `/set` call itself still succeeds. */
export class SetFailure extends Data.TaggedError("SetFailure")<{
  readonly type: string
  readonly description?: string
  /** Extra properties (`properties`, `existingId`, `serverRetryAfter`, …). */
  readonly extra?: JsonRecord
}> {
  /** The SetError object. */
  get body(): JsonRecord {
    return errorObject(this)
  }

  /** Shorthand constructor. */
  static of(type: string, description?: string, extra?: JsonRecord): SetFailure {
    return new SetFailure(compact3(type, description, extra))
  }

  /** `invalidProperties` naming the offending properties. */
  static invalidProperties(properties: ReadonlyArray<string>, description?: string): SetFailure {
    return SetFailure.of("invalidProperties", description, { properties: [...properties] as Array<JsonValue> })
  }

  /** `forbidden`, the drafts' answer to every failed permission check. */
  static forbidden(description: string): SetFailure {
    return SetFailure.of("forbidden", description)
  }

  /** `notFound` for an update or destroy of an id the caller cannot see. */
  static notFound(id: string): SetFailure {
    return SetFailure.of("notFound", `no record with id ${id}`)
  }
}

interface ErrorFields {
  readonly type: string
  readonly description?: string
  readonly extra?: JsonRecord
}

/** The wire object of a method error or SetError: `type`, `description` and any extra properties. */
const errorObject = (e: ErrorFields): JsonRecord => ({
  ...e.extra,
  ...compact({ type: e.type, description: e.description })
})

const compact3 = (type: string, description: string | undefined, extra: JsonRecord | undefined) => ({
  type,
  ...(description === undefined ? {} : { description }),
  ...(extra === undefined ? {} : { extra })
})
