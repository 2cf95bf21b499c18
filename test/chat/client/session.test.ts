/** Session helpers (seed-api §2.8). */
import { describe, expect, it } from "@effect/vitest"
import { Either, Option, Schema } from "effect"
import * as ChatSession from "../../../src/chat/ChatSession.js"
import { Session } from "../../../src/jmap/Session.js"
import { sessionFor } from "../../support/LoopbackServer.js"

const session = (overrides: Record<string, unknown> = {}) =>
  Schema.decodeUnknownSync(Session)(sessionFor("http://x", overrides))
const base = sessionFor("http://x")
const chatCapability = { maxBodyBytes: 1, maxAttachmentBytes: 2, maxAttachmentsPerMessage: 3, supportsThreads: true }

describe("ChatSession", () => {
  it("finds the chat account", () => {
    expect(ChatSession.chatAccountId(session())).toEqual(Option.some("A13824"))
    expect(ChatSession.chatAccountId(session({ primaryAccounts: {} }))).toEqual(Option.none())
  })

  it("decodes the account's chat and chat-push capabilities strictly", () => {
    const s = session({
      accounts: {
        A13824: {
          ...base.accounts.A13824,
          accountCapabilities: {
            "urn:ietf:params:jmap:chat": chatCapability,
            "urn:ietf:params:jmap:chat:push": { maxSnippetBytes: 100, supportedUrgencyValues: ["normal"] }
          }
        }
      }
    })
    expect(Either.getOrThrow(ChatSession.chatCapability(s, "A13824"))).toEqual(
      Option.some({ ...chatCapability, supportedBodyTypes: [] })
    )
    expect(Option.getOrThrow(Either.getOrThrow(ChatSession.chatPushCapability(s, "A13824"))).maxSnippetBytes).toBe(100)
    expect(Either.getOrThrow(ChatSession.chatCapability(s, "other"))).toEqual(Option.none())
    // The loopback session's chat capability is `{}`: the strict schema refuses it.
    const strict = ChatSession.chatCapability(session(), "A13824")
    expect(Either.isLeft(strict) && strict.left._tag).toBe("ParseError")
  })

  it("reports the companion capabilities and the VAPID key", () => {
    const plain = session()
    expect([
      ChatSession.supportsChatWebSocket(plain),
      ChatSession.supportsRefplus(plain),
      ChatSession.supportsQuotas(plain),
      ChatSession.supportsCid(plain),
      ChatSession.supportsBlob2(plain)
    ]).toEqual([false, false, false, false, false])
    expect(ChatSession.vapidPublicKey(plain)).toEqual(Option.none())
    const rich = session({
      capabilities: {
        ...base.capabilities,
        "urn:ietf:params:jmap:chat:websocket": {},
        "urn:ietf:params:jmap:refplus": {},
        "urn:ietf:params:jmap:quota": {},
        "urn:ietf:params:jmap:cid": {},
        "urn:ietf:params:jmap:blob2": {},
        "urn:ietf:params:jmap:webpush-vapid": { vapidPublicKey: "BPk" }
      }
    })
    expect([
      ChatSession.supportsChatWebSocket(rich),
      ChatSession.supportsRefplus(rich),
      ChatSession.supportsQuotas(rich),
      ChatSession.supportsCid(rich),
      ChatSession.supportsBlob2(rich)
    ]).toEqual([true, true, true, true, true])
    expect(ChatSession.vapidPublicKey(rich)).toEqual(Option.some("BPk"))
  })
})
