/**
 * Typed failures: method errors (error-wins rule), missing and undecodable responses, typed
 * SetErrors, and the seed-api §2.7 `rateLimited` mapping of `Message/set` create.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Duration, Effect } from "effect"
import { ACCOUNT, fixture, haveFixtures, respond, SESSION_STATE, start } from "./support.js"

const plain = (e: object) => JSON.parse(JSON.stringify(e)) as Record<string, unknown>
const notCreated = (method: string, id: string, error: Record<string, unknown>) =>
  respond([method, { accountId: ACCOUNT, newState: "s2", notCreated: { [id]: error } }])

layer(NodeHttpClient.layerUndici, { excludeTestServices: true })("ChatClient errors", (it) => {
  it.scoped.skipIf(!haveFixtures)(
    "a method error is a MethodError with its type and the method called",
    () =>
      Effect.gen(function*() {
        const { client } = yield* start(() => fixture("method_error_response"))
        const error = yield* Effect.flip(client.Chat.get())
        expect(error._tag).toBe("MethodError")
        expect(plain(error)).toMatchObject({
          type: "unknownMethod",
          description: "The server does not support Chat/get",
          method: "Chat/get",
          callId: "r1"
        })
      })
  )

  it.scoped("an error invocation wins over a success with the same call id; no match is MethodNotFound", () =>
    Effect.gen(function*() {
      const { client, setAnswer } = yield* start(() => ({
        methodResponses: [
          ["Chat/typing", { accountId: ACCOUNT }, "r1"],
          ["error", { type: "notFound" }, "r1"]
        ],
        sessionState: SESSION_STATE
      }))
      const error = yield* Effect.flip(client.Chat.typing({ chatId: "c", typing: false }))
      expect(plain(error)).toMatchObject({ _tag: "MethodError", type: "notFound", method: "Chat/typing" })
      setAnswer(() => ({
        methodResponses: [["Chat/typing", { accountId: ACCOUNT }, "other"]],
        sessionState: SESSION_STATE
      }))
      const missing = yield* Effect.flip(client.Chat.typing({ chatId: "c", typing: false }))
      expect(plain(missing)).toMatchObject({ _tag: "MethodNotFound", callId: "r1" })
    }))

  it.scoped("an undecodable response is a ParseError naming the method and the path", () =>
    Effect.gen(function*() {
      const { client } = yield* start(() => respond(["Chat/get", { accountId: ACCOUNT, list: [], notFound: [] }]))
      const error = yield* Effect.flip(client.Chat.get())
      expect(error._tag).toBe("ParseError")
      expect(plain(error)).toMatchObject({ subject: "Chat/get response", path: "state" })
    }))

  it.scoped("an ill-formed object of a /get list is left out and reported with its id and ParseError", () =>
    Effect.gen(function*() {
      const { client } = yield* start(() =>
        respond(["Chat/get", { accountId: ACCOUNT, state: "s", list: [{ id: "c1", kind: "group" }], notFound: [] }])
      )
      const got = yield* client.Chat.get()
      expect(got.list).toEqual([])
      expect(got.invalid.map((i) => ({ id: i.id, error: plain(i.error) }))).toEqual([
        { id: "c1", error: expect.objectContaining({ _tag: "ParseError", subject: "Chat", path: "list[0].createdAt" }) }
      ])
    }))

  it.scoped.skipIf(!haveFixtures)(
    "Message.create: rateLimited with serverRetryAfter → RateLimited",
    () =>
      Effect.gen(function*() {
        const { client } = yield* start(() => fixture("message_set_rate_limited"))
        const error = yield* Effect.flip(
          client.Message.create({ clientId: "client-id-001", chatId: "c", body: "hi", sentAt: "2024-01-01T10:00:00Z" })
        )
        expect(error._tag).toBe("RateLimited")
        expect(plain(error)).toMatchObject({ serverRetryAfter: "2024-01-01T10:01:00Z" })
        // The date is in the past: nothing left to wait.
        expect(error._tag === "RateLimited" && error.retryAfter && Duration.toMillis(error.retryAfter)).toBe(0)
        const viaSend = yield* Effect.flip(client.Message.send({ clientId: "client-id-001", chatId: "c", body: "hi" }))
        expect(viaSend._tag).toBe("RateLimited")
      })
  )

  it.scoped("Message.create: rateLimited as the draft defines it → RateLimited, retry time unknown", () =>
    Effect.gen(function*() {
      const { client } = yield* start(() =>
        notCreated("Message/set", "cid", { type: "rateLimited", description: "slow mode: 30 s" })
      )
      const input = { clientId: "cid", chatId: "c", body: "hi" }
      const absent = yield* Effect.flip(client.Message.create(input))
      expect(plain(absent)).toEqual({ _tag: "RateLimited" })
      expect(absent.message).toBe("rate limited")
      expect(yield* Effect.flip(client.Message.send(input))).toMatchObject({ _tag: "RateLimited" })
    }))

  it.scoped("Message.create: rateLimited with a malformed serverRetryAfter → UnexpectedResponse", () =>
    Effect.gen(function*() {
      const { client, setAnswer } = yield* start(() => notCreated("Message/set", "cid", { type: "rateLimited" }))
      const input = { clientId: "cid", chatId: "c", body: "hi" }
      setAnswer(() => notCreated("Message/set", "cid", { type: "rateLimited", serverRetryAfter: 12345 }))
      const malformed = yield* Effect.flip(client.Message.create(input))
      expect(plain(malformed)).toEqual({
        _tag: "UnexpectedResponse",
        description: "rateLimited SetError has malformed serverRetryAfter: 12345"
      })
    }))

  it.scoped("other SetErrors, and rateLimited on other methods or other creation ids, are typed results", () =>
    Effect.gen(function*() {
      const { client, setAnswer } = yield* start(() =>
        notCreated("Message/set", "cid", {
          type: "forbidden",
          description: "no send permission",
          properties: ["chatId"]
        })
      )
      const forbidden = yield* client.Message.create({ clientId: "cid", chatId: "c", body: "hi" })
      expect(forbidden.notCreated?.["cid"]).toEqual({
        type: "forbidden",
        description: "no send permission",
        properties: ["chatId"]
      })
      setAnswer(() => notCreated("Message/set", "someone-else", { type: "rateLimited" }))
      const other = yield* client.Message.create({ clientId: "cid", chatId: "c", body: "hi" })
      expect(other.notCreated?.["someone-else"]?.type).toBe("rateLimited")
      setAnswer(() => notCreated("Chat/set", "cid", { type: "rateLimited", serverRetryAfter: "2024-01-01T10:01:00Z" }))
      const chat = yield* client.Chat.create({ kind: "direct", contactId: "user:x", clientId: "cid" })
      expect(chat.notCreated?.["cid"]?.serverRetryAfter).toBe("2024-01-01T10:01:00Z")
    }))

  it.scoped("a rejected single-object write fails with SetFailed", () =>
    Effect.gen(function*() {
      const { client, setAnswer } = yield* start(() =>
        notCreated("Space/set", "sp", { type: "overQuota", description: "too many spaces" })
      )
      const created = yield* Effect.flip(client.Space.createOne({ clientId: "sp", name: "S" }))
      expect(created._tag).toBe("SetFailed")
      expect(plain(created)).toMatchObject({
        operation: "create",
        id: "sp",
        method: "Space/set",
        type: "overQuota",
        description: "too many spaces"
      })
      expect(created.message).toBe("Space/set could not create sp: overQuota: too many spaces")
      setAnswer(() =>
        respond(
          ["ChatContact/set", {
            accountId: ACCOUNT,
            notUpdated: { "user:x": { type: "forbidden", properties: ["login"] } }
          }],
          ["ChatContact/get", { accountId: ACCOUNT, state: "s", list: [], notFound: ["user:x"] }]
        )
      )
      const updated = yield* Effect.flip(client.ChatContact.updateOne({ id: "user:x", patch: { blocked: true } }))
      expect(plain(updated)).toMatchObject({
        _tag: "SetFailed",
        operation: "update",
        id: "user:x",
        type: "forbidden",
        properties: ["login"]
      })
      setAnswer(() => respond(["Chat/set", { accountId: ACCOUNT, notDestroyed: { ch: { type: "forbidden" } } }]))
      const destroyed = yield* Effect.flip(client.Chat.destroyOne({ id: "ch" }))
      expect(plain(destroyed)).toMatchObject({ _tag: "SetFailed", operation: "destroy", id: "ch", method: "Chat/set" })
      setAnswer(() => respond(["Chat/set", { accountId: ACCOUNT }]))
      const silent = yield* Effect.flip(client.Chat.destroyOne({ id: "ch" }))
      expect(plain(silent)).toEqual({
        _tag: "UnexpectedResponse",
        description: "Chat/set reported neither destroyed nor notDestroyed for ch"
      })
    }))
})
