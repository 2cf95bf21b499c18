import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { createHash } from "node:crypto"
import * as Sha256 from "../../src/jmap/Sha256.js"
import * as NodeSha256 from "../../src/node/NodeSha256.js"

const reference = (chunks: ReadonlyArray<Uint8Array>) => {
  const hash = createHash("sha256")
  for (const chunk of chunks) hash.update(chunk)
  return hash.digest("hex")
}

const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff)

describe("Sha256", () => {
  for (const [name, service] of [["portable", Sha256.portable], ["node", NodeSha256.native]] as const) {
    it(`${name}: matches node:crypto, whole and chunked`, () => {
      expect(Sha256.hex(service, new Uint8Array())).toBe(
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
      )
      expect(Sha256.hex(service, new TextEncoder().encode("abc"))).toBe(
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
      )
      // Chunk sizes around the 64-byte block boundary, and a large one.
      const chunks = [1, 63, 64, 65, 0, 127, 4096, 100_000].map((n, i) => bytes(n, i))
      const hash = service.create()
      for (const chunk of chunks) hash.update(chunk)
      expect(hash.digestHex()).toBe(reference(chunks))
    })
  }

  it.effect("the portable hash is the default; a layer swaps in another", () =>
    Effect.gen(function*() {
      expect(yield* Sha256.Sha256).toBe(Sha256.portable)
      const provided = yield* Effect.provide(Sha256.Sha256, NodeSha256.layer)
      expect(provided).toBe(NodeSha256.native)
      const custom: Sha256.Service = { create: () => ({ update: () => {}, digestHex: () => "x" }) }
      expect(yield* Effect.provide(Sha256.Sha256, Layer.succeed(Sha256.Sha256, custom))).toBe(custom)
    }))

  it("sameDigest compares whole strings", () => {
    const a = "a".repeat(64)
    expect(Sha256.sameDigest(a, a)).toBe(true)
    expect(Sha256.sameDigest(a, `${"a".repeat(63)}b`)).toBe(false)
    expect(Sha256.sameDigest(`b${"a".repeat(63)}`, a)).toBe(false)
    expect(Sha256.sameDigest(a, a.slice(1))).toBe(false)
    expect(Sha256.sameDigest("", "")).toBe(true)
  })
})
