/**
 * The generic RFC 8620 §5 standard methods — `/get`, `/changes`, `/set`, `/query`,
 * `/queryChanges` — built once from a {@link DataType} description and shared by every data type
 * of the reference server.
 *
 * @since 0.1.0
 */
import { Effect, Either, Option, Schema } from "effect"
import type { Comparator, DataType, QueryDefinition } from "./DataType.js"
import { isRecord, jsonEqual, type JsonRecord, type JsonValue, nullIfEmpty, pick } from "./Json.js"
import { applyPatch } from "./JsonPointer.js"
import {
  decodeArgs,
  decodeProperties,
  type MethodContext,
  type MethodHandler,
  requireAccount,
  resolveId
} from "./MethodContext.js"
import { MethodFailure, SetFailure } from "./ProtocolErrors.js"

const UnsignedInt = Schema.Number.pipe(Schema.int(), Schema.between(0, Number.MAX_SAFE_INTEGER))
const PositiveInt = Schema.Number.pipe(Schema.int(), Schema.between(1, Number.MAX_SAFE_INTEGER))
const Int = Schema.Number.pipe(Schema.int(), Schema.between(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER))
const Ids = Schema.Array(Schema.String)

const GetArgs = Schema.Struct({
  accountId: Schema.String,
  ids: Schema.optional(Schema.NullOr(Ids)),
  properties: Schema.optional(Schema.NullOr(Schema.Array(Schema.String)))
})

const ChangesArgs = Schema.Struct({
  accountId: Schema.String,
  sinceState: Schema.String,
  maxChanges: Schema.optional(Schema.NullOr(PositiveInt))
})

const ComparatorSchema = Schema.Struct({
  property: Schema.String,
  isAscending: Schema.optional(Schema.Boolean),
  collation: Schema.optional(Schema.String)
})

const QueryFields = {
  accountId: Schema.String,
  filter: Schema.optional(Schema.NullOr(Schema.Unknown)),
  sort: Schema.optional(Schema.NullOr(Schema.Array(ComparatorSchema))),
  calculateTotal: Schema.optional(Schema.Boolean)
}

const QueryArgs = Schema.Struct({
  ...QueryFields,
  position: Schema.optional(Int),
  anchor: Schema.optional(Schema.NullOr(Schema.String)),
  anchorOffset: Schema.optional(Int),
  limit: Schema.optional(Schema.NullOr(UnsignedInt))
})

const QueryChangesArgs = Schema.Struct({
  ...QueryFields,
  sinceQueryState: Schema.String,
  maxChanges: Schema.optional(Schema.NullOr(PositiveInt)),
  upToId: Schema.optional(Schema.NullOr(Schema.String))
})

const SetArgs = Schema.Struct({
  accountId: Schema.String,
  ifInState: Schema.optional(Schema.NullOr(Schema.String)),
  create: Schema.optional(Schema.NullOr(Schema.Record({ key: Schema.String, value: Schema.Unknown }))),
  update: Schema.optional(Schema.NullOr(Schema.Record({ key: Schema.String, value: Schema.Unknown }))),
  destroy: Schema.optional(Schema.NullOr(Ids))
})

/** The collations `/query` accepts (advertised as `collationAlgorithms`). */
export const collationAlgorithms: ReadonlyArray<string> = [
  "i;ascii-numeric",
  "i;ascii-casemap",
  "i;unicode-casemap",
  "i;octet"
]

// -------------------------------------------------------------------------------------------------
// /get and /changes
// -------------------------------------------------------------------------------------------------

const get = (type: DataType): MethodHandler["run"] => (ctx, raw) =>
  Effect.gen(function*() {
    const args = yield* decodeArgs(GetArgs, raw)
    yield* requireAccount(ctx, args.accountId)
    const store = ctx.world.store(ctx.account, type.name)
    if ((args.ids?.length ?? store.size) > ctx.limits.maxObjectsInGet) {
      return yield* MethodFailure.of("requestTooLarge", `at most ${ctx.limits.maxObjectsInGet} records per /get`)
    }
    const unknown = (args.properties ?? []).filter((p) => !type.properties.includes(p))
    if (unknown.length > 0) {
      return yield* MethodFailure.of("invalidArguments", `unknown properties: ${unknown.join(", ")}`)
    }
    const ids = args.ids
      ? Array.from(new Set(args.ids.map((id) => resolveId(ctx, id))))
      : store.all().map((r) => r.id as string)
    const list: Array<JsonValue> = []
    const notFound: Array<JsonValue> = []
    for (const id of ids) {
      const record = store.get(id) ?? type.getFallback?.(ctx, id)
      if (record === undefined) notFound.push(id)
      else list.push(args.properties ? pick(record, args.properties) : record)
    }
    return { accountId: args.accountId, state: store.state, list, notFound }
  })

