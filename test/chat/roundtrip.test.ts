/**
 * Round trips of every wire type of the chat data model: generated values (`Arbitrary`), fully
 * populated samples, unknown properties at every depth, and `null` for every optional property.
 */
import { describe, expect, it } from "@effect/vitest"
import { deepStrictEqual } from "@effect/vitest/utils"
import { Either, Option, Schema, SchemaAST } from "effect"
import * as Model from "../../src/chat/index.js"
import { decode, encode, mapProperties, wireTypes } from "./support.js"

/** An `OpenStruct`, possibly refined (the empty capability objects refuse non-objects). */
const isOpenStruct = (u: unknown): boolean =>
  Schema.isSchema(u) &&
  [u.ast, ...(SchemaAST.isRefinement(u.ast) ? [u.ast.from] : [])].some((ast) =>
    Option.exists(SchemaAST.getParseOptionsAnnotation(ast), (o) => o.onExcessProperty === "preserve")
  )

const decodeOk = <A, I>(schema: Schema.Schema<A, I>, u: unknown): A => {
  const result = decode(schema, "sample")(u)
  if (Either.isLeft(result)) throw result.left
  return result.right
}

const unknownValue = { acmeNested: [1, "two", { three: true }] }

/** Adds `acmeCorpX` to every object of a JSON value (map-valued properties get it on their values only). */
const withUnknownProperties = (json: unknown, isMap = false): unknown => {
  if (Array.isArray(json)) return json.map((item) => withUnknownProperties(item))
  if (json === null || typeof json !== "object") return json
  const out: Record<string, unknown> = isMap ? {} : { acmeCorpX: unknownValue }
  for (const [key, value] of Object.entries(json)) out[key] = withUnknownProperties(value, mapProperties.has(key))
  return out
}

/** Counts the objects of a JSON value that carry `acmeCorpX`. */
const countUnknown = (json: unknown): number => {
  if (Array.isArray(json)) return json.reduce((n: number, item) => n + countUnknown(item), 0)
  if (json === null || typeof json !== "object") return 0
  return Object.entries(json).reduce((n, [k, v]) => n + (k === "acmeCorpX" ? 1 : countUnknown(v)), 0)
}

/** The optional properties of a struct that accept `null` on the wire. */
const nullableOptionalKeys = (schema: Schema.Schema.Any): ReadonlyArray<string> => {
  const ast = SchemaAST.encodedAST(schema.ast)
  if (!SchemaAST.isTypeLiteral(ast)) return []
  return ast.propertySignatures
    .filter((ps) =>
      ps.isOptional && SchemaAST.isUnion(ps.type) &&
      ps.type.types.some((t) => SchemaAST.isLiteral(t) && t.literal === null)
    )
    .map((ps) => String(ps.name))
}

describe("wire types", () => {
  it("every exported object schema is covered by these tests", () => {
    const exported = Object.entries(Model).filter(([, value]) => isOpenStruct(value)).map(([name]) => name).sort()
    expect(exported).toEqual(wireTypes.map((w) => w.name).sort())
  })

  for (const { name, schema, sample } of wireTypes) {
    describe(name, () => {
      it("a fully populated sample re-encodes exactly", () => {
        expect(encode(schema)(decodeOk(schema, sample))).toEqual(sample)
      })

      it("unknown properties survive decode → encode at every depth", () => {
        const input = withUnknownProperties(sample)
        const decoded = decodeOk(schema, input)
        expect((decoded as Record<string, unknown>).acmeCorpX).toEqual(unknownValue)
        const output = encode(schema)(decoded)
        expect(output).toEqual(input)
        expect(countUnknown(output)).toBe(countUnknown(input))
      })

      const nullable = nullableOptionalKeys(schema)
      if (nullable.length > 0) {
        it(`null is accepted and kept for every optional property (${nullable.join(", ")})`, () => {
          const input = { ...(sample as object), ...Object.fromEntries(nullable.map((k) => [k, null])) }
          expect(encode(schema)(decodeOk(schema, input))).toEqual(input)
        })
      }

      it.prop("decode(encode(x)) equals x for generated values", [schema], ([x]) => {
        deepStrictEqual(decodeOk(schema, encode(schema)(x)), x)
      })

      it("a non-object is a typed ParseError, not a defect", () => {
        for (const bad of [null, 42, "x", []]) {
          const result = decode(schema, name)(bad)
          expect(Either.isLeft(result) && result.left._tag === "ParseError").toBe(true)
        }
      })
    })
  }

  it.prop("RichBodyFromString: decode(encode(x)) equals x", [Model.RichBody], ([x]) => {
    const encoded = Schema.encodeSync(Model.RichBodyFromString)(x)
    expect(typeof encoded).toBe("string")
    deepStrictEqual(Schema.decodeUnknownSync(Model.RichBodyFromString)(encoded), x)
  })
})
