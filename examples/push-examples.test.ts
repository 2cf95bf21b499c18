/**
 * The push examples run in-process against the embedded reference server, with a short reconnect
 * backoff, and their output and results are checked; then each script runs as a newcomer would
 * (`tsx examples/<name>.ts`) and must exit 0 on its own. So none of them can rot.
 */
import { describe, expect, it } from "@effect/vitest"
import {
  Clock,
  Console,
  Effect,
  HashMap,
  Option,
  Queue,
  Redacted,
  Schedule,
  Stream,
  SubscriptionRef,
  TestClock
} from "effect"
import { ChatSseEvent, ParseError } from "effect-jmap-chat"
import { ChatClientTest, ChatServer } from "effect-jmap-chat/testing"
import { runScript } from "../test/support/Scripts.js"
import { embedded } from "./demo_target.js"
import * as SseListen from "./sse_listen.js"
import * as SyncLoop from "./sync_loop.js"
import * as TypingIndicators from "./typing_indicators.js"
import * as WsLoop from "./ws_loop.js"

/** Reconnect quickly: the tests restart the server. */
const schedule = Schedule.spaced("50 millis")

/** Fails instead of hanging (a generous bound, not a timing assertion). */
const guard = <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.timeoutFail(self, { duration: "25 seconds", onTimeout: () => new Error("hang guard: no progress in 25 s") })

/** Captures `Console.log`: `run(self)` appends what `self` (and the fibers it forks) prints to `lines`. */
const captured = Effect.gen(function*() {
  const lines: Array<string> = []
  const base = yield* Effect.console
  const console: Console.Console = {
    ...base,
    log: (...args) => Effect.sync(() => void lines.push(args.map(String).join(" ")))
  }
  /** Waits until a line after the `from`-th one is `line`; returns its index. */
  const waitForLine = (line: string, from = 0) =>
    Effect.sleep("10 millis").pipe(
      Effect.repeat({ until: () => lines.indexOf(line, from) >= 0 }),
      Effect.zipRight(Effect.sync(() => lines.indexOf(line, from))),
      guard
    )
  return { lines, waitForLine, run: <A, E, R>(self: Effect.Effect<A, E, R>) => Console.withConsole(self, console) }
})

const id = Option.none<string>()

describe("examples/sse_listen.ts", () => {
  it("describes each kind of event in one line", () => {
    const lines = [
      new ChatSseEvent.StateChange({ id, changed: { "A-bob": { Message: "7" } } }),
      new ChatSseEvent.Typing({ id, chatId: "c1", senderId: "alice", typing: true }),
      new ChatSseEvent.Typing({ id, chatId: "c1", senderId: "alice", typing: false }),
      new ChatSseEvent.Presence({ id, contactId: "alice", presence: "away" }),
      new ChatSseEvent.Ping({ id, interval: 30 }),
      new ChatSseEvent.Unknown({
        id,
        event: "typing",
        data: Redacted.make("{"),
        error: Option.some(new ParseError({ subject: "typing", path: "", description: "invalid JSON" }))
      }),
      new ChatSseEvent.Reconnected({ attempt: 2, lastEventId: Option.some("41") }),
      new ChatSseEvent.Connected({ lastEventId: Option.none(), pushState: Option.none() }),
      new ChatSseEvent.Connected({ lastEventId: Option.some("40"), pushState: Option.none() })
    ].map(SseListen.describe)
    expect(lines[0]).toBe("state changed: Message is now at 7 (account A-bob)")
    expect(lines[1]).toBe("typing: alice is typing in chat c1")
    expect(lines[2]).toBe("typing: alice stopped typing in chat c1")
    expect(lines[3]).toBe("presence: alice is away")
    expect(lines[4]).toBe("ping (every 30 s)")
    expect(lines[5]).toBe("unknown event \"typing\": invalid JSON")
    expect(lines[6]).toBe("reconnected (attempt 2, resumed after event 41): call /changes now")
    expect(lines[7]).toBe("connected: live from here")
    expect(lines[8]).toBe("connected (resuming after event 40): live from here")
  })

  it.scopedLive(
    "the demo prints the EventSource's events, reconnects after the server restarts and sees new state after it",
    () =>
      Effect.gen(function*() {
        const server = yield* ChatServer.make()
        const out = yield* captured
        const events = yield* out.run(SseListen.demo(embedded(server), { schedule })).pipe(guard)

        const tags = events.map((e) => e._tag)
        expect(tags[0]).toBe("Connected")
        expect(tags.filter((t) => t === "Connected").length).toBe(1)
        const reconnected = tags.indexOf("Reconnected")
        expect(reconnected).toBeGreaterThan(tags.indexOf("StateChange"))
        expect(tags.at(-1)).toBe("StateChange")
        expect(events.filter((e) => e._tag === "Reconnected")).toEqual([
          expect.objectContaining({ attempt: 1, lastEventId: expect.objectContaining({ _tag: "Some" }) })
        ])
        const last = events.at(-1)!
        expect(last._tag === "StateChange" && last.changed[server.user("bob").accountId]).toHaveProperty("Message")
        // Each event was printed, in order, as `describe` puts it.
        expect(out.lines.filter((l) => !l.startsWith("***"))).toEqual(events.map(SseListen.describe))
        expect(out.lines).toContain("*** the server restarts: every connection is closed, no state is lost ***")
      }),
    60_000
  )
})

