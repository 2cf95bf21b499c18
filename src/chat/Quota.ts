/**
 * Quota, an account, domain or global limit (RFC 9425 §4), as used by JMAP Chat servers for
 * `"Message"`, `"Chat"` and `"Space"` (draft-atwood-jmap-chat-00 §Account-Level Capability Object).
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { Id, OpenStruct, UnsignedInt } from "../jmap/Primitives.js"
import { QuotaResourceType, QuotaScope } from "./Enums.js"
import { optionalNullable } from "./internal/schema.js"

/**
 * A quota (RFC 9425 §4.1): how much of `resourceType` the data `types` use within `scope`.
 * `types` is the RFC's name; pre-RFC drafts called it `dataTypes`, which is not accepted here.
 */
export const Quota = OpenStruct({
  id: Id,
  resourceType: QuotaResourceType,
  used: UnsignedInt,
  hardLimit: UnsignedInt,
  scope: QuotaScope,
  name: Schema.String,
  /** JMAP data type names, e.g. `"Message"`, `"Chat"`, `"Space"`. */
  types: Schema.Array(Schema.String),
  warnLimit: optionalNullable(UnsignedInt),
  softLimit: optionalNullable(UnsignedInt),
  description: optionalNullable(Schema.String)
}, "Quota")
/** @see {@link Quota} */
export interface Quota extends Schema.Schema.Type<typeof Quota> {}
