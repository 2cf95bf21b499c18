/**
 * The push floor without chat: `WsFrame` decodes RFC 8887 frames and hands every other `@type` to
 * an extension's codec (or makes it `Unknown`), `WebSocketSession` re-sends an extension's enable
 * frames after push enable on every connection, and `JmapPush` (no extension) delivers state
 * changes from the reference server over either transport, choosing the WebSocket by itself.
 */
import { describe, expect, it } from "@effect/vitest"
import { Context, Duration, Effect, Either, Layer, Option, Schedule, Schema, Stream } from "effect"
import * as ChatClient from "../../../src/chat/ChatClient.js"
import * as Auth from "../../../src/jmap/Auth.js"
import * as JmapPush from "../../../src/jmap/push/JmapPush.js"
import * as WebSocketSession from "../../../src/jmap/push/WebSocketSession.js"
import * as WsFrame from "../../../src/jmap/push/WsFrame.js"
import * as NodeChat from "../../../src/node/NodeChat.js"
import * as NodeJmap from "../../../src/node/NodeJmap.js"
import * as NodeWebSocket from "../../../src/node/NodeWebSocket.js"
import { ChatServer } from "../../../src/testing/index.js"
import { serveWs } from "../../push/support/WsServer.js"

/** An extension's server → client frame. */
class Ring extends Schema.TaggedClass<Ring>()("Ring", { callId: Schema.String }) {}

const decodeRing = Schema.decodeUnknownEither(Schema.Struct({ callId: Schema.String }))
const codec = WsFrame.codec<Ring>({
  RingEvent: (json) => Either.map(decodeRing(json), ({ callId }) => new Ring({ callId }))
})

describe("WsFrame.decode with an extension codec", () => {
  const decode = (json: unknown, withCodec = true) =>
    Either.getOrThrow(WsFrame.decode(JSON.stringify(json), withCodec ? codec : undefined))

  it("gives the extension's frames, and RFC 8887 frames as without it", () => {
    expect(decode({ "@type": "RingEvent", callId: "c1" })).toEqual(new Ring({ callId: "c1" }))
    expect(decode({ "@type": "StateChange", changed: { a: { Email: "2" } } })).toEqual(
      new WsFrame.StateChange({ changed: { a: { Email: "2" } } })
    )
  })

  it("makes the extension's frames Unknown without the codec, and a body its decoder refuses Unknown with the error", () => {
    const without = decode({ "@type": "RingEvent", callId: "c1" }, false)
    expect(without._tag === "Unknown" && [without.typeName, Option.isNone(without.error)]).toEqual(["RingEvent", true])
    const bad = decode({ "@type": "RingEvent", callId: 7 })
    expect(bad._tag === "Unknown" && Option.isSome(bad.error) && bad.error.value.subject).toBe(
      "WebSocket RingEvent frame"
    )
  })

  it("never takes an Object.prototype member for a decoder", () => {
    for (const type of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
      const frame = decode({ "@type": type })
      expect(frame._tag === "Unknown" && frame.typeName).toBe(type)
    }
  })

  it("cannot override an RFC 8887 frame", () => {
    const hijack = WsFrame.codec<Ring>({ StateChange: () => Either.right(new Ring({ callId: "x" })) })
    const frame = Either.getOrThrow(WsFrame.decode(JSON.stringify({ "@type": "StateChange", changed: {} }), hijack))
    expect(frame._tag).toBe("StateChange")
  })
})

describe("WebSocketSession with an extension", () => {
  it.scopedLive("publishes its frames, and re-sends its enables after push enable on every connection", () =>
    Effect.gen(function*() {
      const server = yield* serveWs({
        onConnection: (c) => {
          c.socket.on("message", (data) => {
            const frame = JSON.parse(String(data))
            if (frame["@type"] === "RingEnable") c.send({ "@type": "RingEvent", callId: `on-${c.index}` })
          })
        }
      })
      const session = yield* WebSocketSession.make({
        url: server.url,
        codec,
        pingInterval: Duration.infinity,
        schedule: Schedule.spaced("5 millis")
      }).pipe(Effect.provide(NodeWebSocket.layer))
      const frames = yield* session.subscribe
      const take = (tag: string) =>
        Stream.filter(frames, (f) => f._tag === tag).pipe(Stream.runHead, Effect.map(Option.getOrThrow))
      yield* session.pushEnable(["Email"])
      yield* session.enableExtension("ring", { "@type": "RingEnable", scope: "a" })
      yield* session.enableExtension("other", { "@type": "OtherEnable" })
      yield* session.enableExtension("ring", { "@type": "RingEnable", scope: "b" })
      expect(yield* take("Ring")).toEqual(new Ring({ callId: "on-0" }))
      const next = (index: number) => Effect.promise(() => server.connections[index]!.next())
      server.connections[0]!.socket.close(1001)
      expect((yield* take("Reconnected"))._tag).toBe("Reconnected")
      expect([yield* next(1), yield* next(1), yield* next(1)]).toEqual([
        { "@type": "WebSocketPushEnable", dataTypes: ["Email"] },
        { "@type": "RingEnable", scope: "b" },
        { "@type": "OtherEnable" }
      ])
      expect(yield* take("Ring")).toEqual(new Ring({ callId: "on-1" }))
      yield* session.disableExtension("ring", { "@type": "RingDisable" })
      yield* session.disableExtension("other")
      expect(yield* next(1)).toEqual({ "@type": "RingDisable" })
      server.connections[1]!.socket.close(1001)
      expect((yield* take("Reconnected"))._tag).toBe("Reconnected")
      yield* session.sendText(JSON.stringify({ "@type": "Marker" }))
      expect([yield* next(2), yield* next(2)]).toEqual([
        { "@type": "WebSocketPushEnable", dataTypes: ["Email"] },
        { "@type": "Marker" }
      ])
    }))
})

const stacks = (server: ChatServer.Service, user: string) =>
  Effect.gen(function*() {
    const auth = Auth.bearer(server.user(user).token)
    return {
      push: Context.get(yield* Layer.build(NodeJmap.layer({ url: server.url, auth })), JmapPush.JmapPush),
      chat: Context.get(yield* Layer.build(NodeChat.layer({ url: server.url, auth })), ChatClient.ChatClient)
    }
  })

describe("JmapPush against the reference server", () => {
  for (const via of ["auto", "websocket", "eventsource"] as const) {
    it.scopedLive(`delivers Connected then a StateChange for a new message (${via})`, () =>
      Effect.gen(function*() {
        const server = yield* ChatServer.make()
        const alice = yield* stacks(server, "alice")
        const bob = yield* stacks(server, "bob")
        const chat = yield* alice.chat.Chat.createOne({ kind: "direct", contactId: server.user("bob").userId })
        const events = yield* bob.push.events({ via, types: ["Message"], schedule: Schedule.spaced("20 millis") }).pipe(
          Stream.tap((event) =>
            event._tag === "Connected"
              ? alice.chat.Message.send({ chatId: chat.id, body: "hello" }).pipe(Effect.orDie)
              : Effect.void
          ),
          Stream.filter((event) => event._tag !== "Ping"),
          Stream.take(2),
          Stream.runCollect
        )
        const [connected, change] = [...events]
        expect(connected?._tag).toBe("Connected")
        expect(change?._tag === "StateChange" && Object.values(change.changed)[0]).toHaveProperty("Message")
        // Over the WebSocket no SSE id; auto picked the WebSocket (the session offers push over it).
        expect(change?._tag === "StateChange" && Option.isNone(change.id)).toBe(via !== "eventsource")
      }))
  }
})
