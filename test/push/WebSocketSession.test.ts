import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import {
  Deferred,
  Duration,
  Effect,
  Either,
  Exit,
  Fiber,
  Layer,
  Option,
  Queue,
  Schedule,
  Scope,
  Stream,
  TestClock
} from "effect"
import * as Net from "node:net"
import * as ChatWebSocket from "../../src/chat/push/ChatWebSocket.js"
import * as ChatWsFrame from "../../src/chat/push/ChatWsFrame.js"
import * as Auth from "../../src/jmap/Auth.js"
import * as HttpTransport from "../../src/jmap/HttpTransport.js"
import { WebSocketFactory } from "../../src/jmap/push/WebSocketFactory.js"
import * as WebSocketSession from "../../src/jmap/push/WebSocketSession.js"
import type { JmapRequest } from "../../src/jmap/Wire.js"
import * as NodeWebSocket from "../../src/node/NodeWebSocket.js"
import { awaitSleepWithin, eventually } from "./support/clock.js"
import { connectionAt, echoResponse, serveWs, type WsConnection } from "./support/WsServer.js"

const echo = (tag: string): JmapRequest => ({
  using: ["urn:ietf:params:jmap:core"],
  methodCalls: [["Core/echo", { tag }, "c0"]]
})

/** Answers every Request frame with an echo Response. */
const autoEcho = (c: WsConnection) =>
  c.socket.on("message", (data, isBinary) => {
    if (isBinary) return
    const frame = JSON.parse(String(data))
    if (frame["@type"] === "Request") c.send(echoResponse(frame))
  })

const start = <E = never>(
  options: WebSocketSession.Options<E>,
  factory: Layer.Layer<WebSocketFactory> = NodeWebSocket.layer
) =>
  ChatWebSocket.make<E>({
    pingInterval: Duration.infinity,
    schedule: Schedule.spaced("5 millis"),
    ...options
  }).pipe(Effect.provide(factory))

/** Subscribes now; `next` takes the next frame and fails with `Some(error)` if the stream failed, `None` if it ended. */
const frames = <E>(session: WebSocketSession.WebSocketSession<E, ChatWsFrame.EphemeralFrame>) =>
  Effect.gen(function*() {
    const stream = yield* session.subscribe
    const queue = yield* Stream.toQueueOfElements(stream, { capacity: 4096 })
    const next: Effect.Effect<ChatWsFrame.ChatWsFrame, Option.Option<WebSocketSession.SessionError<E>>> = Effect
      .flatten(
        Queue.take(queue)
      )
    return { next }
  })

const promise = <A>(f: () => Promise<A>) => Effect.promise(f)

/** A factory over `ws` without protocol pings and without `maxPayload`: keepalive uses Core/echo, the session checks sizes. */
const plainFactory = Layer.succeed(
  WebSocketFactory,
  WebSocketFactory.of({
    supportsHeaders: true,
    open: (request) => ({ webSocket: NodeWebSocket.open({ ...request, maxMessageBytes: 0 }).webSocket })
  })
)

