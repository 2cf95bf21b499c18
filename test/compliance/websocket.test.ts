/**
 * Compliance tests §8 (WebSocket) of `jmap-chat-compliance-tests.md`, over real sockets: each
 * user runs the SDK's stack against a running reference server — `ChatClient` over HTTP for
 * methods, and an RFC 8887 `WebSocketSession` (URL from the Session's WebSocket capability,
 * credentials from `HttpTransport.authHeaders`, chat frames decoded: `ChatWebSocket`) with
 * `ChatStreamEnable` for typing and presence.
 *
 * "Nothing arrived" is shown with a sentinel: a later event that must arrive is the next one.
 *
 * "At delivery time" (8.2–8.4) is tested two ways: end to end, with the state changing after the
 * stream was enabled — for 8.2 inside the very Request that produced the event, so the event is
 * pending when the member is removed — and, for a change made by the recipient while the event
 * is queued, on the server's per-user event stream (`backend.subscribe`), which is what each
 * connection reads.
 *
 * Every item of §8 is tested.
 */
import { expect, layer } from "@effect/vitest"
import { Context, Duration, Effect, Layer, Option, Queue, Stream } from "effect"
import { ChatClient, type Service as Client } from "../../src/chat/ChatClient.js"
import * as ChatWebSocket from "../../src/chat/push/ChatWebSocket.js"
import type * as ChatWsFrame from "../../src/chat/push/ChatWsFrame.js"
import { HttpTransport } from "../../src/jmap/HttpTransport.js"
import { SessionService } from "../../src/jmap/SessionService.js"
import * as NodeWebSocket from "../../src/node/NodeWebSocket.js"
import { ChatServer, ChatServerTest } from "../../src/testing/index.js"
import { complianceServer } from "./support.js"

type Ephemeral = ChatWsFrame.ChatTypingEvent | ChatWsFrame.ChatPresenceEvent

/**
 * `user`'s client stack and push session on the server in context, with the chat stream enabled
 * (and known to be in force). `next` is the next typing or presence event.
 */
const connect = (user: string, stream: ChatWebSocket.ChatStreamOptions) =>
  Effect.gen(function*() {
    const context = yield* Layer.build(ChatServerTest.layerFor(user))
    const capability = yield* Context.get(context, SessionService).webSocketCapability
    const push = yield* ChatWebSocket.make({
      url: Option.getOrThrow(capability).url,
      headers: Context.get(context, HttpTransport).authHeaders,
      pingInterval: Duration.infinity
    }).pipe(Effect.provide(NodeWebSocket.layer))
    const frames = yield* Stream.toQueueOfElements(yield* push.subscribe, { capacity: 1024 })
    yield* push.chatStreamEnable(stream)
    yield* push.call({ using: ["urn:ietf:params:jmap:core"], methodCalls: [["Core/echo", {}, "sync"]] })
    const next: Effect.Effect<Ephemeral> = Effect.flatten(Queue.take(frames)).pipe(
      Effect.orDie,
      Effect.repeat({ until: (f): f is Ephemeral => f._tag === "ChatTypingEvent" || f._tag === "ChatPresenceEvent" }),
      Effect.map((f) => f as Ephemeral)
    )
    return { client: Context.get(context, ChatClient), next }
  })

/** `a` and `b` know each other: a direct chat with one message each way. Returns its id. */
const acquaint = (a: Client, b: Client, bId: string, aId: string) =>
  Effect.gen(function*() {
    const chat = yield* a.Chat.createOne({ kind: "direct", contactId: bId })
    yield* a.Message.send({ chatId: chat.id, body: "hi" })
    yield* b.Message.send({ chatId: chat.id, body: `hi ${aId}` })
    return chat.id
  })

const typing = { dataTypes: ["typing"] }
const presence = { dataTypes: ["presence"] }

