/**
 * Fault table for real servers and hostile peers (issue 11, part B): servers that advertise more
 * than they serve or less than they enforce, ill-formed objects in otherwise good answers, peers'
 * odd action metadata, a `rateLimited` without a retry time, vendor extensions, non-Latin-1
 * credentials, missing blobs, duplicate call ids. Each row runs over loopback — the reference
 * server with a quirk, or a scripted server — and asserts the typed error or the documented
 * recovery: no call lost, no page lost, no defect, no hang.
 */
import type { HttpClient } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect } from "@effect/vitest"
import { Context, Effect, Either, Exit, Layer, Logger, Option, Redacted, type Scope, Stream } from "effect"
import * as Auth from "../../src/jmap/Auth.js"
import * as HttpTransport from "../../src/jmap/HttpTransport.js"
import { IllFormed } from "../../src/jmap/Primitives.js"
import { extractById } from "../../src/jmap/RequestBuilder.js"
import * as SessionService from "../../src/jmap/SessionService.js"
import { ChatServer, type ChatServerOptions } from "../../src/testing/index.js"
import { respond, type SentRequest, SESSION_STATE, start } from "../chat/client/support.js"
import { clientFor } from "../support/Clients.js"
import { json, listen, sessionFor } from "../support/LoopbackServer.js"
import { fails, type Fault, faultTable, observe } from "./support/FaultTable.js"

const { runTable } = faultTable("Peers fault table")

const withHttp = <A, E>(self: Effect.Effect<A, E, Scope.Scope | HttpClient.HttpClient>) =>
  Effect.provide(self, NodeHttpClient.layerUndici)

/** A reference server with `options` and alice's client over real HTTP (batching on). */
const reference = (options: ChatServerOptions = {}) =>
  Effect.gen(function*() {
    const server = yield* ChatServer.make(options)
    const alice = yield* clientFor(server, "alice")
    return { server, alice }
  })

/** The SessionService of one of the reference server's users. */
const sessionOf = (server: ChatServer.Service, name: string) =>
  Layer.build(
    SessionService.layer.pipe(
      Layer.provide(HttpTransport.layer({ url: server.url, auth: Auth.bearer(server.user(name).token) }))
    )
  ).pipe(Effect.map(Context.get(SessionService.SessionService)))

/** Runs `self` and returns what it logged at warning level too. */
const warnings = <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.suspend(() => {
    const logged: Array<string> = []
    const logger = Logger.make(({ logLevel, message }) => {
      if (logLevel._tag === "Warning") logged.push(Array.isArray(message) ? message.join(" ") : String(message))
    })
    return self.pipe(
      Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
      Effect.map((value) => [value, logged] as const)
    )
  })

const ACCOUNT = "A13824"
const ts = "2026-04-26T12:00:00Z"

const message = (id: string, overrides: Record<string, unknown> = {}) => ({
  id,
  senderMsgId: `s-${id}`,
  chatId: "c1",
  senderId: "user:bob@example.com",
  body: `body of ${id}`,
  bodyType: "text/plain",
  attachments: [],
  mentions: [],
  actions: [],
  reactions: {},
  sentAt: ts,
  receivedAt: ts,
  deliveryState: "delivered",
  ...overrides
})

/** Two good messages around one whose `sentAt` is not a UTCDate. */
const pageWithOneBad = [message("m1"), message("m2", { sentAt: "yesterday" }), message("m3")]

// ---------------------------------------------------------------------------------------------
// Limits and batching (RFC 8620 §2, §3.6.1)
// ---------------------------------------------------------------------------------------------

