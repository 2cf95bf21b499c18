import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Schema } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { decodeJson, decodeValue } from "../../src/jmap/internal/json.js"
import { BlobUploadResponse, resolveSessionUrls, Session } from "../../src/jmap/Session.js"
import { JmapRequest, JmapResponse } from "../../src/jmap/Wire.js"

const root = path.resolve(__dirname, "../../../shared/fixtures/jmapchat-client")
const present = fs.existsSync(root)
if (!present) console.warn(`fixture tests skipped: ${root} is absent on this machine`)

/** Every core fixture and the schema it must decode with (or `invalid` when it is invalid by design). */
const table: Record<string, { readonly schema: Schema.Schema<any, any, never>; readonly invalid?: string }> = {
  "jmap/batch_refplus.json": { schema: JmapRequest },
  "jmap/batch_request.json": { schema: JmapRequest },
  "jmap/request_chat_get.json": { schema: JmapRequest },
  "jmap/call_response.json": { schema: JmapResponse },
  "jmap/response_chat_get.json": { schema: JmapResponse },
  "jmap/session.json": { schema: Session },
  // The Session itself is valid; its chat account capability is not (checked by the chat capability tests).
  "jmap/session_malformed_chat_cap.json": { schema: Session },
  "jmap/session_with_ws_and_push.json": { schema: Session },
  "session/session_ok.json": { schema: Session },
  "session/session_missing_api_url.json": { schema: Session },
  "blob/upload_response.json": { schema: BlobUploadResponse },
  "blob/blob_convert.json": { schema: JmapResponse }
}

const read = (file: string): unknown => JSON.parse(fs.readFileSync(path.join(root, file), "utf8"))

describe.skipIf(!present)("core fixtures (jmapchat-client corpus)", () => {
  it("covers every file of jmap/, session/ and blob/", () => {
    const files = ["jmap", "session", "blob"].flatMap((dir) =>
      fs.readdirSync(path.join(root, dir)).map((f) => `${dir}/${f}`)
    )
    expect(files.filter((f) => !(f in table))).toEqual([])
  })

  for (const [file, { invalid, schema }] of Object.entries(table)) {
    it(`${file} ${invalid ? "fails with a typed ParseError" : "decodes and re-encodes losslessly"}`, () => {
      const json = read(file)
      const decoded = decodeValue(schema, json, file)
      if (invalid !== undefined) {
        expect(Either.isLeft(decoded)).toBe(true)
        const error = Either.getLeft(decoded)
        expect(error._tag === "Some" && error.value._tag).toBe("ParseError")
        expect(error._tag === "Some" && error.value.message).toContain(invalid)
        return
      }
      const value = Either.getOrThrow(decoded)
      expect(Schema.encodeSync(schema)(value)).toEqual(json)
    })
  }
})

describe.skipIf(!present)("session validation", () => {
  it("rejects the fixture session with an empty apiUrl as InvalidSession", () => {
    const session = Either.getOrThrow(decodeValue(Session, read("session/session_missing_api_url.json"), "Session"))
    expect(Either.getLeft(resolveSessionUrls(session, "https://jmap.example.com/.well-known/jmap"))).toMatchObject({
      _tag: "Some",
      value: { _tag: "InvalidSession", description: "apiUrl is empty" }
    })
    const ok = Either.getOrThrow(decodeValue(Session, read("session/session_ok.json"), "Session"))
    expect(Either.isRight(resolveSessionUrls(ok, "https://jmap.example.com/.well-known/jmap"))).toBe(true)
  })
})

describe("hostile JSON", () => {
  it("drops __proto__ members instead of letting them become prototypes", () => {
    const json = new TextEncoder().encode(
      "{\"methodResponses\":[[\"A/get\",{\"__proto__\":{\"type\":\"x\"},\"list\":[]},\"c0\"]],\"sessionState\":\"s\",\"__proto__\":{\"p\":1}}"
    )
    const response = Effect.runSync(decodeJson(JmapResponse, json, "JMAP response"))
    const args = response.methodResponses[0]![1]
    expect(Object.getPrototypeOf(args)).toBe(Object.prototype)
    expect((args as Record<string, unknown>)["type"]).toBeUndefined()
    expect((response as Record<string, unknown>)["p"]).toBeUndefined()
  })
})