describe("examples/ws_loop.ts", () => {
  it.scopedLive(
    "the echo bot syncs and answers over the socket only, through a restart, each message once",
    () =>
      Effect.gen(function*() {
        const server = yield* ChatServer.make()
        const out = yield* captured
        const steps = yield* out.run(WsLoop.demo(embedded(server), { schedule })).pipe(guard)

        const received = steps.flatMap((s) => s.received)
        const afterReconnect = steps.slice(steps.findIndex((s) => s.event._tag === "Reconnected")).flatMap((s) =>
          s.received
        )
        expect(afterReconnect.length).toBeGreaterThan(0)
        expect(new Set(received.map((m) => m.id)).size).toBe(received.length)
        // alice's messages, in the order she sent them
        const numbers = received.map((m) => Number(m.body.replace("message ", "")))
        expect(numbers).toEqual([...numbers].sort((a, b) => a - b))
        expect(out.lines).toContain("reconnected (attempt 1): catching up")

        // Every call went over the WebSocket (alice uses an in-process client): no HTTP API request at all.
        expect(yield* server.faults.requestCount("api")).toBe(0)
        expect(yield* server.faults.requestCount("webSocket")).toBeGreaterThanOrEqual(2)

        // The answers, as stored: at most one per message (a send cut by the restart is not retried),
        // and the message received after the reconnection was answered.
        const bob = ChatClientTest.make(server.backend, "bob")
        const { list: [chat] } = yield* bob.Chat.get({})
        const { list } = yield* bob.Message.list({ filter: { chatId: chat!.id } })
        const answers = list.filter((m) => m.senderId === "self")
        for (const answer of answers) {
          const original = list.find((m) => m.id === answer.replyTo)
          expect(answer.body).toBe(`echo: ${original?.body}`)
        }
        expect(new Set(answers.map((a) => a.replyTo)).size).toBe(answers.length)
        expect(answers.map((a) => a.replyTo)).toContain(afterReconnect.at(-1)!.id)
      }),
    60_000
  )
})