const changes = (type: DataType): MethodHandler["run"] => (ctx, raw) =>
  Effect.gen(function*() {
    const args = yield* decodeArgs(ChangesArgs, raw)
    yield* requireAccount(ctx, args.accountId)
    const result = ctx.world.store(ctx.account, type.name).changes(args.sinceState, args.maxChanges ?? undefined)
    if (Option.isNone(result)) {
      return yield* MethodFailure.of("cannotCalculateChanges", `cannot calculate changes from state ${args.sinceState}`)
    }
    const c = result.value
    return {
      accountId: args.accountId,
      oldState: c.oldState,
      newState: c.newState,
      hasMoreChanges: c.hasMoreChanges,
      created: [...c.created],
      updated: [...c.updated],
      destroyed: [...c.destroyed]
    }
  })

// -------------------------------------------------------------------------------------------------
// /query and /queryChanges
// -------------------------------------------------------------------------------------------------

type Predicate = (record: JsonRecord) => boolean

const compileFilter = (
  def: QueryDefinition,
  filter: unknown,
  ctx: MethodContext
): Either.Either<Predicate, MethodFailure> => {
  if (filter === undefined || filter === null) return Either.right(() => true)
  if (!isRecord(filter)) return Either.left(MethodFailure.of("invalidArguments", "filter must be an object"))
  if ("operator" in filter) {
    const { conditions, operator } = filter
    if (!Array.isArray(conditions) || (operator !== "AND" && operator !== "OR" && operator !== "NOT")) {
      return Either.left(
        MethodFailure.of("invalidArguments", "a FilterOperator needs operator AND/OR/NOT and conditions")
      )
    }
    const compiled: Array<Predicate> = []
    for (const condition of conditions as ReadonlyArray<JsonValue>) {
      const predicate = compileFilter(def, condition, ctx)
      if (Either.isLeft(predicate)) return predicate
      compiled.push(predicate.right)
    }
    return Either.right(
      operator === "AND"
        ? (r) => compiled.every((p) => p(r))
        : operator === "OR"
        ? (r) => compiled.some((p) => p(r))
        : (r) => !compiled.some((p) => p(r))
    )
  }
  const tests: Array<Predicate> = []
  for (const [key, value] of Object.entries(filter)) {
    const condition = def.filters[key]
    if (condition === undefined) return Either.left(MethodFailure.of("unsupportedFilter", `unsupported filter: ${key}`))
    const decoded = Schema.decodeUnknownEither(condition.schema)(value)
    if (Either.isLeft(decoded)) {
      return Either.left(MethodFailure.of("invalidArguments", `invalid value for filter ${key}`))
    }
    tests.push((r) => condition.test(r, decoded.right, ctx))
  }
  return Either.right((r) => tests.every((t) => t(r)))
}

/** An RFC 3339 date-time as this server writes them (`utcDate` leaves out `.000`, so they are not fixed width). */
const dateTime = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/

const compareValues = (a: JsonValue, b: JsonValue, collation: string | undefined): number => {
  if (typeof a === "string" && typeof b === "string") {
    // Dates sort by time: as strings "…:42Z" would sort after "…:42.5Z".
    if (dateTime.test(a) && dateTime.test(b)) return Date.parse(a) - Date.parse(b)
    switch (collation) {
      case "i;octet":
        return a < b ? -1 : a > b ? 1 : 0
      case "i;ascii-numeric":
        return (Number.parseInt(a, 10) || 0) - (Number.parseInt(b, 10) || 0)
      default: {
        const x = a.toLowerCase()
        const y = b.toLowerCase()
        return x < y ? -1 : x > y ? 1 : a < b ? -1 : a > b ? 1 : 0
      }
    }
  }
  if (typeof a === "number" && typeof b === "number") return a - b
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b)
  return 0
}

const sortRecords = (records: Array<JsonRecord>, comparators: ReadonlyArray<Comparator>): Array<JsonRecord> =>
  records.sort((x, y) => {
    for (const c of comparators) {
      const a = x[c.property]
      const b = y[c.property]
      const missingA = a === undefined || a === null
      const missingB = b === undefined || b === null
      if (missingA || missingB) {
        if (missingA !== missingB) return missingA ? 1 : -1
        continue
      }
      const order = compareValues(a, b, c.collation)
      if (order !== 0) return c.isAscending ? order : -order
    }
    const byId = compareValues(x.id as JsonValue, y.id as JsonValue, "i;octet")
    return comparators[0]?.isAscending === false ? -byId : byId
  })