const batchingFaults: ReadonlyArray<Fault> = [
  {
    name: "server advertises a capability it refuses (unknownCapability on the merged request)",
    expected: "each caller re-sent alone: Chat/get answered, Quota/get RequestError(unknownCapability)",
    run: withHttp(Effect.gen(function*() {
      const { alice, server } = yield* reference({
        quirks: { unusableCapabilities: ["urn:ietf:params:jmap:quota"] }
      })
      yield* alice.accountId
      const before = yield* server.faults.requestCount("api")
      const [chats, quota] = yield* Effect.all([alice.Chat.get(), Effect.either(alice.Quota.get())], {
        concurrency: "unbounded"
      })
      expect(chats.list).toEqual([])
      expect(Either.isLeft(quota) && quota.left).toMatchObject({
        _tag: "RequestError",
        type: "urn:ietf:params:jmap:error:unknownCapability"
      })
      expect((yield* server.faults.requestCount("api")) - before).toBe(3)
      return `Chat/get ok; Quota/get ${
        observe(Exit.fail(Option.getOrUndefined(Either.getLeft(quota))))
      }; 3 requests (merged, then each alone)`
    }))
  },
  {
    name: "server enforces a lower maxCallsInRequest than it advertises (limit error on the merged request)",
    expected: "each caller re-sent alone and answered",
    run: withHttp(Effect.gen(function*() {
      const { alice, server } = yield* reference({ quirks: { enforcedMaxCallsInRequest: 1 } })
      yield* alice.accountId
      const before = yield* server.faults.requestCount("api")
      const results = yield* Effect.all([alice.Chat.get(), alice.Space.get(), alice.ChatContact.get()], {
        concurrency: "unbounded"
      })
      expect(results.map((r) => r.invalid)).toEqual([[], [], []])
      expect((yield* server.faults.requestCount("api")) - before).toBe(4)
      return "3 answers; 4 requests (merged, then each alone)"
    }))
  },
  {
    name: "low advertised maxCallsInRequest (2) with 5 concurrent reads",
    expected: "batch split into requests of at most 2 calls; every caller answered",
    run: withHttp(Effect.gen(function*() {
      const { alice, server } = yield* reference({ limits: { maxCallsInRequest: 2 } })
      yield* alice.accountId
      const before = yield* server.faults.requestCount("api")
      const results = yield* Effect.all([
        alice.Chat.get(),
        alice.Space.get(),
        alice.ChatContact.get(),
        alice.CustomEmoji.get(),
        alice.ReadPosition.get()
      ], { concurrency: "unbounded" })
      expect(results).toHaveLength(5)
      const sent = (yield* server.faults.requestCount("api")) - before
      expect(sent).toBe(3)
      return `5 answers in ${sent} requests`
    }))
  },
  {
    name: "request over maxSizeRequest (UTF-8 bytes)",
    expected: "InvalidArgument before any I/O",
    run: withHttp(Effect.gen(function*() {
      const { alice, server } = yield* reference({ limits: { maxSizeRequest: 1000 } })
      yield* alice.accountId
      const before = yield* server.faults.requestCount("api")
      // 400 characters, 1,200 UTF-8 bytes.
      const error = fails("InvalidArgument")(
        yield* Effect.exit(alice.Message.create({ chatId: "c", body: "€".repeat(400) }))
      )
      expect(error.message).toContain("maxSizeRequest")
      expect(yield* server.faults.requestCount("api")).toBe(before)
      return `${error._tag}: ${error.message}; nothing sent`
    }))
  },
  {
    name: "HTTP 413 on a merged request",
    expected: "each caller re-sent alone and answered",
    run: withHttp(Effect.gen(function*() {
      const server = yield* listen((req, res) => {
        if (req.url === "/.well-known/jmap") return json(res, 200, sessionFor(`http://${req.headers.host}`))
        const body = JSON.parse(req.body.toString()) as SentRequest
        if (body.methodCalls.length > 1) return json(res, 413, { type: "about:blank", status: 413 })
        json(res, 200, {
          methodResponses: body.methodCalls.map(([name, args, id]) => [name, { echoed: args }, id]),
          sessionState: SESSION_STATE
        })
      })
      const session = yield* Layer.build(
        SessionService.layer.pipe(Layer.provide(HttpTransport.layer({ url: server.url })))
      ).pipe(Effect.map(Context.get(SessionService.SessionService)))
      const call = (n: number) =>
        session.call({
          using: ["urn:ietf:params:jmap:core", "urn:ietf:params:jmap:chat"],
          methodCalls: [["X/query", { n }, "r1"]]
        })
      const answers = yield* Effect.all([call(1), call(2), call(3)], { concurrency: "unbounded" })
      expect(answers.map((a) => a.methodResponses[0]![1])).toEqual([1, 2, 3].map((n) => ({ echoed: { n } })))
      const api = server.received.filter((r) => r.url === "/api/").length
      expect(api).toBe(4)
      return `3 answers; ${api} requests (merged → 413, then each alone)`
    }))
  }
]

