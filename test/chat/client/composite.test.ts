/**
 * What the client adds over the wire methods: single-object forms, `list` (query + get with a result
 * reference), `batch`, delta `sync`, ULID creation ids, spans, and running over any transport
 * (`makeWith`).
 */
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it, layer } from "@effect/vitest"
import { Context, Effect, Either, Layer, Tracer } from "effect"
import { ChatClient, makeWith } from "../../../src/chat/ChatClient.js"
import * as HttpTransport from "../../../src/jmap/HttpTransport.js"
import * as SessionService from "../../../src/jmap/SessionService.js"
import type { JmapRequest } from "../../../src/jmap/Wire.js"
import { json, listen, type LoopbackServer, sessionFor } from "../../support/LoopbackServer.js"
import {
  ACCOUNT,
  CORE,
  echoEach,
  fixture,
  haveFixtures,
  respond,
  type SentRequest,
  SESSION_STATE,
  start,
  USING_CHAT
} from "./support.js"

const ts = "2024-01-01T10:00:00Z"
const ulidPattern = /^[0-9A-HJKMNP-TV-Z]{26}$/

const chat = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  kind: "group",
  name: `chat ${id}`,
  createdAt: ts,
  unreadCount: 0,
  pinnedMessageIds: [],
  muted: false,
  ...extra
})

const byMethod = (answers: Record<string, (args: Record<string, any>, callId: string) => unknown>) =>
  echoEach((name, args, callId) => {
    const answer = answers[name]
    return answer === undefined ? ["error", { type: "unknownMethod" }] : [name, answer(args, callId)]
  })

