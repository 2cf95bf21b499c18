import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, Either, Schema } from "effect"
import * as fc from "fast-check"
import { isDeepStrictEqual } from "node:util"
import * as Chat from "../../src/chat/index.js"
import { compileDecoder } from "../../src/jmap/internal/compile.js"
import * as MethodResponses from "../../src/jmap/MethodResponses.js"
import * as Session from "../../src/jmap/Session.js"
import * as Wire from "../../src/jmap/Wire.js"

/** Every exported schema of the wire model, plus the standard responses over a few item types. */
const schemas: ReadonlyArray<[string, Schema.Schema<any, any, never>]> = [
  ...Object.entries({ ...Chat, ...Session, ...Wire, ...MethodResponses }).filter(
    (entry): entry is [string, Schema.Schema<any, any, never>] => Schema.isSchema(entry[1])
  ),
  ["GetResponse(Message)", MethodResponses.GetResponse(Chat.Message)],
  ["GetResponse(Chat)", MethodResponses.GetResponse(Chat.Chat)],
  ["SetResponse(Space)", MethodResponses.SetResponse(Chat.Space, Chat.Space)]
]

/** Replaces the value at a random path of a JSON value with `replacement`. */
const corrupt = (value: unknown, choice: number, replacement: unknown): unknown => {
  const paths: Array<Array<string | number>> = [[]]
  const walk = (v: unknown, path: Array<string | number>) => {
    if (Array.isArray(v)) {
      v.forEach((x, i) => {
        paths.push([...path, i])
        walk(x, [...path, i])
      })
    } else if (typeof v === "object" && v !== null) {
      for (const [k, x] of Object.entries(v)) {
        paths.push([...path, k])
        walk(x, [...path, k])
      }
    }
  }
  walk(value, [])
  const path = paths[choice % paths.length]!
  if (path.length === 0) return replacement
  const copy = structuredClone(value) as Record<string | number, unknown>
  let target = copy
  for (const key of path.slice(0, -1)) target = target[key] as Record<string | number, unknown>
  target[path[path.length - 1]!] = replacement
  return copy
}

describe("compiled decoders agree with Effect's decoder", () => {
  it("covers the whole wire model", () => {
    expect(schemas.length).toBeGreaterThan(60)
  })

  for (const [name, schema] of schemas) {
    it(name, () => {
      const fast = compileDecoder(schema)
      const slow = Schema.decodeUnknownEither(schema, { errors: "first" })
      const encode = Schema.encodeSync(schema)
      const agree = (input: unknown) => {
        const a = fast(input)
        const b = slow(input)
        expect(
          Either.isRight(a),
          `fast ${Either.isRight(a) ? "accepted" : "rejected"} ${JSON.stringify(input)?.slice(0, 300)}`
        ).toBe(
          Either.isRight(b)
        )
        // node's isDeepStrictEqual, not toStrictEqual: the latter compares `.constructor`, which a
        // data map may legitimately hold as an own key.
        if (Either.isRight(a) && Either.isRight(b)) {
          expect(isDeepStrictEqual(a.right, b.right), `values differ for ${JSON.stringify(input)?.slice(0, 300)}`).toBe(
            true
          )
        }
      }
      fc.assert(
        fc.property(Arbitrary.make(schema), fc.nat(), fc.jsonValue({ maxDepth: 2 }), (value, choice, replacement) => {
          const wire = JSON.parse(JSON.stringify(encode(value)))
          agree(wire)
          agree(corrupt(wire, choice, replacement))
          agree({
            ...(typeof wire === "object" && wire !== null && !Array.isArray(wire) ? wire : {}),
            acmeCorpExtra: replacement
          })
        }),
        { numRuns: 40 }
      )
      fc.assert(fc.property(fc.jsonValue({ maxDepth: 3 }), agree), { numRuns: 40 })
    })
  }
})

describe("compiled decoders: property transformations", () => {
  it("build Effect's object whether the defaulted key is present or not", () => {
    const schema = Schema.Struct({
      a: Schema.String,
      list: Schema.optionalWith(Schema.Array(Schema.Number), { default: () => [] }),
      z: Schema.Number
    })
    const fast = compileDecoder(schema)
    const slow = Schema.decodeUnknownEither(schema, { errors: "first" })
    for (const input of [{ a: "x", z: 1 }, { a: "x", list: [1], z: 1 }, { list: [2], a: "y", z: 2, extra: true }]) {
      const a = Either.getOrThrow(fast(input))
      const b = Either.getOrThrow(slow(input))
      expect(a).toStrictEqual(b)
      expect(a).not.toBe(input)
    }
  })
})

describe("compiled decoders: parse options", () => {
  it("leave subtrees with onExcessProperty: error to Effect", () => {
    const schema = Schema.Struct({
      m: Schema.Record({ key: Schema.String.pipe(Schema.filter((k) => k !== "bad")), value: Schema.Null }).annotations({
        parseOptions: { onExcessProperty: "error" }
      })
    })
    const input = { m: { bad: null } }
    expect(Either.isLeft(compileDecoder(schema)(input))).toBe(true)
    expect(Either.isLeft(Schema.decodeUnknownEither(schema)(input))).toBe(true)
  })
})