// ---------------------------------------------------------------------------------------------
// Decoding peer data: never lose a page
// ---------------------------------------------------------------------------------------------

const decodingFaults: ReadonlyArray<Fault> = [
  {
    name: "Message/get list with one ill-formed message",
    expected: "the 2 good messages; the bad one in `invalid` with its id; a warning logged",
    run: withHttp(Effect.gen(function*() {
      const { client } = yield* start(() =>
        respond(["Message/get", { accountId: ACCOUNT, state: "s1", list: pageWithOneBad, notFound: [] }])
      )
      const [got, logged] = yield* warnings(client.Message.get({ ids: ["m1", "m2", "m3"] }))
      expect(got.list.map((m) => m.id)).toEqual(["m1", "m3"])
      expect(got.invalid.map((i) => [i.id, i.error.path])).toEqual([["m2", "list[1].sentAt"]])
      expect(logged).toHaveLength(1)
      expect(logged[0]).toContain("Message/get: left out 1 ill-formed object(s)")
      expect(logged[0]).toContain("m2")
      return `list m1, m3; invalid m2 (${got.invalid[0]!.error.message}); 1 warning`
    }))
  },
  {
    name: "Message.list (query + get) with one ill-formed message",
    expected: "ListResult with the good messages and `invalid`",
    run: withHttp(Effect.gen(function*() {
      const { client } = yield* start(() =>
        respond(
          ["Message/query", {
            accountId: ACCOUNT,
            queryState: "q",
            canCalculateChanges: false,
            position: 0,
            ids: ["m1", "m2", "m3"]
          }],
          ["Message/get", { accountId: ACCOUNT, state: "s1", list: pageWithOneBad, notFound: [] }]
        )
      )
      const listed = yield* client.Message.list({ filter: { chatId: "c1" } })
      expect(listed.list.map((m) => m.id)).toEqual(["m1", "m3"])
      expect(listed.invalid.map((i) => i.id)).toEqual(["m2"])
      return "list m1, m3; invalid m2"
    }))
  },
  {
    name: "Message.sync where an updated message is ill-formed",
    expected: "SyncResult with the good ones and `invalid`",
    run: withHttp(Effect.gen(function*() {
      const { client } = yield* start((request) => ({
        methodResponses: [
          ["Message/changes", {
            accountId: ACCOUNT,
            oldState: "s0",
            newState: "s1",
            hasMoreChanges: false,
            created: ["m1"],
            updated: ["m2", "m3"],
            destroyed: []
          }, request.methodCalls[0]![2]],
          ["Message/get", { accountId: ACCOUNT, state: "s1", list: [pageWithOneBad[0]], notFound: [] }, "r2"],
          ["Message/get", { accountId: ACCOUNT, state: "s1", list: pageWithOneBad.slice(1), notFound: [] }, "r3"]
        ],
        sessionState: SESSION_STATE
      }))
      const synced = yield* client.Message.sync({ sinceState: "s0" })
      expect(synced.created.map((m) => m.id)).toEqual(["m1"])
      expect(synced.updated.map((m) => m.id)).toEqual(["m3"])
      expect(synced.invalid.map((i) => i.id)).toEqual(["m2"])
      expect(synced.destroyed).toEqual([])
      return "created m1, updated m3, invalid m2"
    }))
  },
  {
    name: "Message/set created entry that does not fit the type",
    expected: "Message.send fails with the entry's ParseError (not UnexpectedResponse); raw create reports `invalid`",
    run: withHttp(Effect.gen(function*() {
      const { client } = yield* start((request) => {
        const created = Object.keys(request.methodCalls[0]![1]["create"] as object)[0]!
        return respond(["Message/set", {
          accountId: ACCOUNT,
          newState: "s2",
          created: { [created]: { id: "m9", receivedAt: 12 } }
        }])
      })
      const raw = yield* client.Message.create({ clientId: "k1", chatId: "c1", body: "hi" })
      expect(raw.created).toEqual({})
      expect(raw.invalid.map((i) => [i.id, i.error.path])).toEqual([["k1", "created.k1.receivedAt"]])
      const error = fails("ParseError", { path: "created.k1.receivedAt" })(
        yield* Effect.exit(client.Message.send({ clientId: "k1", chatId: "c1", body: "hi" }))
      )
      return `raw: invalid k1; send: ${error._tag}: ${error.message}`
    }))
  },
  {
    name: "peer's MessageAction with malformed metadata and an odd expiresAt",
    expected: "the Message decodes; the action keeps type and uri, the odd values under IllFormed",
    run: withHttp(Effect.gen(function*() {
      const action = { type: "urn:jmap:chat:cap:vtc", uri: "https://meet.example/r", expiresAt: "soon", metadata: 42 }
      const { client } = yield* start(() =>
        respond(["Message/get", {
          accountId: ACCOUNT,
          state: "s1",
          list: [message("m1", { actions: [action] })],
          notFound: []
        }])
      )
      const got = yield* client.Message.get({ ids: ["m1"] })
      expect(got.invalid).toEqual([])
      const kept = got.list[0]!.actions[0]!
      expect([kept.type, kept.uri, kept.expiresAt, kept.metadata]).toEqual([
        action.type,
        action.uri,
        undefined,
        undefined
      ])
      expect(kept[IllFormed]).toEqual({ expiresAt: "soon", metadata: 42 })
      return "message kept; action metadata and expiresAt ignored (raw under IllFormed)"
    }))
  },
  {
    name: "ChatContact endpoint whose metadata is an array",
    expected: "the contact decodes; the endpoint without metadata",
    run: withHttp(Effect.gen(function*() {
      const contact = {
        id: "user:bob@example.com",
        login: "bob",
        firstSeenAt: ts,
        lastSeenAt: ts,
        blocked: false,
        endpoints: [{ type: "urn:jmap:chat:cap:payment", uri: "lightning:bob", metadata: ["BTC"] }]
      }
      const { client } = yield* start(() =>
        respond(["ChatContact/get", { accountId: ACCOUNT, state: "s1", list: [contact], notFound: [] }])
      )
      const got = yield* client.ChatContact.get()
      expect(got.list.map((c) => c.id)).toEqual([contact.id])
      expect(got.list[0]!.endpoints?.[0]?.metadata).toBeUndefined()
      return "contact kept; endpoint metadata ignored"
    }))
  },
  {
    name: "rateLimited SetError with type and description only (as the draft defines it)",
    expected: "RateLimited with an unknown retry time",
    run: withHttp(Effect.gen(function*() {
      const { client } = yield* start((request) => {
        const created = Object.keys(request.methodCalls[0]![1]["create"] as object)[0]!
        return respond(["Message/set", {
          accountId: ACCOUNT,
          notCreated: { [created]: { type: "rateLimited", description: "slow mode" } }
        }])
      })
      const error = fails("RateLimited")(yield* Effect.exit(client.Message.send({ chatId: "c1", body: "hi" })))
      expect(error).not.toHaveProperty("retryAfter")
      expect(error).not.toHaveProperty("serverRetryAfter")
      return `${error._tag}: ${error.message}`
    }))
  },
  {
    name: "response with a duplicate call id, read by call id (seed row 26)",
    expected: "ParseError naming the call id",
    run: withHttp(Effect.gen(function*() {
      const { session } = yield* start(() => ({
        methodResponses: [["Core/echo", { a: 1 }, "c0"], ["Core/echo", { a: 2 }, "c0"]],
        sessionState: SESSION_STATE
      }))
      const response = yield* session.call({ using: [], methodCalls: [["Core/echo", { a: 1 }, "c0"]] })
      const error = fails("ParseError")(yield* Effect.exit(extractById(response)))
      expect(error.message).toContain("duplicate call id \"c0\"")
      return `${error._tag}: ${error.message}`
    }))
  }
]