layer(NodeHttpClient.layerUndici, { excludeTestServices: true })("single-object forms", (it) => {
  it.scoped("Message.send merges the input with the server-set properties (one request, ULID creation id)", () =>
    Effect.gen(function*() {
      const { client, sent } = yield* start((request) => {
        const cid = Object.keys(request.methodCalls[0]![1]["create"])[0]!
        return respond(["Message/set", {
          accountId: ACCOUNT,
          newState: "s2",
          created: { [cid]: { id: "m1", senderMsgId: "m1", receivedAt: ts, deliveryState: "pending" } }
        }])
      })
      const message = yield* client.Message.send({ chatId: "c1", body: "hello", sentAt: ts })
      expect(message).toEqual({
        id: "m1",
        senderMsgId: "m1",
        chatId: "c1",
        senderId: "self",
        body: "hello",
        bodyType: "text/plain",
        attachments: [],
        mentions: [],
        broadcastMentions: [],
        actions: [],
        reactions: {},
        sentAt: ts,
        receivedAt: ts,
        deliveryState: "pending"
      })
      expect(sent()).toHaveLength(1)
      expect(Object.keys(sent()[0]!.methodCalls[0]![1]["create"])[0]).toMatch(ulidPattern)
    }))

  it.scoped.skipIf(!haveFixtures)(
    "Message.send fetches the message when the server echoes too little",
    () =>
      Effect.gen(function*() {
        const { client, sent } = yield* start((request) =>
          request.methodCalls[0]![0] === "Message/set"
            ? fixture("message_create_response")
            : fixture("message_get_response")
        )
        const message = yield* client.Message.send({
          clientId: "client-ulid-001",
          chatId: "01HV5Z6QKWJ7N3P8R2X4YTMD3G",
          body: "Hello, world!"
        })
        expect(message.deliveryState).toBe("delivered")
        expect(sent().map((r) => r.methodCalls[0])).toEqual([
          ["Message/set", expect.anything(), "r1"],
          ["Message/get", { accountId: ACCOUNT, ids: ["01HV5Z6QKWJ7N3P8R2X4YTMD42"] }, "r1"]
        ])
      })
  )

  it.scoped.skipIf(!haveFixtures)(
    "Chat.createOne: a group chat from the fixture's server-set properties",
    () =>
      Effect.gen(function*() {
        const { client, sent } = yield* start(() => fixture("chat_set_create_group_response"))
        const created = yield* client.Chat.createOne({
          kind: "group",
          name: "Eng",
          memberIds: ["user:a"],
          clientId: "client-group-001"
        })
        expect(created).toMatchObject({
          id: "01HV5Z6QKWJ7N3P8R2X4YTMDBB",
          kind: "group",
          name: "Eng",
          unreadCount: 0,
          muted: false
        })
        expect(created).not.toHaveProperty("memberIds")
        expect(sent()).toHaveLength(1)
      })
  )

  it.scoped("Chat.createOne: an existing direct chat (alreadyExists or in updated) is fetched and returned", () =>
    Effect.gen(function*() {
      const { client, sent, setAnswer } = yield* start(byMethod({
        "Chat/set": () => ({ accountId: ACCOUNT, notCreated: { d: { type: "alreadyExists", existingId: "c-old" } } }),
        "Chat/get": (args) => ({
          accountId: ACCOUNT,
          state: "s",
          list: [chat(args["ids"][0], { kind: "direct" })],
          notFound: []
        })
      }))
      const existing = yield* client.Chat.createOne({ kind: "direct", contactId: "user:bob", clientId: "d" })
      expect(existing.id).toBe("c-old")
      setAnswer(byMethod({
        "Chat/set": () => ({ accountId: ACCOUNT, updated: { "c-dedup": null } }),
        "Chat/get": (args) => ({
          accountId: ACCOUNT,
          state: "s",
          list: [chat(args["ids"][0], { kind: "direct" })],
          notFound: []
        })
      }))
      const deduplicated = yield* client.Chat.createOne({ kind: "direct", contactId: "user:bob", clientId: "d" })
      expect(deduplicated.id).toBe("c-dedup")
      expect(sent().map((r) => r.methodCalls[0]![0])).toEqual(["Chat/set", "Chat/get", "Chat/set", "Chat/get"])
    }))

  it.scoped("updateOne sends /set and /get in one request and returns the object as updated", () =>
    Effect.gen(function*() {
      const { client, sent } = yield* start(byMethod({
        "Chat/set": () => ({ accountId: ACCOUNT, updated: { c1: null } }),
        "Chat/get": () => ({ accountId: ACCOUNT, state: "s2", list: [chat("c1", { muted: true })], notFound: [] })
      }))
      const updated = yield* client.Chat.updateOne({ id: "c1", patch: { muted: true } })
      expect(updated.muted).toBe(true)
      expect(sent()).toEqual([{
        using: USING_CHAT,
        methodCalls: [
          ["Chat/set", { accountId: ACCOUNT, update: { c1: { muted: true } } }, "r1"],
          ["Chat/get", { accountId: ACCOUNT, ids: ["c1"] }, "r2"]
        ]
      }])
    }))

  it.scoped("PushSubscription single-object forms work without an account", () =>
    Effect.gen(function*() {
      const { client, sent } = yield* start(byMethod({
        "PushSubscription/set": (args) =>
          args["create"]
            ? { created: { [Object.keys(args["create"])[0]!]: { id: "push-1", expires: ts } } }
            : args["update"]
            ? { updated: { "push-1": null } }
            : { destroyed: ["push-1"] },
        "PushSubscription/get": () => ({
          list: [{ id: "push-1", deviceClientId: "dev", types: ["Message"] }],
          notFound: []
        })
      }))
      const created = yield* client.PushSubscription.createOne({ deviceClientId: "dev", url: "https://push.example/x" })
      expect(created).toEqual({ id: "push-1", deviceClientId: "dev", url: "https://push.example/x", expires: ts })
      const updated = yield* client.PushSubscription.updateOne({ id: "push-1", patch: { types: ["Message"] } })
      expect(updated.types).toEqual(["Message"])
      yield* client.PushSubscription.destroyOne({ id: "push-1" })
      expect(sent().every((r) => r.methodCalls.every(([, args]) => !("accountId" in args)))).toBe(true)
      expect(sent().map((r) => r.using)).toEqual([[CORE], [CORE], [CORE]])
    }))
})