describe("WebSocketSession: connection", () => {
  it.scopedLive("asks for the jmap subprotocol and evaluates the headers again on every upgrade", () =>
    Effect.gen(function*() {
      const server = yield* serveWs({ onConnection: autoEcho })
      let n = 0
      const seen: Array<string> = []
      const session = yield* start({
        url: "jmap/ws",
        baseUrl: server.url.replace("ws://", "http://").replace("/jmap/ws", "/"),
        headers: (url) => Effect.sync(() => (seen.push(url), { authorization: `Bearer token-${++n}` }))
      })
      const events = yield* frames(session)
      const response = yield* session.call(echo("a"))
      expect(response.methodResponses).toEqual([["Core/echo", { tag: "a" }, "c0"]])
      const c0 = server.connections[0]!
      expect(c0.protocol).toBe("jmap")
      expect(c0.headers["sec-websocket-protocol"]).toBe("jmap")
      expect(c0.headers.authorization).toBe("Bearer token-1")
      c0.socket.close(1001, "going away")
      expect((yield* events.next)._tag).toBe("Reconnected")
      yield* session.call(echo("b"))
      expect(server.connections[1]!.headers.authorization).toBe("Bearer token-2")
      expect(seen).toEqual([server.url, server.url])
      expect(session.url).toBe(server.url)
    }))

  it.effect("resolves the URL before any I/O: ws/wss only, relative URLs against the base with http→ws, https→wss", () =>
    Effect.gen(function*() {
      const resolve = WebSocketSession.resolveUrl
      expect(resolve("wss://chat.example.com/jmap/ws/")).toEqual(Either.right("wss://chat.example.com/jmap/ws/"))
      expect(resolve("WS://Example.com/ws")).toEqual(Either.right("ws://example.com/ws"))
      expect(resolve("/jmap/ws", "https://chat.example.com/.well-known/jmap")).toEqual(
        Either.right("wss://chat.example.com/jmap/ws")
      )
      expect(resolve("ws", "http://127.0.0.1:8080/jmap/")).toEqual(Either.right("ws://127.0.0.1:8080/jmap/ws"))
      expect(resolve("//other.example/ws", "https://chat.example.com/")).toEqual(Either.right("wss://other.example/ws"))
      // http(s) URLs name the same endpoint (as for the WHATWG WebSocket constructor).
      expect(resolve("https://chat.example.com/ws")).toEqual(Either.right("wss://chat.example.com/ws"))
      expect(resolve("http://chat.example.com/ws")).toEqual(Either.right("ws://chat.example.com/ws"))
      // Host-less: WHATWG parsing alone would make "jmap" the host.
      expect(resolve("wss:/jmap/ws/", "http://127.0.0.1:8080/.well-known/jmap")).toEqual(
        Either.right("ws://127.0.0.1:8080/jmap/ws/")
      )
      expect(resolve("ws:///jmap/ws", "https://chat.example.com:8443/jmap/session")).toEqual(
        Either.right("wss://chat.example.com:8443/jmap/ws")
      )
      for (
        const [url, base] of [
          ["wss:/jmap/ws/", undefined],
          ["wss:", "https://chat.example.com/"],
          ["", "https://chat.example.com/"],
          ["ws://", undefined],
          ["ftp://chat.example.com/ws", undefined],
          ["/jmap/ws", undefined],
          ["/jmap/ws", "not a url"],
          ["/jmap/ws", "ftp://example.com/"],
          ["wss://chat.example.com/ws#frag", undefined],
          ["javascript:alert(1)", undefined]
        ] as const
      ) {
        const result = resolve(url, base)
        expect(Either.isLeft(result) && result.left._tag, `${url} @ ${base}`).toBe("InvalidArgument")
      }
      // make() refuses before opening anything.
      let opened = 0
      const counting = Layer.succeed(
        WebSocketFactory,
        WebSocketFactory.of({ supportsHeaders: true, open: (r) => (opened++, NodeWebSocket.open(r)) })
      )
      const error = yield* Effect.scoped(start({ url: "ftp://chat.example.com/ws?access_token=CANARY" }, counting))
        .pipe(Effect.flip)
      expect(error._tag).toBe("InvalidArgument")
      expect(error.message).not.toContain("CANARY")
      expect(yield* Effect.scoped(start({ url: "ws://x", maxMessageBytes: 0 }, counting)).pipe(Effect.flip))
        .toHaveProperty(
          "_tag",
          "InvalidArgument"
        )
      expect(yield* Effect.scoped(start({ url: "ws://x", requestTimeout: 0 }, counting)).pipe(Effect.flip))
        .toMatchObject(
          { _tag: "InvalidArgument", description: "WebSocketSession: requestTimeout must be > 0" }
        )
      expect(opened).toBe(0)
    }))

  it.scopedLive("gives up after the connect timeout (a server that never answers the upgrade)", () =>
    Effect.gen(function*() {
      const sockets: Array<Net.Socket> = []
      const tcp = Net.createServer((s) => sockets.push(s))
      yield* Effect.acquireRelease(
        promise(() => new Promise<void>((resolve) => tcp.listen(0, "127.0.0.1", resolve))),
        () => Effect.sync(() => (sockets.forEach((s) => s.destroy()), tcp.close()))
      )
      const port = (tcp.address() as Net.AddressInfo).port
      const session = yield* start({
        url: `ws://127.0.0.1:${port}/`,
        connectTimeout: "100 millis",
        schedule: Schedule.recurs(1)
      })
      const error = yield* session.call(echo("x")).pipe(Effect.flip)
      expect(error._tag).toBe("WebSocketError")
      expect(error._tag === "WebSocketError" && error.reason).toBe("Timeout")
      expect(sockets.length).toBe(2)
      expect((yield* Stream.runDrain(session.events).pipe(Effect.flip))._tag).toBe("WebSocketError")
    }))

  it.scopedLive("ends with AuthFailed when the upgrade is refused with 401, without retrying", () =>
    Effect.gen(function*() {
      const server = yield* serveWs({ verify: () => 401 })
      const session = yield* start({ url: server.url, schedule: Schedule.forever })
      const error = yield* session.call(echo("x")).pipe(Effect.flip)
      expect(error._tag).toBe("AuthFailed")
      expect(error._tag === "AuthFailed" && error.status).toBe(401)
      expect(server.upgrades.length).toBe(1)
      expect((yield* session.pushEnable(["Message"]).pipe(Effect.flip))._tag).toBe("AuthFailed")
    }))

  it.scopedLive("ends with AuthFailed when the server closes with 1008, failing the call in flight and the events stream", () =>
    Effect.gen(function*() {
      const server = yield* serveWs({
        onConnection: (c) => c.socket.on("message", () => c.socket.close(1008, "token expired"))
      })
      const session = yield* start({ url: server.url, schedule: Schedule.forever })
      const events = yield* frames(session)
      const error = yield* session.call(echo("x")).pipe(Effect.flip)
      expect(error._tag).toBe("AuthFailed")
      expect(error.message).toContain("1008")
      expect(yield* events.next.pipe(Effect.flip)).toEqual(Option.some(error))
      expect(server.connections.length).toBe(1)
      expect(server.upgrades.length).toBe(1)
    }))

  it.scopedLive("closes the socket with 1000 when the session's scope closes; waiting calls fail, events end", () =>
    Effect.gen(function*() {
      const server = yield* serveWs()
      const scope = yield* Scope.make()
      const session = yield* start({ url: server.url }).pipe(Scope.extend(scope))
      const events = yield* Effect.fork(Stream.runCollect(session.events))
      const pending = yield* Effect.fork(session.call(echo("never answered")))
      yield* eventually(() => server.connections[0]?.received.length === 1)
      yield* Scope.close(scope, Exit.void)
      expect(yield* promise(() => server.connections[0]!.closed)).toBe(1000)
      const error = yield* Fiber.join(pending).pipe(Effect.flip)
      expect(error._tag === "WebSocketError" && error.reason).toBe("ConnectionClosed")
      expect([...(yield* Fiber.join(events))]).toEqual([])
      expect((yield* session.call(echo("late")).pipe(Effect.flip))._tag).toBe("WebSocketError")
    }))
})