// ---------------------------------------------------------------------------------------------
// Caller input, secrets and errors
// ---------------------------------------------------------------------------------------------

const inputFaults: ReadonlyArray<Fault> = [
  {
    name: "vendor extension property in a create input, refused by the server",
    expected: "the property is sent; invalidProperties arrives as SetFailed",
    run: withHttp(Effect.gen(function*() {
      const { client, sent } = yield* start((request) => {
        const created = Object.keys(request.methodCalls[0]![1]["create"] as object)[0]!
        return respond(["Message/set", {
          accountId: ACCOUNT,
          notCreated: { [created]: { type: "invalidProperties", properties: ["com.example:x"] } }
        }])
      })
      const error = fails("SetFailed", { type: "invalidProperties", properties: ["com.example:x"] })(
        yield* Effect.exit(client.Message.send({ chatId: "c1", body: "hi", "com.example:x": { level: 1 } }))
      )
      const create = Object.values(sent()[0]!.methodCalls[0]![1]["create"] as object)[0]
      expect(create).toMatchObject({ "com.example:x": { level: 1 } })
      return `sent "com.example:x"; ${error._tag}: ${error.message}`
    }))
  },
  {
    name: "vendor extension in an update patch",
    expected: "the property is sent with the patch",
    run: withHttp(Effect.gen(function*() {
      const { client, sent } = yield* start((request) => {
        const [, args] = request.methodCalls[0]!
        const id = Object.keys(args["update"] as object)[0]!
        return respond(["Chat/set", { accountId: ACCOUNT, updated: { [id]: null } }])
      })
      yield* client.Chat.update({ id: "c1", patch: { muted: true, "com.example:pinned": 3 } })
      expect(sent()[0]!.methodCalls[0]![1]["update"]).toEqual({ c1: { muted: true, "com.example:pinned": 3 } })
      return "patch sent with \"com.example:pinned\""
    }))
  },
  {
    name: "Basic credentials outside Latin-1 against a UTF-8 server",
    expected: "base64 of UTF-8 accepted; session fetched",
    run: withHttp(Effect.gen(function*() {
      const server = yield* ChatServer.make({ users: [{ name: "zoë", login: "zoë@例え.jp", password: "пароль🔑" }] })
      const transport = yield* HttpTransport.make({ url: server.url, auth: Auth.basic("zoë@例え.jp", "пароль🔑") })
      const { session } = yield* transport.fetchSession
      expect(session.username).toBe("zoë@例え.jp")
      return `session of ${session.username}`
    }))
  },
  {
    name: "blob download of an unknown blob (404)",
    expected: "BlobNotFound with the blob id, from download and downloadStream; other statuses stay HttpError",
    run: withHttp(Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const session = yield* sessionOf(server, "alice")
      const accountId = server.user("alice").accountId
      const options = { accountId, blobId: "Bnope", name: "a.txt" }
      const buffered = fails("BlobNotFound", { blobId: "Bnope", accountId })(
        yield* Effect.exit(session.download(options))
      )
      fails("BlobNotFound", { blobId: "Bnope" })(yield* Effect.exit(Stream.runDrain(session.downloadStream(options))))
      yield* server.faults.failNext(1, { status: 400, endpoint: "download" })
      fails("HttpError", { status: 400 })(yield* Effect.exit(session.download(options)))
      return `${buffered._tag}: ${buffered.message}`
    }))
  },
  {
    name: "SpaceInvite created over the reference server",
    expected: "code is Redacted in the decoded invite, and still joins",
    run: withHttp(Effect.gen(function*() {
      const { alice, server } = yield* reference()
      const bob = yield* clientFor(server, "bob")
      const space = yield* alice.Space.createOne({ name: "Ops" })
      const invite = yield* alice.SpaceInvite.createOne({ spaceId: space.id })
      expect(Redacted.isRedacted(invite.code)).toBe(true)
      expect(JSON.stringify(invite)).not.toContain(Redacted.value(invite.code))
      const joined = yield* bob.Space.join({ inviteCode: invite.code })
      expect(joined.spaceId).toBe(space.id)
      return "code <redacted>; join ok"
    }))
  }
]

describe("peers", () => {
  runTable([...batchingFaults, ...decodingFaults, ...inputFaults])
})
