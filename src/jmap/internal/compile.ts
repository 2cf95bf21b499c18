/**
 * Compiled decoders: a Schema AST turned once into plain JavaScript checks, used as a fast path in
 * front of Effect's interpretive decoder (about 20× faster on large `Foo/get` responses).
 *
 * Contract: the fast path either returns exactly what `Schema.decodeUnknownEither` would return
 * (often the input itself, when nothing needs transforming) or gives up; on giving up — any failure,
 * or a construct it does not compile — the real decoder runs, so results and `ParseError`s are
 * always Effect's own. Property tests check the two agree.
 *
 * @internal
 */
import { Either, Option, type ParseResult, Schema, SchemaAST as AST } from "effect"

/** Returned by a compiled check that cannot decode its input on the fast path. */
const FAIL: unique symbol = Symbol.for("effect-jmap-chat/compile/FAIL")

type Check = (u: unknown) => unknown

/** The effective `onExcessProperty`; under "error" everything goes to Effect's decoder. */
type Mode = "ignore" | "preserve" | "error"

const isPlainRecord = (u: unknown): u is Record<string, unknown> => {
  if (typeof u !== "object" || u === null || Array.isArray(u)) return false
  const proto = Object.getPrototypeOf(u)
  return proto === Object.prototype || proto === null
}

const hasOwn = (o: object, key: PropertyKey) => Object.prototype.hasOwnProperty.call(o, key)

const parseOptionsOf = (ast: AST.AST): Mode | undefined => {
  const options = AST.getParseOptionsAnnotation(ast)
  if (Option.isNone(options)) return undefined
  return options.value.onExcessProperty
}

/** Nodes whose compiled output never differs from their input (so containers may return their input). */
const primitiveTags = new Set([
  "StringKeyword",
  "TemplateLiteral",
  "NumberKeyword",
  "BooleanKeyword",
  "Literal",
  "UnknownKeyword",
  "AnyKeyword",
  "UndefinedKeyword"
])

const isPrimitive = (ast: AST.AST): boolean =>
  primitiveTags.has(ast._tag) || (ast._tag === "Refinement" && isPrimitive(ast.from)) ||
  (ast._tag === "Union" && ast.types.every(isPrimitive))

class Compiler {
  private readonly memo = new Map<AST.AST, Map<Mode, Check>>()

  compile(ast: AST.AST, mode: Mode): Check {
    const own = parseOptionsOf(ast)
    const effective = own ?? mode
    let byMode = this.memo.get(ast)
    if (byMode === undefined) {
      byMode = new Map()
      this.memo.set(ast, byMode)
    }
    const cached = byMode.get(effective)
    if (cached !== undefined) return cached
    // Placeholder for recursive schemas: resolved on first call.
    const slot: { compiled?: Check } = {}
    const lazy: Check = (u) => slot.compiled!(u)
    byMode.set(effective, lazy)
    const compiled = this.build(ast, effective)
    slot.compiled = compiled
    byMode.set(effective, compiled)
    return compiled
  }

  /** Effect's own decoder for `ast`, used for constructs the fast path does not compile. */
  private fallback(ast: AST.AST, mode: Mode): Check {
    const decode = Schema.decodeUnknownEither(Schema.make(ast), { errors: "first", onExcessProperty: mode })
    return (u) => {
      const result = decode(u)
      return Either.isRight(result) ? result.right : FAIL
    }
  }

