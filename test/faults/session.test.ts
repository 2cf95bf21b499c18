/**
 * Fault table for real servers' Sessions and URLs, and for WebSocket peers that keep a socket alive
 * but misbehave on it (issue 11, part A): Session resource URLs with a path, host-less WebSocket
 * URLs, failing Session refreshes, `dataTypes: null` read as "nothing", unanswered WebSocket calls,
 * runs of non-text frames (seed row 68), raw text sends (row 72), and tokens in Session URLs.
 *
 * Servers: the reference server with a `quirks` option where it can play the part, else a scripted
 * HTTP or WebSocket server on loopback. Rows that wait for a deadline drive a `TestClock`.
 */
import { describe, expect } from "@effect/vitest"
import {
  Context,
  Duration,
  Effect,
  type Exit,
  Fiber,
  Inspectable,
  Layer,
  Option,
  Queue,
  Schedule,
  Stream,
  TestClock,
  TestContext
} from "effect"
import { inspect } from "node:util"
import * as ChatClient from "../../src/chat/ChatClient.js"
import * as ChatPush from "../../src/chat/push/ChatPush.js"
import type * as ChatWsFrame from "../../src/chat/push/ChatWsFrame.js"
import * as Auth from "../../src/jmap/Auth.js"
import * as HttpTransport from "../../src/jmap/HttpTransport.js"
import * as WebSocketSession from "../../src/jmap/push/WebSocketSession.js"
import * as SessionService from "../../src/jmap/SessionService.js"
import type { JmapRequest } from "../../src/jmap/Wire.js"
import * as NodeChat from "../../src/node/NodeChat.js"
import * as NodeHttp from "../../src/node/NodeHttp.js"
import * as NodeWebSocket from "../../src/node/NodeWebSocket.js"
import { ChatServer, type ServerQuirks } from "../../src/testing/index.js"
import { awaitSleepWithin, eventually } from "../push/support/clock.js"
import { echoResponse, serveWs, type WsConnection } from "../push/support/WsServer.js"
import { json, listen, sessionFor } from "../support/LoopbackServer.js"
import { fails, type Fault, faultTable, observe } from "./support/FaultTable.js"

const { runTable } = faultTable("Session, URL and WebSocket-call fault table")

const echo = (tag: string): JmapRequest => ({
  using: ["urn:ietf:params:jmap:core"],
  methodCalls: [["Core/echo", { tag }, "c0"]]
})

const tagOf = (
  response: { readonly methodResponses: ReadonlyArray<readonly [string, Record<string, unknown>, string]> }
) => response.methodResponses[0]?.[1]["tag"]

/** The whole Node client stack for `user` of a reference server, reached through `url`. */
const stack = (server: ChatServer.Service, options: Partial<NodeChat.Options> & { readonly user?: string } = {}) =>
  Effect.map(
    Layer.build(NodeChat.layer({
      url: server.url,
      auth: Auth.bearer(server.user(options.user ?? "bob").token),
      ...options
    })),
    (context) => ({
      client: Context.get(context, ChatClient.ChatClient),
      push: Context.get(context, ChatPush.ChatPush),
      session: Context.get(context, SessionService.SessionService)
    })
  )

/** A reference server with `quirks`, and bob's client stack on it. */
const quirky = (quirks: ServerQuirks, client: Partial<NodeChat.Options> = {}) =>
  Effect.gen(function*() {
    const server = yield* ChatServer.make({ quirks })
    return { server, ...(yield* stack(server, client)) }
  })

const sessionPaths = (server: ChatServer.Service) =>
  Effect.map(server.faults.requests, (all) => all.filter((r) => r.endpoint === "session").map((r) => r.path))

const fast = Schedule.spaced("20 millis").pipe(Schedule.intersect(Schedule.recurs(20)))

// ---------------------------------------------------------------------------------------------
// Session resource URLs (RFC 8620 §2, §2.2)
// ---------------------------------------------------------------------------------------------

