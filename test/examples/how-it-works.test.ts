/**
 * The rules README.md's "How JMAP Chat works" states, checked against the reference server
 * (draft-atwood-jmap-chat-00 §Chat ID Assignment, §Message IDs, §ReadPosition, §Chat/typing).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option, Stream } from "effect"
import { Backend, ChatBackend, ChatClientTest } from "effect-jmap-chat/testing"

describe("How JMAP Chat works (README)", () => {
  it.scoped("a direct chat reaches the other user with its first message; typing before it reaches nobody", () =>
    Effect.gen(function*() {
      const backend = yield* ChatBackend
      const alice = ChatClientTest.make(backend, "alice")
      const bob = ChatClientTest.make(backend, "bob")
      const bobsEvents = yield* backend.subscribe(backend.user("bob"))

      const chat = yield* alice.Chat.createOne({ kind: "direct", contactId: backend.user("bob").userId })
      expect((yield* bob.Chat.list()).list).toEqual([])
      expect((yield* bob.ReadPosition.get()).list).toEqual([])
      yield* alice.Chat.typing({ chatId: chat.id, typing: true })

      const sent = yield* alice.Message.send({ chatId: chat.id, body: "first" })
      const [bobsChat] = (yield* bob.Chat.list()).list
      expect(bobsChat?.id).toBe(chat.id)
      expect((yield* bob.ReadPosition.get()).list.map((p) => p.chatId)).toEqual([chat.id])

      // Each account has its own copy: another id, the sender's id in senderMsgId.
      const [received] = (yield* bob.Message.list({ filter: { chatId: chat.id } })).list
      expect(sent.senderMsgId).toBe(sent.id)
      expect(received?.id).not.toBe(sent.id)
      expect(received?.senderMsgId).toBe(sent.id)
      expect((yield* bob.Message.get({ ids: [sent.id] })).notFound).toEqual([sent.id])

      // The typing notice sent before the first message never reached Bob; one sent now does.
      yield* alice.Chat.typing({ chatId: chat.id, typing: false })
      const firstTyping = yield* Stream.runHead(Stream.filter(bobsEvents, (e) => e._tag === "Typing"))
      expect(firstTyping).toEqual(Option.some(expect.objectContaining({ chatId: chat.id, typing: false })))
    }).pipe(Effect.provide(Backend.layer())))
})