describe("WebSocketSession: frames", () => {
  it.scopedLive("decodes scripted frames; unknown, invalid JSON and binary frames neither end the stream nor close the socket", () =>
    Effect.gen(function*() {
      const server = yield* serveWs()
      const session = yield* start({ url: server.url })
      const events = yield* frames(session)
      yield* session.pushEnable(null)
      const c = yield* promise(() => connectionAt(server, 0))
      expect(yield* promise(() => c.next())).toEqual({ "@type": "WebSocketPushEnable", dataTypes: null })
      expect(yield* events.next).toEqual(new ChatWsFrame.Connected({ pushState: Option.none() }))
      c.send({ "@type": "ChatTypingEvent", chatId: "c1", senderId: "user:alice@example.com", typing: true })
      c.send({
        "@type": "ChatPresenceEvent",
        contactId: "user:alice@example.com",
        presence: "away",
        statusText: "In a meeting",
        statusEmoji: null
      })
      c.send({ "@type": "StateChange", changed: { u1: { Message: "m1" } }, pushState: "p1" })
      c.send({ "@type": "SceneAvatarEvent", secret: "CANARY" })
      c.socket.send("{not json")
      c.socket.send(Buffer.from([1, 2, 3]))
      c.send({ "@type": "ChatTypingEvent", chatId: "c1", senderId: "user:alice@example.com", typing: false })
      const got: Array<ChatWsFrame.ChatWsFrame> = []
      for (let i = 0; i < 7; i++) got.push(yield* events.next)
      expect(got.map((f) => f._tag)).toEqual([
        "ChatTypingEvent",
        "ChatPresenceEvent",
        "StateChange",
        "Unknown",
        "Invalid",
        "Invalid",
        "ChatTypingEvent"
      ])
      const presence = got[1]!
      expect(
        presence._tag === "ChatPresenceEvent" && [presence.statusText, presence.statusEmoji, "lastActiveAt" in presence]
      )
        .toEqual(["In a meeting", null, false])
      expect(got[3]!._tag === "Unknown" && String(got[3])).not.toContain("CANARY")
      const [parse, binary] = [got[4]!, got[5]!]
      expect(parse._tag === "Invalid" && parse.error._tag).toBe("ParseError")
      expect(binary._tag === "Invalid" && binary.error._tag).toBe("UnexpectedResponse")
      expect(yield* session.pushState).toEqual(Option.some("p1"))
      expect(server.connections.length).toBe(1)
    }))

  it.scopedLive("matches out-of-order responses to their calls, many in flight at once", () =>
    Effect.gen(function*() {
      const server = yield* serveWs({
        onConnection: (c) => {
          const batch: Array<any> = []
          c.socket.on("message", (data) => {
            batch.push(JSON.parse(String(data)))
            if (batch.length === 5) { for (const request of batch.reverse()) c.send(echoResponse(request)) }
          })
        }
      })
      const session = yield* start({ url: server.url })
      const tags = ["a", "b", "c", "d", "e"]
      const responses = yield* Effect.forEach(tags, (tag) => session.call(echo(tag)), { concurrency: "unbounded" })
      expect(responses.map((r) => r.methodResponses[0]![1].tag)).toEqual(tags)
      const sent = server.connections[0]!.received
      expect(sent.every((f) => f["@type"] === "Request" && typeof f.id === "string")).toBe(true)
      expect(new Set(sent.map((f) => f.id)).size).toBe(5)
      expect(sent[0]).toEqual({ "@type": "Request", id: sent[0].id, ...echo(sent[0].methodCalls[0][1].tag) })
    }))

  it.scopedLive("fails a call with RequestError for a RequestError frame, and with ParseError for a malformed Response", () =>
    Effect.gen(function*() {
      const server = yield* serveWs({
        onConnection: (c) =>
          c.socket.on("message", (data) => {
            const request = JSON.parse(String(data))
            const tag = request.methodCalls[0][1].tag
            if (tag === "limit") {
              c.send({
                "@type": "RequestError",
                requestId: request.id,
                type: "urn:ietf:params:jmap:error:limit",
                status: 400,
                limit: "maxCallsInRequest"
              })
            } else if (tag === "malformed") {
              c.send({ "@type": "Response", requestId: request.id, methodResponses: 42 })
            } else c.send(echoResponse(request))
          })
      })
      const session = yield* start({ url: server.url })
      const limit = yield* session.call(echo("limit")).pipe(Effect.flip)
      expect(limit._tag).toBe("RequestError")
      expect(limit._tag === "RequestError" && [limit.type, limit.limit]).toEqual([
        "urn:ietf:params:jmap:error:limit",
        "maxCallsInRequest"
      ])
      expect((yield* session.call(echo("malformed")).pipe(Effect.flip))._tag).toBe("ParseError")
      expect((yield* session.call(echo("fine"))).sessionState).toBe("s0")
    }))

  it.scopedLive("refuses an oversize message (ws maxPayload) with a Capacity error and reconnects", () =>
    Effect.gen(function*() {
      const server = yield* serveWs({
        onConnection: (c) =>
          c.socket.on("message", (data) => {
            const request = JSON.parse(String(data))
            c.send(echoResponse(request, c.index === 0 ? { padding: "x".repeat(4096) } : {}))
          })
      })
      const session = yield* start({ url: server.url, maxMessageBytes: 1024 })
      const events = yield* frames(session)
      const error = yield* session.call(echo("big")).pipe(Effect.flip)
      expect(error._tag === "WebSocketError" && error.reason).toBe("Capacity")
      const reconnected = yield* events.next
      expect(reconnected._tag === "Reconnected" && reconnected.cause.reason).toBe("Capacity")
      expect((yield* session.call(echo("small"))).methodResponses[0]![1]).toEqual({ tag: "small" })
    }))

  it.scopedLive("enforces maxMessageBytes itself when the platform socket does not", () =>
    Effect.gen(function*() {
      const server = yield* serveWs({
        onConnection: (c) =>
          c.socket.on("message", (data) => {
            const request = JSON.parse(String(data))
            c.send(echoResponse(request, c.index === 0 ? { padding: "é".repeat(600) } : {}))
          })
      })
      const session = yield* start({ url: server.url, maxMessageBytes: 1024 }, plainFactory)
      const error = yield* session.call(echo("big")).pipe(Effect.flip)
      expect(error._tag === "WebSocketError" && error.reason).toBe("Capacity")
      expect((yield* session.call(echo("small"))).methodResponses[0]![1]).toEqual({ tag: "small" })
    }))

  it.scopedLive("fails a slow events subscriber with a Capacity error without touching the connection", () =>
    Effect.gen(function*() {
      const server = yield* serveWs({
        onConnection: (c) =>
          c.socket.on("message", (data) => {
            const request = JSON.parse(String(data))
            for (let i = 0; i < 5; i++) {
              c.send({ "@type": "ChatTypingEvent", chatId: `c${i}`, senderId: "u", typing: true })
            }
            c.send(echoResponse(request))
          })
      })
      const session = yield* start({ url: server.url, eventBufferSize: 2 })
      const slow = yield* session.subscribe
      yield* session.call(echo("x")) // its response comes after the 5 events: they have all been delivered
      const result = yield* slow.pipe(Stream.either, Stream.runCollect)
      const items = [...result]
      expect(items.length).toBe(3)
      expect(items.slice(0, 2).every(Either.isRight)).toBe(true)
      expect(Either.isLeft(items[2]!) && items[2].left._tag === "WebSocketError" && items[2].left.reason).toBe(
        "Capacity"
      )
      expect((yield* session.call(echo("y"))).methodResponses.length).toBe(1)
      expect(server.connections.length).toBe(1)
    }))
})