interface QueryResult {
  readonly ids: ReadonlyArray<string>
  /** False when the results include records outside the account's change log. */
  readonly trackable: boolean
}

const runQuery = (
  type: DataType,
  def: QueryDefinition,
  ctx: MethodContext,
  args: { readonly filter?: unknown; readonly sort?: ReadonlyArray<typeof ComparatorSchema.Type> | null | undefined }
): Effect.Effect<QueryResult, MethodFailure> =>
  Effect.gen(function*() {
    const filter = isRecord(args.filter) ? args.filter : undefined
    const predicate = compileFilter(def, args.filter, ctx)
    if (Either.isLeft(predicate)) return yield* predicate.left
    const problem = def.checkFilter?.(filter, ctx)
    if (problem !== undefined) return yield* problem
    const comparators: Array<Comparator> = []
    for (const c of args.sort ?? def.defaultSort(filter)) {
      if (!def.sorts.includes(c.property)) {
        return yield* MethodFailure.of("unsupportedSort", `cannot sort by ${c.property}`)
      }
      if (c.collation !== undefined && !collationAlgorithms.includes(c.collation)) {
        return yield* MethodFailure.of("unsupportedSort", `unsupported collation ${c.collation}`)
      }
      comparators.push({ property: c.property, isAscending: c.isAscending ?? true, collation: c.collation })
    }
    const candidates = def.candidates?.(ctx, filter)
    const records = candidates ?? ctx.world.store(ctx.account, type.name).all()
    const sorted = sortRecords(records.filter(predicate.right), comparators)
    return { ids: sorted.map((r) => r.id as string), trackable: candidates === undefined }
  })

const query = (type: DataType, def: QueryDefinition): MethodHandler["run"] => (ctx, raw) =>
  Effect.gen(function*() {
    const args = yield* decodeArgs(QueryArgs, raw)
    yield* requireAccount(ctx, args.accountId)
    const { ids, trackable } = yield* runQuery(type, def, ctx, args)
    const total = ids.length
    let start: number
    if (args.anchor !== undefined && args.anchor !== null) {
      const index = ids.indexOf(resolveId(ctx, args.anchor))
      if (index < 0) return yield* MethodFailure.of("anchorNotFound", `anchor ${args.anchor} is not in the results`)
      start = Math.max(0, index + (args.anchorOffset ?? 0))
    } else {
      const position = args.position ?? 0
      start = position < 0 ? Math.max(0, total + position) : position
    }
    const requested = args.limit ?? undefined
    const capped = requested === undefined || requested > ctx.limits.maxObjectsInGet
    const limit = capped ? ctx.limits.maxObjectsInGet : requested
    return {
      accountId: args.accountId,
      queryState: ctx.world.store(ctx.account, type.name).state,
      canCalculateChanges: trackable,
      position: start,
      ids: ids.slice(start, start + limit),
      ...(args.calculateTotal ? { total } : {}),
      ...(capped && total - start > limit ? { limit } : {})
    }
  })

const queryChanges = (type: DataType, def: QueryDefinition): MethodHandler["run"] => (ctx, raw) =>
  Effect.gen(function*() {
    const args = yield* decodeArgs(QueryChangesArgs, raw)
    yield* requireAccount(ctx, args.accountId)
    const store = ctx.world.store(ctx.account, type.name)
    const { ids, trackable } = yield* runQuery(type, def, ctx, args)
    const touched = trackable ? store.touchedSince(args.sinceQueryState) : Option.none()
    if (Option.isNone(touched)) {
      return yield* MethodFailure.of(
        "cannotCalculateChanges",
        `cannot calculate query changes from state ${args.sinceQueryState}`
      )
    }
    const removed = Array.from(touched.value)
    const added: Array<JsonValue> = []
    const upTo = args.upToId ? ids.indexOf(resolveId(ctx, args.upToId)) : -1
    ids.forEach((id, index) => {
      if (touched.value.has(id) && (upTo < 0 || index <= upTo)) added.push({ id, index })
    })
    if (args.maxChanges && removed.length + added.length > args.maxChanges) {
      return yield* MethodFailure.of("tooManyChanges", `more than ${args.maxChanges} changes`)
    }
    return {
      accountId: args.accountId,
      oldQueryState: args.sinceQueryState,
      newQueryState: store.state,
      removed,
      added,
      ...(args.calculateTotal ? { total: ids.length } : {})
    }
  })

