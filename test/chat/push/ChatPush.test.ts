/**
 * `ChatPush` against the reference server, over both transports: the same events either way,
 * ChatClient calls over the WebSocket, and recovery after the server restarts.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Context, Duration, Effect, Fiber, Layer, Option, Queue, Schedule, Stream } from "effect"
import * as ChatClient from "../../../src/chat/ChatClient.js"
import * as ChatPush from "../../../src/chat/push/ChatPush.js"
import * as ChatSseEvent from "../../../src/chat/push/ChatSseEvent.js"
import * as Auth from "../../../src/jmap/Auth.js"
import * as NodeChat from "../../../src/node/NodeChat.js"
import { ChatServer } from "../../../src/testing/index.js"

const stackFor = (server: ChatServer.Service, user: string) =>
  Layer.build(NodeChat.layer({ url: server.url, auth: Auth.bearer(server.user(user).token) })).pipe(
    Effect.map((ctx) => ({
      client: Context.get(ctx, ChatClient.ChatClient),
      push: Context.get(ctx, ChatPush.ChatPush)
    }))
  )

const fast = Schedule.spaced("20 millis")

for (const via of ["websocket", "eventsource"] as const) {
  describe(`ChatPush over ${via}`, () => {
    it.scopedLive(
      "delivers StateChange for a new message and typing, with the same event classes",
      () =>
        Effect.gen(function*() {
          const server = yield* ChatServer.make()
          const alice = yield* stackFor(server, "alice")
          const bob = yield* stackFor(server, "bob")
          const chat = yield* alice.client.Chat.createOne({ kind: "direct", contactId: server.user("bob").userId })
          const events = yield* bob.push.events({ via, schedule: fast }).pipe(
            Stream.filter((e) => e._tag === "StateChange" || e._tag === "Typing"),
            Stream.takeUntil((e) => e._tag === "Typing"),
            Stream.runCollect,
            Effect.fork
          )
          // Keep producing until the subscriber is connected and has seen both kinds of event.
          const producer = yield* Effect.gen(function*() {
            yield* alice.client.Message.send({ chatId: chat.id, body: "ping" })
            yield* alice.client.Chat.typing({ chatId: chat.id, typing: true })
          }).pipe(Effect.repeat(Schedule.spaced("100 millis")), Effect.fork)
          const seen = Chunk.toReadonlyArray(yield* Fiber.join(events))
          yield* Fiber.interrupt(producer)
          const state = seen.find((e) => e._tag === "StateChange")
          expect(state?._tag === "StateChange" && Object.values(state.changed)[0]).toHaveProperty("Message")
          const typing = seen.at(-1)
          expect(typing).toMatchObject({
            _tag: "Typing",
            chatId: chat.id,
            senderId: server.user("alice").userId,
            typing: true
          })
        }),
      30_000
    )

    it.scopedLive(
      "yields Connected first, in the same class, with the resume point it started from",
      () =>
        Effect.gen(function*() {
          const server = yield* ChatServer.make()
          const bob = yield* stackFor(server, "bob")
          const resume = via === "websocket" ? { pushState: "0" } : { lastEventId: "0" }
          const first = yield* bob.push.events({ via, schedule: fast, ...resume }).pipe(Stream.runHead)
          expect(first).toEqual(Option.some(
            via === "websocket"
              ? new ChatSseEvent.Connected({ lastEventId: Option.none(), pushState: Option.some("0") })
              : new ChatSseEvent.Connected({ lastEventId: Option.some("0"), pushState: Option.none() })
          ))
          const fresh = yield* bob.push.events({ via, schedule: fast }).pipe(Stream.runHead)
          expect(fresh).toEqual(
            Option.some(new ChatSseEvent.Connected({ lastEventId: Option.none(), pushState: Option.none() }))
          )
        }),
      30_000
    )

    it.scopedLive(
      "fetch, then push: /changes on Connected finds what changed in between, and later changes are pushed",
      () =>
        Effect.gen(function*() {
          const server = yield* ChatServer.make()
          const alice = yield* stackFor(server, "alice")
          const bob = yield* stackFor(server, "bob")
          const chat = yield* alice.client.Chat.createOne({ kind: "direct", contactId: server.user("bob").userId })
          // bob's first load, then a message he will never be pushed: the stream is not open yet.
          const loaded = (yield* bob.client.Message.get({ ids: ["none"] })).state
          yield* alice.client.Message.send({ chatId: chat.id, body: "before the stream" })
          const queue = yield* Queue.unbounded<ChatPush.ChatPushEvent>()
          yield* bob.push.events({ via, types: ["Message"], schedule: fast }).pipe(
            Stream.runForEach((e) => Queue.offer(queue, e)),
            Effect.forkScoped
          )
          expect((yield* Queue.take(queue))._tag).toBe("Connected")
          const caughtUp = yield* bob.client.Message.sync({ sinceState: loaded })
          expect(caughtUp.created.map((m) => m.body)).toEqual(["before the stream"])
          yield* alice.client.Message.send({ chatId: chat.id, body: "after Connected" })
          const pushed = yield* Queue.take(queue).pipe(
            Effect.repeat({ until: (e) => e._tag === "StateChange" }),
            Effect.timeoutFail({ duration: "10 seconds", onTimeout: () => new Error("no StateChange after Connected") })
          )
          expect(pushed._tag === "StateChange" && Object.values(pushed.changed)[0]).toHaveProperty("Message")
          const next = yield* bob.client.Message.sync({ sinceState: caughtUp.newState })
          expect(next.created.map((m) => m.body)).toEqual(["after Connected"])
        }),
      30_000
    )

    it.scopedLive("reconnects after the server restarts and says so", () =>
      Effect.gen(function*() {
        const server = yield* ChatServer.make()
        const alice = yield* stackFor(server, "alice")
        const bob = yield* stackFor(server, "bob")
        const chat = yield* alice.client.Chat.createOne({ kind: "direct", contactId: server.user("bob").userId })
        const events = yield* bob.push.events({ via, schedule: fast }).pipe(
          Stream.filter((e) => e._tag === "StateChange" || e._tag === "Reconnected"),
          Stream.scan([] as Array<string>, (acc, e) => [...acc, e._tag]),
          Stream.takeUntil((tags) =>
            tags.includes("Reconnected") && tags.lastIndexOf("StateChange") > tags.indexOf("Reconnected")
          ),
          Stream.runLast,
          Effect.fork
        )
        const producer = yield* alice.client.Message.send({ chatId: chat.id, body: "tick" }).pipe(
          Effect.ignore,
          Effect.repeat(Schedule.spaced("100 millis")),
          Effect.fork
        )
        yield* Effect.sleep("400 millis")
        yield* server.faults.restart
        const tags = Option.getOrThrow(yield* Fiber.join(events))
        yield* Fiber.interrupt(producer)
        expect(tags).toContain("Reconnected")
        expect(tags.lastIndexOf("StateChange")).toBeGreaterThan(tags.indexOf("Reconnected"))
      }), 30_000)
  })
}

describe("ChatPush over eventsource: Retry-After", () => {
  it.scopedLive(
    "a Retry-After longer than ClientConfig.maxRetryAfter ends the stream with RateLimited instead of waiting",
    () =>
      Effect.gen(function*() {
        const server = yield* ChatServer.make()
        const ctx = yield* Layer.build(NodeChat.layer({
          url: server.url,
          auth: Auth.bearer(server.user("bob").token),
          config: { maxRetryAfter: "10 seconds" }
        }))
        const push = Context.get(ctx, ChatPush.ChatPush)
        // 30 s is under the 60 s default: only the configured 10 s cap ends the stream at once.
        yield* server.faults.failNext(1, { status: 429, retryAfterSeconds: 30, endpoint: "eventSource" })
        const error = yield* push.events({ via: "eventsource", schedule: fast }).pipe(
          Stream.runDrain,
          Effect.flip,
          Effect.timeoutFail({ duration: "8 seconds", onTimeout: () => new Error("still waiting on the Retry-After") })
        )
        expect(error._tag).toBe("RateLimited")
        expect(error._tag === "RateLimited" && error.retryAfter).toEqual(Duration.seconds(30))
        expect(yield* server.faults.requestCount("eventSource")).toBe(1)
      }),
    30_000
  )
})

describe("ChatPush over websocket: a consumer that falls behind", () => {
  it.scopedLive(
    "ends with a typed WebSocketError(Capacity); resuming from the last pushState loses nothing",
    () =>
      Effect.gen(function*() {
        const server = yield* ChatServer.make()
        const alice = yield* stackFor(server, "alice")
        const bob = yield* stackFor(server, "bob")
        const bobInfo = server.user("bob")
        const chat = yield* alice.client.Chat.createOne({ kind: "direct", contactId: bobInfo.userId })
        const start = (yield* server.backend.catchUp(bobInfo, "0")).at(-1)?.id ?? 0
        const options = { via: "websocket", types: ["Message"], chatStream: false, schedule: fast } as const
        const pushStates = (events: ReadonlyArray<ChatPush.ChatPushEvent>) =>
          events.flatMap((e) => (e._tag === "StateChange" && e.pushState !== undefined ? [e.pushState] : []))

        // bob reads the first event, then stops reading while alice sends 12 messages.
        const pull = yield* Stream.toPull(bob.push.events({ ...options, eventBufferSize: 4 }))
        expect(Chunk.toReadonlyArray(yield* pull).map((e) => e._tag)).toEqual(["Connected"])
        for (let i = 1; i <= 12; i++) yield* alice.client.Message.send({ chatId: chat.id, body: `m${i}` })
        yield* Effect.sleep("500 millis") // let the frames reach bob's session
        const first: Array<ChatPush.ChatPushEvent> = []
        const ended = yield* pull.pipe(
          Effect.tap((chunk) => Effect.sync(() => first.push(...chunk))),
          Effect.forever,
          Effect.flip
        )
        // The events it had buffered, then the typed error (not a silent gap, not a hang).
        expect(first.length).toBe(4)
        expect(Option.map(ended, (e) => e._tag === "WebSocketError" && e.reason)).toEqual(Option.some("Capacity"))

        // Resuming from the last pushState it handled: the server replays the rest, nothing twice.
        const expected = (yield* server.backend.catchUp(bobInfo, String(start)))
          .filter((e) => Object.values(e.changed).some((types) => "Message" in types))
          .map((e) => String(e.id))
        expect(expected.length).toBe(12)
        const last = pushStates(first).at(-1)!
        const rest = yield* bob.push.events({ ...options, pushState: last }).pipe(
          Stream.takeUntil((e) => e._tag === "StateChange" && e.pushState === expected.at(-1)),
          Stream.runCollect
        )
        expect(Chunk.toReadonlyArray(rest)[0]).toMatchObject({ _tag: "Connected", pushState: Option.some(last) })
        expect([...pushStates(first), ...pushStates(Chunk.toReadonlyArray(rest))]).toEqual(expected)
      }),
    30_000
  )
})

describe("ChatPush.webSocketClient", () => {
  it.scopedLive("runs ChatClient methods over the WebSocket", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const alice = yield* stackFor(server, "alice")
      const chat = yield* alice.client.Chat.createOne({ kind: "direct", contactId: server.user("bob").userId })
      const sent = yield* alice.client.Message.send({ chatId: chat.id, body: "over HTTP" })
      const { client } = yield* alice.push.webSocketClient()
      const httpCallsBefore = yield* server.faults.requestCount("api")
      const got = yield* client.Message.get({ ids: [sent.id] })
      expect(got.list.map((m) => m.body)).toEqual(["over HTTP"])
      const viaWs = yield* client.Message.send({ chatId: chat.id, body: "over the socket" })
      // Neither call went over the HTTP API endpoint.
      expect(yield* server.faults.requestCount("api")).toBe(httpCallsBefore)
      const listed = yield* alice.client.Message.list({ filter: { chatId: chat.id } })
      expect(listed.list.map((m) => m.id)).toContain(viaWs.id)
    }), 30_000)
})
