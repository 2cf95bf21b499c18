/**
 * The push clients against the reference server (`src/testing`), with its fault injection dropping
 * every push connection after a few events: resumption must deliver each StateChange exactly once.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Duration, Effect, Fiber, Option, Schedule, Stream } from "effect"
import * as ChatEventSource from "../../src/chat/push/ChatEventSource.js"
import * as ChatSseEvent from "../../src/chat/push/ChatSseEvent.js"
import * as ChatWebSocket from "../../src/chat/push/ChatWebSocket.js"
import * as ChatWsFrame from "../../src/chat/push/ChatWsFrame.js"
import * as Auth from "../../src/jmap/Auth.js"
import * as HttpTransport from "../../src/jmap/HttpTransport.js"
import * as NodeWebSocket from "../../src/node/NodeWebSocket.js"
import { ChatServer } from "../../src/testing/index.js"

const USING = ["urn:ietf:params:jmap:core", "urn:ietf:params:jmap:chat"]

/** One method call as `user` over plain HTTP (not the SDK), returning its arguments. */
const rawCall = (server: ChatServer.Service, user: string, method: string, args: Record<string, unknown>) =>
  Effect.promise(async () => {
    const response = await fetch(`${server.url}/jmap/api`, {
      method: "POST",
      headers: { authorization: `Bearer ${server.user(user).token}`, "content-type": "application/json" },
      body: JSON.stringify({ using: USING, methodCalls: [[method, args, "c0"]] })
    })
    const body = await response.json() as { methodResponses: Array<[string, any, string]> }
    return body.methodResponses[0]![1]
  })

/** Alice opens a direct chat with Bob and sends `count` messages; returns the chat id. */
const conversation = (server: ChatServer.Service, count: number) =>
  Effect.gen(function*() {
    const alice = server.user("alice")
    const created = yield* rawCall(server, "alice", "Chat/set", {
      accountId: alice.accountId,
      create: { c: { kind: "direct", contactId: server.user("bob").userId } }
    })
    const chatId: string = created.created?.c?.id ?? Object.keys(created.updated ?? {})[0]
    for (let i = 0; i < count; i++) {
      yield* rawCall(server, "alice", "Message/set", {
        accountId: alice.accountId,
        create: { m: { chatId, body: `message ${i}`, bodyType: "text/plain", sentAt: "2026-01-01T00:00:00Z" } }
      })
    }
    return chatId
  })

describe("push clients against the reference server", () => {
  it.scopedLive("EventSource: resumes with Last-Event-ID through repeated drops, every StateChange once", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      yield* conversation(server, 6)
      const bob = server.user("bob")
      const expected = (yield* server.backend.catchUp(bob, "0")).map((e) => String(e.id))
      expect(expected.length).toBeGreaterThan(4)
      yield* server.faults.dropPushAfter(2)
      const transport = yield* HttpTransport.make({ url: server.url, auth: Auth.bearer(bob.token) })
      const events = yield* ChatEventSource.make({
        open: (lastEventId) =>
          transport.openEventSource(`${server.url}/jmap/eventsource?types=*&closeafter=no&ping=0`, {
            lastEventId: Option.getOrUndefined(lastEventId)
          }),
        // Resume from the very beginning, so that nothing depends on when the stream connects.
        lastEventId: Option.some("0"),
        maxFrameBytes: 1024 * 1024,
        schedule: Schedule.spaced("10 millis")
      }).pipe(
        Stream.takeUntil((e) => e._tag === "StateChange" && Option.getOrUndefined(e.id) === expected.at(-1)),
        Stream.runCollect
      )
      const list = Chunk.toReadonlyArray(events)
      const ids = list.flatMap((e) => (e._tag === "StateChange" ? [Option.getOrThrow(e.id)] : []))
      expect(ids).toEqual(expected)
      expect(list.filter((e) => e._tag === "Reconnected").length).toBeGreaterThanOrEqual(
        Math.floor(expected.length / 2) - 1
      )
      expect(list[0]).toEqual(new ChatSseEvent.Connected({ lastEventId: Option.some("0"), pushState: Option.none() }))
      expect(list.slice(1).every((e) => e._tag === "StateChange" || e._tag === "Reconnected")).toBe(true)
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

  it.scopedLive("WebSocket: re-enables push with the last pushState through repeated drops, every StateChange once", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const chatId = yield* conversation(server, 6)
      const bob = server.user("bob")
      const expected = (yield* server.backend.catchUp(bob, "0"))
        .filter((e) => Object.values(e.changed).some((states) => "Message" in states))
        .map((e) => String(e.id))
      expect(expected.length).toBeGreaterThan(4)
      yield* server.faults.dropPushAfter(2)
      const session = yield* ChatWebSocket.make({
        url: server.webSocketUrl,
        headers: Effect.succeed({ authorization: `Bearer ${bob.token}` }),
        pingInterval: Duration.infinity,
        schedule: Schedule.spaced("10 millis")
      }).pipe(Effect.provide(NodeWebSocket.layer))
      const stream = yield* session.subscribe
      yield* session.pushEnable(["Message"], "0")
      const frames = yield* stream.pipe(
        Stream.takeUntil((f) => f._tag === "StateChange" && f.pushState === expected.at(-1)),
        Stream.runCollect
      )
      const list: ReadonlyArray<ChatWsFrame.ChatWsFrame> = Chunk.toReadonlyArray(frames)
      // Push went live with the pushState it was enabled from, before any StateChange.
      expect(list[0]).toEqual(new ChatWsFrame.Connected({ pushState: Option.some("0") }))
      expect(list.filter((f) => f._tag === "Connected").length).toBe(1)
      expect(list.flatMap((f) => (f._tag === "StateChange" ? [f.pushState] : []))).toEqual(expected)
      expect(list.some((f) => f._tag === "Reconnected" && f.cause.closeCode === 1006)).toBe(true)
      expect(yield* session.pushState).toEqual(Option.some(expected.at(-1)))

      // The session keeps working for calls and ephemeral events. The connection in use may still be
      // cut by the fault once more (a call in flight then fails): Core/echo is safe to repeat.
      yield* server.faults.dropPushAfter(undefined)
      yield* session.chatStreamEnable({ dataTypes: ["typing"] })
      const echo = yield* session.call({ using: USING, methodCalls: [["Core/echo", { ok: true }, "e"]] }).pipe(
        Effect.retry({ while: (e) => e._tag === "WebSocketError", times: 3 })
      )
      expect(echo.methodResponses).toEqual([["Core/echo", { ok: true }, "e"]])
      const typing = yield* stream.pipe(
        Stream.filter((f) => f._tag === "ChatTypingEvent"),
        Stream.runHead,
        Effect.fork
      )
      yield* rawCall(server, "alice", "Chat/typing", {
        accountId: server.user("alice").accountId,
        chatId,
        typing: true
      })
      const event = yield* Fiber.join(typing)
      expect(Option.map(event, (f) => f._tag === "ChatTypingEvent" && [f.chatId, f.senderId, f.typing])).toEqual(
        Option.some([chatId, server.user("alice").userId, true])
      )
    }))
})
