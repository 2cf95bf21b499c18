import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import * as fc from "effect/FastCheck"
import { Backend, Capability, ChatBackend } from "../../src/testing/index.js"

const methodNames = [
  "Chat/get",
  "Chat/changes",
  "Chat/query",
  "Chat/queryChanges",
  "Chat/set",
  "Chat/typing",
  "Message/get",
  "Message/changes",
  "Message/query",
  "Message/queryChanges",
  "Message/set",
  "Space/get",
  "Space/query",
  "Space/set",
  "Space/join",
  "SpaceInvite/set",
  "SpaceBan/set",
  "ChatContact/set",
  "ChatContact/query",
  "ReadPosition/set",
  "PresenceStatus/set",
  "CustomEmoji/set",
  "CustomEmoji/query",
  "PushSubscription/get",
  "PushSubscription/set",
  "Quota/get",
  "Quota/query",
  "Blob/lookup",
  "Blob/convert",
  "Core/echo",
  "Nope/nope"
]

const argKeys = [
  "ids",
  "properties",
  "create",
  "update",
  "destroy",
  "filter",
  "sort",
  "sinceState",
  "sinceQueryState",
  "maxChanges",
  "ifInState",
  "chatId",
  "typing",
  "position",
  "anchor",
  "anchorOffset",
  "limit",
  "inviteCode",
  "spaceId",
  "typeNames",
  "#ids",
  "calculateTotal"
]

const propertyKeys = [
  "kind",
  "contactId",
  "name",
  "memberIds",
  "chatId",
  "body",
  "bodyType",
  "sentAt",
  "replyTo",
  "mentions",
  "broadcastMentions",
  "attachments",
  "reactions/x",
  "readAt",
  "deletedAt",
  "deletedForAll",
  "muted",
  "addMembers",
  "removeMembers",
  "addChannels",
  "updateChannels",
  "addRoles",
  "spaceId",
  "userId",
  "blobId",
  "lastReadMessageId",
  "presence",
  "blocked",
  "deviceClientId",
  "url",
  "chatPush",
  "imageConvert"
]

const json = fc.jsonValue({ maxDepth: 3 })
const records = fc.dictionary(fc.constantFrom(...propertyKeys), json, { maxKeys: 5 })

const args = fc.record({
  withAccount: fc.boolean(),
  fields: fc.dictionary(
    fc.constantFrom(...argKeys),
    fc.oneof(json, fc.dictionary(fc.string({ maxLength: 4 }), records, { maxKeys: 3 })),
    { maxKeys: 6 }
  )
})

describe("the reference server never fails on bad input", () => {
  it.layer(Backend.layer())((it) => {
    it.effect.prop(
      "every method call gets a response or an RFC 8620 error, never serverFail",
      [fc.constantFrom(...methodNames), args],
      ([method, { fields, withAccount }]) =>
        Effect.gen(function*() {
          const backend = yield* ChatBackend
          const alice = backend.user("alice")
          const callArgs = withAccount ? { ...fields, accountId: alice.accountId } : fields
          const response = yield* backend.handle(alice, {
            using: Object.values(Capability),
            methodCalls: [[method, callArgs, "c"]]
          })
          const invocations = response.methodResponses as ReadonlyArray<readonly [string, any, string]>
          expect(invocations).toHaveLength(1)
          const [name, result, callId] = invocations[0]!
          expect(callId).toBe("c")
          expect([method, "error"]).toContain(name)
          if (name === "error") {
            expect(typeof result.type).toBe("string")
            expect(result.type).not.toBe("serverFail")
          }
        }),
      { fastCheck: { numRuns: 300 } }
    )

    it.effect.prop(
      "any JSON value (or JSON text) is a Request or answered with a 400 problem",
      [json],
      ([body]) =>
        Effect.gen(function*() {
          const backend = yield* ChatBackend
          const result = yield* Effect.either(backend.dispatch(backend.user("bob").token, body))
          if (Either.isLeft(result)) {
            expect(result.left.status).toBe(400)
            const expected = typeof body === "string"
              ? /^urn:ietf:params:jmap:error:(notJSON|notRequest)$/
              : /^urn:ietf:params:jmap:error:(notRequest|unknownCapability|limit)$/
            expect(result.left.type).toMatch(expected)
          } else {
            expect(Array.isArray(result.right.methodResponses)).toBe(true)
          }
        }),
      { fastCheck: { numRuns: 200 } }
    )
  })

  it.effect("dispatch parses JSON text, and refuses unknown tokens and malformed JSON", () =>
    Effect.gen(function*() {
      const backend = yield* Backend.make()
      const text = JSON.stringify({ using: [Capability.core], methodCalls: [["Core/echo", { x: 1 }, "0"]] })
      const ok = yield* backend.dispatch(backend.user("carol").token, text)
      expect(ok.methodResponses).toEqual([["Core/echo", { x: 1 }, "0"]])
      const unknown = yield* Effect.flip(backend.dispatch("nobody", text))
      expect(unknown.status).toBe(401)
      const malformed = yield* Effect.flip(backend.dispatch(backend.user("carol").token, "{"))
      expect(malformed.type).toBe("urn:ietf:params:jmap:error:notJSON")
    }))
})
