/**
 * Every ChatClient wire method against a loopback server: the exact Request sent (method, arguments,
 * `using`, call id "r1") and the decoded answer, with the jmapchat-client fixtures as replies
 * where they fit.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import type { Service } from "../../../src/chat/ChatClient.js"
import { ACCOUNT, CORE, fixture, haveFixtures, respond, start, USING_CHAT } from "./support.js"

interface Row {
  readonly name: string
  readonly call: (client: Service) => Effect.Effect<any, any>
  readonly method: string
  /** The arguments sent; `accountId` is added unless `accountless`. */
  readonly args: Record<string, unknown>
  readonly using?: ReadonlyArray<string>
  readonly accountless?: boolean
  /** A fixture name, or a Response body. */
  readonly reply: string | object
  readonly check?: (result: any) => void
}

const ts = "2024-01-01T10:00:00Z"

const rows: ReadonlyArray<Row> = [
  // Chat
  {
    name: "Chat.get (all)",
    call: (c) => c.Chat.get(),
    method: "Chat/get",
    args: {},
    reply: "chat_get_response",
    check: (r) => {
      expect(r.list[0].name).toBe("Engineering Team")
      expect(r.list[0].receiveTypingIndicators).toBe(true)
      expect(r.notFound).toEqual([])
    }
  },
  {
    name: "Chat.get (ids, properties)",
    call: (c) => c.Chat.get({ ids: ["c1", "c2"], properties: ["name", "kind"] }),
    method: "Chat/get",
    args: { ids: ["c1", "c2"], properties: ["name", "kind"] },
    reply: respond(["Chat/get", {
      accountId: ACCOUNT,
      state: "s",
      list: [{ id: "c1", name: "Eng", kind: "group" }],
      notFound: ["c2"]
    }]),
    check: (r) => {
      expect(r.list).toEqual([{ id: "c1", name: "Eng", kind: "group" }])
      expect(r.notFound).toEqual(["c2"])
    }
  },
  {
    name: "Chat.changes",
    call: (c) => c.Chat.changes({ sinceState: "state-chat-000", maxChanges: 50 }),
    method: "Chat/changes",
    args: { sinceState: "state-chat-000", maxChanges: 50 },
    reply: "chat_changes_response",
    check: (r) => expect(r.created).toEqual(["01HV5Z6QKWJ7N3P8R2X4YTMD3H"])
  },
  {
    name: "Chat.query (empty filter → null)",
    call: (c) => c.Chat.query(),
    method: "Chat/query",
    args: { filter: null },
    reply: "chat_query_response",
    check: (r) => expect(r.ids).toEqual(["01HV5Z6QKWJ7N3P8R2X4YTMD3G"])
  },
  {
    name: "Chat.query (filter, sort, window)",
    call: (c) =>
      c.Chat.query({
        filter: { kind: "group", muted: false },
        sort: [{ property: "lastMessageAt", isAscending: false }],
        position: 10,
        limit: 20,
        calculateTotal: true
      }),
    method: "Chat/query",
    args: {
      filter: { kind: "group", muted: false },
      sort: [{ property: "lastMessageAt", isAscending: false }],
      position: 10,
      limit: 20,
      calculateTotal: true
    },
    reply: "chat_query_response"
  },
  {
    name: "Chat.queryChanges",
    call: (c) =>
      c.Chat.queryChanges({ sinceQueryState: "chat-qs-000", maxChanges: 5, upToId: "x", calculateTotal: true }),
    method: "Chat/queryChanges",
    args: { sinceQueryState: "chat-qs-000", filter: null, maxChanges: 5, upToId: "x", calculateTotal: true },
    reply: "chat_query_changes_response",
    check: (r) => expect(r.added).toEqual([{ id: "01HV5Z6QKWJ7N3P8R2X4YTMDBB", index: 0 }])
  },
  {
    name: "Chat.create (direct)",
    call: (c) => c.Chat.create({ kind: "direct", contactId: "user:bob@example.com", clientId: "client-direct-001" }),
    method: "Chat/set",
    args: { create: { "client-direct-001": { kind: "direct", contactId: "user:bob@example.com" } } },
    reply: "chat_set_create_direct_response",
    check: (r) =>
      expect(r.created["client-direct-001"]).toEqual({
        id: "01HV5Z6QKWJ7N3P8R2X4YTMDAA",
        kind: "direct",
        createdAt: "2024-01-02T12:00:00Z"
      })
  },
  {
    name: "Chat.create (group)",
    call: (c) =>
      c.Chat.create({
        kind: "group",
        name: "Eng",
        memberIds: ["user:a", "user:b"],
        description: "d",
        avatarBlobId: "blob-1",
        messageExpirySeconds: 3600,
        clientId: "client-group-001"
      }),
    method: "Chat/set",
    args: {
      create: {
        "client-group-001": {
          kind: "group",
          name: "Eng",
          memberIds: ["user:a", "user:b"],
          description: "d",
          avatarBlobId: "blob-1",
          messageExpirySeconds: 3600
        }
      }
    },
    reply: "chat_set_create_group_response",
    check: (r) => expect(r.created["client-group-001"].id).toBe("01HV5Z6QKWJ7N3P8R2X4YTMDBB")
  },
  {
    name: "Chat.update (every key; empty member lists left out, pinnedMessageIds [] kept)",
    call: (c) =>
      c.Chat.update({
        id: "01HV5Z6QKWJ7N3P8R2X4YTMDAA",
        patch: {
          muted: true,
          muteUntil: null,
          receiveTypingIndicators: false,
          pinnedMessageIds: [],
          messageExpirySeconds: null,
          receiptSharing: false,
          name: "New",
          description: null,
          avatarBlobId: "blob-2",
          addMembers: [{ id: "user:c", role: "admin" }, { id: "user:d" }],
          removeMembers: [],
          updateMemberRoles: [{ id: "user:e", role: "member" }]
        }
      }),
    method: "Chat/set",
    args: {
      update: {
        "01HV5Z6QKWJ7N3P8R2X4YTMDAA": {
          muted: true,
          muteUntil: null,
          receiveTypingIndicators: false,
          pinnedMessageIds: [],
          messageExpirySeconds: null,
          receiptSharing: false,
          name: "New",
          description: null,
          avatarBlobId: "blob-2",
          addMembers: [{ id: "user:c", role: "admin" }, { id: "user:d" }],
          updateMemberRoles: [{ id: "user:e", role: "member" }]
        }
      }
    },
    reply: "chat_set_update_response",
    check: (r) => expect(r.updated).toEqual({ "01HV5Z6QKWJ7N3P8R2X4YTMDAA": null })
  },
  {
    name: "Chat.update (all-absent patch sends {})",
    call: (c) => c.Chat.update({ id: "c1", patch: {} }),
    method: "Chat/set",
    args: { update: { c1: {} } },
    reply: "chat_set_update_response"
  },
  {
    name: "Chat.destroy",
    call: (c) => c.Chat.destroy({ ids: ["01HV5Z6QKWJ7N3P8R2X4YTMDCH"] }),
    method: "Chat/set",
    args: { destroy: ["01HV5Z6QKWJ7N3P8R2X4YTMDCH"] },
    reply: "chat_set_destroy_response",
    check: (r) => expect(r.destroyed).toEqual(["01HV5Z6QKWJ7N3P8R2X4YTMDCH"])
  },
  {
    name: "Chat.typing",
    call: (c) => c.Chat.typing({ chatId: "c1", typing: true }),
    method: "Chat/typing",
    args: { chatId: "c1", typing: true },
    reply: "chat_typing_response",
    check: (r) => expect(r).toEqual({ accountId: "account1" })
  },
  // Message
  {
    name: "Message.get",
    call: (c) => c.Message.get({ ids: ["01HV5Z6QKWJ7N3P8R2X4YTMD42"] }),
    method: "Message/get",
    args: { ids: ["01HV5Z6QKWJ7N3P8R2X4YTMD42"] },
    reply: "message_get_response",
    check: (r) => {
      expect(r.list[0].body).toBe("Hello, world!")
      expect(r.list[0].broadcastMentions).toEqual([])
    }
  },
  {
    name: "Message.changes",
    call: (c) => c.Message.changes({ sinceState: "state-msg-000" }),
    method: "Message/changes",
    args: { sinceState: "state-msg-000" },
    reply: "message_changes_response",
    check: (r) => expect(r.newState).toBe("state-msg-001")
  },
  {
    name: "Message.state (Message/get with ids: [])",
    call: (c) => c.Message.state(),
    method: "Message/get",
    args: { ids: [] },
    reply: respond(["Message/get", { accountId: ACCOUNT, state: "state-msg-007", list: [], notFound: [] }]),
    check: (r) => expect(r).toBe("state-msg-007")
  },
  {
    name: "Message.query (default sort sentAt descending)",
    call: (c) => c.Message.query({ filter: { chatId: "01HV5Z6QKWJ7N3P8R2X4YTMD3G" }, limit: 50 }),
    method: "Message/query",
    args: {
      filter: { chatId: "01HV5Z6QKWJ7N3P8R2X4YTMD3G" },
      sort: [{ property: "sentAt", isAscending: false }],
      limit: 50
    },
    reply: "message_query_response",
    check: (r) => expect(r.ids).toEqual(["01HV5Z6QKWJ7N3P8R2X4YTMD42"])
  },
  {
    name: "Message.query (every filter, explicit sort)",
    call: (c) =>
      c.Message.query({
        filter: { hasMention: true, hasAttachment: false, text: "hi", threadRootId: "m0", after: ts, before: ts },
        sort: [{ property: "sentAt", isAscending: true }],
        position: 0,
        anchor: "m9",
        anchorOffset: -2
      }),
    method: "Message/query",
    args: {
      filter: { hasMention: true, hasAttachment: false, text: "hi", threadRootId: "m0", after: ts, before: ts },
      sort: [{ property: "sentAt", isAscending: true }],
      position: 0,
      anchor: "m9",
      anchorOffset: -2
    },
    reply: "message_query_response"
  },
  {
    name: "Message.queryChanges (same default sort as the query)",
    call: (c) => c.Message.queryChanges({ sinceQueryState: "msg-qs-000", filter: { chatId: "c1" } }),
    method: "Message/queryChanges",
    args: {
      sinceQueryState: "msg-qs-000",
      filter: { chatId: "c1" },
      sort: [{ property: "sentAt", isAscending: false }]
    },
    reply: "message_query_changes_response",
    check: (r) => expect(r.newQueryState).toBe("msg-qs-001")
  },
  {
    name: "Message.create",
    call: (c) =>
      c.Message.create({
        clientId: "client-ulid-001",
        chatId: "01HV5Z6QKWJ7N3P8R2X4YTMD3G",
        body: "Hello",
        bodyType: "text/markdown",
        sentAt: ts,
        replyTo: "m0"
      }),
    method: "Message/set",
    args: {
      create: {
        "client-ulid-001": {
          chatId: "01HV5Z6QKWJ7N3P8R2X4YTMD3G",
          body: "Hello",
          bodyType: "text/markdown",
          sentAt: ts,
          replyTo: "m0"
        }
      }
    },
    reply: "message_create_response",
    check: (r) => expect(r.created["client-ulid-001"].receivedAt).toBe("2024-01-02T12:00:00Z")
  },
  {
    name: "Message.update (edit, reactions add/remove, read, delete)",
    call: (c) =>
      c.Message.update({
        id: "01HV5Z6QKWJ7N3P8R2X4YTMD42",
        patch: {
          body: "edited",
          bodyType: "text/plain",
          reactions: { "01J0REACTION0000000000000A": { emoji: "👍", sentAt: ts }, "01J0REACTION0000000000000B": null },
          readAt: ts,
          readDisposition: "displayed",
          deletedAt: ts,
          deletedForAll: true
        }
      }),
    method: "Message/set",
    args: {
      update: {
        "01HV5Z6QKWJ7N3P8R2X4YTMD42": {
          body: "edited",
          bodyType: "text/plain",
          readAt: ts,
          readDisposition: "displayed",
          deletedAt: ts,
          deletedForAll: true,
          "reactions/01J0REACTION0000000000000A": { emoji: "👍", sentAt: ts },
          "reactions/01J0REACTION0000000000000B": null
        }
      }
    },
    reply: "message_set_update_response"
  },
  {
    name: "Message.destroy",
    call: (c) => c.Message.destroy({ ids: ["01HV5Z6QKWJ7N3P8R2X4YTMD42"] }),
    method: "Message/set",
    args: { destroy: ["01HV5Z6QKWJ7N3P8R2X4YTMD42"] },
    reply: "message_set_destroy_response"
  },
  // Space
  {
    name: "Space.get",
    call: (c) => c.Space.get({ ids: ["01HV5Z6QKWJ7N3P8R2X4YTMDSP"] }),
    method: "Space/get",
    args: { ids: ["01HV5Z6QKWJ7N3P8R2X4YTMDSP"] },
    reply: "space_get_response",
    check: (r) => expect(r.list[0].roles[0].permissions).toEqual(["manage_space", "manage_members"])
  },
  {
    name: "Space.changes",
    call: (c) => c.Space.changes({ sinceState: "s0" }),
    method: "Space/changes",
    args: { sinceState: "s0" },
    reply: "space_changes_response"
  },
  {
    name: "Space.query",
    call: (c) => c.Space.query({ filter: { name: "eng", isPublic: true }, limit: 10 }),
    method: "Space/query",
    args: { filter: { name: "eng", isPublic: true }, limit: 10 },
    reply: "space_query_response"
  },
  {
    name: "Space.queryChanges",
    call: (c) => c.Space.queryChanges({ sinceQueryState: "sq0" }),
    method: "Space/queryChanges",
    args: { sinceQueryState: "sq0", filter: null },
    reply: "space_query_changes_response"
  },
  {
    name: "Space.create",
    call: (c) => c.Space.create({ clientId: "client-space-001", name: "Eng", description: "d", iconBlobId: "b" }),
    method: "Space/set",
    args: { create: { "client-space-001": { name: "Eng", description: "d", iconBlobId: "b" } } },
    reply: "space_set_create_response",
    check: (r) => expect(r.created["client-space-001"].id).toBe("01HV5Z6QKWJ7N3P8R2X4YTMDSP")
  },
  {
    name: "Space.update (all twelve list keys, empty lists left out)",
    call: (c) =>
      c.Space.update({
        id: "sp1",
        patch: {
          name: "N",
          description: null,
          iconBlobId: "icon",
          isPublic: true,
          isPubliclyPreviewable: false,
          addMembers: [{ id: "user:a", roleIds: ["r1"] }],
          removeMembers: ["user:b"],
          updateMembers: [{ id: "user:c", nick: null, roleIds: [] }],
          addChannels: [{ name: "general", categoryId: "cat", position: 1, topic: "t" }],
          removeChannels: ["ch0"],
          updateChannels: [{
            id: "ch1",
            name: "g2",
            topic: null,
            categoryId: null,
            position: 2,
            slowModeSeconds: 30,
            permissionOverrides: [{ targetId: "r1", targetType: "role", allow: ["send"], deny: [] }]
          }],
          addRoles: [{ name: "Mod", permissions: ["ban"], position: 3, color: "#fff" }],
          removeRoles: ["r0"],
          updateRoles: [{ id: "r1", color: null, permissions: ["pin"], position: 1, name: "R" }],
          addCategories: [{ name: "Cat", position: 0, channelIds: ["ch1"] }],
          removeCategories: [],
          updateCategories: [{ id: "cat", name: "C2", position: 1, channelIds: [] }]
        }
      }),
    method: "Space/set",
    args: {
      update: {
        sp1: {
          name: "N",
          description: null,
          iconBlobId: "icon",
          isPublic: true,
          isPubliclyPreviewable: false,
          addMembers: [{ id: "user:a", roleIds: ["r1"] }],
          removeMembers: ["user:b"],
          updateMembers: [{ id: "user:c", nick: null, roleIds: [] }],
          addChannels: [{ name: "general", categoryId: "cat", position: 1, topic: "t" }],
          removeChannels: ["ch0"],
          updateChannels: [{
            id: "ch1",
            name: "g2",
            topic: null,
            categoryId: null,
            position: 2,
            slowModeSeconds: 30,
            permissionOverrides: [{ targetId: "r1", targetType: "role", allow: ["send"], deny: [] }]
          }],
          addRoles: [{ name: "Mod", permissions: ["ban"], position: 3, color: "#fff" }],
          removeRoles: ["r0"],
          updateRoles: [{ id: "r1", color: null, permissions: ["pin"], position: 1, name: "R" }],
          addCategories: [{ name: "Cat", position: 0, channelIds: ["ch1"] }],
          updateCategories: [{ id: "cat", name: "C2", position: 1, channelIds: [] }]
        }
      }
    },
    reply: "space_set_update_response"
  },
  {
    name: "Space.destroy",
    call: (c) => c.Space.destroy({ ids: ["sp1"] }),
    method: "Space/set",
    args: { destroy: ["sp1"] },
    reply: "space_set_destroy_response"
  },
  {
    name: "Space.join (invite code, Redacted)",
    call: (c) => c.Space.join({ inviteCode: Redacted.make("ABC123") }),
    method: "Space/join",
    args: { inviteCode: "ABC123" },
    reply: "space_join_response",
    check: (r) => expect(r.spaceId).toBe("01HV5Z6QKWJ7N3P8R2X4YTMDSP")
  },
  {
    name: "Space.join (public space id)",
    call: (c) => c.Space.join({ spaceId: "sp1" }),
    method: "Space/join",
    args: { spaceId: "sp1" },
    reply: "space_join_response"
  },
  // SpaceInvite
  {
    name: "SpaceInvite.get",
    call: (c) => c.SpaceInvite.get(),
    method: "SpaceInvite/get",
    args: {},
    reply: "space_invite_get_response",
    check: (r) => expect(r.list.length).toBeGreaterThan(0)
  },
  {
    name: "SpaceInvite.changes",
    call: (c) => c.SpaceInvite.changes({ sinceState: "i0" }),
    method: "SpaceInvite/changes",
    args: { sinceState: "i0" },
    reply: "space_invite_changes_response"
  },
  {
    name: "SpaceInvite.create",
    call: (c) =>
      c.SpaceInvite.create({
        clientId: "invite-new-1",
        spaceId: "01HV5Z6QKWJ7N3P8R2X4YTMD10",
        defaultChannelId: "ch",
        expiresAt: ts,
        maxUses: 5
      }),
    method: "SpaceInvite/set",
    args: {
      create: {
        "invite-new-1": { spaceId: "01HV5Z6QKWJ7N3P8R2X4YTMD10", defaultChannelId: "ch", expiresAt: ts, maxUses: 5 }
      }
    },
    reply: "space_invite_set_response",
    check: (r) => expect(Redacted.value(r.created["invite-new-1"].code)).toBe("DEF456GHI")
  },
  {
    name: "SpaceInvite.destroy",
    call: (c) => c.SpaceInvite.destroy({ ids: ["inv1"] }),
    method: "SpaceInvite/set",
    args: { destroy: ["inv1"] },
    reply: "space_invite_set_response"
  },
  // SpaceBan
  {
    name: "SpaceBan.get",
    call: (c) => c.SpaceBan.get({ ids: null }),
    method: "SpaceBan/get",
    args: { ids: null },
    reply: "space_ban_get_response"
  },
  {
    name: "SpaceBan.changes",
    call: (c) => c.SpaceBan.changes({ sinceState: "b0" }),
    method: "SpaceBan/changes",
    args: { sinceState: "b0" },
    reply: "space_ban_changes_response"
  },
  {
    name: "SpaceBan.create",
    call: (c) =>
      c.SpaceBan.create({
        clientId: "ban-new-1",
        spaceId: "01HV5Z6QKWJ7N3P8R2X4YTMD10",
        userId: "user:x",
        reason: "spam",
        expiresAt: ts
      }),
    method: "SpaceBan/set",
    args: {
      create: {
        "ban-new-1": { spaceId: "01HV5Z6QKWJ7N3P8R2X4YTMD10", userId: "user:x", reason: "spam", expiresAt: ts }
      }
    },
    reply: "space_ban_set_response"
  },
  {
    name: "SpaceBan.destroy",
    call: (c) => c.SpaceBan.destroy({ ids: ["ban1"] }),
    method: "SpaceBan/set",
    args: { destroy: ["ban1"] },
    reply: "space_ban_set_response"
  },
  // ChatContact
  {
    name: "ChatContact.get",
    call: (c) => c.ChatContact.get({ ids: ["user:carol@example.com"] }),
    method: "ChatContact/get",
    args: { ids: ["user:carol@example.com"] },
    reply: "chat_contact_get_response",
    check: (r) => expect(r.list[0].presence).toBe("busy")
  },
  {
    name: "ChatContact.changes",
    call: (c) => c.ChatContact.changes({ sinceState: "contact-state-000" }),
    method: "ChatContact/changes",
    args: { sinceState: "contact-state-000" },
    reply: "chat_contact_changes_response"
  },
  {
    name: "ChatContact.query (filter and sort)",
    call: (c) =>
      c.ChatContact.query({
        filter: { blocked: false, presence: "online" },
        sort: [{ property: "login", isAscending: true }]
      }),
    method: "ChatContact/query",
    args: { filter: { blocked: false, presence: "online" }, sort: [{ property: "login", isAscending: true }] },
    reply: "chat_contact_query_response"
  },
  {
    name: "ChatContact.query (no sort unless asked)",
    call: (c) => c.ChatContact.query({ limit: 5 }),
    method: "ChatContact/query",
    args: { filter: null, limit: 5 },
    reply: "chat_contact_query_response"
  },
  {
    name: "ChatContact.queryChanges",
    call: (c) => c.ChatContact.queryChanges({ sinceQueryState: "contact-qs-000" }),
    method: "ChatContact/queryChanges",
    args: { sinceQueryState: "contact-qs-000", filter: null },
    reply: "chat_contact_query_changes_response"
  },
  {
    name: "ChatContact.update",
    call: (c) =>
      c.ChatContact.update({ id: "01HV5Z6QKWJ7N3P8R2X4YTMDCC", patch: { blocked: true, displayName: null } }),
    method: "ChatContact/set",
    args: { update: { "01HV5Z6QKWJ7N3P8R2X4YTMDCC": { blocked: true, displayName: null } } },
    reply: "chat_contact_set_response"
  },
  // CustomEmoji
  {
    name: "CustomEmoji.get",
    call: (c) => c.CustomEmoji.get(),
    method: "CustomEmoji/get",
    args: {},
    reply: "custom_emoji_get_response",
    check: (r) => expect(r.list[0].name).toBe("catjam")
  },
  {
    name: "CustomEmoji.changes",
    call: (c) => c.CustomEmoji.changes({ sinceState: "emoji-state-000" }),
    method: "CustomEmoji/changes",
    args: { sinceState: "emoji-state-000" },
    reply: "custom_emoji_changes_response"
  },
  {
    name: "CustomEmoji.query (no filter → filter omitted)",
    call: (c) => c.CustomEmoji.query(),
    method: "CustomEmoji/query",
    args: {},
    reply: "custom_emoji_query_response"
  },
  {
    name: "CustomEmoji.query (spaceId)",
    call: (c) => c.CustomEmoji.query({ filter: { spaceId: "sp1" } }),
    method: "CustomEmoji/query",
    args: { filter: { spaceId: "sp1" } },
    reply: "custom_emoji_query_response"
  },
  {
    name: "CustomEmoji.queryChanges",
    call: (c) => c.CustomEmoji.queryChanges({ sinceQueryState: "emoji-qs-000" }),
    method: "CustomEmoji/queryChanges",
    args: { sinceQueryState: "emoji-qs-000" },
    reply: "custom_emoji_query_changes_response",
    check: (r) => expect(r.total).toBe(1)
  },
  {
    name: "CustomEmoji.create",
    call: (c) =>
      c.CustomEmoji.create({
        clientId: "emoji-new-1",
        name: "partyparrot",
        blobId: "01HV5Z6QKWJ7N3P8R2X4YTMDDD",
        spaceId: "sp1"
      }),
    method: "CustomEmoji/set",
    args: { create: { "emoji-new-1": { name: "partyparrot", blobId: "01HV5Z6QKWJ7N3P8R2X4YTMDDD", spaceId: "sp1" } } },
    reply: "custom_emoji_set_response",
    check: (r) => expect(r.created["emoji-new-1"].name).toBe("partyparrot")
  },
  {
    name: "CustomEmoji.destroy",
    call: (c) => c.CustomEmoji.destroy({ ids: ["e1"] }),
    method: "CustomEmoji/set",
    args: { destroy: ["e1"] },
    reply: "custom_emoji_set_response"
  },
  // ReadPosition
  {
    name: "ReadPosition.get",
    call: (c) => c.ReadPosition.get(),
    method: "ReadPosition/get",
    args: {},
    reply: "read_position_get_response"
  },
  {
    name: "ReadPosition.changes",
    call: (c) => c.ReadPosition.changes({ sinceState: "rp0" }),
    method: "ReadPosition/changes",
    args: { sinceState: "rp0" },
    reply: "read_position_changes_response"
  },
  {
    name: "ReadPosition.update",
    call: (c) => c.ReadPosition.update({ id: "01HV5Z6QKWJ7N3P8R2X4RPOS01", patch: { lastReadMessageId: "m9" } }),
    method: "ReadPosition/set",
    args: { update: { "01HV5Z6QKWJ7N3P8R2X4RPOS01": { lastReadMessageId: "m9" } } },
    reply: "read_position_set_response"
  },
  // PresenceStatus
  {
    name: "PresenceStatus.get (ids: null)",
    call: (c) => c.PresenceStatus.get(),
    method: "PresenceStatus/get",
    args: { ids: null },
    reply: "presence_status_get_response",
    check: (r) => expect(r.list[0].presence).toBe("online")
  },
  {
    name: "PresenceStatus.changes",
    call: (c) => c.PresenceStatus.changes({ sinceState: "ps-state-001" }),
    method: "PresenceStatus/changes",
    args: { sinceState: "ps-state-001" },
    reply: "presence_status_changes_response"
  },
  {
    name: "PresenceStatus.update",
    call: (c) =>
      c.PresenceStatus.update({
        id: "01HV5Z6QKWJ7N3P8R2X4YTMD99",
        patch: { presence: "away", statusText: "lunch", statusEmoji: null, expiresAt: ts, receiptSharing: false }
      }),
    method: "PresenceStatus/set",
    args: {
      update: {
        "01HV5Z6QKWJ7N3P8R2X4YTMD99": {
          presence: "away",
          statusText: "lunch",
          statusEmoji: null,
          expiresAt: ts,
          receiptSharing: false
        }
      }
    },
    reply: "presence_status_set_response",
    check: (r) => expect(r.updated).toEqual({ "01HV5Z6QKWJ7N3P8R2X4YTMD99": {} })
  },
  // PushSubscription (RFC 8620 §7.2: no accountId)
  {
    name: "PushSubscription.get",
    call: (c) => c.PushSubscription.get(),
    method: "PushSubscription/get",
    args: {},
    accountless: true,
    using: [CORE],
    reply: respond(["PushSubscription/get", {
      list: [{ id: "push-1", deviceClientId: "dev", expires: null, types: null }],
      notFound: []
    }]),
    check: (r) => expect(r.list[0].deviceClientId).toBe("dev")
  },
  {
    name: "PushSubscription.create (no chatPush → core only)",
    call: (c) =>
      c.PushSubscription.create({
        clientId: "client-push-001",
        deviceClientId: "dev",
        url: "https://push.example.com/x",
        keys: { p256dh: "key", auth: "auth" },
        expires: ts,
        types: ["Message"]
      }),
    method: "PushSubscription/set",
    args: {
      create: {
        "client-push-001": {
          deviceClientId: "dev",
          url: "https://push.example.com/x",
          keys: { p256dh: "key", auth: "auth" },
          expires: ts,
          types: ["Message"]
        }
      }
    },
    accountless: true,
    using: [CORE],
    reply: "push_subscription_set_response",
    check: (r) =>
      expect(r.created["client-push-001"]).toEqual({ id: "push-server-001", expires: "2026-05-27T00:00:00Z" })
  },
  {
    name: "PushSubscription.create (chatPush pairs → map, chat:push)",
    call: (c) =>
      c.PushSubscription.create({
        clientId: "client-push-001",
        deviceClientId: "dev",
        url: "https://push.example.com/x",
        chatPush: [[ACCOUNT, { kinds: ["direct"], urgency: "high", mentionUrgency: "high" }]]
      }),
    method: "PushSubscription/set",
    args: {
      create: {
        "client-push-001": {
          deviceClientId: "dev",
          url: "https://push.example.com/x",
          chatPush: { [ACCOUNT]: { kinds: ["direct"], urgency: "high", mentionUrgency: "high" } }
        }
      }
    },
    accountless: true,
    using: [CORE, "urn:ietf:params:jmap:chat:push"],
    reply: "push_subscription_set_response"
  },
  {
    name: "PushSubscription.update (chatPush cleared → chat:push)",
    call: (c) => c.PushSubscription.update({ id: "push-1", patch: { chatPush: null, types: null, expires: ts } }),
    method: "PushSubscription/set",
    args: { update: { "push-1": { chatPush: null, types: null, expires: ts } } },
    accountless: true,
    using: [CORE, "urn:ietf:params:jmap:chat:push"],
    reply: respond(["PushSubscription/set", { updated: { "push-1": null } }])
  },
  {
    name: "PushSubscription.update (verificationCode → core only)",
    call: (c) => c.PushSubscription.update({ id: "push-1", patch: { verificationCode: "code" } }),
    method: "PushSubscription/set",
    args: { update: { "push-1": { verificationCode: "code" } } },
    accountless: true,
    using: [CORE],
    reply: respond(["PushSubscription/set", { updated: { "push-1": null } }])
  },
  {
    name: "PushSubscription.destroy",
    call: (c) => c.PushSubscription.destroy({ ids: ["push-1"] }),
    method: "PushSubscription/set",
    args: { destroy: ["push-1"] },
    accountless: true,
    using: [CORE],
    reply: respond(["PushSubscription/set", { destroyed: ["push-1"] }])
  },
  // Quota (RFC 9425, chat account)
  {
    name: "Quota.get (ids: null)",
    call: (c) => c.Quota.get(),
    method: "Quota/get",
    args: { ids: null },
    using: [CORE, "urn:ietf:params:jmap:quota"],
    reply: respond(["Quota/get", {
      accountId: ACCOUNT,
      state: "q1",
      list: [{
        id: "q",
        resourceType: "octets",
        used: 1,
        hardLimit: 10,
        scope: "account",
        name: "Messages",
        types: ["Message"]
      }],
      notFound: null
    }]),
    check: (r) => {
      expect(r.list[0].types).toEqual(["Message"])
      expect(r.notFound).toEqual([])
    }
  },
  {
    name: "Quota.changes",
    call: (c) => c.Quota.changes({ sinceState: "q0", maxChanges: 1 }),
    method: "Quota/changes",
    args: { sinceState: "q0", maxChanges: 1 },
    using: [CORE, "urn:ietf:params:jmap:quota"],
    reply: respond(["Quota/changes", {
      accountId: ACCOUNT,
      oldState: "q0",
      newState: "q1",
      hasMoreChanges: false,
      created: [],
      updated: ["q"],
      destroyed: []
    }])
  },
  {
    name: "Quota.state (Quota/get with ids: [])",
    call: (c) => c.Quota.state(),
    method: "Quota/get",
    args: { ids: [] },
    using: [CORE, "urn:ietf:params:jmap:quota"],
    reply: respond(["Quota/get", { accountId: ACCOUNT, state: "q1", list: [], notFound: null }]),
    check: (r) => expect(r).toBe("q1")
  },
  // Blob (blob2)
  {
    name: "Blob.lookup (typeNames null when unset)",
    call: (c) => c.Blob.lookup({ ids: ["blob-001", "blob-missing"] }),
    method: "Blob/lookup",
    args: { ids: ["blob-001", "blob-missing"], typeNames: null },
    using: [CORE, "urn:ietf:params:jmap:blob2"],
    reply: "blob_lookup_response",
    check: (r) => {
      expect(r.list[0].matchedIds).toEqual({ Message: ["msg-123", "msg-456"] })
      expect(r.notFound).toEqual(["blob-missing"])
    }
  },
  {
    name: "Blob.lookup (typeNames)",
    call: (c) => c.Blob.lookup({ ids: ["b"], typeNames: ["Message"] }),
    method: "Blob/lookup",
    args: { ids: ["b"], typeNames: ["Message"] },
    using: [CORE, "urn:ietf:params:jmap:blob2"],
    reply: respond(["Blob/lookup", { accountId: ACCOUNT, list: [], notFound: null }]),
    check: (r) => expect(r.notFound).toEqual([])
  },
  {
    name: "Blob.convert (imageConvert keyed r1)",
    call: (c) => c.Blob.convert({ blobId: "b1", type: "image/webp", width: 64, height: 64 }),
    method: "Blob/convert",
    args: { create: { r1: { imageConvert: { blobId: "b1", type: "image/webp", width: 64, height: 64 } } } },
    using: [CORE, "urn:ietf:params:jmap:blob2"],
    reply: respond(["Blob/convert", { accountId: ACCOUNT, created: { r1: { id: "b2", type: "image/webp" } } }]),
    check: (r) => expect(r.created.r1).toEqual({ id: "b2", type: "image/webp" })
  }
]

