/**
 * Input guards (seed-api §2.5): each fails with `InvalidArgument` and its message, and sends no
 * request at all.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import type { Service } from "../../../src/chat/ChatClient.js"
import { respond, start } from "./support.js"

const guards: ReadonlyArray<readonly [string, (c: Service) => Effect.Effect<unknown, unknown>]> = [
  ["chat_changes: since_state may not be empty", (c) => c.Chat.changes({ sinceState: "" })],
  ["chat_query_changes: since_query_state may not be empty", (c) => c.Chat.queryChanges({ sinceQueryState: "" })],
  ["chat_destroy: ids may not be empty", (c) => c.Chat.destroy({ ids: [] })],
  ["chat_destroy: ids[1] may not be empty", (c) => c.Chat.destroy({ ids: ["a", ""] })],
  ["chat_get: ids[0] may not be empty", (c) => c.Chat.get({ ids: [""] })],
  ["chat_create: name may not be empty", (c) => c.Chat.create({ kind: "group", name: "", memberIds: [] })],
  ["chat_create: contact_id may not be empty", (c) => c.Chat.create({ kind: "direct", contactId: "" })],
  ["chat_create: member_ids[0] may not be empty", (c) => c.Chat.create({ kind: "group", name: "n", memberIds: [""] })],
  ["chat_typing: chat_id may not be empty", (c) => c.Chat.typing({ chatId: "", typing: true })],
  ["chat_update: id may not be empty", (c) => c.Chat.update({ id: "", patch: { muted: true } })],
  [
    "chat_update: pinned_message_ids[0] may not be empty",
    (c) => c.Chat.update({ id: "c", patch: { pinnedMessageIds: [""] } })
  ],
  [
    "chat_update: add_members[0] may not be empty",
    (c) => c.Chat.update({ id: "c", patch: { addMembers: [{ id: "" }] } })
  ],
  [
    "chat_update: remove_members[0] may not be empty",
    (c) => c.Chat.update({ id: "c", patch: { removeMembers: [""] } })
  ],
  ["message_get: ids may not be empty", (c) => c.Message.get({ ids: [] })],
  ["message_query: chat_id or has_mention=true must be provided", (c) => c.Message.query({})],
  [
    "message_query: chat_id or has_mention=true must be provided",
    (c) => c.Message.query({ filter: { hasMention: false, text: "x" } })
  ],
  ["message_query: chat_id may not be empty", (c) => c.Message.query({ filter: { chatId: "" } })],
  ["message_create: chat_id may not be empty", (c) => c.Message.create({ chatId: "", body: "b" })],
  ["message_create: reply_to may not be empty", (c) => c.Message.create({ chatId: "c", body: "b", replyTo: "" })],
  [
    "message_update: sender_reaction_id must not contain '/' or '~' (RFC 6901 JSON Pointer special characters)",
    (c) => c.Message.update({ id: "m", patch: { reactions: { "a/b": null } } })
  ],
  [
    "message_update: sender_reaction_id must not contain '/' or '~' (RFC 6901 JSON Pointer special characters)",
    (c) => c.Message.update({ id: "m", patch: { reactions: { "a~0": { emoji: "x" } } } })
  ],
  [
    "message_update: sender_reaction_id may not be empty",
    (c) => c.Message.update({ id: "m", patch: { reactions: { "": null } } })
  ],
  ["message_destroy: ids may not be empty", (c) => c.Message.destroy({ ids: [] })],
  ["message_query_changes: since_query_state may not be empty", (c) => c.Message.queryChanges({ sinceQueryState: "" })],
  ["space_create: name may not be empty", (c) => c.Space.create({ name: "" })],
  [
    "space_update: channel name may not be empty",
    (c) => c.Space.update({ id: "s", patch: { addChannels: [{ name: "" }] } })
  ],
  [
    "space_update: role name may not be empty",
    (c) => c.Space.update({ id: "s", patch: { addRoles: [{ name: "", permissions: [], position: 1 }] } })
  ],
  [
    "space_update: category name may not be empty",
    (c) => c.Space.update({ id: "s", patch: { addCategories: [{ name: "" }] } })
  ],
  ["space_update: name may not be empty", (c) => c.Space.update({ id: "s", patch: { name: "" } })],
  [
    "space_update: remove_channels[0] may not be empty",
    (c) => c.Space.update({ id: "s", patch: { removeChannels: [""] } })
  ],
  [
    "space_update: role_ids[0] may not be empty",
    (c) => c.Space.update({ id: "s", patch: { addMembers: [{ id: "u", roleIds: [""] }] } })
  ],
  ["space_destroy: ids may not be empty", (c) => c.Space.destroy({ ids: [] })],
  ["space_join: invite_code may not be empty", (c) => c.Space.join({ inviteCode: "" })],
  ["space_join: invite_code may not be empty", (c) => c.Space.join({ inviteCode: Redacted.make("") })],
  ["space_join: space_id may not be empty", (c) => c.Space.join({ spaceId: "" })],
  ["space_invite_create: space_id may not be empty", (c) => c.SpaceInvite.create({ spaceId: "" })],
  ["space_invite_destroy: ids may not be empty", (c) => c.SpaceInvite.destroy({ ids: [] })],
  ["space_ban_create: user_id may not be empty", (c) => c.SpaceBan.create({ spaceId: "s", userId: "" })],
  ["space_ban_changes: since_state may not be empty", (c) => c.SpaceBan.changes({ sinceState: "" })],
  ["chat_contact_update: id may not be empty", (c) => c.ChatContact.update({ id: "", patch: {} })],
  ["custom_emoji_create: name may not be empty", (c) => c.CustomEmoji.create({ name: "", blobId: "b" })],
  ["custom_emoji_query: space_id may not be empty", (c) => c.CustomEmoji.query({ filter: { spaceId: "" } })],
  ["custom_emoji_destroy: ids may not be empty", (c) => c.CustomEmoji.destroy({ ids: [] })],
  [
    "read_position_update: last_read_message_id may not be empty",
    (c) => c.ReadPosition.update({ id: "r", patch: { lastReadMessageId: "" } })
  ],
  ["presence_status_changes: since_state may not be empty", (c) => c.PresenceStatus.changes({ sinceState: "" })],
  ["quota_changes: since_state may not be empty", (c) => c.Quota.changes({ sinceState: "" })],
  [
    "push_subscription_create: device_client_id may not be empty",
    (c) => c.PushSubscription.create({ deviceClientId: "", url: "https://x" })
  ],
  [
    "push_subscription_create: url may not be empty",
    (c) => c.PushSubscription.create({ deviceClientId: "d", url: "" })
  ],
  [
    "push_subscription_create: duplicate accountId 'A1' in chat_push",
    (c) =>
      c.PushSubscription.create({
        deviceClientId: "d",
        url: "https://x",
        chatPush: [["A1", {}], ["A1", { urgency: "high" }]]
      })
  ],
  ["push_subscription_update: id may not be empty", (c) => c.PushSubscription.update({ id: "", patch: {} })],
  [
    "push_subscription_update: duplicate accountId 'A1' in chat_push",
    (c) => c.PushSubscription.update({ id: "p", patch: { chatPush: [["A1", {}], ["A1", {}]] } })
  ],
  ["push_subscription_destroy: ids may not be empty", (c) => c.PushSubscription.destroy({ ids: [] })],
  ["blob_lookup: blob_ids may not be empty", (c) => c.Blob.lookup({ ids: [] })],
  ["blob_convert: content_type may not be empty", (c) => c.Blob.convert({ blobId: "b", type: "" })],
  ["chat_changes: maxChanges: maxChanges must be positive", (c) => c.Chat.changes({ sinceState: "s", maxChanges: 0 })],
  ["chat_query: limit: expected an integer in 0 … 2^53−1", (c) => c.Chat.query({ limit: -1 })],
  [
    "message_create: sentAt: expected an RFC 3339 date-time such as 2026-04-26T12:00:00Z",
    (c) => c.Message.create({ chatId: "c", body: "b", sentAt: "yesterday" })
  ],
  ["chat_destroy: id may not be empty", (c) => c.Chat.destroyOne({ id: "" })],
  ["chat_update: id may not be empty", (c) => c.Chat.updateOne({ id: "", patch: {} })],
  ["space_create: name may not be empty", (c) => c.Space.createOne({ name: "" })],
  ["chat_query: limit: expected an integer", (c) => c.Chat.list({ limit: 1.5 })],
  ["message_changes: since_state may not be empty", (c) => c.Message.sync({ sinceState: "" })],
  ["message_query: chat_id or has_mention=true must be provided", (c) => c.Message.list({})],
  ["message_create: chat_id may not be empty", (c) => c.Message.send({ chatId: "", body: "b" })],
  [
    "Message/set: create.c.actions[0].metadata.x is NaN, which is not JSON",
    (c) =>
      c.Message.create({
        clientId: "c",
        chatId: "c",
        body: "b",
        actions: [{ type: "t", uri: "u", metadata: { x: NaN } }]
      })
  ],
  [
    "Message/set: create.c.actions[0].metadata.list[0] is undefined, which is not JSON",
    (c) =>
      c.Message.create({
        clientId: "c",
        chatId: "c",
        body: "b",
        actions: [{ type: "t", uri: "u", metadata: { list: [undefined] } }]
      })
  ]
]

/** Inputs from untyped callers: wrong types are refused, never thrown. */
const untyped: ReadonlyArray<readonly [string, (c: any) => Effect.Effect<unknown, unknown>]> = [
  ["chat_get: ids: Expected ReadonlyArray<string>, actual 5", (c) => c.Chat.get({ ids: 5 })],
  [
    "chat_changes: Expected { readonly sinceState: string; readonly maxChanges?: MaxChanges }, actual undefined",
    (c) => c.Chat.changes()
  ],
  [
    "message_update: \"__proto__\" may not be a property name",
    (c) => c.Message.update({ id: "m", patch: { reactions: JSON.parse("{\"__proto__\": null}") } })
  ],
  ["space_join", (c) => c.Space.join({ inviteCode: "a", spaceId: "b" })],
  ["chat_create", (c) => c.Chat.create({ kind: "channel", name: "x" })],
  ["batch: no method calls added", (c) => c.batch(() => ({}))]
]