const sessionFaults: ReadonlyArray<Fault> = [
  {
    name: "Session: origin given, /.well-known/jmap redirects (307) to /jmap/session",
    expected: "discovery follows the redirect with credentials (same origin); calls work",
    run: Effect.gen(function*() {
      const { client, server, session } = yield* quirky({ sessionPath: "/jmap/session" })
      yield* client.Chat.query({})
      expect(yield* sessionPaths(server)).toEqual(["/.well-known/jmap", "/jmap/session"])
      expect(yield* session.sessionUrl).toBe(`${server.url}/jmap/session`)
      return "GET /.well-known/jmap → 307 → GET /jmap/session (authenticated); Chat/query ok"
    })
  },
  {
    name: "Session: the Session resource URL itself given (https://host/jmap/session)",
    expected: "fetched directly, no discovery request; calls work",
    run: Effect.gen(function*() {
      const server = yield* ChatServer.make({ quirks: { sessionPath: "/jmap/session" } })
      const { client, session } = yield* stack(server, { url: `${server.url}/jmap/session` })
      yield* client.Chat.query({})
      expect(yield* sessionPaths(server)).toEqual(["/jmap/session"])
      expect(session.transport.origin).toBe(server.url)
      return "one GET /jmap/session; Chat/query ok"
    })
  },
  {
    name: "Session: https://host/.well-known/jmap given",
    expected: "fetched directly, once",
    run: Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const { client } = yield* stack(server, { url: server.sessionUrl })
      yield* client.Chat.query({})
      expect(yield* sessionPaths(server)).toEqual(["/.well-known/jmap"])
      return "one GET /.well-known/jmap; Chat/query ok"
    })
  },
  {
    name: "Session: the Session URL's path redirects to another origin",
    expected: "credentials go to the configured origin only, hop by hop",
    run: Effect.gen(function*() {
      const other = yield* listen((_, res) => json(res, 200, sessionFor("http://elsewhere")))
      const first = yield* listen((_, res) => {
        res.writeHead(307, { location: `${other.url}/session` })
        res.end()
      })
      const fetched = yield* HttpTransport.make({ url: `${first.url}/jmap/`, auth: Auth.bearer("CANARY") }).pipe(
        Effect.flatMap((transport) => transport.fetchSession),
        Effect.provide(NodeHttp.layerHttpClient())
      )
      expect(fetched.url).toBe(`${other.url}/session`)
      expect(first.received.map((r) => [r.url, r.headers.authorization])).toEqual([["/jmap/", "Bearer CANARY"]])
      expect(other.received.map((r) => [r.url, r.headers.authorization])).toEqual([["/session", undefined]])
      return "GET /jmap/ with Bearer → 307 → GET other-origin/session without Authorization"
    })
  },
  {
    name: "Session: URL with a token in its query, or with user-info",
    expected: "InvalidArgument before any I/O, the secret not echoed",
    run: Effect.gen(function*() {
      const make = (url: string) =>
        HttpTransport.make({ url }).pipe(Effect.provide(NodeHttp.layerHttpClient()), Effect.exit)
      const query = yield* make("https://chat.example.com/jmap/session?access_token=CANARY")
      const userInfo = yield* make("https://alice:CANARY@chat.example.com/jmap/session")
      for (const exit of [query, userInfo]) {
        expect(fails("InvalidArgument")(exit).message).not.toContain("CANARY")
      }
      return `${observe(query)} / ${observe(userInfo)}`
    })
  }
]

describe("fault injection: Session URLs", () => {
  runTable(sessionFaults)
})

// ---------------------------------------------------------------------------------------------
// WebSocket URLs (RFC 8887 §4)
// ---------------------------------------------------------------------------------------------

const hostless = (url: string): Fault => ({
  name: `WS URL: the capability says ${JSON.stringify(url)}`,
  expected: "resolved against the Session URL's host and port (http → ws); push connects",
  run: Effect.gen(function*() {
    const { push, server, session } = yield* quirky({ webSocketUrl: url })
    const capability = Option.getOrThrow(yield* session.webSocketCapability)
    expect(capability.url).toBe(`${server.webSocketUrl}${url.endsWith("/") ? "/" : ""}`)
    const first = yield* push.events({ via: "websocket", schedule: fast }).pipe(Stream.runHead)
    expect(Option.map(first, (e) => e._tag)).toEqual(Option.some("Connected"))
    return `${capability.url}; Connected`
  })
})