describe("examples/typing_indicators.ts", () => {
  const typing = (senderId: string, on: boolean, chatId = "c1") => ({ chatId, senderId, typing: on })
  const who = (t: TypingIndicators.TypingIndicators, now: number) =>
    TypingIndicators.active(t, now).map((x) => `${x.senderId}@${x.chatId}`)

  it("shows a typist for 10 s after their last typing: true", () => {
    const t = TypingIndicators.onTyping(TypingIndicators.empty, typing("alice", true), 1_000)
    expect(who(t, 1_000)).toEqual(["alice@c1"])
    expect(who(t, 10_999)).toEqual(["alice@c1"])
    expect(who(t, 11_000)).toEqual([])
    // Typing again restarts the 10 s.
    const again = TypingIndicators.onTyping(t, typing("alice", true), 8_000)
    expect(who(again, 17_999)).toEqual(["alice@c1"])
    expect(who(again, 18_000)).toEqual([])
  })

  it("hides a typist at once on typing: false, leaving the others", () => {
    let t = TypingIndicators.empty
    t = TypingIndicators.onTyping(t, typing("alice", true), 0)
    t = TypingIndicators.onTyping(t, typing("carol", true), 0)
    t = TypingIndicators.onTyping(t, typing("alice", true, "c2"), 0)
    expect(who(t, 1)).toEqual(["alice@c1", "carol@c1", "alice@c2"])
    t = TypingIndicators.onTyping(t, typing("alice", false), 2)
    expect(who(t, 2)).toEqual(["carol@c1", "alice@c2"])
    // typing: false for someone not shown is harmless.
    expect(who(TypingIndicators.onTyping(t, typing("dave", false), 3), 3)).toEqual(["carol@c1", "alice@c2"])
  })

  it("forgets expired entries", () => {
    const t = TypingIndicators.onTyping(TypingIndicators.empty, typing("alice", true), 0)
    expect(HashMap.size(TypingIndicators.onTyping(t, typing("carol", true), 10_000))).toBe(1)
  })

  it.scoped("sync_loop's typingView decays with the clock (TestClock) and hides on typing: false", () =>
    Effect.gen(function*() {
      const ref = yield* SubscriptionRef.make(TypingIndicators.empty)
      const seen = yield* Queue.unbounded<ReadonlyArray<string>>()
      yield* SyncLoop.typingView(ref).pipe(
        Stream.runForEach((typists) => Queue.offer(seen, typists.map((t) => t.senderId))),
        Effect.forkScoped
      )
      const type = (senderId: string, on: boolean) =>
        Effect.flatMap(
          Clock.currentTimeMillis,
          (now) => SubscriptionRef.update(ref, (t) => TypingIndicators.onTyping(t, typing(senderId, on), now))
        )

      expect(yield* Queue.take(seen)).toEqual([])
      yield* type("alice", true)
      expect(yield* Queue.take(seen)).toEqual(["alice"])
      yield* TestClock.adjust("9 seconds")
      expect(yield* Queue.poll(seen)).toEqual(Option.none())
      yield* TestClock.adjust("1 second")
      expect(yield* Queue.take(seen)).toEqual([])

      yield* type("carol", true)
      expect(yield* Queue.take(seen)).toEqual(["carol"])
      yield* type("carol", false)
      expect(yield* Queue.take(seen)).toEqual([])
    }))
})