describe("WebSocketSession: a slow events subscriber", () => {
  it.scopedLive("is ended with a typed Capacity error after exactly the frames it had buffered; nothing is skipped, others get everything", () =>
    Effect.gen(function*() {
      const server = yield* serveWs({
        onConnection: (c) =>
          c.socket.on("message", async (data) => {
            const request = JSON.parse(String(data))
            if (request.methodCalls[0][1].tag === "burst") {
              // One frame at a time (frames that arrive in one read are all buffered before any
              // consumer runs), so that a subscriber that keeps reading keeps up.
              for (let i = 0; i < 6; i++) {
                c.send({ "@type": "StateChange", changed: { u1: { Message: `m${i}` } }, pushState: `p${i}` })
                await new Promise((resolve) => setTimeout(resolve, 20))
              }
            }
            c.send(echoResponse(request))
          })
      })
      const session = yield* start({ url: server.url, eventBufferSize: 3 })
      const slow = yield* session.subscribe
      const fast = yield* frames(session) // consumed as frames arrive
      yield* session.call(echo("burst")) // its response comes after the 6 frames: they have all been published
      const pushStates = (items: ReadonlyArray<ChatWsFrame.ChatWsFrame>) =>
        items.map((f) => (f._tag === "StateChange" ? f.pushState : f._tag))

      // The slow one: the first 3 frames, in order, then the typed error; not p4 or p5 after a gap.
      const result = [...yield* slow.pipe(Stream.either, Stream.runCollect)]
      expect(pushStates(result.flatMap((e) => (Either.isRight(e) ? [e.right] : [])))).toEqual(["p0", "p1", "p2"])
      expect(result.length).toBe(4)
      const error = Either.isLeft(result[3]!) ? result[3].left : undefined
      expect(error?._tag === "WebSocketError" && error.reason).toBe("Capacity")
      expect(error?.message).toContain("fell more than 3 frames (eventBufferSize) behind")
      expect(error?.message).toContain("subscribe again")

      // The other subscriber got every frame; the connection and the calls are untouched.
      const all: Array<ChatWsFrame.ChatWsFrame> = []
      for (let i = 0; i < 6; i++) all.push(yield* fast.next)
      expect(pushStates(all)).toEqual(["p0", "p1", "p2", "p3", "p4", "p5"])
      expect(server.connections.length).toBe(1)
      expect(yield* session.pushState).toEqual(Option.some("p5"))

      // Subscribing again works: the resubscribed stream gets the frames from then on.
      const again = yield* frames(session)
      yield* session.call(echo("burst"))
      const resumed: Array<ChatWsFrame.ChatWsFrame> = []
      for (let i = 0; i < 6; i++) resumed.push(yield* again.next)
      expect(pushStates(resumed)).toEqual(["p0", "p1", "p2", "p3", "p4", "p5"])
    }))
})