// -------------------------------------------------------------------------------------------------
// /set
// -------------------------------------------------------------------------------------------------

const resolveReferences = (
  ctx: MethodContext,
  record: JsonRecord,
  properties: ReadonlyArray<string>
): Either.Either<JsonRecord, SetFailure> => {
  const out: Record<string, JsonValue> = { ...record }
  const bad: Array<string> = []
  const resolve = (value: JsonValue, property: string): JsonValue => {
    if (typeof value === "string" && value.startsWith("#")) {
      const id = ctx.createdIds.get(value.slice(1))
      if (id === undefined) bad.push(property)
      return id ?? value
    }
    return Array.isArray(value) ? value.map((v) => resolve(v, property)) : value
  }
  for (const property of properties) {
    const value = out[property]
    if (value !== undefined) out[property] = resolve(value, property)
  }
  return bad.length > 0
    ? Either.left(SetFailure.invalidProperties(bad, "unknown creation id reference"))
    : Either.right(out)
}

const withoutKeys = (record: JsonRecord, keys: ReadonlyArray<string>): JsonRecord => {
  const out: Record<string, JsonValue> = {}
  for (const [key, value] of Object.entries(record)) if (!keys.includes(key)) out[key] = value
  return out
}

const changedProperties = (before: JsonRecord, after: JsonRecord): Array<string> =>
  Array.from(new Set([...Object.keys(before), ...Object.keys(after)])).filter((key) =>
    !jsonEqual(before[key], after[key])
  )

const forbidden = (type: DataType, op: string) => SetFailure.forbidden(`${type.name} records cannot be ${op}`)

const createOne = (type: DataType, ctx: MethodContext, creationId: string, value: unknown) =>
  Effect.gen(function*() {
    const def = type.set?.create
    if (def === undefined) return yield* forbidden(type, "created")
    if (!isRecord(value)) return yield* SetFailure.of("invalidProperties", "a create value must be an object")
    const resolved = yield* resolveReferences(ctx, value, type.set?.idReferences ?? [])
    const input = yield* decodeProperties(def.schema, resolved)
    return yield* def.run(ctx, input, creationId)
  })

const updateOne = (type: DataType, ctx: MethodContext, id: string, patch: unknown) =>
  Effect.gen(function*() {
    const def = type.set?.update
    if (def === undefined) return yield* forbidden(type, "updated")
    if (!isRecord(patch)) return yield* SetFailure.of("invalidPatch", "a patch must be an object")
    const current = type.project(ctx.world, ctx.account, id)
    if (current === undefined) return yield* SetFailure.notFound(id)
    const semanticKeys = Object.keys(patch).filter((key) => def.semantic?.[key] !== undefined)
    const pointerPatch = yield* resolveReferences(ctx, withoutKeys(patch, semanticKeys), type.set?.idReferences ?? [])
    const next = applyPatch(current, pointerPatch)
    if (Either.isLeft(next)) return yield* SetFailure.of("invalidPatch", `invalid patch path: ${next.left}`)
    const changed: Record<string, unknown> = {}
    const invalid: Array<string> = []
    for (const property of changedProperties(current, next.right)) {
      const schema = def.properties[property]
      const decoded = schema === undefined ? undefined : Schema.decodeUnknownEither(schema)(next.right[property])
      if (decoded === undefined || Either.isLeft(decoded)) invalid.push(property)
      else changed[property] = decoded.right
    }
    const semantic: Record<string, unknown> = {}
    for (const key of semanticKeys) {
      const decoded = Schema.decodeUnknownEither(def.semantic![key]!)(patch[key])
      if (Either.isLeft(decoded)) invalid.push(key)
      else semantic[key] = decoded.right
    }
    if (invalid.length > 0) {
      return yield* SetFailure.invalidProperties(invalid, `cannot set: ${invalid.join(", ")}`)
    }
    yield* def.run(ctx, id, { current, next: next.right, changed, semantic })
    return next.right
  })

const destroyOne = (type: DataType, ctx: MethodContext, id: string) =>
  Effect.gen(function*() {
    const destroy = type.set?.destroy
    if (destroy === undefined) return yield* forbidden(type, "destroyed")
    if (type.project(ctx.world, ctx.account, id) === undefined) return yield* SetFailure.notFound(id)
    yield* destroy(ctx, id)
  })