layer(NodeHttpClient.layerUndici, { excludeTestServices: true })("ChatClient request shapes", (it) => {
  for (const row of rows) {
    it.scoped.skipIf(typeof row.reply === "string" && !haveFixtures)(row.name, () =>
      Effect.gen(function*() {
        const { client, sent } = yield* start(() => (typeof row.reply === "string" ? fixture(row.reply) : row.reply))
        const result = yield* row.call(client)
        expect(sent()).toEqual([{
          using: row.using ?? USING_CHAT,
          methodCalls: [[row.method, row.accountless ? row.args : { accountId: ACCOUNT, ...row.args }, "r1"]]
        }])
        row.check?.(result)
      }))
  }

  it.scoped("upload and download go through the session's URLs for the chat account", () =>
    Effect.gen(function*() {
      const { client, server } = yield* start(() => ({}))
      const uploaded = yield* client.Blob.upload({ contentType: "text/plain", body: new TextEncoder().encode("hello") })
      expect(uploaded).toMatchObject({ accountId: ACCOUNT, blobId: "blob-up", size: 5 })
      const bytes = yield* client.Blob.download({ blobId: "blob-up", name: "a.txt" })
      expect(new TextDecoder().decode(bytes)).toBe("bytes")
      expect(server.received.map((r) => r.url).filter((u) => !u.startsWith("/.well-known"))).toEqual([
        `/upload/${ACCOUNT}/`,
        `/download/${ACCOUNT}/blob-up/a.txt?accept=`
      ])
    }))
})