  private build(ast: AST.AST, mode: Mode): Check {
    if (mode === "error") return this.fallback(ast, mode)
    switch (ast._tag) {
      case "StringKeyword":
        return (u) => (typeof u === "string" ? u : FAIL)
      case "NumberKeyword":
        return (u) => (typeof u === "number" ? u : FAIL)
      case "BooleanKeyword":
        return (u) => (typeof u === "boolean" ? u : FAIL)
      case "UnknownKeyword":
      case "AnyKeyword":
        return (u) => u
      case "UndefinedKeyword":
        return (u) => (u === undefined ? u : FAIL)
      case "Literal": {
        const literal = ast.literal
        return (u) => (u === literal ? u : FAIL)
      }
      case "TemplateLiteral": {
        const pattern = AST.getTemplateLiteralRegExp(ast)
        return (u) => (typeof u === "string" && pattern.test(u) ? u : FAIL)
      }
      case "Refinement": {
        const from = this.compile(ast.from, mode)
        const options = { errors: "first", onExcessProperty: mode } as const
        return (u) => {
          const a = from(u)
          if (a === FAIL) return FAIL
          return Option.isSome(ast.filter(a, options, ast)) ? FAIL : a
        }
      }
      case "Union": {
        // Only unions whose outcome cannot depend on Effect's candidate ordering: all members
        // primitive, or at most one member that is not.
        const complex = ast.types.filter((t) => !isPrimitive(t))
        if (complex.length > 1) return this.fallback(ast, mode)
        const members = ast.types.map((t) => this.compile(t, mode))
        return (u) => {
          for (const member of members) {
            const r = member(u)
            if (r !== FAIL) return r
          }
          return FAIL
        }
      }
      case "Suspend": {
        let inner: Check | undefined
        return (u) => (inner ??= this.compile(ast.f(), mode))(u)
      }
      case "TupleType":
        return this.tuple(ast, mode)
      case "TypeLiteral":
        return this.typeLiteral(ast, mode)
      case "Transformation":
        if (ast.transformation._tag === "TypeLiteralTransformation" && ast.from._tag === "TypeLiteral") {
          return this.typeLiteralTransformation(ast.from, ast.transformation, mode)
        }
        if (ast.transformation._tag === "FinalTransformation") {
          return this.finalTransformation(ast, ast.transformation, mode)
        }
        return this.fallback(ast, mode)
      default:
        return this.fallback(ast, mode)
    }
  }

  private tuple(ast: AST.TupleType, mode: Mode): Check {
    if (ast.elements.some((e) => e.isOptional) || ast.rest.length > 1) return this.fallback(ast, mode)
    const elements = ast.elements.map((e) => this.compile(e.type, mode))
    const rest = ast.rest[0] === undefined ? undefined : this.compile(ast.rest[0].type, mode)
    const arity = elements.length
    return (u) => {
      if (!Array.isArray(u)) return FAIL
      if (u.length < arity || (rest === undefined && u.length > arity)) return FAIL
      let out: Array<unknown> | undefined
      for (let i = 0; i < u.length; i++) {
        const check = i < arity ? elements[i]! : rest!
        const value = u[i]
        const r = check(value)
        if (r === FAIL) return FAIL
        if (r !== value && out === undefined) out = u.slice(0, i)
        if (out !== undefined) out.push(r)
      }
      return out ?? u
    }
  }

  private typeLiteral(ast: AST.TypeLiteral, mode: Mode): Check {
    if (ast.propertySignatures.length === 0 && ast.indexSignatures.length === 0) {
      return (u) => (u === null || u === undefined ? FAIL : u)
    }
    if (ast.propertySignatures.some((ps) => typeof ps.name !== "string")) return this.fallback(ast, mode)
    if (ast.indexSignatures.some((is) => !isStringParameter(is.parameter))) return this.fallback(ast, mode)
    const props = ast.propertySignatures.map((ps) => ({
      name: ps.name as string,
      optional: ps.isOptional,
      // A name Object.prototype also has ("constructor", "toString", …) needs an own-property check.
      inherited: (ps.name as string) in Object.prototype,
      check: this.compile(ps.type, mode)
    }))
    const known = new Set(props.map((p) => p.name))
    const indexes = ast.indexSignatures.map((is) => ({
      key: this.compile(is.parameter, mode),
      value: this.compile(is.type, mode)
    }))
    const preserve = mode === "preserve"
    return (u) => {
      // An own "__proto__" key cannot be copied safely with assignment: leave it to Effect.
      if (!isPlainRecord(u) || hasOwn(u, "__proto__")) return FAIL
      let out: Record<string, unknown> | undefined
      for (let i = 0; i < props.length; i++) {
        const p = props[i]!
        const value = u[p.name]
        // JSON has no `undefined`, so the own-property check is needed only for undefined or inherited names.
        const present = value === undefined || p.inherited ? hasOwn(u, p.name) : true
        if (!present && p.optional) continue
        const r = p.check(present ? value : undefined)
        if (r === FAIL) return FAIL
        if (!present || r !== value) (out ??= Object.assign({}, u))[p.name] = r
      }
      let matchedByIndex: Set<string> | undefined
      if (indexes.length > 0) {
        for (const key of Object.keys(u)) {
          for (const index of indexes) {
            if (index.key(key) === FAIL) continue
            ;(matchedByIndex ??= new Set()).add(key)
            const value = u[key]
            const r = index.value(value)
            if (r === FAIL) return FAIL
            if (r !== value && !known.has(key)) (out ??= Object.assign({}, u))[key] = r
          }
        }
      }
      if (!preserve) {
        // Effect drops properties that are neither declared nor matched by an index signature. The
        // copy is built without them rather than with `delete` (V8 dictionary mode, as below).
        const dropped = (key: string) => !known.has(key) && !(matchedByIndex?.has(key) ?? false)
        const from = out ?? u
        if (Object.keys(from).some(dropped)) {
          const kept: Record<string, unknown> = {}
          for (const key of Object.keys(from)) if (!dropped(key)) kept[key] = from[key]
          return kept
        }
      }
      return out ?? u
    }
  }