describe("WebSocketSession: Connected", () => {
  it.scopedLive("push enabled while connecting: the startup sends it, then Connected, before any frame of the connection", () =>
    Effect.gen(function*() {
      const release = yield* Deferred.make<void>()
      const server = yield* serveWs({
        verify: () => Effect.runPromise(Deferred.await(release)).then(() => true as const),
        // The server speaks first, as soon as the socket is open.
        onConnection: (c) => c.send({ "@type": "StateChange", changed: { u1: { Message: "m1" } }, pushState: "p1" })
      })
      const session = yield* start({ url: server.url })
      const events = yield* frames(session)
      yield* session.pushEnable(["Message"], "p0")
      yield* Deferred.succeed(release, undefined)
      expect(yield* events.next).toEqual(new ChatWsFrame.Connected({ pushState: Option.some("p0") }))
      expect(yield* events.next).toMatchObject({ _tag: "StateChange", pushState: "p1" })
      const c = yield* promise(() => connectionAt(server, 0))
      expect(yield* promise(() => c.next())).toEqual({
        "@type": "WebSocketPushEnable",
        dataTypes: ["Message"],
        pushState: "p0"
      })
    }))

  it.scopedLive("push enabled on a ready connection: Connected right after the enable is sent; once per session", () =>
    Effect.gen(function*() {
      const server = yield* serveWs({ onConnection: autoEcho })
      const session = yield* start({ url: server.url })
      const events = yield* frames(session)
      yield* session.call(echo("ready"))
      const c0 = server.connections[0]!
      // A session used for calls only publishes nothing.
      c0.send({ "@type": "ChatTypingEvent", chatId: "c0", senderId: "u", typing: true })
      expect((yield* events.next)._tag).toBe("ChatTypingEvent")
      yield* session.pushEnable(null)
      expect(yield* events.next).toEqual(new ChatWsFrame.Connected({ pushState: Option.none() }))
      yield* eventually(() => c0.received.length === 2)
      expect(c0.received[1]).toEqual({ "@type": "WebSocketPushEnable", dataTypes: null })
      // Neither enabling push again nor a reconnection publishes another Connected.
      yield* session.pushDisable
      yield* session.pushEnable(["Chat"])
      c0.send({ "@type": "ChatTypingEvent", chatId: "c1", senderId: "u", typing: true })
      expect(yield* events.next).toMatchObject({ _tag: "ChatTypingEvent", chatId: "c1" })
      c0.socket.close(1001)
      expect(yield* events.next).toMatchObject({ _tag: "Reconnected", attempt: 1 })
      yield* session.call(echo("after"))
      const c1 = server.connections[1]!
      c1.send({ "@type": "ChatTypingEvent", chatId: "c2", senderId: "u", typing: true })
      expect(yield* events.next).toMatchObject({ _tag: "ChatTypingEvent", chatId: "c2" })
      expect(c1.received[0]).toEqual({ "@type": "WebSocketPushEnable", dataTypes: ["Chat"] })
    }))
})