layer(ChatServerTest.layer({ server: complianceServer }), { excludeTestServices: true })(
  "compliance §8: WebSocket",
  (it) => {
    it.scoped("8.1 ChatPresenceEvent: statusText null means cleared, absent means unchanged", () =>
      Effect.gen(function*() {
        const server = yield* ChatServer
        const alice = yield* ChatClient
        const bob = yield* connect("bob", presence)
        yield* acquaint(alice, bob.client, server.user("bob").userId, server.user("alice").userId)
        const [status] = (yield* alice.PresenceStatus.get()).list
        const update = (patch: Parameters<typeof alice.PresenceStatus.updateOne>[0]["patch"]) =>
          alice.PresenceStatus.updateOne({ id: status!.id, patch })
        yield* update({ statusText: "lunch" })
        expect(yield* bob.next).toMatchObject({ contactId: server.user("alice").userId, statusText: "lunch" })
        yield* update({ statusText: null })
        const cleared = yield* bob.next
        expect(cleared).toHaveProperty("statusText", null)
        yield* update({ presence: "away" })
        const unchanged = yield* bob.next
        expect(unchanged).toMatchObject({ presence: "away" })
        expect(unchanged).not.toHaveProperty("statusText")
      }))

    it.scoped("8.2 typing is not delivered to someone removed from the chat before delivery", () =>
      Effect.gen(function*() {
        const server = yield* ChatServer
        const id = (name: string) => server.user(name).userId
        const alice = yield* ChatServerTest.make(server, "alice")
        const bob = yield* connect("bob", typing)
        const carol = yield* connect("carol", typing)
        const group = yield* alice.Chat.createOne({ kind: "group", name: "8.2", memberIds: [id("bob"), id("carol")] })
        const direct = yield* alice.Chat.createOne({ kind: "direct", contactId: id("bob") })
        yield* alice.Message.send({ chatId: direct.id, body: "hi" })
        const results = yield* alice.batch((b) => ({
          typing: b.Chat.typing({ chatId: group.id, typing: true }),
          removed: b.Chat.update({ id: group.id, patch: { removeMembers: [id("bob")] } })
        }))
        expect(results.removed._tag).toBe("Right")
        expect(yield* carol.next).toMatchObject({ _tag: "ChatTypingEvent", chatId: group.id, senderId: id("alice") })
        yield* alice.Chat.typing({ chatId: direct.id, typing: true })
        expect(yield* bob.next).toMatchObject({ _tag: "ChatTypingEvent", chatId: direct.id })
      }))

    it.scoped("8.3 receiveTypingIndicators is read when the event is delivered, not when the stream was enabled", () =>
      Effect.gen(function*() {
        const server = yield* ChatServer
        const id = (name: string) => server.user(name).userId
        const dave = yield* ChatServerTest.make(server, "dave")
        const erin = yield* connect("erin", typing)
        const group = yield* dave.Chat.createOne({ kind: "group", name: "8.3", memberIds: [id("erin")] })
        const direct = yield* dave.Chat.createOne({ kind: "direct", contactId: id("erin") })
        yield* dave.Message.send({ chatId: direct.id, body: "hi" })
        yield* dave.Chat.typing({ chatId: group.id, typing: true })
        expect(yield* erin.next).toMatchObject({ chatId: group.id, typing: true })
        yield* erin.client.Chat.updateOne({ id: group.id, patch: { receiveTypingIndicators: false } })
        yield* dave.Chat.typing({ chatId: group.id, typing: false })
        yield* dave.Chat.typing({ chatId: direct.id, typing: true })
        expect(yield* erin.next).toMatchObject({ chatId: direct.id, typing: true })
      }))

    it.scoped("8.3 a typing event queued before receiveTypingIndicators went off is dropped", () =>
      Effect.gen(function*() {
        const server = yield* ChatServer
        const id = (name: string) => server.user(name).userId
        const frank = yield* ChatServerTest.make(server, "frank")
        const erin = yield* ChatServerTest.make(server, "erin")
        const group = yield* frank.Chat.createOne({ kind: "group", name: "8.3 queued", memberIds: [id("erin")] })
        const direct = yield* frank.Chat.createOne({ kind: "direct", contactId: id("erin") })
        yield* frank.Message.send({ chatId: direct.id, body: "hi" })
        const queued = yield* server.backend.subscribe(server.user("erin"))
        yield* frank.Chat.typing({ chatId: group.id, typing: true })
        yield* erin.Chat.updateOne({ id: group.id, patch: { receiveTypingIndicators: false } })
        yield* frank.Chat.typing({ chatId: direct.id, typing: true })
        const first = yield* Stream.runHead(Stream.filter(queued, (e) => e._tag === "Typing"))
        expect(first).toEqual(Option.some(expect.objectContaining({ chatId: direct.id })))
      }))

    it.scoped("8.4 (SHOULD) a blocked contact's typing and presence are dropped at delivery", () =>
      Effect.gen(function*() {
        const server = yield* ChatServer
        const id = (name: string) => server.user(name).userId
        const carol = yield* ChatServerTest.make(server, "carol")
        const frank = yield* connect("frank", { dataTypes: ["typing", "presence"] })
        const dave = yield* ChatServerTest.make(server, "dave")
        const withCarol = yield* acquaint(carol, frank.client, id("frank"), id("carol"))
        const withDave = yield* acquaint(dave, frank.client, id("frank"), id("dave"))
        yield* carol.Chat.typing({ chatId: withCarol, typing: true })
        expect(yield* frank.next).toMatchObject({ _tag: "ChatTypingEvent", senderId: id("carol") })
        yield* frank.client.ChatContact.updateOne({ id: id("carol"), patch: { blocked: true } })
        yield* carol.Chat.typing({ chatId: withCarol, typing: false })
        const [status] = (yield* carol.PresenceStatus.get()).list
        yield* carol.PresenceStatus.updateOne({ id: status!.id, patch: { presence: "busy" } })
        yield* dave.Chat.typing({ chatId: withDave, typing: true })
        expect(yield* frank.next).toMatchObject({ _tag: "ChatTypingEvent", senderId: id("dave") })

        const queued = yield* server.backend.subscribe(server.user("frank"))
        yield* frank.client.ChatContact.updateOne({ id: id("carol"), patch: { blocked: false } })
        yield* carol.Chat.typing({ chatId: withCarol, typing: true })
        yield* frank.client.ChatContact.updateOne({ id: id("carol"), patch: { blocked: true } })
        yield* dave.Chat.typing({ chatId: withDave, typing: false })
        const first = yield* Stream.runHead(Stream.filter(queued, (e) => e._tag === "Typing"))
        expect(first).toEqual(Option.some(expect.objectContaining({ senderId: id("dave") })))
      }))

    it.scoped("8.5 ChatPresenceEvent carries statusEmoji and lastActiveAt", () =>
      Effect.gen(function*() {
        const server = yield* ChatServer
        const erin = yield* ChatServerTest.make(server, "erin")
        const carol = yield* connect("carol", { ...presence, contactIds: [server.user("erin").userId] })
        yield* acquaint(erin, carol.client, server.user("carol").userId, server.user("erin").userId)
        const [status] = (yield* erin.PresenceStatus.get()).list
        yield* erin.PresenceStatus.updateOne({ id: status!.id, patch: { presence: "away", statusEmoji: "🌴" } })
        expect(yield* carol.next).toMatchObject({
          _tag: "ChatPresenceEvent",
          contactId: server.user("erin").userId,
          presence: "away",
          statusEmoji: "🌴",
          lastActiveAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/)
        })
      }))
  }
)