const unusable = (url: string): Fault => ({
  name: `WS URL: the capability says ${JSON.stringify(url)} (unusable)`,
  expected:
    "InvalidSession at once from events({ via: \"websocket\" }) and webSocket, no connection attempt; events() in auto mode uses the EventSource",
  run: Effect.gen(function*() {
    const { push, server } = yield* quirky({ webSocketUrl: url })
    const events = yield* push.events({ via: "websocket", schedule: Schedule.forever }).pipe(
      Stream.runDrain,
      Effect.exit
    )
    fails("InvalidSession")(events)
    fails("InvalidSession")(yield* Effect.exit(push.webSocket({ schedule: Schedule.forever })))
    expect(yield* server.faults.requestCount("webSocket")).toBe(0)
    const auto = yield* push.events({ schedule: Schedule.forever }).pipe(Stream.runHead)
    expect(Option.map(auto, (e) => e._tag)).toEqual(Option.some("Connected"))
    expect(yield* server.faults.requestCount("eventSource")).toBe(1)
    expect(yield* server.faults.requestCount("webSocket")).toBe(0)
    return `${observe(events)}; 0 upgrades; auto: Connected over the EventSource`
  })
})

const webSocketUrlFaults: ReadonlyArray<Fault> = [
  hostless("wss:/jmap/ws"),
  hostless("wss:///jmap/ws"),
  hostless("/jmap/ws"),
  unusable("ftp://127.0.0.1/jmap/ws"),
  unusable("wss:"),
  unusable("ws://"),
  {
    name: "WS URL: the capability points nowhere; ChatPush given a webSocketUrl override",
    expected: "the override is used (resolved like the capability); a bad override is InvalidArgument",
    run: Effect.gen(function*() {
      const { client, push, server } = yield* quirky({ webSocketUrl: "ws://127.0.0.1:1/nowhere" })
      const ws = yield* push.webSocketClient({ webSocketUrl: "/jmap/ws", schedule: fast })
      expect(ws.session.url).toBe(server.webSocketUrl)
      yield* ws.client.Chat.query({})
      yield* client.Chat.query({})
      const first = yield* push.events({ via: "websocket", webSocketUrl: server.webSocketUrl, schedule: fast }).pipe(
        Stream.runHead
      )
      expect(Option.map(first, (e) => e._tag)).toEqual(Option.some("Connected"))
      const bad = yield* Effect.exit(push.webSocket({ webSocketUrl: "ftp://127.0.0.1/jmap/ws" }))
      fails("InvalidArgument")(bad)
      return `Chat/query over ${ws.session.url}; events Connected; bad override: ${observe(bad)}`
    })
  },
  {
    name: "WS push: the server reads WebSocketPushEnable dataTypes null as \"none\"",
    expected: "ChatPush names the chat data types; a new message's StateChange arrives",
    run: Effect.gen(function*() {
      const server = yield* ChatServer.make({ quirks: { pushNullDataTypes: "none" } })
      const alice = yield* stack(server, { user: "alice" })
      const bob = yield* stack(server)
      const chat = yield* alice.client.Chat.createOne({ kind: "direct", contactId: server.user("bob").userId })
      const events = yield* Queue.unbounded<ChatPush.ChatPushEvent>()
      yield* bob.push.events({ via: "websocket", chatStream: false, schedule: fast }).pipe(
        Stream.runForEach((e) => Queue.offer(events, e)),
        Effect.forkScoped
      )
      expect((yield* Queue.take(events))._tag).toBe("Connected")
      yield* alice.client.Message.send({ chatId: chat.id, body: "are you there?" })
      // Without the fix nothing ever arrives (the hang guard fails the row).
      const types = yield* Queue.take(events).pipe(
        Effect.map((e) => (e._tag === "StateChange" ? Object.keys(Object.values(e.changed)[0] ?? {}) : [])),
        Effect.repeat({ until: (keys) => keys.includes("Message") })
      )
      return `Connected, then StateChange of ${types.join(", ")}`
    })
  }
]

describe("fault injection: WebSocket URLs and push enable", () => {
  runTable(webSocketUrlFaults)
})

// ---------------------------------------------------------------------------------------------
// Session refresh (RFC 8620 §3.4): stale-while-revalidate
// ---------------------------------------------------------------------------------------------