describe("WebSocketSession: reconnection", () => {
  it.scopedLive("fails the call in flight when the connection drops, then reconnects and emits Reconnected", () =>
    Effect.gen(function*() {
      const server = yield* serveWs({
        onConnection: (c) => {
          if (c.index === 0) c.socket.on("message", () => c.socket.terminate())
          else autoEcho(c)
        }
      })
      const session = yield* start({ url: server.url })
      const events = yield* frames(session)
      const error = yield* session.call(echo("lost")).pipe(Effect.flip)
      expect(error._tag === "WebSocketError" && error.reason).toBe("ConnectionClosed")
      const reconnected = yield* events.next
      expect(reconnected._tag).toBe("Reconnected")
      expect(reconnected._tag === "Reconnected" && [reconnected.attempt, reconnected.cause.closeCode]).toEqual([
        1,
        1006
      ])
      expect((yield* session.call(echo("ok"))).methodResponses[0]![1]).toEqual({ tag: "ok" })
    }))

  it.scopedLive("re-sends push enable with the last pushState and the current chat stream enable before queued calls", () =>
    Effect.gen(function*() {
      const release = yield* Deferred.make<void>()
      const secondUpgrade = yield* Deferred.make<void>()
      const server = yield* serveWs({
        verify: async (_, index) => {
          if (index === 1) {
            Effect.runSync(Deferred.succeed(secondUpgrade, undefined))
            await Effect.runPromise(Deferred.await(release))
          }
          return true as const
        },
        onConnection: autoEcho
      })
      const session = yield* start({ url: server.url })
      const events = yield* frames(session)
      yield* session.call(echo("connected"))
      yield* session.pushEnable(["Message", "Chat"])
      yield* session.chatStreamEnable({ dataTypes: ["typing"], chatIds: ["c1"] })
      yield* session.chatStreamEnable({ dataTypes: ["typing", "presence"] })
      const c0 = server.connections[0]!
      expect((yield* promise(() => c0.next()))["@type"]).toBe("Request")
      expect(yield* promise(() => c0.next())).toEqual({
        "@type": "WebSocketPushEnable",
        dataTypes: ["Message", "Chat"]
      })
      expect(yield* promise(() => c0.next())).toEqual({
        "@type": "ChatStreamEnable",
        dataTypes: ["typing"],
        chatIds: ["c1"],
        contactIds: null
      })
      expect(yield* promise(() => c0.next())).toEqual({
        "@type": "ChatStreamEnable",
        dataTypes: ["typing", "presence"],
        chatIds: null,
        contactIds: null
      })
      c0.send({ "@type": "StateChange", changed: { u1: { Message: "m1" } }, pushState: "p1" })
      c0.send({ "@type": "StateChange", changed: { u1: { Chat: "c2" } }, pushState: "p2" })
      c0.send({ "@type": "StateChange", changed: { u1: { Chat: "c3" } } })
      expect((yield* events.next)._tag).toBe("Connected")
      for (let i = 0; i < 3; i++) expect((yield* events.next)._tag).toBe("StateChange")
      c0.socket.close(1001)
      // The session is now reconnecting and the upgrade is held: a call made now must wait.
      yield* Deferred.await(secondUpgrade)
      const queued = yield* Effect.fork(session.call(echo("queued")))
      yield* Deferred.succeed(release, undefined)
      expect((yield* Fiber.join(queued)).methodResponses[0]![1]).toEqual({ tag: "queued" })
      const c1 = server.connections[1]!
      expect(c1.received.slice(0, 3).map((f) => f["@type"])).toEqual([
        "WebSocketPushEnable",
        "ChatStreamEnable",
        "Request"
      ])
      expect(c1.received[0]).toEqual({
        "@type": "WebSocketPushEnable",
        dataTypes: ["Message", "Chat"],
        pushState: "p2"
      })
      expect(c1.received[1]).toEqual({
        "@type": "ChatStreamEnable",
        dataTypes: ["typing", "presence"],
        chatIds: null,
        contactIds: null
      })
      const reconnected = yield* events.next
      expect(reconnected._tag === "Reconnected" && reconnected.cause.closeCode).toBe(1001)
    }))

  it.scopedLive("disable frames are sent, and nothing is re-sent for a disabled stream after a reconnect", () =>
    Effect.gen(function*() {
      const server = yield* serveWs({ onConnection: autoEcho })
      const session = yield* start({ url: server.url })
      const events = yield* frames(session)
      yield* session.call(echo("connected"))
      yield* session.pushEnable(["Message"], "s-initial")
      yield* session.chatStreamEnable({ dataTypes: ["presence"], contactIds: ["user:bob"] })
      yield* session.pushDisable
      yield* session.chatStreamDisable
      yield* session.call(echo("sync"))
      const c0 = server.connections[0]!
      expect(c0.received.map((f) => f["@type"])).toEqual([
        "Request",
        "WebSocketPushEnable",
        "ChatStreamEnable",
        "WebSocketPushDisable",
        "ChatStreamDisable",
        "Request"
      ])
      expect(c0.received[1]).toEqual({ "@type": "WebSocketPushEnable", dataTypes: ["Message"], pushState: "s-initial" })
      expect(yield* events.next).toEqual(new ChatWsFrame.Connected({ pushState: Option.some("s-initial") }))
      c0.socket.close(1001)
      expect((yield* events.next)._tag).toBe("Reconnected")
      yield* session.call(echo("after"))
      expect(server.connections[1]!.received.map((f) => f["@type"])).toEqual(["Request"])
      expect((yield* session.chatStreamEnable({ dataTypes: [] }).pipe(Effect.flip))._tag).toBe("InvalidArgument")
    }))

  it.scopedLive("detects a dead connection (no pong) and reconnects", () =>
    Effect.gen(function*() {
      const server = yield* serveWs({ autoPong: false })
      const session = yield* start({ url: server.url, pingInterval: "20 millis", pongTimeout: "50 millis" })
      const events = yield* frames(session)
      const reconnected = yield* events.next
      expect(reconnected._tag === "Reconnected" && reconnected.cause.reason).toBe("Timeout")
      expect(server.connections[0]!.pings).toBeGreaterThan(0)
      yield* promise(() => server.connections[0]!.closed)
    }))

  it.scopedLive("keeps a connection whose pongs arrive", () =>
    Effect.gen(function*() {
      const server = yield* serveWs({ autoPong: true })
      // 80 pings at least 5 ms apart outlast the pong deadline: if pongs were not seen, the first
      // connection would be dropped before its 80th ping and this would never complete.
      const session = yield* start({ url: server.url, pingInterval: "5 millis", pongTimeout: "200 millis" })
      yield* session.pushEnable(null)
      yield* eventually(() => (server.connections[0]?.pings ?? 0) >= 80)
      expect(server.connections.length).toBe(1)
    }))

  it.scopedLive("without protocol pings, keeps alive with Core/echo and reconnects when it is not answered", () =>
    Effect.gen(function*() {
      let echoes = 0
      const server = yield* serveWs({
        onConnection: (c) =>
          c.socket.on("message", (data) => {
            const request = JSON.parse(String(data))
            if (request.methodCalls?.[0]?.[0] !== "Core/echo") return
            echoes++
            // The first connection answers three keepalives, then plays dead.
            if (c.index > 0 || echoes <= 3) c.send(echoResponse(request))
          })
      })
      const session = yield* start(
        { url: server.url, pingInterval: "5 millis", pongTimeout: "300 millis" },
        plainFactory
      )
      const events = yield* frames(session)
      const reconnected = yield* events.next
      expect(reconnected._tag === "Reconnected" && reconnected.cause.reason).toBe("Timeout")
      expect(echoes).toBeGreaterThan(3)
      expect(server.connections[0]!.pings).toBe(0)
      expect(
        server.connections[0]!.received.every((f) => f["@type"] === "Request" && f.methodCalls[0][0] === "Core/echo")
      ).toBe(true)
    }))

  it.scopedLive("refuses headers on a platform that cannot send them", () =>
    Effect.gen(function*() {
      const server = yield* serveWs()
      const noHeaders = Layer.succeed(
        WebSocketFactory,
        WebSocketFactory.of({ supportsHeaders: false, open: (r) => NodeWebSocket.open({ ...r, headers: {} }) })
      )
      const session = yield* start(
        { url: server.url, headers: Effect.succeed({ authorization: "Bearer t" }) },
        noHeaders
      )
      expect((yield* session.call(echo("x")).pipe(Effect.flip))._tag).toBe("InvalidArgument")
      expect(server.upgrades.length).toBe(0)
    }))

  it.scopedLive("a failing headers effect ends the session with its error", () =>
    Effect.gen(function*() {
      const server = yield* serveWs()
      const session = yield* start({ url: server.url, headers: Effect.fail({ _tag: "TokenRefreshFailed" } as const) })
      expect(yield* session.call(echo("x")).pipe(Effect.flip)).toEqual({ _tag: "TokenRefreshFailed" })
      expect(server.upgrades.length).toBe(0)
    }))
})

