import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import * as fc from "fast-check"
import { expandTemplate, resolveTemplate } from "../../src/jmap/UriTemplate.js"

describe("RFC 6570 level-1 expansion", () => {
  it("percent-encodes every reserved octet with uppercase hex", () => {
    expect(expandTemplate("/d/{accountId}/{blobId}/{name}?accept={type}", {
      accountId: "a b",
      blobId: "x/y",
      name: "é!*'()",
      type: ""
    })).toEqual(Either.right("/d/a%20b/x%2Fy/%C3%A9%21%2A%27%28%29?accept="))
  })

  it("fails on a missing variable or an unmatched brace, ignores unused variables and a lone }", () => {
    expect(Either.getLeft(expandTemplate("/u/{accountId}", {}))).toMatchObject({
      _tag: "Some",
      value: { _tag: "InvalidSession", description: "URL template variable not supplied: accountId" }
    })
    expect(Either.getLeft(expandTemplate("/u/{accountId", { accountId: "a" }))).toMatchObject({
      _tag: "Some",
      value: { description: "URL template has unmatched '{'" }
    })
    expect(expandTemplate("/u}/{a}", { a: "1", unused: "2" })).toEqual(Either.right("/u}/1"))
  })

  it("keeps unreserved characters and round-trips any value through decodeURIComponent", () => {
    fc.assert(fc.property(fc.string({ unit: "binary" }), (value) => {
      const out = Either.getOrThrow(expandTemplate("{v}", { v: value }))
      expect(out).toMatch(/^[A-Za-z0-9\-._~%]*$/)
      expect(decodeURIComponent(out)).toBe(value)
    }))
  })

  it("never throws on lone surrogates", () => {
    expect(expandTemplate("{v}", { v: "a\uD800b" })).toEqual(Either.right("a%EF%BF%BDb"))
  })

  it("resolves relative templates without encoding the braces", () => {
    expect(resolveTemplate("/download/{accountId}/{blobId}?t={type}", "https://h.example/jmap/session")).toEqual(
      Either.right("https://h.example/download/{accountId}/{blobId}?t={type}")
    )
    expect(resolveTemplate("upload/{accountId}/", "https://h.example/jmap/")).toEqual(
      Either.right("https://h.example/jmap/upload/{accountId}/")
    )
    expect(resolveTemplate("https://other.example/x/{a}", "https://h.example/")).toEqual(
      Either.right("https://other.example/x/{a}")
    )
  })
})
