import { it } from "@effect/vitest"
import * as fc from "fast-check"
import { expect } from "vitest"
import { utf8Length } from "../../src/jmap/internal/utf8.js"

const encoder = new TextEncoder()

it.prop(
  "utf8Length counts the bytes TextEncoder writes, lone surrogates included",
  [fc.string({ unit: "binary" })],
  ([s]) => {
    expect(utf8Length(s)).toBe(encoder.encode(s).length)
  }
)

it("counts each width", () => {
  expect(utf8Length("a")).toBe(1)
  expect(utf8Length("é")).toBe(2)
  expect(utf8Length("€")).toBe(3)
  expect(utf8Length("😀")).toBe(4)
  expect(utf8Length("\ud83dx")).toBe(4)
  expect(utf8Length("\ude00")).toBe(3)
})