const freePort = Effect.promise(() =>
  new Promise<number>((resolve) => {
    const s = Net.createServer()
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as Net.AddressInfo).port
      s.close(() => resolve(port))
    })
  })
)

describe("WebSocketSession: backoff (TestClock)", () => {
  it.scoped("waits the schedule's delays between attempts and restarts them after a connection that received frames", () =>
    Effect.gen(function*() {
      const port = yield* freePort
      const session = yield* start({
        url: `ws://127.0.0.1:${port}/jmap/ws`,
        schedule: Schedule.exponential("1 second"),
        connectTimeout: "1 hour"
      })
      const events = yield* frames(session)
      const minute = 60_000 // the connect timeout (1 hour) also sleeps on the TestClock: ignore it
      // Nothing listens yet: attempts are refused, 1 s then 2 s apart.
      expect(yield* awaitSleepWithin(minute)).toBe(1000)
      yield* TestClock.adjust("1 second")
      expect(yield* awaitSleepWithin(minute)).toBe(2000)
      const server = yield* serveWs({
        port,
        onConnection: (c) => {
          c.send({ "@type": "ChatTypingEvent", chatId: `c${c.index}`, senderId: "u", typing: true })
          c.socket.close(1001)
        }
      })
      yield* TestClock.adjust("2 seconds")
      // The first connection that opens is not a reconnection, even after failed attempts.
      const first = yield* events.next
      expect(first._tag === "ChatTypingEvent" && first.chatId).toBe("c0")
      // It received a frame, so the backoff restarts at 1 s instead of going on to 4 s.
      expect(yield* awaitSleepWithin(minute)).toBe(1000)
      yield* TestClock.adjust("1 second")
      const reconnected = yield* events.next
      expect(reconnected._tag === "Reconnected" && [reconnected.attempt, reconnected.cause.closeCode]).toEqual([
        1,
        1001
      ])
      const second = yield* events.next
      expect(second._tag === "ChatTypingEvent" && second.chatId).toBe("c1")
      expect(server.connections.length).toBe(2)
    }))
})

