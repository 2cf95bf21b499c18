/**
 * The data-driven description of one JMAP data type, from which the generic engine in
 * `StandardMethods.ts` builds its `/get`, `/changes`, `/query`, `/queryChanges` and `/set`
 * (RFC 8620 §5). A type supplies its projection, its filters and sorts, and small hooks for the
 * semantic parts of create / update / destroy; everything protocol-shaped is shared.
 *
 * @since 0.1.0
 */
import type { Effect, Schema } from "effect"
import type { JsonRecord } from "./Json.js"
import type { MethodContext } from "./MethodContext.js"
import type { MethodFailure, SetFailure } from "./ProtocolErrors.js"
import type { Account, TypeName, World } from "./World.js"

/** A filter condition property (RFC 8620 §5.5): its value schema and its test. */
export interface FilterDefinition<A = any> {
  readonly schema: Schema.Schema<A, any>
  readonly test: (record: JsonRecord, value: A, ctx: MethodContext) => boolean
}

/** Defines a filter condition property with a typed value. */
export const filter = <A, I>(
  schema: Schema.Schema<A, I>,
  test: (record: JsonRecord, value: A, ctx: MethodContext) => boolean
): FilterDefinition<A> => ({ schema, test })

/** An RFC 8620 §5.5 Comparator, with defaults applied. */
export interface Comparator {
  readonly property: string
  readonly isAscending: boolean
  readonly collation: string | undefined
}

/** How a type answers `/query` and `/queryChanges`. */
export interface QueryDefinition {
  readonly filters: { readonly [name: string]: FilterDefinition }
  /** Sortable properties; records lacking the property sort last in either direction. */
  readonly sorts: ReadonlyArray<string>
  /** The sort used when the request has none (may depend on the filter). */
  readonly defaultSort: (filter: JsonRecord | undefined) => ReadonlyArray<Comparator>
  /** Extra validation of the whole filter (e.g. Message/query requires `chatId`). */
  readonly checkFilter?: (filter: JsonRecord | undefined, ctx: MethodContext) => MethodFailure | undefined
  /** Records to query instead of the account's own (e.g. public Spaces the caller is not in). */
  readonly candidates?: (ctx: MethodContext, filter: JsonRecord | undefined) => ReadonlyArray<JsonRecord> | undefined
}

/** The result of a create hook: the new id, or an existing record that stands in for it. */
export type CreateResult = string | { readonly existing: string }

/** A `/set` create: the schema of the client's object and the hook that stores it. */
export interface CreateDefinition<A = any> {
  readonly schema: Schema.Schema<A, any>
  readonly run: (ctx: MethodContext, input: A, creationId: string) => Effect.Effect<CreateResult, SetFailure>
}

/** Defines a create with a typed input. */
export const create = <A, I>(
  schema: Schema.Schema<A, I>,
  run: (ctx: MethodContext, input: A, creationId: string) => Effect.Effect<CreateResult, SetFailure>
): CreateDefinition<A> => ({ schema, run })

/** What an update hook receives: the record before and after the JSON-pointer patches. */
export interface UpdateChange {
  readonly current: JsonRecord
  readonly next: JsonRecord
  /** Changed top-level properties, decoded by their schemas. */
  readonly changed: { readonly [property: string]: unknown }
  /** Semantic (non-pointer) patch keys present, decoded by their schemas. */
  readonly semantic: { readonly [key: string]: unknown }
}

/** A `/set` update: which properties may change (and their schemas), semantic keys, and the hook. */
export interface UpdateDefinition {
  readonly properties: { readonly [property: string]: Schema.Schema<any, any> }
  readonly semantic?: { readonly [key: string]: Schema.Schema<any, any> }
  readonly run: (ctx: MethodContext, id: string, change: UpdateChange) => Effect.Effect<void, SetFailure>
}

/** How a type answers `/set`; a missing create / update / destroy answers `forbidden`. */
export interface SetDefinition {
  /** Properties whose values may be `#creationId` references (strings or arrays of strings). */
  readonly idReferences?: ReadonlyArray<string>
  readonly create?: CreateDefinition
  readonly update?: UpdateDefinition
  readonly destroy?: (ctx: MethodContext, id: string) => Effect.Effect<void, SetFailure>
}

/** One data type of the server. */
export interface DataType {
  readonly name: TypeName
  /** The capability that must be in `using`. */
  readonly capability: string
  /** Every property a record may have (for `/get` `properties`). */
  readonly properties: ReadonlyArray<string>
  /** The record as `account` sees it, or `undefined` when it does not exist there. */
  readonly project: (world: World, account: Account, id: string) => JsonRecord | undefined
  /** `/get` answer for an id not in the account (e.g. a Space's restricted public view). */
  readonly getFallback?: (ctx: MethodContext, id: string) => JsonRecord | undefined
  readonly query?: QueryDefinition
  readonly set?: SetDefinition
}
