/**
 * Compliance tests §3 (Session and capabilities) of `jmap-chat-compliance-tests.md`: the Session
 * as the real client stack (`SessionService` over HTTP) fetches it from the reference server, read
 * raw and through the SDK's capability schemas.
 *
 * Every item of §3 is tested.
 */
import { expect, layer } from "@effect/vitest"
import { Effect, Either, Option } from "effect"
import {
  CapabilityUri,
  ChatCapability,
  ChatPushSessionCapability,
  ChatSessionCapability,
  ChatWebSocketCapability
} from "../../src/chat/Capabilities.js"
import { ChatClient } from "../../src/chat/ChatClient.js"
import * as ChatSession from "../../src/chat/ChatSession.js"
import { SessionService } from "../../src/jmap/SessionService.js"
import { ChatServerTest } from "../../src/testing/index.js"
import { complianceServer } from "./support.js"

const sessionAndAccount = Effect.gen(function*() {
  const service = yield* SessionService
  const session = yield* service.get
  const accountId = yield* (yield* ChatClient).accountId
  return { service, session, accountId }
})

layer(ChatServerTest.layer({ server: complianceServer }), { excludeTestServices: true })(
  "compliance §3: Session and capabilities",
  (it) => {
    it.effect("3.1 the Session-level chat capability is {}; its properties are account-level", () =>
      Effect.gen(function*() {
        const { accountId, service, session } = yield* sessionAndAccount
        expect(session.capabilities[CapabilityUri.chat]).toEqual({})
        expect(yield* service.capability(CapabilityUri.chat, ChatSessionCapability)).toEqual(Option.some({}))
        const account = session.accounts[accountId]!.accountCapabilities[CapabilityUri.chat]
        expect(account).toHaveProperty("maxBodyBytes")
        expect(account).toHaveProperty("supportedBodyTypes")
      }))

    it.effect("3.2 the Session-level chat:push capability is {}", () =>
      Effect.gen(function*() {
        const { service, session } = yield* sessionAndAccount
        expect(session.capabilities[CapabilityUri.chatPush]).toEqual({})
        expect(yield* service.capability(CapabilityUri.chatPush, ChatPushSessionCapability)).toEqual(Option.some({}))
      }))

    it.effect("3.3 the account-level chat:push capability has maxSnippetBytes and supportedUrgencyValues", () =>
      Effect.gen(function*() {
        const { accountId, session } = yield* sessionAndAccount
        const raw = session.accounts[accountId]!.accountCapabilities[CapabilityUri.chatPush]
        expect(raw).toMatchObject({ maxSnippetBytes: expect.any(Number), supportedUrgencyValues: expect.any(Array) })
        const decoded = Option.getOrThrow(Either.getOrThrow(ChatSession.chatPushCapability(session, accountId)))
        expect(Number.isSafeInteger(decoded.maxSnippetBytes) && decoded.maxSnippetBytes >= 0).toBe(true)
        expect(decoded.supportedUrgencyValues.length).toBeGreaterThan(0)
        for (const value of decoded.supportedUrgencyValues) expect(value).toEqual(expect.any(String))
        if (decoded.maxMessagesPerPush != null) expect(Number.isSafeInteger(decoded.maxMessagesPerPush)).toBe(true)
      }))

    it.effect("3.4 urn:ietf:params:jmap:websocket has url and supportsPush; chat:websocket is {}", () =>
      Effect.gen(function*() {
        const { service, session } = yield* sessionAndAccount
        expect(session.capabilities[CapabilityUri.webSocket]).toEqual({
          url: expect.stringMatching(/^wss?:\/\//),
          supportsPush: expect.any(Boolean)
        })
        expect(Option.isSome(yield* service.webSocketCapability)).toBe(true)
        expect(session.capabilities[CapabilityUri.chatWebSocket]).toEqual({})
        expect(yield* service.capability(CapabilityUri.chatWebSocket, ChatWebSocketCapability)).toEqual(Option.some({}))
        expect(ChatSession.supportsChatWebSocket(session)).toBe(true)
      }))

    it.effect("3.5 the account-level chat capability has role owner (or peer)", () =>
      Effect.gen(function*() {
        const { accountId, session } = yield* sessionAndAccount
        const chat = Option.getOrThrow(Either.getOrThrow(ChatSession.chatCapability(session, accountId)))
        expect(chat.role).toBe("owner")
        for (const account of Object.values(session.accounts)) {
          const raw = account.accountCapabilities[CapabilityUri.chat] as { readonly role?: unknown } | undefined
          if (raw !== undefined) expect(["owner", "peer"]).toContain(raw.role)
        }
      }))

    it.effect("3.6 the chat capability uses the draft's exact field names", () =>
      Effect.gen(function*() {
        const { accountId, service, session } = yield* sessionAndAccount
        const raw = session.accounts[accountId]!.accountCapabilities[CapabilityUri.chat] as Record<string, unknown>
        expect(raw).toMatchObject({
          maxBodyBytes: expect.any(Number),
          supportedBodyTypes: expect.any(Array),
          maxAttachmentBytes: expect.any(Number),
          maxAttachmentsPerMessage: expect.any(Number),
          supportsThreads: expect.any(Boolean)
        })
        for (const wrong of ["maxMessageBodySize", "supportedMediaTypes"]) expect(raw).not.toHaveProperty(wrong)
        const decoded = yield* service.accountCapability(accountId, CapabilityUri.chat, ChatCapability)
        expect(Option.getOrThrow(decoded).maxBodyBytes).toBe(raw["maxBodyBytes"])
      }))

    it.effect("3.7 (SHOULD) primaryAccounts names the chat account for chat:push", () =>
      Effect.gen(function*() {
        const { accountId, service, session } = yield* sessionAndAccount
        expect(session.primaryAccounts[CapabilityUri.chatPush]).toBe(accountId)
        expect(yield* service.primaryAccountId(CapabilityUri.chatPush)).toBe(accountId)
      }))
  }
)