layer(NodeHttpClient.layerUndici, { excludeTestServices: true })("ChatClient guards", (it) => {
  it.scoped("every guard fails with InvalidArgument and sends no request", () =>
    Effect.gen(function*() {
      const { client, sent } = yield* start(() => respond())
      for (const [message, call] of guards) {
        const error = (yield* Effect.flip(call(client))) as { _tag: string; description?: string }
        expect({ _tag: error._tag, description: error.description }, message).toEqual({
          _tag: "InvalidArgument",
          description: message
        })
      }
      for (const [message, call] of untyped) {
        const error = (yield* Effect.flip(call(client))) as { _tag: string; description: string }
        expect(error._tag, message).toBe("InvalidArgument")
        expect(error.description.startsWith(message), `${message} / ${error.description}`).toBe(true)
      }
      expect(sent()).toEqual([])
    }))

  it.scoped("a guard failure in a batch fails the whole batch before any I/O", () =>
    Effect.gen(function*() {
      const { client, sent } = yield* start(() => respond())
      const error = yield* Effect.flip(client.batch((b) => ({ ok: b.Chat.get(), bad: b.Message.get({ ids: [] }) })))
      expect(error).toMatchObject({ _tag: "InvalidArgument", description: "message_get: ids may not be empty" })
      expect(sent()).toEqual([])
    }))

  it.scoped("a missing chat primary account is InvalidSession, after the guards and before any API request", () =>
    Effect.gen(function*() {
      const { client, sent } = yield* start(() => respond(), { primaryAccounts: {} })
      const error = yield* Effect.flip(client.Chat.get())
      expect(error).toMatchObject({
        _tag: "InvalidSession",
        description: "no primary account for urn:ietf:params:jmap:chat"
      })
      const guard = yield* Effect.flip(client.Chat.destroy({ ids: [] }))
      expect(guard._tag).toBe("InvalidArgument")
      // Account-less methods still work.
      yield* Effect.flip(client.PushSubscription.destroy({ ids: ["p"] }))
      expect(sent().map((r) => r.methodCalls[0]![0])).toEqual(["PushSubscription/set"])
    }))
})
