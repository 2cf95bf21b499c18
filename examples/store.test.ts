/**
 * `examples/store.ts` runs in-process against the embedded reference server (with a short reconnect
 * backoff) and its output and result are checked; then the script runs as a newcomer would
 * (`tsx examples/store.ts`) and must exit 0 on its own.
 */
import { describe, expect, it } from "@effect/vitest"
import { Console, Effect, Schedule } from "effect"
import { ChatClientTest, ChatServer } from "effect-jmap-chat/testing"
import { runScript } from "../test/support/Scripts.js"
import { embedded } from "./demo_target.js"
import * as Store from "./store.js"

/** Fails instead of hanging (a generous bound, not a timing assertion). */
const guard = <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.timeoutFail(self, { duration: "25 seconds", onTimeout: () => new Error("hang guard: no progress in 25 s") })

describe("examples/store.ts", () => {
  it.scopedLive(
    "the view stays live through a restart, and bob's replies show pending, then confirmed, once each",
    () =>
      Effect.gen(function*() {
        const server = yield* ChatServer.make()
        const lines: Array<string> = []
        const base = yield* Effect.console
        const console: Console.Console = {
          ...base,
          log: (...args) => Effect.sync(() => void lines.push(...args.map(String).join(" ").split("\n")))
        }
        const shown = yield* Store.demo(embedded(server), { schedule: Schedule.spaced("50 millis"), messages: 6 }).pipe(
          Effect.withConsole(console),
          guard
        )
        const view = shown!
        const fromAlice = view.entries.filter((e) => e.message.senderId !== "self").map((e) => e.message.body)
        expect(fromAlice.length).toBeGreaterThanOrEqual(6)
        expect(view.entries.every((e) => e.status === "confirmed")).toBe(true)
        expect(lines).toContain("*** the server restarts: every connection is closed, no state is lost ***")
        expect(lines).toContain("  … me: got 3")
        expect(lines).toContain("  ✓ me: got 3")
        expect(lines.indexOf("  … me: got 3")).toBeLessThan(lines.indexOf("  ✓ me: got 3"))

        // On the server: each reply once, and the chat read up to its latest message.
        const bob = ChatClientTest.make(server.backend, "bob")
        const { list: [chat] } = yield* bob.Chat.get({})
        const { list } = yield* bob.Message.list({ filter: { chatId: chat!.id }, limit: 100 })
        const replies = list.filter((m) => m.senderId === "self").map((m) => m.body)
        expect(new Set(replies).size).toBe(replies.length)
        expect(replies).toContain("got 3")
        const { list: [position] } = yield* bob.ReadPosition.get({})
        expect(position?.lastReadMessageId).toBe(view.entries.at(-1)?.id)
      }),
    60_000
  )

  it.live(
    "runs against the embedded server as a newcomer runs it, and exits 0 on its own",
    () =>
      Effect.gen(function*() {
        const result = yield* runScript("examples/store.ts")
        expect(result.stderr).toBe("")
        expect(result.code).toBe(0)
        expect(result.stdout).toMatch(/^Embedded JMAP Chat server on http:\/\/127\.0\.0\.1:\d+/)
        expect(result.stdout).toMatch(/── chats ──\n> Alice \(\d+ unread\)\n── messages/)
        expect(result.stdout).toContain("  ✓ me: got 3\n")
      }),
    200_000
  )
})