describe("WebSocketSession wired to HttpTransport", () => {
  it.scopedLive("authenticates the upgrade with HttpTransport.authHeaders and the configured message cap", () =>
    Effect.gen(function*() {
      const server = yield* serveWs({ onConnection: autoEcho })
      const transport = yield* HttpTransport.make({
        url: new URL(server.url.replace("ws:", "http:")).origin,
        auth: Auth.bearer("tok")
      })
      const session = yield* start({
        url: server.url,
        headers: transport.authHeaders,
        maxMessageBytes: transport.config.maxWsMessageBytes
      })
      expect((yield* session.call(echo("x"))).methodResponses[0]![1]).toEqual({ tag: "x" })
      expect(server.connections[0]!.headers.authorization).toBe("Bearer tok")
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))
})

describe("NodeWebSocket.layerWebSocketConstructor", () => {
  it.scopedLive("sends its fixed headers and the requested subprotocol", () =>
    Effect.gen(function*() {
      const server = yield* serveWs()
      const { Socket } = yield* Effect.promise(() => import("@effect/platform"))
      const socket = yield* Socket.makeWebSocket(server.url, { protocols: "jmap" }).pipe(
        Effect.provide(NodeWebSocket.layerWebSocketConstructor({ headers: { authorization: "Bearer fixed" } }))
      )
      const write = yield* socket.writer
      yield* Effect.fork(socket.runRaw(() => {}))
      yield* write("{\"@type\":\"WebSocketPushDisable\"}")
      yield* eventually(() => server.connections[0]?.received.length === 1)
      expect(server.connections[0]!.headers.authorization).toBe("Bearer fixed")
      expect(server.connections[0]!.protocol).toBe("jmap")
    }))
})