layer(NodeHttpClient.layerUndici, { excludeTestServices: true })("list and batch", (it) => {
  it.scoped.skipIf(!haveFixtures)(
    "Message.list is Message/query then Message/get #ids in one request",
    () =>
      Effect.gen(function*() {
        const { client, sent } = yield* start(byMethod({
          "Message/query": () => ({
            accountId: ACCOUNT,
            queryState: "q1",
            canCalculateChanges: true,
            position: 0,
            ids: ["m1", "m2"],
            total: 2
          }),
          "Message/get": () => ({
            accountId: ACCOUNT,
            state: "s1",
            list: [fixture("message_get_response").methodResponses[0][1].list[0]],
            notFound: ["m2"]
          })
        }))
        const result = yield* client.Message.list({ filter: { chatId: "c1" }, limit: 2 })
        expect(sent()).toEqual([{
          using: USING_CHAT,
          methodCalls: [
            ["Message/query", {
              accountId: ACCOUNT,
              filter: { chatId: "c1" },
              sort: [{ property: "sentAt", isAscending: false }],
              limit: 2
            }, "r1"],
            [
              "Message/get",
              { accountId: ACCOUNT, "#ids": { resultOf: "r1", name: "Message/query", path: "/ids" } },
              "r2"
            ]
          ]
        }])
        expect(result.query.ids).toEqual(["m1", "m2"])
        expect(result.list.map((m) => m.body)).toEqual(["Hello, world!"])
        expect(result.notFound).toEqual(["m2"])
        expect(result.state).toBe("s1")
      })
  )

  it.scoped("a failed query fails list with its MethodError", () =>
    Effect.gen(function*() {
      const { client } = yield* start(echoEach((name) =>
        name === "Space/query"
          ? ["error", { type: "unsupportedFilter" }]
          : ["error", { type: "invalidResultReference" }]
      ))
      const error = yield* Effect.flip(client.Space.list({ filter: { name: "x" } }))
      expect(error).toMatchObject({ _tag: "MethodError", type: "unsupportedFilter", method: "Space/query" })
    }))

  it.scoped("batch: several methods in one request, each result on its own", () =>
    Effect.gen(function*() {
      const { client, sent } = yield* start(byMethod({
        "Chat/get": () => ({ accountId: ACCOUNT, state: "s", list: [chat("c1")], notFound: [] }),
        "Message/query": () => ({
          accountId: ACCOUNT,
          queryState: "q",
          canCalculateChanges: false,
          position: 0,
          ids: ["m1"]
        }),
        "Blob/lookup": () => ({ accountId: ACCOUNT, list: [] }),
        "PushSubscription/get": () => ({ list: [], notFound: [] })
      }))
      const results = yield* client.batch((b) => {
        const chats = b.Chat.get({ ids: ["c1"] })
        const messages = b.Message.query({ filter: { chatId: "c1" } })
        const fetched = b.Message.get({ ids: messages.ref("/ids") })
        return { chats, messages, fetched, blobs: b.Blob.lookup({ ids: ["b1"] }), push: b.PushSubscription.get() }
      })
      expect(sent()).toHaveLength(1)
      expect(sent()[0]!.using).toEqual([CORE, "urn:ietf:params:jmap:chat", "urn:ietf:params:jmap:blob2"])
      expect(sent()[0]!.methodCalls.map(([name, args, id]) => [name, "accountId" in args, id])).toEqual([
        ["Chat/get", true, "r1"],
        ["Message/query", true, "r2"],
        ["Message/get", true, "r3"],
        ["Blob/lookup", true, "r4"],
        ["PushSubscription/get", false, "r5"]
      ])
      expect(sent()[0]!.methodCalls[2]![1]["#ids"]).toEqual({ resultOf: "r2", name: "Message/query", path: "/ids" })
      expect(Either.getOrThrow(results.chats).list[0]!.name).toBe("chat c1")
      expect(Either.getOrThrow(results.messages).ids).toEqual(["m1"])
      expect(Either.getOrThrow(results.blobs).notFound).toEqual([])
      expect(Either.getOrThrow(results.push).list).toEqual([])
      // The server does not know Message/get here: that call alone failed.
      const failed = Either.flip(results.fetched).pipe(Either.getOrThrow)
      expect(failed).toMatchObject({ _tag: "MethodError", type: "unknownMethod", callId: "r3" })
    }))

  it.scoped("batch results can be a tuple", () =>
    Effect.gen(function*() {
      const { client } = yield* start(byMethod({
        "Chat/typing": () => ({ accountId: ACCOUNT }),
        "Space/join": () => ({ accountId: ACCOUNT, spaceId: "sp" })
      }))
      const [typing, joined] = yield* client.batch((b) =>
        [b.Chat.typing({ chatId: "c", typing: true }), b.Space.join({ spaceId: "sp" })] as const
      )
      expect(Either.getOrThrow(typing)).toEqual({ accountId: ACCOUNT })
      expect(Either.getOrThrow(joined).spaceId).toBe("sp")
    }))
})

