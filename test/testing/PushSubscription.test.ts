import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { ChatServer } from "../../src/testing/index.js"
import { acct, call, directChat, get, send } from "./helpers.js"

const subscribe = (server: ChatServer.Service, who: string, extra: object = {}) =>
  call(server, who, "PushSubscription/set", {
    create: {
      p: {
        deviceClientId: `${who}-phone`,
        url: "https://push.example.com/x",
        keys: { p256dh: "k", auth: "a" },
        ...extra
      }
    }
  })

/** Subscribes and verifies with the code the server pushed. */
const verified = (server: ChatServer.Service, who: string, extra: object = {}) =>
  Effect.gen(function*() {
    const created = yield* subscribe(server, who, extra)
    const id = created.created.p.id as string
    const deliveries = yield* server.backend.pushDeliveries
    const verification = deliveries.find((d) => d.subscriptionId === id)!.payload as any
    yield* call(server, who, "PushSubscription/set", {
      update: { [id]: { verificationCode: verification.verificationCode } }
    })
    return id
  })

describe("PushSubscription (RFC 8620 §7.2, draft-atwood-jmap-chat-push-00)", () => {
  it.scoped("creates subscriptions, sends a PushVerification and never returns url or keys", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const created = yield* subscribe(server, "alice")
      const id = created.created.p.id
      expect(created.created.p.expires).toEqual(expect.any(String))
      expect(created.accountId).toBeUndefined()
      expect(created.newState).toBeUndefined()
      const [verification] = yield* server.backend.pushDeliveries
      expect(verification).toMatchObject({
        subscriptionId: id,
        url: "https://push.example.com/x",
        payload: { "@type": "PushVerification", pushSubscriptionId: id, verificationCode: expect.any(String) }
      })
      const got = yield* call(server, "alice", "PushSubscription/get", { ids: null })
      expect(got.list).toEqual([{
        id,
        deviceClientId: "alice-phone",
        verificationCode: null,
        expires: created.created.p.expires,
        types: null,
        chatPush: null
      }])
      expect((yield* call(server, "alice", "PushSubscription/get", { ids: [id], properties: ["url"] })).error.type)
        .toBe("forbidden")
      expect((yield* call(server, "bob", "PushSubscription/get", { ids: null })).list).toEqual([])
      const wrong = yield* call(server, "alice", "PushSubscription/set", {
        update: { [id]: { verificationCode: "guess" } }
      })
      expect(wrong.notUpdated[id]).toMatchObject({ type: "invalidProperties", properties: ["verificationCode"] })
      const immutable = yield* call(server, "alice", "PushSubscription/set", {
        update: { [id]: { url: "https://evil.example" } }
      })
      expect(immutable.notUpdated[id].type).toBe("invalidProperties")
      const gone = yield* call(server, "alice", "PushSubscription/set", { destroy: [id] })
      expect(gone.destroyed).toEqual([id])
    }))

  it.scoped("validates chatPush: own account, known urgencies and kinds (compliance test 6.10)", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const bad = yield* call(server, "alice", "PushSubscription/set", {
        create: {
          urgency: {
            deviceClientId: "d",
            url: "https://p.example",
            chatPush: { [acct(server, "alice")]: { urgency: "invalid" } }
          },
          other: { deviceClientId: "d", url: "https://p.example", chatPush: { [acct(server, "bob")]: {} } },
          kinds: {
            deviceClientId: "d",
            url: "https://p.example",
            chatPush: { [acct(server, "alice")]: { kinds: ["dm"] } }
          },
          url: { deviceClientId: "d", url: "not a url" }
        }
      })
      expect(bad.notCreated.urgency.type).toBe("invalidArguments")
      expect(bad.notCreated.other.type).toBe("invalidArguments")
      expect(bad.notCreated.kinds.type).toBe("invalidArguments")
      expect(bad.notCreated.url).toMatchObject({ type: "invalidProperties", properties: ["url"] })
    }))

  it.scoped("sends ChatMessagePush for inbound messages to verified chatPush subscriptions", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const bob = server.user("bob")
      const subscription = yield* verified(server, "bob", {
        chatPush: { [bob.accountId]: { urgency: "low", mentionUrgency: "high" } }
      })
      const chatId = yield* directChat(server, "alice", "bob")
      yield* send(server, "alice", chatId, "hello bob")
      yield* call(server, "alice", "Message/set", {
        accountId: acct(server, "alice"),
        create: {
          m: {
            chatId,
            body: "hey bob!",
            bodyType: "text/plain",
            sentAt: "2026-01-01T00:00:00Z",
            mentions: [{ id: bob.userId, offset: 4, length: 3 }]
          }
        }
      })
      const pushes = (yield* server.backend.pushDeliveries).filter((d) => d.payload["@type"] === "ChatMessagePush")
      expect(pushes.map((p) => p.urgency)).toEqual(["low", "high"])
      const bobMessages = yield* get(server, "bob", "Message")
      expect(pushes[0]!).toMatchObject({ subscriptionId: subscription })
      expect(pushes[0]!.payload).toEqual({
        "@type": "ChatMessagePush",
        accountId: bob.accountId,
        state: expect.any(String),
        messages: [{
          messageId: bobMessages[0].id,
          chatId,
          chatKind: "direct",
          senderId: server.user("alice").userId,
          senderDisplayName: "Alice",
          sentAt: "2026-01-01T00:00:00Z",
          hasMention: false,
          mentionScopes: [],
          encrypted: false,
          bodySnippet: "hello bob"
        }]
      })
      expect((pushes[1]!.payload as any).messages[0].hasMention).toBe(true)
      expect((pushes[1]!.payload as any).state).toBe(
        (yield* call(server, "bob", "Message/get", { accountId: bob.accountId, ids: [] })).state
      )
      // alice's own message never pushes to alice
      expect(pushes.every((p) => p.subscriptionId === subscription)).toBe(true)
    }))

  it.scoped("respects mute, properties filtering and plain StateChange subscriptions", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const bob = server.user("bob")
      const chatId = yield* directChat(server, "alice", "bob")
      yield* send(server, "alice", chatId, "first")
      const chatPushId = yield* verified(server, "bob", {
        chatPush: { [bob.accountId]: { properties: ["messageId", "chatId", "bodySnippet"] } }
      })
      const plainId = yield* verified(server, "bob", { types: ["Chat"] })
      yield* send(server, "alice", chatId, "second")
      const after = yield* server.backend.pushDeliveries
      const chatPush = after.filter((d) => d.subscriptionId === chatPushId && d.payload["@type"] === "ChatMessagePush")
      expect(Object.keys((chatPush[0]!.payload as any).messages[0]).sort()).toEqual([
        "bodySnippet",
        "chatId",
        "messageId"
      ])
      const plain = after.filter((d) => d.subscriptionId === plainId && d.payload["@type"] === "StateChange")
      expect(plain.length).toBeGreaterThan(0)
      expect(Object.keys((plain[plain.length - 1]!.payload as any).changed[bob.accountId])).toEqual(["Chat"])

      yield* call(server, "bob", "Chat/set", { accountId: bob.accountId, update: { [chatId]: { muted: true } } })
      const before = (yield* server.backend.pushDeliveries).length
      yield* send(server, "alice", chatId, "third")
      const muted = (yield* server.backend.pushDeliveries).slice(before)
      expect(muted.some((d) => d.payload["@type"] === "ChatMessagePush")).toBe(false)
    }))
})