describe("examples/sync_loop.ts", () => {
  for (const via of ["websocket", "eventsource"] as const) {
    it.scopedLive(
      `over ${via}: the cache ends equal to the server's view through a restart, every message once`,
      () =>
        Effect.gen(function*() {
          const server = yield* ChatServer.make()
          const bobId = server.user("bob").userId
          const alice = ChatClientTest.make(server.backend, "alice")
          const carol = ChatClientTest.make(server.backend, "carol")
          // The server's view of bob's account, and bob "on another device".
          const bob = ChatClientTest.make(server.backend, "bob")
          const aliceChat = yield* alice.Chat.createOne({ kind: "direct", contactId: bobId })
          const fromAlice = (body: string) => alice.Message.send({ chatId: aliceChat.id, body })
          yield* fromAlice("before the loop started")

          const out = yield* captured
          yield* out.run(Effect.scoped(Effect.gen(function*() {
            const loop = yield* SyncLoop.start({ url: server.url, token: server.user("bob").token, via, schedule })
            const until = (done: (cache: SyncLoop.Cache) => boolean) =>
              loop.cache.changes.pipe(Stream.takeUntil(done), Stream.runDrain, Effect.raceFirst(loop.join), guard)
            const bodies = (cache: SyncLoop.Cache) => Array.from(HashMap.values(cache.messages), (m) => m.body)
            expect(bodies(yield* SubscriptionRef.get(loop.cache))).toEqual(["before the loop started"])

            // Once a message sent after the first load is in the cache, the push stream is live.
            let n = 0
            yield* Effect.suspend(() => fromAlice(`warm-up ${++n}`)).pipe(
              Effect.repeat(Schedule.spaced("100 millis")),
              Effect.raceFirst(until((cache) => bodies(cache).some((b) => b.startsWith("warm-up"))))
            )

            // A new chat, messages in both, a restart in the middle, a deletion from bob's other device.
            const carolChat = yield* carol.Chat.createOne({ kind: "direct", contactId: bobId })
            for (let i = 1; i <= 10; i++) {
              if (i === 6) yield* server.faults.restart
              yield* fromAlice(`alice ${i}`)
              yield* carol.Message.send({ chatId: carolChat.id, body: `carol ${i}` })
              yield* alice.Chat.typing({ chatId: aliceChat.id, typing: true })
            }
            const bobChats = (yield* bob.Chat.get({})).list
            const messagesOf = (chatId: string) => Effect.map(bob.Message.list({ filter: { chatId } }), (r) => r.list)
            const doomed = (yield* Effect.forEach(bobChats, (c) => messagesOf(c.id))).flat().find((m) =>
              m.body === "alice 3"
            )!
            yield* bob.Message.destroyOne({ id: doomed.id })

            const view = (yield* Effect.forEach(bobChats, (c) => messagesOf(c.id))).flat()
            const ids = (ms: Iterable<{ readonly id: string }>) => Array.from(ms, (m) => m.id).sort()
            yield* until((cache) => ids(HashMap.values(cache.messages)).join() === ids(view).join())

            const cache = yield* SubscriptionRef.get(loop.cache)
            expect(ids(HashMap.values(cache.chats))).toEqual(ids(bobChats))
            expect(ids(HashMap.values(cache.messages))).toEqual(ids(view))
            for (const m of view) expect(HashMap.get(cache.messages, m.id)).toEqual(Option.some(m))
            const sent = [
              ...Array.from({ length: 10 }, (_, i) => `alice ${i + 1}`),
              ...Array.from({ length: 10 }, (_, i) => `carol ${i + 1}`)
            ]
            for (const body of sent) {
              expect(bodies(cache).filter((b) => b === body).length).toBe(body === "alice 3" ? 0 : 1)
            }
            yield* out.waitForLine("reconnected (attempt 1): syncing everything")

            // Typing shows, and typing: false hides it (repeated until the indicator is seen, as
            // typing events sent while the stream is down are not replayed).
            const shown = yield* alice.Chat.typing({ chatId: aliceChat.id, typing: true }).pipe(
              Effect.repeat(Schedule.spaced("100 millis")),
              Effect.raceFirst(out.waitForLine("Alice is typing…"))
            )
            yield* alice.Chat.typing({ chatId: aliceChat.id, typing: false })
            yield* out.waitForLine("(nobody is typing)", shown)
          })))
          expect(out.lines).toContain("  Carol: carol 10")
          expect(out.lines.filter((l) => l === "push is live: syncing what changed since the first load").length).toBe(
            1
          )
        }),
      60_000
    )
  }

  it.scopedLive("the demo fills the cache with alice's messages, once each", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const out = yield* captured
      const cache = yield* out.run(SyncLoop.demo(embedded(server), { schedule, messages: 4 })).pipe(guard)
      const bodies = Array.from(HashMap.values(cache.messages), (m) => m.body).sort()
      expect(bodies.length).toBeGreaterThanOrEqual(4)
      expect(new Set(bodies).size).toBe(bodies.length)
      expect(bodies.every((b) => /^message \d+$/.test(b))).toBe(true)
      expect(out.lines.at(-1)).toBe(`The cache holds 1 chat(s) and ${bodies.length} message(s).`)
    }), 60_000)
})

describe("the example scripts, as a newcomer runs them", () => {
  it.live("each runs against the embedded server and exits 0 on its own", () =>
    Effect.gen(function*() {
      const [sse, ws, sync] = yield* Effect.all(
        ["examples/sse_listen.ts", "examples/ws_loop.ts", "examples/sync_loop.ts"].map((script) => runScript(script)),
        { concurrency: "unbounded" }
      )
      for (const result of [sse!, ws!, sync!]) {
        expect(result.stderr).toBe("")
        expect(result.code).toBe(0)
        expect(result.stdout).toMatch(/^Embedded JMAP Chat server on http:\/\/127\.0\.0\.1:\d+/)
      }
      // What each prints in between depends on timing; the in-process tests above check it.
      expect(sse!.stdout).toMatch(
        /\nconnected: live from here\n(.*\n)*reconnected \(attempt 1, resumed after event \d+\): call \/changes now\n/
      )
      expect(ws!.stdout).toMatch(/reconnected \(attempt 1\): catching up\n/)
      expect(sync!.stdout).toContain("push is live: syncing what changed since the first load\n")
      expect(sync!.stdout).toMatch(/The cache holds 1 chat\(s\) and \d+ message\(s\)\.\n$/)
    }), 300_000)
})
