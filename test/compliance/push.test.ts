/**
 * Compliance tests §2.5 and §6 (push notifications) and §12 (PushSubscription) of
 * `jmap-chat-compliance-tests.md`. Subscriptions are made and verified through the socket-less
 * `ChatClient`, as a device would; the payloads are what the reference server hands to the push
 * service (`backend.pushDeliveries`: it records them instead of POSTing), decoded with the SDK's
 * `ChatMessagePush` schema.
 *
 * | Item | Why it is not tested here |
 * |---|---|
 * | 6.8 (`login`, `senderId` fallbacks) | Every user of the reference server has a display name, so the chain never reaches them. The nick and ChatContact links are tested. |
 * | 12.1 (`PushSubscription/changes`) | RFC 8620 §7.2 gives PushSubscription no state and no `/changes` (spec-digest §7.15); neither the server nor the client has it. `/get` and `/set` are tested. |
 */
import { expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { ChatClientTest } from "../../src/testing/index.js"
import { chatPushes, complianceServer, directChat, people, pushSubscription, spaceWithChannel } from "./support.js"

const rich = (spans: ReadonlyArray<Record<string, unknown>>) => JSON.stringify({ spans })

/** The entries pushed to a subscription for one chat. */
const entriesFor = (
  pushes: ReadonlyArray<{ readonly push: { readonly messages: ReadonlyArray<any> } }>,
  chatId: string
) => pushes.flatMap((p) => p.push.messages).filter((m) => m.chatId === chatId)

it.layer(ChatClientTest.layer({ server: complianceServer }))("compliance §2.5, §6, §12: push", (it) => {
  it.effect("2.5 chatName is absent (not null) for direct chats", () =>
    Effect.gen(function*() {
      const { alice, backend, bob, id } = yield* people
      const subscription = yield* pushSubscription(backend, bob, {})
      const direct = yield* directChat(alice, id("bob"))
      const group = yield* alice.Chat.createOne({ kind: "group", name: "2.5 group", memberIds: [id("bob")] })
      yield* alice.Message.send({ chatId: direct, body: "direct" })
      yield* alice.Message.send({ chatId: group.id, body: "group" })
      const pushes = yield* chatPushes(backend, subscription)
      const rawEntries = pushes.flatMap((p) => p.raw["messages"] as Array<Record<string, unknown>>)
      const [directEntry] = rawEntries.filter((e) => e["chatId"] === direct)
      expect(directEntry).toMatchObject({ chatKind: "direct" })
      expect(directEntry).not.toHaveProperty("chatName")
      expect(entriesFor(pushes, group.id)).toEqual([
        expect.objectContaining({ chatKind: "group", chatName: "2.5 group" })
      ])
    }))

  it.effect("6.1 ChatPushConfig takes kinds, chatIds, urgency and properties", () =>
    Effect.gen(function*() {
      const { alice, backend, carol, id } = yield* people
      const wanted = yield* directChat(alice, id("carol"))
      const other = yield* carol.Chat.createOne({ kind: "group", name: "6.1 other", memberIds: [id("alice")] })
      const config = { kinds: ["direct"], chatIds: [wanted], urgency: "low", properties: ["messageId", "chatId"] }
      const subscription = yield* pushSubscription(backend, carol, config)
      const stored = (yield* carol.PushSubscription.get({ ids: [subscription] })).list[0]
      expect(stored?.chatPush?.[yield* carol.accountId]).toEqual(config)
      yield* alice.Message.send({ chatId: wanted, body: "pushed" })
      yield* alice.Message.send({ chatId: other.id, body: "not pushed" })
      const pushes = yield* chatPushes(backend, subscription)
      expect(pushes.flatMap((p) => p.push.messages.map((m) => m.chatId))).toEqual([wanted])
    }))

  it.effect("6.2 a ChatMessagePush has accountId at the top level", () =>
    Effect.gen(function*() {
      const { alice, backend, dave, id } = yield* people
      const subscription = yield* pushSubscription(backend, dave, {})
      yield* alice.Message.send({ chatId: yield* directChat(alice, id("dave")), body: "6.2" })
      const [delivery] = yield* chatPushes(backend, subscription)
      expect(delivery?.raw).toMatchObject({ "@type": "ChatMessagePush", accountId: backend.user("dave").accountId })
      expect(delivery?.push.accountId).toBe(yield* dave.accountId)
    }))

  it.effect("6.3 entries carry chatKind, sentAt and senderDisplayName; channel entries spaceId and spaceName", () =>
    Effect.gen(function*() {
      const { alice, backend, erin, id } = yield* people
      const subscription = yield* pushSubscription(backend, erin, {})
      const direct = yield* directChat(alice, id("erin"))
      const { channelId, spaceId } = yield* spaceWithChannel(alice, [id("erin")], "6.3 Space")
      yield* alice.Message.send({ chatId: direct, body: "direct", sentAt: "2026-03-01T10:00:00Z" })
      yield* alice.Message.send({ chatId: channelId, body: "channel" })
      const pushes = yield* chatPushes(backend, subscription)
      expect(entriesFor(pushes, direct)).toEqual([
        expect.objectContaining({ chatKind: "direct", sentAt: "2026-03-01T10:00:00Z", senderDisplayName: "Alice" })
      ])
      expect(entriesFor(pushes, channelId)).toEqual([
        expect.objectContaining({
          chatKind: "channel",
          sentAt: expect.any(String),
          senderDisplayName: "Alice",
          spaceId,
          spaceName: "6.3 Space"
        })
      ])
    }))

  it.effect("6.4 properties decides the entry fields (bodySnippet may be added)", () =>
    Effect.gen(function*() {
      const { alice, backend, frank, id } = yield* people
      const subscription = yield* pushSubscription(backend, frank, { properties: ["messageId", "chatId"] })
      const chatId = yield* directChat(alice, id("frank"))
      yield* alice.Message.send({ chatId, body: "only ids" })
      const [entry] = entriesFor(yield* chatPushes(backend, subscription), chatId)
      expect(entry).toMatchObject({ messageId: expect.any(String), chatId })
      for (const key of Object.keys(entry!)) expect(["messageId", "chatId", "bodySnippet"]).toContain(key)
    }))

  it.effect("6.5 the configured base urgency is used for messages without mentions", () =>
    Effect.gen(function*() {
      const { alice, backend, bob, id } = yield* people
      const subscription = yield* pushSubscription(backend, bob, { urgency: "low", mentionUrgency: "high" })
      const chatId = yield* directChat(alice, id("bob"))
      yield* alice.Message.send({ chatId, body: "no mention" })
      yield* alice.Message.send({ chatId, body: "@Bob", mentions: [{ id: id("bob"), offset: 0, length: 4 }] })
      const pushes = yield* chatPushes(backend, subscription)
      expect(pushes.map((p) => [p.push.messages.map((m) => m.hasMention), p.urgency])).toEqual([
        [[false], "low"],
        [[true], "high"]
      ])
    }))

  it.effect("6.6 a broadcast to admins reaches an admin who muted the chat", () =>
    Effect.gen(function*() {
      const { alice, backend, carol, id } = yield* people
      const group = yield* alice.Chat.createOne({ kind: "group", name: "6.6", memberIds: [id("carol")] })
      yield* alice.Chat.updateOne({ id: group.id, patch: { updateMemberRoles: [{ id: id("carol"), role: "admin" }] } })
      yield* carol.Chat.updateOne({ id: group.id, patch: { muted: true } })
      const subscription = yield* pushSubscription(backend, carol, {})
      yield* alice.Message.send({ chatId: group.id, body: "muted away" })
      yield* alice.Message.send({
        chatId: group.id,
        body: "@admins look",
        broadcastMentions: [{ scope: "admins", offset: 0, length: 7 }]
      })
      const entries = entriesFor(yield* chatPushes(backend, subscription), group.id)
      expect(entries.map((e) => [e.bodySnippet, e.mentionScopes])).toEqual([["@admins look", ["admins"]]])
    }))

  it.effect("6.7 a mention span in a rich body sets hasMention; a broadcast span fills mentionScopes", () =>
    Effect.gen(function*() {
      const { alice, backend, dave, id } = yield* people
      const subscription = yield* pushSubscription(backend, dave, {})
      const chatId = yield* directChat(alice, id("dave"))
      const bodyType = "application/jmap-chat-rich"
      yield* alice.Message.send({
        chatId,
        bodyType,
        body: rich([{ type: "mention", text: "@Dave", userId: id("dave") }])
      })
      yield* alice.Message.send({
        chatId,
        bodyType,
        body: rich([{ type: "broadcast", text: "@everyone", scope: "everyone" }])
      })
      yield* alice.Message.send({ chatId, bodyType, body: rich([{ type: "bold", text: "no one" }]) })
      const entries = entriesFor(yield* chatPushes(backend, subscription), chatId)
      expect(entries.map((e) => [e.bodySnippet, e.hasMention, e.mentionScopes])).toEqual([
        ["@Dave", true, []],
        ["@everyone", false, ["everyone"]],
        ["no one", false, []]
      ])
    }))

  it.effect("6.8 senderDisplayName: the Space nick first, then ChatContact.displayName", () =>
    Effect.gen(function*() {
      const { alice, backend, erin, id } = yield* people
      const subscription = yield* pushSubscription(backend, erin, {})
      const { channelId, spaceId } = yield* spaceWithChannel(alice, [id("erin")], "6.8")
      yield* alice.Space.updateOne({ id: spaceId, patch: { updateMembers: [{ id: id("alice"), nick: "Ally" }] } })
      const direct = yield* directChat(alice, id("erin"))
      yield* alice.Message.send({ chatId: channelId, body: "nick" })
      yield* alice.Message.send({ chatId: direct, body: "own name" })
      yield* erin.ChatContact.updateOne({ id: id("alice"), patch: { displayName: "Boss" } })
      yield* alice.Message.send({ chatId: direct, body: "renamed" })
      const pushes = yield* chatPushes(backend, subscription)
      expect(
        [...entriesFor(pushes, channelId), ...entriesFor(pushes, direct)].map((
          e
        ) => [e.bodySnippet, e.senderDisplayName])
      )
        .toEqual([["nick", "Ally"], ["own name", "Alice"], ["renamed", "Boss"]])
    }))

  it.effect("6.9 a muteUntil in the past does not suppress pushes", () =>
    Effect.gen(function*() {
      const { alice, backend, frank, id } = yield* people
      const chatId = yield* directChat(alice, id("frank"))
      yield* alice.Message.send({ chatId, body: "open the chat" })
      const subscription = yield* pushSubscription(backend, frank, {})
      yield* frank.Chat.updateOne({ id: chatId, patch: { muted: true, muteUntil: "2999-01-01T00:00:00Z" } })
      yield* alice.Message.send({ chatId, body: "while muted" })
      yield* frank.Chat.updateOne({ id: chatId, patch: { muted: true, muteUntil: "1970-01-01T00:00:00Z" } })
      yield* alice.Message.send({ chatId, body: "mute lapsed" })
      const entries = entriesFor(yield* chatPushes(backend, subscription), chatId)
      expect(entries.map((e) => e.bodySnippet)).toEqual(["mute lapsed"])
    }))

  it.effect("6.10 an unsupported urgency is refused with invalidArguments", () =>
    Effect.gen(function*() {
      const { bob } = yield* people
      const accountId = yield* bob.accountId
      for (const config of [{ urgency: "invalid" }, { mentionUrgency: "urgent!" }]) {
        const refused = yield* Effect.flip(
          bob.PushSubscription.createOne({
            deviceClientId: "6.10",
            url: "https://push.example/6.10",
            chatPush: { [accountId]: config }
          })
        )
        expect(refused).toMatchObject({ _tag: "SetFailed", type: "invalidArguments" })
      }
      expect((yield* bob.PushSubscription.get()).list.filter((s) => s.deviceClientId === "6.10")).toEqual([])
    }))

  it.effect("12.1 PushSubscription/set creates a subscription with url and chatPush; /get returns it", () =>
    Effect.gen(function*() {
      const { carol } = yield* people
      const accountId = yield* carol.accountId
      const created = yield* carol.PushSubscription.createOne({
        deviceClientId: "12.1",
        url: "https://push.example/12.1",
        chatPush: { [accountId]: { kinds: ["group"] } }
      })
      const { list } = yield* carol.PushSubscription.get({ ids: [created.id] })
      expect(list).toEqual([
        expect.objectContaining({
          id: created.id,
          deviceClientId: "12.1",
          chatPush: { [accountId]: { kinds: ["group"] } }
        })
      ])
      expect(list[0]).not.toHaveProperty("url")
    }))
})