describe("row coverage", () => {
  it("has a request-shape row for every wire method of the service", () => {
    const methods = new Set(rows.map((r) => r.name.split(" ")[0]))
    const expected = [
      "Chat.get",
      "Chat.changes",
      "Chat.query",
      "Chat.queryChanges",
      "Chat.create",
      "Chat.update",
      "Chat.destroy",
      "Chat.typing",
      "Message.get",
      "Message.changes",
      "Message.query",
      "Message.queryChanges",
      "Message.create",
      "Message.update",
      "Message.destroy",
      "Space.get",
      "Space.changes",
      "Space.query",
      "Space.queryChanges",
      "Space.create",
      "Space.update",
      "Space.destroy",
      "Space.join",
      "SpaceInvite.get",
      "SpaceInvite.changes",
      "SpaceInvite.create",
      "SpaceInvite.destroy",
      "SpaceBan.get",
      "SpaceBan.changes",
      "SpaceBan.create",
      "SpaceBan.destroy",
      "ChatContact.get",
      "ChatContact.changes",
      "ChatContact.query",
      "ChatContact.queryChanges",
      "ChatContact.update",
      "CustomEmoji.get",
      "CustomEmoji.changes",
      "CustomEmoji.query",
      "CustomEmoji.queryChanges",
      "CustomEmoji.create",
      "CustomEmoji.destroy",
      "ReadPosition.get",
      "ReadPosition.changes",
      "ReadPosition.update",
      "PresenceStatus.get",
      "PresenceStatus.changes",
      "PresenceStatus.update",
      "PushSubscription.get",
      "PushSubscription.create",
      "PushSubscription.update",
      "PushSubscription.destroy",
      "Quota.get",
      "Quota.changes",
      "Blob.lookup",
      "Blob.convert"
    ]
    expect(expected.filter((m) => !methods.has(m))).toEqual([])
  })
})