const refreshFaults: ReadonlyArray<Fault> = [
  {
    name: "Session: sessionState changes, then every refresh fails (503 ×3) (TestClock)",
    expected: "calls keep working on the known Session; 1 + 2 retries, 10 s apart, then none; next change refreshes",
    run: Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const { session } = yield* stack(server, {
        config: { retrySchedule: Schedule.stop },
        refreshSchedule: Schedule.spaced("10 seconds").pipe(Schedule.intersect(Schedule.recurs(2)))
      })
      const sessionRequests = server.faults.requestCount("session")
      const known = yield* session.get
      yield* server.backend.bumpSessionState
      yield* server.faults.failNext(3, { status: 503, endpoint: "session" })
      const changed = yield* session.call(echo("a"))
      expect(changed.sessionState).not.toBe(known.state)
      yield* eventually(() => Effect.runSync(sessionRequests) === 2)
      for (const attempt of [3, 4]) {
        expect(yield* awaitSleepWithin(10_001)).toBe(10_000)
        yield* TestClock.adjust("10 seconds")
        yield* eventually(() => Effect.runSync(sessionRequests) === attempt)
      }
      // The schedule gave up: calls still work, and the same sessionState starts no refresh.
      for (const tag of ["b", "c", "d"]) expect(tagOf(yield* session.call(echo(tag)))).toBe(tag)
      yield* TestClock.adjust("1 hour")
      expect(yield* sessionRequests).toBe(4)
      expect((yield* session.get).state).toBe(known.state)
      // A new sessionState starts a new refresh, which now succeeds.
      yield* server.backend.bumpSessionState
      const latest = (yield* session.call(echo("e"))).sessionState
      const refreshed = yield* session.changes.pipe(Stream.filter((s) => s.state === latest), Stream.runHead)
      expect(Option.isSome(refreshed)).toBe(true)
      expect(yield* sessionRequests).toBe(5)
      return "4 calls ok on the stale Session; 3 refresh attempts (t=0, 10, 20 s), none after; new state → refreshed"
    }).pipe(Effect.provide(TestContext.TestContext))
  }
]

describe("fault injection: Session refresh", () => {
  runTable(refreshFaults)
})

// ---------------------------------------------------------------------------------------------
// WebSocket calls: requestTimeout, non-text frames (seed row 68), raw text (row 72)
// ---------------------------------------------------------------------------------------------

const startWs = (options: WebSocketSession.Options) =>
  WebSocketSession.make({
    pingInterval: Duration.infinity,
    schedule: fast,
    connectTimeout: "5 seconds",
    ...options
  }).pipe(Effect.provide(NodeWebSocket.layer))

/** Subscribes now; the frames arrive on the queue. */
const framesOf = <E>(session: WebSocketSession.WebSocketSession<E>) =>
  Effect.flatMap(session.subscribe, (stream) => Stream.toQueueOfElements(stream, { capacity: 1024 }))

const nextFrame = <E>(queue: Queue.Dequeue<Exit.Exit<ChatWsFrame.ChatWsFrame, Option.Option<E>>>) =>
  Effect.flatten(Queue.take(queue))

/** The first Request frame a connection received. */
const firstRequest = (c: WsConnection): Promise<any> =>
  c.next().then((frame) => (frame?.["@type"] === "Request" ? frame : firstRequest(c)))

/** Answers each Request whose tag is not `silent` with an echo, after `before(c)` frames. */
const answerAllBut = (silent: string, before: (c: WsConnection) => void = () => {}) => (c: WsConnection) =>
  c.socket.on("message", (data, isBinary) => {
    if (isBinary) return
    const frame = JSON.parse(String(data))
    if (frame["@type"] !== "Request" || frame.methodCalls[0][1].tag === silent) return
    before(c)
    c.send(echoResponse(frame))
  })

const binary = (c: WsConnection, n: number) => {
  for (let i = 0; i < n; i++) c.socket.send(Buffer.from([i & 0xff]))
}

const stateChange = { "@type": "StateChange", changed: { A: { Message: "sentinel" } } }

