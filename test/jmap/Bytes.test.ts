/** `utf8Length` (request size checks, WebSocket message caps) counts what `TextEncoder` would write, with no `Buffer`. */
import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import { utf8Length } from "../../src/jmap/internal/bytes.js"

const encoder = new TextEncoder()

describe("utf8Length", () => {
  it("counts ASCII, 2-, 3- and 4-byte characters and lone surrogates like TextEncoder", () => {
    for (const s of ["", "a", "é", "€", "😀", "a😀b", "\uD800", "\uDC00", "\uD800a", "\uD800\uD800", "x\uDBFF"]) {
      expect(utf8Length(s)).toBe(encoder.encode(s).length)
    }
  })

  it.prop("agrees with TextEncoder on any string", [fc.string({ unit: "binary" })], ([s]) => {
    expect(utf8Length(s)).toBe(encoder.encode(s).length)
  })
})
