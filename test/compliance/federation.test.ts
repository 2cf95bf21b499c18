/**
 * Compliance tests §7 (federation) of `jmap-chat-compliance-tests.md`. The reference server is a
 * single server with owner accounts only: it has no peers, and `Peer/*` calls from an owner
 * account are refused with `forbidden` (tested as 5.3 in `spaces.test.ts`). What a client can see
 * of federation is a direct chat with a user who has no local account.
 *
 * | Item | Why it is not tested here |
 * |---|---|
 * | 1.3 | `serverUrl` / `directAddress` are filled by a federated delivery; there are no peers. |
 * | 7.1 | `Peer/retract` is called by a peer server, not by a client. |
 * | 7.2 | Needs a `Peer/deliver` from a peer; StateChanges for local deliveries are covered by `test/testing/EventSource.test.ts` and `WebSocket.test.ts`. |
 * | 7.3, 7.4, 7.5 | `Peer/deliver` handling (banned sender, edits, stored mention offsets): peer-to-server. |
 * | 7.6, 7.7 | `Peer/receipt` handling: peer-to-server. |
 * | 7.8 | Peer authentication by `.well-known/jmap` discovery: server-to-server. |
 * | 7.10 | The peer rate limiter: peer-to-server. |
 */
import { expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { ChatClientTest } from "../../src/testing/index.js"
import { complianceServer, people } from "./support.js"

it.layer(ChatClientTest.layer({ server: complianceServer }))("compliance §7: federation", (it) => {
  it.effect("7.9 a direct chat with a user who has no local account succeeds (placeholder contact)", () =>
    Effect.gen(function*() {
      const { alice } = yield* people
      const remote = "remote.peer.example"
      const chat = yield* alice.Chat.createOne({ kind: "direct", contactId: remote })
      expect(chat).toMatchObject({ kind: "direct", contactId: remote })
      expect((yield* alice.ChatContact.get({ ids: [remote] })).list).toEqual([
        expect.objectContaining({ id: remote, login: remote, blocked: false })
      ])
      const sent = yield* alice.Message.send({ chatId: chat.id, body: "hello from afar" })
      expect(sent).toMatchObject({ chatId: chat.id, senderId: "self" })
    }))
})