const set = (type: DataType): MethodHandler["run"] => (ctx, raw) =>
  Effect.gen(function*() {
    const args = yield* decodeArgs(SetArgs, raw)
    yield* requireAccount(ctx, args.accountId)
    const store = ctx.world.store(ctx.account, type.name)
    const creates = Object.entries(args.create ?? {})
    const updates = Object.entries(args.update ?? {})
    const destroys = args.destroy ?? []
    if (creates.length + updates.length + destroys.length > ctx.limits.maxObjectsInSet) {
      return yield* MethodFailure.of("requestTooLarge", `at most ${ctx.limits.maxObjectsInSet} objects per /set`)
    }
    if (args.ifInState !== undefined && args.ifInState !== null && args.ifInState !== store.state) {
      return yield* MethodFailure.of("stateMismatch", `state is ${store.state}, not ${args.ifInState}`)
    }
    const oldState = store.state
    const created: Array<readonly [string, string, JsonRecord]> = []
    const updated: Array<readonly [string, JsonRecord | undefined]> = []
    const destroyed: Array<string> = []
    const notCreated: Record<string, JsonValue> = {}
    const notUpdated: Record<string, JsonValue> = {}
    const notDestroyed: Record<string, JsonValue> = {}

    for (const [creationId, value] of creates) {
      const result = yield* Effect.either(createOne(type, ctx, creationId, value))
      if (Either.isLeft(result)) {
        notCreated[creationId] = result.left.body
      } else if (typeof result.right === "string") {
        ctx.createdIds.set(creationId, result.right)
        created.push([creationId, result.right, value as JsonRecord])
      } else {
        ctx.createdIds.set(creationId, result.right.existing)
        updated.push([result.right.existing, undefined])
      }
    }
    for (const [rawId, patch] of updates) {
      const id = resolveId(ctx, rawId)
      const result = yield* Effect.either(updateOne(type, ctx, id, patch))
      if (Either.isLeft(result)) notUpdated[rawId] = result.left.body
      else updated.push([id, result.right])
    }
    for (const rawId of destroys) {
      const id = resolveId(ctx, rawId)
      const result = yield* Effect.either(destroyOne(type, ctx, id))
      if (Either.isLeft(result)) notDestroyed[rawId] = result.left.body
      else destroyed.push(id)
    }
    ctx.commit()

    const createdOut: Record<string, JsonValue> = {}
    for (const [creationId, id, input] of created) {
      const record = store.get(id) ?? type.project(ctx.world, ctx.account, id) ?? {}
      createdOut[creationId] = { ...withoutKeys(record, Object.keys(input)), id }
    }
    const updatedOut: Record<string, JsonValue> = {}
    for (const [id, expected] of updated) {
      const record = store.get(id)
      const serverSet = expected === undefined || record === undefined
        ? []
        : changedProperties(expected, record).filter((key) => record[key] !== undefined)
      updatedOut[id] = serverSet.length === 0 ? null : pickOnly(record!, serverSet)
    }
    return {
      accountId: args.accountId,
      oldState,
      newState: store.state,
      created: nullIfEmpty(createdOut),
      updated: nullIfEmpty(updatedOut),
      destroyed: destroyed.length > 0 ? destroyed : null,
      notCreated: nullIfEmpty(notCreated),
      notUpdated: nullIfEmpty(notUpdated),
      notDestroyed: nullIfEmpty(notDestroyed)
    }
  })

const pickOnly = (record: JsonRecord, keys: ReadonlyArray<string>): JsonRecord => {
  const out: Record<string, JsonValue> = {}
  for (const key of keys) out[key] = record[key] as JsonValue
  return out
}

/** The standard methods of a data type, keyed by method name (`Foo/get`, …). */
export const standardMethods = (type: DataType): ReadonlyArray<readonly [string, MethodHandler]> => {
  const handler = (run: MethodHandler["run"]): MethodHandler => ({ capability: type.capability, run })
  const out: Array<readonly [string, MethodHandler]> = [
    [`${type.name}/get`, handler(get(type))],
    [`${type.name}/changes`, handler(changes(type))]
  ]
  if (type.set !== undefined) out.push([`${type.name}/set`, handler(set(type))])
  if (type.query !== undefined) {
    out.push([`${type.name}/query`, handler(query(type, type.query))])
    out.push([`${type.name}/queryChanges`, handler(queryChanges(type, type.query))])
  }
  return out
}
