/**
 * The message window's invariant, as a property: whatever `/changes` brings (new messages, edits,
 * deletions, in any order of `receivedAt`, with dates written with or without milliseconds), the
 * window applied and, when it says so, refilled, is exactly the chat's latest `limit` messages as a
 * fresh `Message/query` (by `receivedAt`, then `id`) would return them.
 */
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import type { Message } from "../../../src/chat/Message.js"
import * as MessageWindow from "../../../src/chat/store/MessageWindow.js"

const at = (seconds: number, millis: number) => {
  const iso = new Date(Date.UTC(2026, 0, 1) + seconds * 1000 + millis).toISOString()
  return millis === 0 ? iso.replace(".000Z", "Z") : iso
}

const message = (id: string, receivedAt: string, body = id): Message => ({
  id,
  senderMsgId: id,
  chatId: "c",
  senderId: "user:alice@example.com",
  body,
  bodyType: "text/plain",
  attachments: [],
  mentions: [],
  broadcastMentions: [],
  actions: [],
  reactions: {},
  sentAt: receivedAt,
  receivedAt,
  deliveryState: "delivered"
})

type Op =
  | { readonly _tag: "Create"; readonly seconds: number; readonly millis: number }
  | { readonly _tag: "Edit"; readonly pick: number }
  | { readonly _tag: "Destroy"; readonly pick: number }

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    _tag: fc.constant("Create" as const),
    seconds: fc.integer({ min: 0, max: 5 }),
    millis: fc.constantFrom(0, 0, 5, 500, 999)
  }),
  fc.record({ _tag: fc.constant("Edit" as const), pick: fc.nat() }),
  fc.record({ _tag: fc.constant("Destroy" as const), pick: fc.nat() })
)

/** The latest `limit` messages of `all`, newest first, as the server's query returns them. */
const latest = (all: Iterable<Message>, limit: number) =>
  [...all].sort((a, b) => -MessageWindow.compare(a, b)).slice(0, limit)

describe("MessageWindow", () => {
  it.prop(
    "after any changes (and the refill it asks for) the window is the chat's latest `limit` messages",
    [fc.integer({ min: 1, max: 6 }), fc.array(fc.array(op, { maxLength: 4 }), { maxLength: 12 })],
    ([limit, batches]) => {
      const server = new Map<string, Message>()
      let next = 0
      let window = MessageWindow.loaded(MessageWindow.unloaded("c", limit), [], true)
      for (const batch of batches) {
        const changed: Array<Message> = []
        const destroyed = new Set<string>()
        for (const o of batch) {
          const ids = [...server.keys()]
          if (o._tag === "Create") {
            const m = message(`m${String(next++).padStart(4, "0")}`, at(o.seconds, o.millis))
            server.set(m.id, m)
            changed.push(m)
          } else if (ids.length > 0) {
            const id = ids[o.pick % ids.length]!
            if (o._tag === "Edit") {
              const m = { ...server.get(id)!, body: `edited ${next++}` }
              server.set(id, m)
              changed.push(m)
            } else {
              server.delete(id)
              destroyed.add(id)
            }
          }
        }
        // As DeltaSync reports it: the objects as they are now, none that is gone.
        const current = changed.filter((m) => server.get(m.id) === m)
        window = MessageWindow.apply(window, current, destroyed)
        if (MessageWindow.needsRefill(window)) {
          const fresh = latest(server.values(), limit)
          window = MessageWindow.loaded(window, fresh, server.size <= limit)
        }
        expect(window.messages).toEqual(latest(server.values(), limit).reverse())
        expect(window.messages.length).toBeLessThanOrEqual(limit)
        if (window.complete) expect(server.size).toBeLessThanOrEqual(limit)
      }
    },
    { fastCheck: { numRuns: 300 } }
  )

  it("orders by time even where one date has milliseconds and the other not", () => {
    const a = message("b", "2026-01-01T00:00:42Z")
    const b = message("a", "2026-01-01T00:00:42.500Z")
    expect(MessageWindow.compare(a, b)).toBeLessThan(0)
    expect(MessageWindow.compare(b, a)).toBeGreaterThan(0)
    expect(MessageWindow.compare(message("a", "2026-01-01T00:00:42Z"), a)).toBeLessThan(0)
  })
})
