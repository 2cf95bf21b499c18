/**
 * The jmapchat-client fixture corpus (shared/fixtures/jmapchat-client, MIT) as an independent
 * oracle for the chat data model: every `types/` file, every data object inside the `methods/`
 * responses, and the chat capabilities of every Session fixture.
 */
import { describe, expect, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import * as Model from "../../src/chat/index.js"
import { ParseError } from "../../src/jmap/Errors.js"
import { decode, encode, haveFixtures, listFixtures, partialOf, readFixture } from "./support.js"

/** Names a fixture test; when the corpus is absent the skipped test says why. */
const titled = (name: string) => haveFixtures ? name : `${name} (skipped: shared/fixtures/jmapchat-client is absent)`

type Expectation =
  /** Decodes, and re-encodes with every property it had (unknown ones included). */
  | { readonly decodes: Schema.Schema<any, any>; readonly check?: (decoded: any) => void }
  /** Invalid by design (or diverging from the drafts): fails with a ParseError at `path`. */
  | { readonly fails: Schema.Schema<any, any>; readonly path: string; readonly reason: string }
  /** An ephemeral push frame: decoded by the push-frames module, not by the data model; only its `@type` is checked. */
  | { readonly frame: string }

/** Every file of `types/`. A file missing here fails the suite, so new fixtures get looked at. */
const typeFixtures: Record<string, Expectation> = {
  "chat.json": {
    decodes: Model.Chat,
    check: (c: Model.Chat) => {
      expect(c.members?.map((m) => m.role)).toEqual(["admin", "member"])
      expect(c.receiveTypingIndicators).toBe(true)
    }
  },
  "chat_contact_no_presence.json": {
    decodes: Model.ChatContact,
    check: (c: Model.ChatContact) => expect(c.presence).toBeUndefined()
  },
  "chat_contact_with_status.json": {
    decodes: Model.ChatContact,
    check: (c: Model.ChatContact) => expect([c.presence, c.statusText]).toEqual(["busy", "In a meeting"])
  },
  "chat_direct.json": {
    decodes: Model.Chat,
    check: (c: Model.Chat) =>
      expect([c.kind, c.contactId, c.receiveTypingIndicators]).toEqual(["direct", "user:carol@example.com", true])
  },
  "chat_message_push.json": {
    decodes: Model.ChatMessagePush,
    check: (p: Model.ChatMessagePush) => {
      expect(p.messages).toHaveLength(1)
      expect(p.messages[0]?.hasMentionAll).toBe(false)
      expect(p.messages[0]?.mentionScopes).toBeUndefined()
    }
  },
  "chat_presence_event.json": { frame: "ChatPresenceEvent" },
  "chat_presence_event_clear_status.json": { frame: "ChatPresenceEvent" },
  "chat_stream_enable.json": { frame: "ChatStreamEnable" },
  "chat_typing_event.json": { frame: "ChatTypingEvent" },
  "chat_with_typing_fields.json": {
    decodes: Model.Chat,
    check: (c: Model.Chat) => expect([c.receiveTypingIndicators, c.receiptSharing]).toEqual([false, false])
  },
  "delivery_receipt_with_device.json": {
    decodes: Model.DeliveryReceipt,
    check: (r: Model.DeliveryReceipt) => expect(r.deviceDeliveredAt).toBe("2024-01-01T10:00:02Z")
  },
  "message.json": {
    decodes: Model.Message,
    check: (m: Model.Message) => {
      expect(Model.isSelf(m.senderId)).toBe(true)
      expect(m.broadcastMentions).toEqual([])
    }
  },
  "message_rich_body_invalid.json": {
    fails: Model.Message,
    path: "body",
    reason: "a rich body must be a JSON string inside `body`, not an object (core draft §Rich Body Format)"
  },
  "message_rich_body_valid.json": {
    decodes: Model.Message,
    check: (m: Model.Message) =>
      expect(Either.map(Model.decodeRichBody(m), (b) => b.spans.map((s) => s.type))).toEqual(
        Either.right(["text", "bold"])
      )
  },
  "presence_status_receipt_sharing.json": {
    decodes: Model.PresenceStatus,
    check: (p: Model.PresenceStatus) => expect(p.receiptSharing).toBe(true)
  },
  "read_position.json": {
    decodes: Model.ReadPosition,
    check: (r: Model.ReadPosition) => expect(r.lastReadMessageId).toBeUndefined()
  },
  "rich_body.json": {
    decodes: Model.RichBody,
    check: (b: Model.RichBody) => {
      expect(b.spans.find((s) => s.type === "mention")?.userId).toBe("user:alice@example.com")
      expect(b.spans.find((s) => s.type === "codeblock")?.lang).toBe("rust")
    }
  }
}

const expectParseErrorAt = (result: Either.Either<unknown, ParseError>, path: string) => {
  const error = Either.getLeft(result)
  expect(error._tag).toBe("Some")
  if (error._tag === "Some") {
    expect(error.value).toBeInstanceOf(ParseError)
    expect(error.value.path).toBe(path)
  }
}

const runExpectation = (subject: string, json: unknown, expectation: Expectation) => {
  if ("decodes" in expectation) {
    const result = decode(expectation.decodes, subject)(json)
    if (Either.isLeft(result)) throw result.left
    expect(encode(expectation.decodes)(result.right)).toMatchObject(json as object)
    expectation.check?.(result.right)
  } else if ("fails" in expectation) {
    expectParseErrorAt(decode(expectation.fails, subject)(json), expectation.path)
  } else {
    expect((json as Record<string, unknown>)["@type"]).toBe(expectation.frame)
  }
}

describe("types/ fixtures", () => {
  it.skipIf(!haveFixtures)(titled("every file is mapped to a schema"), () => {
    expect(listFixtures("types").filter((f) => !(f in typeFixtures))).toEqual([])
  })

  for (const [file, expectation] of Object.entries(typeFixtures)) {
    const title = "decodes" in expectation
      ? `${file} decodes and re-encodes`
      : "fails" in expectation
      ? `${file} fails: ${expectation.reason}`
      : `${file} is a ${expectation.frame} push frame (decoded by the push-frames module, not here)`
    it.skipIf(!haveFixtures)(titled(title), () => runExpectation(file, readFixture(`types/${file}`), expectation))
  }
})

/** Data type name → schema, for `Foo/get` lists and `Foo/set` created/updated objects. */
const dataTypes: Record<string, Schema.Schema<any, any>> = {
  Chat: Model.Chat,
  ChatContact: Model.ChatContact,
  Message: Model.Message,
  Space: Model.Space,
  SpaceInvite: Model.SpaceInvite,
  SpaceBan: Model.SpaceBan,
  CustomEmoji: Model.CustomEmoji,
  ReadPosition: Model.ReadPosition,
  PresenceStatus: Model.PresenceStatus,
  Quota: Model.Quota
}

/** Methods whose responses carry no object of the data model (envelopes only), or objects owned elsewhere. */
const noDataObjects = new Set(["changes", "query", "queryChanges", "typing", "join"])
const ownedElsewhere = new Set(["PushSubscription/set", "error"])

/** Fixtures that diverge from the specification on purpose; the spec wins (fixtures/SOURCE.md). */
const divergent: Record<string, { readonly path: string; readonly reason: string }> = {
  "quota_get.json": {
    path: "resourceType",
    reason: "uses the pre-RFC `dataTypes` and omits `resourceType`; RFC 9425 §4.1 requires `resourceType` and `types`"
  }
}

interface Found {
  readonly where: string
  readonly schema: Schema.Schema<any, any>
  readonly value: unknown
}

type Args = {
  readonly list?: ReadonlyArray<unknown>
  readonly created?: Record<string, unknown> | null
  readonly updated?: Record<string, unknown> | null
}

/** The data objects inside one response file, walked from the raw JSON: `list[*]`, `created[*]`, `updated[*]`. */
const objectsIn = (
  file: string,
  json: { readonly methodResponses: ReadonlyArray<readonly [string, Args, string]> }
) => {
  const found: Array<Found> = []
  const unmapped: Array<string> = []
  json.methodResponses.forEach(([name, args], i) => {
    const [type = "", method = ""] = name.split("/")
    const at = `${file} methodResponses[${i}][1]`
    if (ownedElsewhere.has(name) || noDataObjects.has(method)) return
    if (name === "Blob/lookup") {
      args.list?.forEach((value, j) => found.push({ where: `${at}.list[${j}]`, schema: Model.BlobLookupEntry, value }))
      return
    }
    const schema = dataTypes[type]
    if (schema === undefined || (method !== "get" && method !== "set")) return void unmapped.push(name)
    args.list?.forEach((value, j) => found.push({ where: `${at}.list[${j}]`, schema, value }))
    for (const [key, value] of Object.entries(args.created ?? {})) {
      found.push({ where: `${at}.created.${key}`, schema: partialOf(schema), value })
    }
    for (const [key, value] of Object.entries(args.updated ?? {})) {
      if (value !== null) found.push({ where: `${at}.updated.${key}`, schema: partialOf(schema), value })
    }
  })
  return { found, unmapped }
}

describe("methods/ fixtures", () => {
  const files = haveFixtures ? listFixtures("methods") : []

  it.skipIf(!haveFixtures)(titled("every method response is mapped"), () => {
    const unmapped = files.flatMap((f) => objectsIn(f, readFixture(`methods/${f}`) as never).unmapped)
    expect(unmapped).toEqual([])
  })

  it.skipIf(!haveFixtures)(titled("the walk finds the data objects of every family"), () => {
    const where = files.flatMap((f) => objectsIn(f, readFixture(`methods/${f}`) as never).found.map((o) => o.where))
    for (
      const file of [
        "chat_get",
        "message_get",
        "chat_contact_get",
        "space_get",
        "space_invite_get",
        "space_ban_get",
        "custom_emoji_get",
        "read_position_get",
        "presence_status_get",
        "blob_lookup",
        "quota_get"
      ]
    ) {
      expect(where.some((w) => w.startsWith(`${file}_response.json`) || w.startsWith(`${file}.json`))).toBe(true)
    }
    expect(where.filter((w) => w.includes(".created.")).length).toBeGreaterThanOrEqual(8)
  })

  for (const file of files) {
    const json = readFixture(`methods/${file}`) as never
    const { found } = objectsIn(file, json)
    if (found.length === 0) continue
    const bad = divergent[file]
    if (bad !== undefined) {
      it(`${file} fails: ${bad.reason}`, () => {
        for (const o of found) expectParseErrorAt(decode(o.schema, o.where)(o.value), bad.path)
      })
      continue
    }
    it(`${file}: ${found.length} object(s) decode and re-encode`, () => {
      for (const o of found) {
        const result = decode(o.schema, o.where)(o.value)
        if (Either.isLeft(result)) throw result.left
        expect(encode(o.schema)(result.right)).toMatchObject(o.value as object)
      }
    })
  }
})

type SessionJson = {
  readonly capabilities: Record<string, unknown>
  readonly accounts: Record<string, { readonly accountCapabilities: Record<string, unknown> }>
  readonly ownerEndpoints?: ReadonlyArray<unknown>
}

const sessionCapabilities: Record<string, Schema.Schema<any, any>> = {
  [Model.CapabilityUri.chat]: Model.ChatSessionCapability,
  [Model.CapabilityUri.chatPush]: Model.ChatPushSessionCapability,
  [Model.CapabilityUri.chatWebSocket]: Model.ChatWebSocketCapability,
  [Model.CapabilityUri.cid]: Model.CidCapability
}
const accountCapabilities: Record<string, Schema.Schema<any, any>> = {
  [Model.CapabilityUri.chat]: Model.ChatCapability,
  [Model.CapabilityUri.chatPush]: Model.ChatPushCapability
}

describe("Session fixtures: chat capabilities and ownerEndpoints", () => {
  const sessions = [
    "jmap/session.json",
    "jmap/session_with_ws_and_push.json",
    "session/session_ok.json",
    "session/session_missing_api_url.json"
  ]

  for (const file of sessions) {
    it.skipIf(!haveFixtures)(titled(`${file}: every chat capability decodes`), () => {
      const session = readFixture(file) as SessionJson
      let decoded = 0
      const check = (schemas: Record<string, Schema.Schema<any, any>>, caps: Record<string, unknown>) => {
        for (const [uri, value] of Object.entries(caps)) {
          const schema = schemas[uri]
          if (schema === undefined) continue
          const result = decode(schema, uri)(value)
          if (Either.isLeft(result)) throw result.left
          expect(encode(schema)(result.right)).toMatchObject(value as object)
          decoded++
        }
      }
      check(sessionCapabilities, session.capabilities)
      for (const account of Object.values(session.accounts)) check(accountCapabilities, account.accountCapabilities)
      for (const endpoint of session.ownerEndpoints ?? []) {
        expect(Either.isRight(decode(Model.Endpoint, "ownerEndpoints")(endpoint))).toBe(true)
      }
      expect(decoded).toBeGreaterThanOrEqual(2)
    })
  }

  it.skipIf(!haveFixtures)(
    titled("jmap/session_with_ws_and_push.json: the chat:push account capability is typed"),
    () => {
      const session = readFixture("jmap/session_with_ws_and_push.json") as SessionJson
      const push = decode(Model.ChatPushCapability, "push")(
        session.accounts.account1?.accountCapabilities[Model.CapabilityUri.chatPush]
      )
      expect(Either.map(push, (p) => [p.maxSnippetBytes, p.supportedUrgencyValues, p.maxMessagesPerPush])).toEqual(
        Either.right([256, ["normal", "high"], 10])
      )
    }
  )

  it.skipIf(!haveFixtures)(
    titled("jmap/session_malformed_chat_cap.json: the account chat capability fails at maxBodyBytes"),
    () => {
      const session = readFixture("jmap/session_malformed_chat_cap.json") as SessionJson
      const cap = session.accounts.account1?.accountCapabilities[Model.CapabilityUri.chat]
      expectParseErrorAt(decode(Model.ChatCapability, "ChatCapability")(cap), "maxBodyBytes")
    }
  )
})
