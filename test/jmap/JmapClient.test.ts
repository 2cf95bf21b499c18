/**
 * `JmapClient` over a test double (`makeWith`): the API has exactly the methods a type declares,
 * each call acts on the primary account of its own capability (also inside one batch), and inputs
 * that cannot be sent fail with `InvalidArgument` before any Request.
 */
import { describe, expect, expectTypeOf, it } from "@effect/vitest"
import { Effect, Either, Schema } from "effect"
import { InvalidSession } from "../../src/jmap/Errors.js"
import * as Invocation from "../../src/jmap/Invocation.js"
import * as JmapClient from "../../src/jmap/JmapClient.js"
import type { JmapRequest, JmapResponse } from "../../src/jmap/Wire.js"

const Mail = "urn:ietf:params:jmap:mail"
const Contacts = "urn:ietf:params:jmap:contacts"

const Mailbox = JmapClient.dataType({
  name: "Mailbox",
  schema: Schema.Struct({ id: Schema.String, name: Schema.String }),
  capability: Mail,
  methods: ["get", "changes"]
})

const ContactCard = JmapClient.dataType({
  name: "ContactCard",
  schema: Schema.Struct({ id: Schema.String, fullName: Schema.optional(Schema.String) }),
  capability: Contacts,
  methods: ["get", "query", "set"]
})

const accounts: Record<string, string> = { [Mail]: "mail-account", [Contacts]: "contacts-account" }

/** Answers every `/get` with an empty list and its state, and records the Requests. */
const double = () => {
  const requests: Array<JmapRequest> = []
  const client = JmapClient.makeWith<InvalidSession>({
    call: (request) =>
      Effect.sync((): JmapResponse => {
        requests.push(request)
        return {
          methodResponses: request.methodCalls.map(([name, args, id]) => [
            name,
            {
              accountId: args["accountId"],
              state: "s1",
              list: [],
              notFound: [],
              ids: [],
              position: 0,
              queryState: "q",
              canCalculateChanges: false
            },
            id
          ]),
          sessionState: "s"
        }
      }),
    accountId: (capability) =>
      capability in accounts
        ? Effect.succeed(accounts[capability]!)
        : Effect.fail(new InvalidSession({ description: `no primary account for ${capability}` }))
  })
  return { client, requests }
}

describe("JmapClient.api", () => {
  it("has the methods each type declares, and the forms they allow", () => {
    const { client } = double()
    const api = client.api({ Mailbox, ContactCard })
    expectTypeOf(api.Mailbox).toHaveProperty("changes")
    expectTypeOf(api.Mailbox).toHaveProperty("sync")
    expectTypeOf(api.Mailbox).not.toHaveProperty("query")
    expectTypeOf(api.Mailbox).not.toHaveProperty("list")
    expectTypeOf(api.ContactCard).toHaveProperty("list")
    expectTypeOf(api.ContactCard).not.toHaveProperty("sync")
    expect(Object.keys(api.Mailbox).sort()).toEqual(["changes", "get", "listAll", "state", "sync"])
    expect(Object.keys(api.ContactCard).sort()).toEqual(["get", "list", "listAll", "query", "set", "state"])
  })

  it.effect("sends each call on the primary account of its type's capability, in a batch too", () =>
    Effect.gen(function*() {
      const { client, requests } = double()
      const api = client.api({ Mailbox, ContactCard })
      yield* api.Mailbox.get({ ids: ["m1"] })
      const results = yield* api.batch((b) => [b.Mailbox.get(), b.ContactCard.query({ limit: 3 })] as const)
      expect([Either.isRight(results[0]), Either.isRight(results[1])]).toEqual([true, true])
      expect(requests.map((r) => r.methodCalls.map(([name, args]) => [name, args["accountId"]]))).toEqual([
        [["Mailbox/get", "mail-account"]],
        [["Mailbox/get", "mail-account"], ["ContactCard/query", "contacts-account"]]
      ])
      expect(requests[1]!.using).toEqual(["urn:ietf:params:jmap:core", Mail, Contacts])
    }))

  it.effect("adds an account to an invocation made by hand from its first capability; call sends the arguments as they are", () =>
    Effect.gen(function*() {
      const { client, requests } = double()
      const Any = Schema.Record({ key: Schema.String, value: Schema.Unknown })
      yield* client.batch((b) => ({
        card: b.add(Invocation.make("ContactCard/get", { ids: null }, Any, { using: [Contacts] })),
        raw: b.call("Core/echo", { a: 1 }, [])
      }))
      expect(requests[0]!.methodCalls).toEqual([
        ["ContactCard/get", { accountId: "contacts-account", ids: null }, "r1"],
        ["Core/echo", { a: 1 }, "r2"]
      ])
      const failure = yield* Effect.flip(
        client.batch((b) => b.add(Invocation.make("Calendar/get", {}, Any, { using: ["urn:example:calendars"] })))
      )
      expect(failure._tag).toBe("InvalidSession")
    }))

  it.effect("refuses inputs that cannot be sent before any Request", () =>
    Effect.gen(function*() {
      const { client, requests } = double()
      const api = client.api({ Mailbox, ContactCard })
      const refusals: ReadonlyArray<Effect.Effect<unknown, { readonly _tag: string }>> = [
        api.Mailbox.changes({ sinceState: "" }),
        api.Mailbox.sync({ sinceState: 7 as never }),
        api.Mailbox.get("all" as never),
        api.Mailbox.get({ ids: "m1" as never }),
        api.ContactCard.set({ create: { c1: { fullName: 1n } } } as never),
        client.call("", {}, []),
        client.call("Core/echo", [] as never, [])
      ]
      for (const refused of refusals) expect((yield* Effect.flip(refused))._tag).toBe("InvalidArgument")
      expect(requests).toEqual([])
    }))
})