const wsCallFaults: ReadonlyArray<Fault> = [
  {
    name: "WS: the server answers pings but never the Request (TestClock)",
    expected: "WebSocketError(Timeout) after requestTimeout; socket kept; the late answer dropped; next call ok",
    run: Effect.gen(function*() {
      const server = yield* serveWs({ autoPong: true, onConnection: answerAllBut("lost") })
      const session = yield* startWs({
        url: server.url,
        requestTimeout: "5 seconds",
        pingInterval: "1 second",
        pongTimeout: "1 minute"
      })
      const frames = yield* framesOf(session)
      const call = yield* Effect.fork(session.call(echo("lost")))
      yield* eventually(() => server.connections.length === 1)
      const c = server.connections[0]!
      const request = yield* Effect.promise(() => firstRequest(c))
      yield* TestClock.adjust("5 seconds")
      const exit = yield* Fiber.await(call)
      fails("WebSocketError", { reason: "Timeout" })(exit)
      yield* eventually(() => c.pings > 0)
      // The answer comes after all: dropped, not published. A sentinel shows nothing came before it.
      c.send(echoResponse(request))
      expect(tagOf(yield* session.call(echo("next")))).toBe("next")
      c.send(stateChange)
      expect((yield* nextFrame(frames))._tag).toBe("StateChange")
      expect(server.connections.length).toBe(1)
      return `${observe(exit)}; ${c.pings} ping(s) answered; late answer dropped; next call ok on 1 connection`
    }).pipe(Effect.provide(TestContext.TestContext))
  },
  {
    name: "WS: every upgrade refused (503) while a call waits for a connection (TestClock)",
    expected: "WebSocketError(Timeout) after requestTimeout, not a wait as long as the reconnect schedule",
    run: Effect.gen(function*() {
      const server = yield* serveWs({ verify: () => 503 })
      const session = yield* startWs({ url: server.url, requestTimeout: "5 seconds", schedule: Schedule.forever })
      const call = yield* Effect.fork(session.call(echo("waiting")))
      yield* eventually(() => server.upgrades.length >= 1)
      yield* TestClock.adjust("5 seconds")
      const exit = yield* Fiber.await(call)
      fails("WebSocketError", { reason: "Timeout" })(exit)
      return `${observe(exit)} after ${server.upgrades.length} refused upgrade(s)`
    }).pipe(Effect.provide(TestContext.TestContext))
  },
  {
    name: "WS: ChatPush call never answered (ClientConfig.requestTimeout 300 ms)",
    expected: "the WebSocket client's call fails with WebSocketError(Timeout)",
    run: Effect.gen(function*() {
      const ws = yield* serveWs()
      const http = yield* listen((_, res) =>
        json(
          res,
          200,
          sessionFor("http://127.0.0.1:1", {
            capabilities: {
              ...sessionFor("").capabilities,
              "urn:ietf:params:jmap:websocket": { url: ws.url, supportsPush: true }
            }
          })
        )
      )
      const { push } = yield* Effect.map(
        Layer.build(NodeChat.layer({ url: http.url, config: { requestTimeout: "300 millis" } })),
        (context) => ({ push: Context.get(context, ChatPush.ChatPush) })
      )
      const session = yield* push.webSocket({ schedule: fast })
      const exit = yield* Effect.exit(session.call(echo("silence")))
      fails("WebSocketError", { reason: "Timeout" })(exit)
      return observe(exit)
    })
  },
  {
    name: "WS: 50 pings and 10 unsolicited pongs before each answer, twice (seed row 68)",
    expected: "skipped: not messages, not counted; both calls answered; no event",
    run: Effect.gen(function*() {
      const server = yield* serveWs({
        onConnection: answerAllBut("", (c) => {
          for (let i = 0; i < 50; i++) c.socket.ping()
          for (let i = 0; i < 10; i++) c.socket.pong()
        })
      })
      const session = yield* startWs({ url: server.url })
      const frames = yield* framesOf(session)
      expect(tagOf(yield* session.call(echo("through")))).toBe("through")
      expect(tagOf(yield* session.call(echo("again")))).toBe("again")
      server.connections[0]!.send(stateChange)
      expect((yield* nextFrame(frames))._tag).toBe("StateChange")
      expect(server.connections.length).toBe(1)
      return "2 calls answered after 120 control frames on 1 connection; first event is the sentinel"
    })
  },
  {
    name: "WS: ping flood (100 pings at once) with a call in flight",
    expected: "ws drops the connection (over its 60 pending auto-pongs); the call fails typed; reconnect; next call ok",
    run: Effect.gen(function*() {
      const server = yield* serveWs({
        onConnection: (c) => {
          if (c.index > 0) return answerAllBut("")(c)
          c.socket.on("message", () => {
            for (let i = 0; i < 100; i++) c.socket.ping()
          })
        }
      })
      const session = yield* startWs({ url: server.url })
      const exit = yield* Effect.exit(session.call(echo("flooded")))
      fails("WebSocketError", { reason: "ConnectionClosed" })(exit)
      expect(tagOf(yield* session.call(echo("after")))).toBe("after")
      expect(server.connections.length).toBe(2)
      return `${observe(exit)}; next call ok on connection 2`
    })
  },
  {
    name: "WS: 65 consecutive binary frames while a call waits (seed row 68)",
    expected: "UnexpectedResponse for that call; the connection stays; 64 then an answer is fine",
    run: Effect.gen(function*() {
      const server = yield* serveWs({
        onConnection: (c) =>
          c.socket.on("message", (data) => {
            const frame = JSON.parse(String(data))
            const tag = frame.methodCalls[0][1].tag
            binary(c, tag === "flooded" ? 65 : 64)
            if (tag !== "flooded") c.send(echoResponse(frame))
          })
      })
      const session = yield* startWs({ url: server.url })
      const exit = yield* Effect.exit(session.call(echo("flooded")))
      const error = fails("UnexpectedResponse")(exit)
      expect(error.message).toContain("64 consecutive non-text frames")
      expect(tagOf(yield* session.call(echo("64 then answered")))).toBe("64 then answered")
      expect(server.connections.length).toBe(1)
      return `${observe(exit)}; 64 + answer ok; 1 connection`
    })
  },
  {
    name: "WS: 60 binary frames before a call; during it 40, a push frame, 40 more, then its answer (seed row 68)",
    expected: "consecutive and counted per call (never more than 40): the call is answered",
    run: Effect.gen(function*() {
      const server = yield* serveWs({
        onConnection: (c) =>
          c.socket.on("message", (data) => {
            const frame = JSON.parse(String(data))
            // "warm" is answered at once, and 60 binary frames follow it.
            if (frame.methodCalls[0][1].tag === "warm") {
              c.send(echoResponse(frame))
              return binary(c, 60)
            }
            binary(c, 40)
            c.send(stateChange)
            binary(c, 40)
            c.send(echoResponse(frame))
          })
      })
      const session = yield* startWs({ url: server.url })
      const frames = yield* framesOf(session)
      yield* session.call(echo("warm"))
      // The 60 frames after the warm-up answer have arrived once 60 Invalid events have.
      for (let i = 0; i < 60; i++) expect((yield* nextFrame(frames))._tag).toBe("Invalid")
      expect(tagOf(yield* session.call(echo("per call")))).toBe("per call")
      return "answered: 140 binary frames since the last answer, at most 40 in a row during the call"
    })
  },
  {
    name: "WS: sendText (seed row 72)",
    expected: "the text arrives as one text frame, unchanged",
    run: Effect.gen(function*() {
      const raw: Array<string> = []
      const server = yield* serveWs({ onConnection: (c) => c.socket.on("message", (data) => raw.push(String(data))) })
      const session = yield* startWs({ url: server.url })
      const text = "{\"@type\":\"com.example:Custom\",  \"s\":\"é 😀\"}"
      yield* session.sendText(text)
      yield* eventually(() => raw.length > 0)
      expect(raw).toEqual([text])
      return `server received the ${text.length} characters verbatim, in 1 frame`
    })
  }
]