/** A scripted Chat/changes + Chat/get server: `pages[sinceState]` says what changed. */
const changesServer = (
  pages: Record<
    string,
    { newState: string; more?: boolean; created?: Array<string>; updated?: Array<string>; destroyed?: Array<string> }
  >,
  version: Record<string, number> = {},
  gone: ReadonlySet<string> = new Set()
) =>
(request: SentRequest) => {
  const [, changesArgs] = request.methodCalls[0]!
  if (request.methodCalls[0]![0] === "Chat/get") {
    return respond(["Chat/get", { accountId: ACCOUNT, state: "full", list: [], notFound: [] }])
  }
  if (request.methodCalls[0]![0] === "Chat/query") {
    return respond(
      ["Chat/query", {
        accountId: ACCOUNT,
        queryState: "q",
        canCalculateChanges: true,
        position: 0,
        ids: ["all-1", "all-2"],
        total: 2
      }],
      ["Chat/get", { accountId: ACCOUNT, state: "later", list: [chat("all-1"), chat("all-2")], notFound: [] }]
    )
  }
  const page = pages[changesArgs["sinceState"]]
  if (page === undefined) {
    return {
      methodResponses: [
        ["error", { type: "cannotCalculateChanges" }, "r1"],
        ["error", { type: "invalidResultReference" }, "r2"],
        ["error", { type: "invalidResultReference" }, "r3"]
      ],
      sessionState: SESSION_STATE
    }
  }
  const fetch = (ids: Array<string>) => ({
    accountId: ACCOUNT,
    state: page.newState,
    list: ids.filter((id) => !gone.has(id)).map((id) => chat(id, { unreadCount: version[id] ?? 0 })),
    notFound: ids.filter((id) => gone.has(id))
  })
  return respond(
    ["Chat/changes", {
      accountId: ACCOUNT,
      oldState: changesArgs["sinceState"],
      newState: page.newState,
      hasMoreChanges: page.more ?? false,
      created: page.created ?? [],
      updated: page.updated ?? [],
      destroyed: page.destroyed ?? []
    }],
    ["Chat/get", fetch(page.created ?? [])],
    ["Chat/get", fetch(page.updated ?? [])]
  )
}