  /**
   * `Schema.transform` / `transformOrFail`: the compiled `from`, then the transformation's own
   * decode when it answers synchronously with an `Either` (anything else gives up), then the
   * compiled `to` — the steps Effect's decoder takes, in its order.
   */
  private finalTransformation(ast: AST.Transformation, transformation: AST.FinalTransformation, mode: Mode): Check {
    const from = this.compile(ast.from, mode)
    const to = this.compile(ast.to, mode)
    const options = { errors: "first", onExcessProperty: mode } as const
    return (u) => {
      const a = from(u)
      if (a === FAIL) return FAIL
      const r: unknown = transformation.decode(a, options, ast, u)
      if (!Either.isEither(r) || Either.isLeft(r)) return FAIL
      return to(r.right)
    }
  }

  private typeLiteralTransformation(
    from: AST.TypeLiteral,
    transformation: AST.TypeLiteralTransformation,
    mode: Mode
  ): Check {
    const decodeFrom = this.compile(from, mode)
    const steps = transformation.propertySignatureTransformations
    const fromKeys = new Set(steps.map((s) => s.from))
    if (
      steps.some((s) => typeof s.from !== "string" || typeof s.to !== "string") ||
      // A step reading what an earlier one wrote depends on their order: leave that to Effect.
      steps.some((s, i) => steps.some((t, j) => j < i && t.to === s.from && t.from !== s.from))
    ) {
      return this.fallback(new AST.Transformation(from, from, transformation), mode)
    }
    // Effect copies the object, deletes each step's key and sets its result, so untouched keys keep
    // their order and the results come last, in step order. The same object is built here without
    // `delete` (which drops V8 objects into slow dictionary mode): a plain copy when no step's key
    // is present (a defaulted property the server left out), else a copy that skips those keys.
    return (u) => {
      const a = decodeFrom(u)
      if (a === FAIL) return FAIL
      const input = a as Record<string, unknown>
      let out: Record<string, unknown> | undefined
      for (const step of steps) {
        if (hasOwn(input, step.from as string)) {
          out = {}
          for (const key of Object.keys(input)) if (!fromKeys.has(key)) out[key] = input[key]
          break
        }
      }
      out ??= Object.assign({}, input)
      for (const step of steps) {
        const key = step.from as string
        const after = step.decode(hasOwn(input, key) ? Option.some(input[key]) : Option.none())
        if (Option.isSome(after)) out[step.to as string] = after.value
      }
      return out
    }
  }
}

const isStringParameter = (p: AST.AST): boolean =>
  p._tag === "StringKeyword" || p._tag === "TemplateLiteral" ||
  (p._tag === "Refinement" && isStringParameter(p.from))

const compiler = new Compiler()

/**
 * `Schema.decodeUnknownEither(schema, { errors: "first" })` with a compiled fast path in front.
 * Results (and errors) are identical to the plain decoder's.
 */
export const compileDecoder = <A, I>(
  schema: Schema.Schema<A, I, never>
): (u: unknown) => Either.Either<A, ParseResult.ParseError> => {
  const slow = Schema.decodeUnknownEither(schema, { errors: "first" })
  let fast: Check | undefined
  return (u) => {
    fast ??= compiler.compile(schema.ast, "ignore")
    const r = fast(u)
    return r === FAIL ? slow(u) : Either.right(r as A)
  }
}