describe("fault injection: WebSocket calls", () => {
  runTable(wsCallFaults)
})

// ---------------------------------------------------------------------------------------------
// Secrets in Session URLs
// ---------------------------------------------------------------------------------------------

const secretFaults: ReadonlyArray<Fault> = [
  {
    name: "Session: tokens in the query of apiUrl, eventSourceUrl and the WebSocket url",
    expected: "inspect, toJSON and Effect's formatting redact them; the URLs still work",
    run: Effect.gen(function*() {
      const server = yield* listen((req, res) => {
        if (req.url?.startsWith("/api/")) return json(res, 200, { methodResponses: [], sessionState: "75128aab4b1b" })
        const base = `http://${req.headers.host}`
        const session = sessionFor(base)
        json(res, 200, {
          ...session,
          apiUrl: `${base}/api/?access_token=CANARY1`,
          eventSourceUrl: `${base}/es?types={types}&closeafter={closeafter}&ping={ping}&token=CANARY2`,
          capabilities: {
            ...session.capabilities,
            "urn:ietf:params:jmap:websocket": { url: "wss://h/ws?ticket=CANARY3", supportsPush: false }
          }
        })
      })
      const { session } = yield* Effect.map(
        Layer.build(NodeChat.layer({ url: server.url })),
        (context) => ({ session: Context.get(context, SessionService.SessionService) })
      )
      const value = yield* session.get
      const shown = [inspect(value, { depth: 10 }), JSON.stringify(value), Inspectable.format(value)]
      for (const text of shown) {
        expect(text).not.toMatch(/CANARY/)
        expect(text).toContain("<redacted>")
      }
      expect(shown[1]).toContain("ping={ping}")
      yield* session.call({ using: [], methodCalls: [] })
      expect(server.received.at(-1)?.url).toBe("/api/?access_token=CANARY1")
      return "no CANARY in inspect / JSON.stringify / Inspectable.format; the API call carried its query"
    })
  }
]

describe("fault injection: secrets in Session URLs", () => {
  runTable(secretFaults)
})