layer(NodeHttpClient.layerUndici, { excludeTestServices: true })("sync", (it) => {
  it.scoped("one page: /changes with the created and updated objects fetched in the same request", () =>
    Effect.gen(function*() {
      const { client, sent } = yield* start(
        changesServer({ s0: { newState: "s1", created: ["c1"], updated: ["c2"], destroyed: ["c3"] } })
      )
      const result = yield* client.Chat.sync({ sinceState: "s0", maxChanges: 100 })
      expect(sent()).toEqual([{
        using: USING_CHAT,
        methodCalls: [
          ["Chat/changes", { accountId: ACCOUNT, sinceState: "s0", maxChanges: 100 }, "r1"],
          [
            "Chat/get",
            { accountId: ACCOUNT, "#ids": { resultOf: "r1", name: "Chat/changes", path: "/created" } },
            "r2"
          ],
          ["Chat/get", { accountId: ACCOUNT, "#ids": { resultOf: "r1", name: "Chat/changes", path: "/updated" } }, "r3"]
        ]
      }])
      expect(result).toMatchObject({
        oldState: "s0",
        newState: "s1",
        destroyed: ["c3"],
        fullResync: false,
        requests: 1
      })
      expect(result.created.map((c) => c.id)).toEqual(["c1"])
      expect(result.updated.map((c) => c.id)).toEqual(["c2"])
    }))

  it.scoped("drains hasMoreChanges and merges the pages", () =>
    Effect.gen(function*() {
      const version: Record<string, number> = { c1: 1 }
      const server = changesServer(
        {
          s0: { newState: "s1", more: true, created: ["c1", "c4"], updated: ["c2"], destroyed: ["c0"] },
          s1: { newState: "s2", created: ["c5"], updated: ["c1", "c2", "c6"], destroyed: ["c4"] }
        },
        version,
        new Set(["c6"])
      )
      const { client, sent } = yield* start((request) => {
        if (request.methodCalls[0]![1]["sinceState"] === "s1") version["c1"] = 2
        return server(request)
      })
      const result = yield* client.Chat.sync({ sinceState: "s0" })
      expect(sent().map((r) => r.methodCalls[0]![1]["sinceState"])).toEqual(["s0", "s1"])
      expect(result.newState).toBe("s2")
      expect(result.created.map((c) => [c.id, c.unreadCount])).toEqual([["c1", 2], ["c5", 0]])
      expect(result.updated.map((c) => c.id)).toEqual(["c2"])
      // c4 was created and destroyed within the sync; c6 vanished before it could be fetched.
      expect(result.destroyed).toEqual(["c0", "c6"])
      expect(result.requests).toBe(2)
    }))

  it.scoped("cannotCalculateChanges lists every object again (the state first, then /query pages) and says so", () =>
    Effect.gen(function*() {
      const { client, sent } = yield* start(changesServer({}))
      const result = yield* client.Chat.sync({ sinceState: "too-old" })
      expect(result).toMatchObject({
        oldState: "too-old",
        newState: "full",
        fullResync: true,
        updated: [],
        destroyed: [],
        requests: 3
      })
      expect(result.created.map((c) => c.id)).toEqual(["all-1", "all-2"])
      expect(sent()[1]!.methodCalls).toEqual([["Chat/get", { accountId: ACCOUNT, ids: [] }, "r1"]])
      expect(sent()[2]!.methodCalls).toEqual([
        ["Chat/query", { accountId: ACCOUNT, filter: null, calculateTotal: true }, "r1"],
        ["Chat/get", { accountId: ACCOUNT, "#ids": { resultOf: "r1", name: "Chat/query", path: "/ids" } }, "r2"]
      ])
    }))

  it.scoped("hasMoreChanges without a new state is an UnexpectedResponse, not a loop", () =>
    Effect.gen(function*() {
      const { client } = yield* start(changesServer({ s0: { newState: "s0", more: true } }))
      const error = yield* Effect.flip(client.Chat.sync({ sinceState: "s0" }))
      expect(error).toMatchObject({ _tag: "UnexpectedResponse" })
    }))

  it.scoped("other method errors of /changes fail the sync", () =>
    Effect.gen(function*() {
      const { client } = yield* start(echoEach(() => ["error", { type: "forbidden" }]))
      const error = yield* Effect.flip(client.Message.sync({ sinceState: "s0" }))
      expect(error).toMatchObject({ _tag: "MethodError", type: "forbidden", method: "Message/changes" })
    }))
})

