/**
 * `effect-jmap-chat/browser` against the reference server, in Node: `fetch` is Node's, and the
 * browser `WebSocket` is stood in for by `ws` (same WHATWG API, and, like a browser's, given no
 * headers). Covers the WebSocket authentication choices: cookies only (Bearer auth then falls back
 * to the EventSource in auto mode and fails at once when forced), a token in the URL, a factory.
 */
import { FetchHttpClient, HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Logger, LogLevel, Stream } from "effect"
import WebSocket from "ws"
import { BrowserChat, BrowserHttp, BrowserWebSocket } from "../../src/browser/index.js"
import { Auth, ChatPush, WebSocketFactory } from "../../src/index.js"
import { ChatServer, ChatServerTest } from "../../src/testing/index.js"
import { directChat, send } from "../testing/helpers.js"

/** A stand-in for the browser's `WebSocket` constructor that records the URLs it was given. */
const recordingWebSocket = () => {
  const urls: Array<string> = []
  const construct = (url: string, protocols: Array<string>) => {
    urls.push(url)
    return new WebSocket(url, protocols) as unknown as globalThis.WebSocket
  }
  return { urls, construct }
}

const bobStack = (server: ChatServer.Service, webSocket: BrowserChat.Options["webSocket"]) =>
  BrowserChat.layer({ url: server.url, auth: Auth.bearer(server.user("bob").token), webSocket })

/** Bob's first push events while Alice types in their chat: Connected, then her Typing. */
const bobSeesAliceTyping = (server: ChatServer.Service, options: ChatPush.EventsOptions) =>
  Effect.gen(function*() {
    const chatId = yield* directChat(server, "alice", "bob")
    // Bob's side of the chat exists from the first message on.
    yield* send(server, "alice", chatId, "hello")
    const alice = yield* ChatServerTest.make(server, "alice")
    const push = yield* ChatPush.ChatPush
    const events = yield* push.events(options).pipe(
      Stream.filter((e) => e._tag === "Connected" || e._tag === "Typing"),
      Stream.take(2),
      Stream.runCollect,
      Effect.fork
    )
    // Typing events are ephemeral: repeat until Bob's stream has one (it may not be subscribed yet).
    yield* alice.Chat.typing({ chatId, typing: true }).pipe(
      Effect.zipRight(Effect.sleep("50 millis")),
      Effect.forever,
      Effect.fork
    )
    const [connected, typing] = yield* events
    return { connected, typing }
  })

/** Debug log lines written while running `self`. */
const withDebugLog = <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const lines: Array<string> = []
    const logger = Logger.make(({ message }) => lines.push(String(message)))
    const result = yield* self.pipe(
      Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
      Logger.withMinimumLogLevel(LogLevel.Debug)
    )
    return { result, lines }
  })

