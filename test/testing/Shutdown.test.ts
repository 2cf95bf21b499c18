/**
 * The reference server shuts down promptly while RFC 8887 clients are still connected in the same
 * scope (the SDK's WebSocketSession over NodeWebSocket, and ChatPush's socket-backed client and
 * event stream). The WebSocket server behind the HTTP server is created at the first upgrade, and
 * closing it waits for every upgraded socket; the server must end its push connections first.
 */
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Exit, Layer, Schedule, Scope, Stream } from "effect"
import * as ChatClient from "../../src/chat/ChatClient.js"
import * as ChatPush from "../../src/chat/push/ChatPush.js"
import * as Auth from "../../src/jmap/Auth.js"
import * as WebSocketSession from "../../src/jmap/push/WebSocketSession.js"
import * as NodeChat from "../../src/node/NodeChat.js"
import * as NodeWebSocket from "../../src/node/NodeWebSocket.js"
import { ChatServer } from "../../src/testing/index.js"

/**
 * Closes `scope`, failing with a timeout instead of hanging: finalizers are uninterruptible, so
 * the close is disconnected to let the timeout end the wait.
 */
const closeWithin = (scope: Scope.CloseableScope, seconds: number) =>
  Scope.close(scope, Exit.void).pipe(Effect.disconnect, Effect.timeout(`${seconds} seconds`))

describe("ChatServer shutdown with WebSocket clients in the same scope", () => {
  it.live("a WebSocketSession (NodeWebSocket) opened after the server", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      yield* Effect.gen(function*() {
        const server = yield* ChatServer.make()
        const session = yield* WebSocketSession.make({
          url: server.webSocketUrl,
          headers: Effect.succeed({ authorization: `Bearer ${server.user("alice").token}` })
        }).pipe(Effect.provide(NodeWebSocket.layer))
        const echo = yield* session.call({
          using: ["urn:ietf:params:jmap:core"],
          methodCalls: [["Core/echo", { a: 1 }, "e"]]
        })
        expect(echo.methodResponses).toEqual([["Core/echo", { a: 1 }, "e"]])
      }).pipe(Scope.extend(scope))
      yield* closeWithin(scope, 5)
    }), 15_000)

  it.live("ChatPush.webSocketClient and a ChatPush.events stream over the socket", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      yield* Effect.gen(function*() {
        const server = yield* ChatServer.make()
        const context = yield* Layer.build(
          NodeChat.layer({ url: server.url, auth: Auth.bearer(server.user("alice").token) })
        )
        const push = Context.get(context, ChatPush.ChatPush)
        const client = Context.get(context, ChatClient.ChatClient)
        yield* push.events({ via: "websocket", schedule: Schedule.spaced("20 millis") }).pipe(
          Stream.runDrain,
          Effect.forkScoped
        )
        const { client: overSocket } = yield* push.webSocketClient()
        const chat = yield* client.Chat.createOne({ kind: "direct", contactId: server.user("bob").userId })
        const sent = yield* overSocket.Message.send({ chatId: chat.id, body: "over the socket" })
        expect(sent.body).toBe("over the socket")
      }).pipe(Scope.extend(scope))
      yield* closeWithin(scope, 5)
    }), 15_000)
})
