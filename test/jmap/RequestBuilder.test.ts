import { describe, expect, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import { extractAll, extractById, extractResponse, RequestBuilder } from "../../src/jmap/RequestBuilder.js"
import type { JmapResponse } from "../../src/jmap/Wire.js"

describe("RequestBuilder", () => {
  it("computes using, numbers calls and builds result references", () => {
    const b = RequestBuilder.make()
    const query = b.add("Message/query", { accountId: "A", filter: { chatId: "C" } }, {
      using: ["urn:ietf:params:jmap:chat"]
    })
    b.add("Message/get", { accountId: "A", "#ids": query.ref("/ids") })
    const request = Either.getOrThrow(b.build())
    expect(request).toEqual({
      using: ["urn:ietf:params:jmap:core", "urn:ietf:params:jmap:chat"],
      methodCalls: [
        ["Message/query", { accountId: "A", filter: { chatId: "C" } }, "c0"],
        ["Message/get", { accountId: "A", "#ids": { resultOf: "c0", name: "Message/query", path: "/ids" } }, "c1"]
      ]
    })
  })

  it("reports empty requests and duplicate call ids as InvalidArgument", () => {
    expect(Either.getLeft(RequestBuilder.make().build()).pipe((o) => o._tag === "Some" && o.value.message)).toContain(
      "no method calls"
    )
    const b = RequestBuilder.make()
    b.add("A/get", {}, { callId: "x" })
    b.add("B/get", {}, { callId: "x" })
    const error = Either.getLeft(b.build())
    expect(error._tag === "Some" && error.value.description).toBe("RequestBuilder: duplicate call id \"x\"")
  })
})

describe("extractResponse", () => {
  const Args = Schema.Struct({ n: Schema.Number })
  const response = (...invocations: Array<readonly [string, Record<string, unknown>, string]>): JmapResponse => ({
    methodResponses: invocations,
    sessionState: "s"
  })

  it("decodes the first success for the call id", () => {
    const r = response(["A/get", { n: 1 }, "r1"], ["A/get", { n: 2 }, "r1"], ["B/get", { n: 3 }, "r2"])
    expect(extractResponse(r, "r1", Args)).toEqual(Either.right({ n: 1 }))
    expect(extractResponse(r, "r2", Args)).toEqual(Either.right({ n: 3 }))
  })

  it("lets an error invocation win even after successes, defaulting its type", () => {
    const r = response(["A/set", { n: 1 }, "r1"], ["error", { description: "boom" }, "r1"])
    const left = Either.getLeft(extractResponse(r, "r1", Args))
    expect(left._tag === "Some" && left.value).toMatchObject({
      _tag: "MethodError",
      type: "serverError",
      description: "boom"
    })
    const typed = Either.getLeft(
      extractResponse(response(["error", { type: "stateMismatch" }, "r1"]), "r1", Args, "A/set")
    )
    expect(typed._tag === "Some" && typed.value.message).toBe("JMAP method error: stateMismatch (A/set)")
  })

  it("fails with MethodNotFound or ParseError", () => {
    const missing = Either.getLeft(extractResponse(response(["A/get", { n: 1 }, "r1"]), "zz", Args))
    expect(missing._tag === "Some" && missing.value).toMatchObject({ _tag: "MethodNotFound", callId: "zz" })
    const bad = Either.getLeft(extractResponse(response(["A/get", { n: "x" }, "r1"]), "r1", Args))
    expect(bad._tag === "Some" && bad.value).toMatchObject({ _tag: "ParseError", path: "n", subject: "A/get response" })
  })

  it("extractAll keeps every invocation's own result", () => {
    const all = extractAll(
      response(["A/get", { n: 1 }, "c0"], ["error", { type: "unknownMethod" }, "c1"], ["C/get", {}, "c2"])
    )
    expect(all.map((r) => [r.callId, Either.isRight(r.result)])).toEqual([["c0", true], ["c1", false], ["c2", true]])
  })

  it("extractById maps call ids to their results; a duplicate call id is a ParseError (seed row 26)", () => {
    const byId = Either.getOrThrow(
      extractById(response(["A/get", { n: 1 }, "c0"], ["error", { type: "forbidden" }, "c1"]))
    )
    expect([...byId.keys()]).toEqual(["c0", "c1"])
    expect(byId.get("c0")?.result).toEqual(Either.right({ n: 1 }))
    expect(Either.getLeft(byId.get("c1")!.result)).toMatchObject({ _tag: "Some", value: { type: "forbidden" } })
    const duplicate = extractById(response(["A/get", { n: 1 }, "c0"], ["A/set", {}, "c0"]))
    expect(Either.getLeft(duplicate)).toMatchObject({
      _tag: "Some",
      value: { _tag: "ParseError", description: "server returned duplicate call id \"c0\" in batch response" }
    })
  })
})