describe("BrowserChat", () => {
  it.live("auto mode with Bearer auth and a cookie-only WebSocket uses the EventSource, and says why", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const socket = recordingWebSocket()
      const { result, lines } = yield* withDebugLog(
        bobSeesAliceTyping(server, {}).pipe(Effect.provide(bobStack(server, { webSocket: socket.construct })))
      )
      expect(result.typing).toMatchObject({ _tag: "Typing", typing: true })
      expect(result.connected?._tag).toBe("Connected")
      expect(socket.urls).toEqual([])
      expect(yield* server.faults.requestCount("eventSource")).toBeGreaterThan(0)
      expect(yield* server.faults.requestCount("webSocket")).toBe(0)
      const why = lines.find((line) => line.startsWith("ChatPush.events: using the EventSource"))
      expect(why).toContain("cannot send the upgrade header(s) authorization")
      expect(lines.join("\n")).not.toContain(server.user("bob").token)
    }).pipe(Effect.scoped))

  it.live("forcing the WebSocket fails at once with a typed error instead of connecting", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const socket = recordingWebSocket()
      const stack = bobStack(server, { webSocket: socket.construct })
      const push = yield* Effect.provide(ChatPush.ChatPush, stack)
      const error = yield* Stream.runDrain(push.events({ via: "websocket" })).pipe(Effect.flip)
      expect(error._tag).toBe("InvalidArgument")
      expect(error.message).toContain("tokenQueryParameter")
      expect(error.message).not.toContain(server.user("bob").token)
      const direct = yield* push.webSocket().pipe(Effect.flip, Effect.scoped)
      expect(direct._tag).toBe("InvalidArgument")
      expect(socket.urls).toEqual([])
    }).pipe(Effect.scoped))

  it.live("a token in the WebSocket URL (opt-in) carries push over the WebSocket", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const socket = recordingWebSocket()
      const stack = bobStack(server, { tokenQueryParameter: "access_token", webSocket: socket.construct })
      const result = yield* bobSeesAliceTyping(server, { via: "websocket" }).pipe(Effect.provide(stack))
      expect(result.typing).toMatchObject({ _tag: "Typing", typing: true })
      expect(socket.urls).toHaveLength(1)
      expect(new URL(socket.urls[0]!).searchParams.get("access_token")).toBe(server.user("bob").token)
      expect(yield* server.faults.requestCount("eventSource")).toBe(0)
      // The session's own URL (used in errors) has no token.
      const ws = yield* Effect.provide(Effect.flatMap(ChatPush.ChatPush, (push) => push.webSocket()), stack)
      expect(ws.url).not.toContain("access_token")
      // Auto mode picks the WebSocket too.
      const auto = yield* bobSeesAliceTyping(server, {}).pipe(Effect.provide(stack))
      expect(auto.typing?._tag).toBe("Typing")
      expect(socket.urls.length).toBeGreaterThanOrEqual(3)
    }).pipe(Effect.scoped))

  it.live("a caller-supplied factory is used as given", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const socket = recordingWebSocket()
      const factory: WebSocketFactory.Service = {
        supportsHeaders: false,
        accepts: () => true,
        open: (request) => ({ webSocket: socket.construct(`${request.url}?access_token=bob-token`, ["jmap"]) })
      }
      const result = yield* bobSeesAliceTyping(server, { via: "websocket" }).pipe(
        Effect.provide(bobStack(server, factory))
      )
      expect(result.typing?._tag).toBe("Typing")
      expect(socket.urls).toHaveLength(1)
    }).pipe(Effect.scoped))

  it.effect("the credentials mode reaches fetch", () =>
    Effect.gen(function*() {
      const seen: Array<RequestInit | undefined> = []
      const fetchStub: typeof fetch = (_input, init) => {
        seen.push(init)
        return Promise.resolve(new Response("{}", { headers: { "content-type": "application/json" } }))
      }
      const get = (options: BrowserHttp.BrowserHttpOptions) =>
        HttpClient.get("https://jmap.example/x").pipe(
          Effect.provide(
            BrowserHttp.layerHttpClient(options).pipe(Layer.provide(Layer.succeed(FetchHttpClient.Fetch, fetchStub)))
          ),
          Effect.scoped
        )
      yield* get({ credentials: "include" })
      yield* get({})
      expect(seen.map((init) => init?.credentials)).toEqual(["include", undefined])
    }))
})

describe("BrowserWebSocket", () => {
  const opened: Array<string> = []
  const construct = (url: string) => {
    opened.push(url)
    return {} as globalThis.WebSocket
  }

  it("accepts no header by default, and a lone Bearer Authorization with tokenQueryParameter", () => {
    const plain = BrowserWebSocket.make({ webSocket: construct })
    const query = BrowserWebSocket.make({ tokenQueryParameter: "access_token", webSocket: construct })
    const bearer = { authorization: "Bearer t0k3n" }
    expect(WebSocketFactory.accepts(plain, {})).toBe(true)
    expect(WebSocketFactory.accepts(plain, bearer)).toBe(false)
    expect(WebSocketFactory.accepts(query, bearer)).toBe(true)
    expect(WebSocketFactory.accepts(query, { authorization: "Basic YTpi" })).toBe(false)
    expect(WebSocketFactory.accepts(query, { ...bearer, "x-extra": "1" })).toBe(false)
    expect(WebSocketFactory.accepts(query, { "x-api-key": "k" })).toBe(false)
    query.open({ url: "wss://h.example/ws?x=1", protocols: ["jmap"], headers: bearer, maxMessageBytes: 1 })
    plain.open({ url: "wss://h.example/ws", protocols: ["jmap"], headers: {}, maxMessageBytes: 1 })
    expect(opened).toEqual(["wss://h.example/ws?x=1&access_token=t0k3n", "wss://h.example/ws"])
  })
})