describe("makeWith: any transport", () => {
  it.effect("runs over a plain call function, with a fixed account id", () =>
    Effect.gen(function*() {
      const requests: Array<JmapRequest> = []
      const client = makeWith({
        call: (request) =>
          Effect.sync(() => {
            requests.push(request)
            return { methodResponses: [["Chat/typing", { accountId: "acc" }, "r1"]], sessionState: "x" }
          }),
        accountId: "acc"
      })
      const typed = yield* client.Chat.typing({ chatId: "c", typing: true })
      expect(typed).toEqual({ accountId: "acc" })
      expect(requests).toEqual([{
        using: USING_CHAT,
        methodCalls: [["Chat/typing", { accountId: "acc", chatId: "c", typing: true }, "r1"]]
      }])
      const noBlobs = yield* Effect.flip(client.Blob.upload({ contentType: "text/plain", body: new Uint8Array(1) }))
      expect(noBlobs).toMatchObject({
        _tag: "InvalidArgument",
        description: "Blob.upload: this client has no blob transport"
      })
      expect(yield* client.accountId).toBe("acc")
    }))

  it.effect("creation ids are ULIDs unless the caller gives a non-empty one", () =>
    Effect.gen(function*() {
      const ids: Array<string> = []
      const client = makeWith({
        call: (request) =>
          Effect.sync(() => {
            ids.push(Object.keys(request.methodCalls[0]![1]["create"] as object)[0]!)
            return { methodResponses: [["Space/set", { accountId: "acc" }, "r1"]], sessionState: "x" }
          }),
        accountId: Effect.succeed("acc")
      })
      yield* client.Space.create({ name: "a" })
      yield* client.Space.create({ name: "b", clientId: "" })
      yield* client.Space.create({ name: "c", clientId: "mine" })
      expect(ids[0]).toMatch(ulidPattern)
      expect(ids[1]).toMatch(ulidPattern)
      expect(ids[0]).not.toBe(ids[1])
      expect(ids[2]).toBe("mine")
    }))

  it.effect("every method has a span named after it", () =>
    Effect.gen(function*() {
      const names: Array<string> = []
      const base = yield* Effect.tracer
      const tracer = Tracer.make({
        span: (name, ...rest) => {
          names.push(name)
          return base.span(name, ...rest)
        },
        context: base.context
      })
      const client = makeWith({
        call: () => Effect.succeed({ methodResponses: [["error", { type: "serverFail" }, "r1"]], sessionState: "x" }),
        accountId: "acc"
      })
      yield* Effect.ignore(client.Message.get({ ids: ["m"] })).pipe(Effect.withTracer(tracer))
      yield* Effect.ignore(client.Chat.list()).pipe(Effect.withTracer(tracer))
      yield* Effect.ignore(client.Space.createOne({ name: "s" })).pipe(Effect.withTracer(tracer))
      expect(names).toEqual(["ChatClient.Message.get", "ChatClient.Chat.list", "ChatClient.Space.createOne"])
    }))

  it.effect("an effect re-prepares on every run (fresh creation id each time)", () =>
    Effect.gen(function*() {
      const ids: Array<string> = []
      const client = makeWith({
        call: (request) =>
          Effect.sync(() => {
            ids.push(Object.keys(request.methodCalls[0]![1]["create"] as object)[0]!)
            return { methodResponses: [["Message/set", { accountId: "acc" }, "r1"]], sessionState: "x" }
          }),
        accountId: "acc"
      })
      const send = client.Message.create({ chatId: "c", body: "b" })
      yield* send
      yield* send
      expect(new Set(ids).size).toBe(2)
    }))
})

layer(NodeHttpClient.layerUndici, { excludeTestServices: true })("with SessionService defaults", (it) => {
  it.scoped("ChatClient.layer works over the default (batching) SessionService", () =>
    Effect.gen(function*() {
      const server: LoopbackServer = yield* listen((req, res) => {
        if (req.url === "/.well-known/jmap") return json(res, 200, sessionFor(server.url))
        const body = JSON.parse(req.body.toString()) as SentRequest
        json(res, 200, {
          methodResponses: body.methodCalls.map(([name, , callId]) =>
            name === "Chat/query"
              ? [
                name,
                { accountId: ACCOUNT, queryState: "q", canCalculateChanges: true, position: 0, ids: ["c1"] },
                callId
              ]
              : [name, { accountId: ACCOUNT, state: "s", list: [chat("c1")], notFound: [] }, callId]
          ),
          sessionState: SESSION_STATE
        })
      })
      const client = yield* Layer.build(
        ChatClient.layer.pipe(
          Layer.provide(SessionService.layer),
          Layer.provide(HttpTransport.layer({ url: server.url }))
        )
      ).pipe(Effect.map(Context.get(ChatClient)))
      const [listed, got] = yield* Effect.all([client.Chat.list(), client.Chat.get({ ids: ["c1"] })], {
        concurrency: 2
      })
      expect(listed.list.map((c) => c.id)).toEqual(["c1"])
      expect(got.list.map((c) => c.id)).toEqual(["c1"])
    }))
})
