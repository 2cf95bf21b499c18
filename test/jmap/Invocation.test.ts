/**
 * `Invocation.batch` with calls prepared by an effect (one that reads the `Clock`, say): they are
 * built before the Request, in order, references to them carry their method name, and a refused one
 * fails the whole batch before any I/O, like a pure guard.
 */
import { describe, expect, it } from "@effect/vitest"
import { Clock, Effect, Either, Schema } from "effect"
import { InvalidArgument } from "../../src/jmap/Errors.js"
import * as Invocation from "../../src/jmap/Invocation.js"
import type { JmapRequest, JmapResponse } from "../../src/jmap/Wire.js"

const echo = (requests: Array<JmapRequest>): Invocation.Executor<never> => ({
  accountId: Effect.succeed("A"),
  call: (request) =>
    Effect.sync((): JmapResponse => {
      requests.push(request)
      return { methodResponses: request.methodCalls.map(([name, args, id]) => [name, args, id]), sessionState: "s" }
    })
})

const Args = Schema.Record({ key: Schema.String, value: Schema.Unknown })

/** `Foo/set` whose `create` is stamped with the Clock's time. */
const stamped: Invocation.Preparation<Readonly<Record<string, unknown>>> = Effect.map(
  Clock.currentTimeMillis,
  (millis) => Invocation.make("Foo/set", { create: { c: { at: millis } } }, Args)
)

describe("Invocation.batch with effectful preparations", () => {
  it.effect("builds them in order before the Request; references to them name their method", () =>
    Effect.gen(function*() {
      const requests: Array<JmapRequest> = []
      const results = yield* Invocation.batch(echo(requests), (b) => {
        const first = b.add(Either.right(Invocation.make("Foo/get", { ids: [] }, Args)))
        const set = b.add(stamped)
        const after = b.add(Either.right(Invocation.make("Foo/get", { ids: set.ref("/created/c/id") }, Args)))
        return [first, set, after] as const
      })
      expect(requests).toHaveLength(1)
      expect(requests[0]!.methodCalls).toEqual([
        ["Foo/get", { accountId: "A", ids: [] }, "r1"],
        ["Foo/set", { accountId: "A", create: { c: { at: 0 } } }, "r2"],
        ["Foo/get", { accountId: "A", ids: { resultOf: "r2", name: "Foo/set", path: "/created/c/id" } }, "r3"]
      ])
      expect(results.map(Either.isRight)).toEqual([true, true, true])
      expect(Either.getOrThrow(results[1])).toEqual({ accountId: "A", create: { c: { at: 0 } } })
    }))

  it.effect("a refused effectful preparation fails the batch before any I/O; the first failure in order wins", () =>
    Effect.gen(function*() {
      const requests: Array<JmapRequest> = []
      const refused = (description: string): Invocation.Preparation<never> =>
        Effect.flatMap(Clock.currentTimeMillis, () => Effect.fail(new InvalidArgument({ description })))
      const error = yield* Effect.flip(Invocation.batch(echo(requests), (b) => [
        b.add(Either.right(Invocation.make("Foo/get", {}, Args))),
        b.add(refused("first")),
        b.add(Either.left(new InvalidArgument({ description: "second" })))
      ]))
      expect(error).toMatchObject({ _tag: "InvalidArgument", description: "first" })
      expect(requests).toHaveLength(0)
      expect(yield* Effect.flip(Invocation.run(echo(requests), refused("alone")))).toMatchObject({
        description: "alone"
      })
    }))

  it("a Batch built without running its effectful preparations refuses to build", () => {
    const b = new Invocation.Batch()
    b.add(stamped)
    const built = b.build("A")
    expect(Either.isLeft(built) && built.left.description).toBe(
      "batch: call r1 was prepared by an effect that has not run"
    )
  })
})

describe("Invocation.batch and run take a bare invocation", () => {
  it.effect("no Either around a call that has no guards", () =>
    Effect.gen(function*() {
      const requests: Array<JmapRequest> = []
      const got = yield* Invocation.run(echo(requests), Invocation.make("Foo/get", { ids: ["a"] }, Args))
      expect(got).toEqual({ accountId: "A", ids: ["a"] })
      const [first, second] = yield* Invocation.batch(echo(requests), (b) => {
        const q = b.add(Invocation.make("Foo/query", {}, Args))
        return [q, b.add(Invocation.make("Foo/get", { "#ids": q.ref("/ids") }, Args))] as const
      })
      expect([Either.isRight(first), Either.isRight(second)]).toEqual([true, true])
      expect(requests[1]!.methodCalls.map(([name]) => name)).toEqual(["Foo/query", "Foo/get"])
    }))
})
