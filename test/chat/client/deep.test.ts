/**
 * Caller input nested 100,000 levels deep — in a vendor extension, a MessageAction's metadata, a
 * raw Request — fails with a typed error before any I/O, never with a stack overflow defect: every
 * walk over caller input is bounded (`Invocation.jsonProblem`, the input guards) or guarded
 * (serialisation is a `SerializeError`).
 */
import { NodeHttpClient } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Effect, Exit } from "effect"
import * as Invocation from "../../../src/jmap/Invocation.js"
import { checkLimits } from "../../../src/jmap/Limits.js"
import { respond, start } from "./support.js"

const depth = 100_000

const deepObject = (): unknown => {
  let value: unknown = { leaf: true }
  for (let i = 0; i < depth; i++) value = { x: value }
  return value
}

const deepArray = (): unknown => {
  let value: unknown = []
  for (let i = 0; i < depth; i++) value = [value]
  return value
}

layer(NodeHttpClient.layerUndici, { excludeTestServices: true })("deeply nested caller input", (it) => {
  it("jsonProblem names the depth instead of overflowing the stack", () => {
    expect(Invocation.jsonProblem(deepObject())).toBe(
      `${"x.".repeat(Invocation.maxJsonDepth).slice(0, -1)} nests deeper than ${Invocation.maxJsonDepth} levels`
    )
    expect(Invocation.jsonProblem(deepArray())).toContain(`nests deeper than ${Invocation.maxJsonDepth} levels`)
    let fine: unknown = 1
    for (let i = 0; i < Invocation.maxJsonDepth; i++) fine = [fine]
    expect(Invocation.jsonProblem(fine)).toBeUndefined()
  })

  it("checkLimits reports a request the serialiser cannot handle as SerializeError", () => {
    const result = checkLimits(
      { using: [], methodCalls: [["Core/echo", { deep: deepObject() }, "c0"]] },
      { maxSizeRequest: 1000 }
    )
    expect(result._tag === "Left" && result.left._tag).toBe("SerializeError")
  })

  it.scoped("client methods fail with InvalidArgument and send nothing", () =>
    Effect.gen(function*() {
      const { client, sent } = yield* start(() => respond(["Message/set", { accountId: "A13824" }]))
      const inputs = [
        () => client.Message.create({ chatId: "c", body: "b", "com.example:x": deepObject() }),
        () => client.Message.create({ chatId: "c", body: "b", "com.example:x": deepArray() }),
        () =>
          client.Message.create({
            chatId: "c",
            body: "b",
            actions: [{ type: "urn:jmap:chat:cap:vtc", uri: "u", metadata: { m: deepObject() } }]
          }),
        () => client.Space.update({ id: "s", patch: { "com.example:x": deepObject() } }),
        () => client.Chat.update({ id: "c", patch: { addMembers: [{ id: "m", "com.example:x": deepArray() }] } })
      ]
      for (const input of inputs) {
        const exit = yield* Effect.exit(input())
        expect(Exit.isFailure(exit) && exit.cause._tag === "Fail" && exit.cause.error._tag).toBe("InvalidArgument")
      }
      expect(sent()).toEqual([])
    }))

  it.scoped("a raw Request nested too deep is a SerializeError from SessionService.call, before any I/O", () =>
    Effect.gen(function*() {
      const { sent, session } = yield* start(() => respond(["Core/echo", {}]))
      const error = yield* Effect.flip(
        session.call({ using: [], methodCalls: [["Core/echo", { deep: deepArray() }, "c0"]] })
      )
      expect(error._tag).toBe("SerializeError")
      expect(sent()).toEqual([])
    }))
})
