/**
 * Server restart under load (issue 6), against the reference server (`src/testing`): alice sends
 * 60 messages with bounded concurrency while the test restarts the server (`faults.restart`: every
 * connection closed, all state kept) three times — the first time while three sends are held in
 * flight by the server. Every send must settle (success or a typed error, within the hang guard);
 * afterwards every message whose send succeeded is stored exactly once, every failed one at most
 * once (a failed create may or may not have been applied), nothing is duplicated, and bob — by
 * `Message.sync` from his state before the load, and by his EventSource, which must reconnect
 * through the restarts — sees the same messages.
 */
import { describe, expect } from "@effect/vitest"
import { Context, Effect, Exit, Fiber, Layer, Option, Ref, Schedule, Stream } from "effect"
import * as ChatClient from "../../src/chat/ChatClient.js"
import * as ChatEventSource from "../../src/chat/push/ChatEventSource.js"
import * as Auth from "../../src/jmap/Auth.js"
import * as HttpTransport from "../../src/jmap/HttpTransport.js"
import * as WebSocketSession from "../../src/jmap/push/WebSocketSession.js"
import * as NodeChat from "../../src/node/NodeChat.js"
import * as NodeWebSocket from "../../src/node/NodeWebSocket.js"
import { ChatServer } from "../../src/testing/index.js"
import { type Fault, faultTable, hangGuard, isTypedFailure, observe } from "./support/FaultTable.js"

const { runTable } = faultTable("Restart fault table")

const N = 60
const CONCURRENCY = 4

/** Client settings for a flapping loopback server: short timeouts and backoff. */
const config = {
  requestTimeout: "5 seconds",
  retrySchedule: Schedule.spaced("20 millis").pipe(Schedule.intersect(Schedule.recurs(10)))
} as const

/** The whole SDK stack (NodeChat) for `token`, built in the current scope: the client and its transport. */
const stack = (server: ChatServer.Service, token: string) =>
  Layer.build(NodeChat.layer({ url: server.url, auth: Auth.bearer(token), config })).pipe(
    Effect.map((context) => ({
      client: Context.get(context, ChatClient.ChatClient),
      transport: Context.get(context, HttpTransport.HttpTransport)
    }))
  )

const poll = Effect.sleep("2 millis")

const waitUntil = (condition: Effect.Effect<boolean>) =>
  Effect.gen(function*() {
    while (!(yield* condition)) yield* poll
  })

type Outcome = { readonly index: number; readonly exit: Exit.Exit<{ readonly id: string }, unknown> }

/**
 * Sends `load 0` … `load N-1` with bounded concurrency through `send`, while `restarter` runs
 * alongside (it gets the number of sends started so far). Every send runs inside a hang guard.
 */
const sendUnderLoad = <R>(
  send: (body: string) => Effect.Effect<{ readonly id: string }, unknown>,
  restarter: (started: Ref.Ref<number>) => Effect.Effect<void, never, R>
) =>
  Effect.gen(function*() {
    const started = yield* Ref.make(0)
    const restarts = yield* Effect.fork(restarter(started))
    const outcomes = yield* Effect.forEach(
      Array.from({ length: N }, (_, index) => index),
      (index) =>
        Ref.update(started, (n) => n + 1).pipe(
          Effect.zipRight(send(`load ${index}`).pipe(hangGuard(15), Effect.exit)),
          Effect.map((exit): Outcome => ({ index, exit }))
        ),
      { concurrency: CONCURRENCY }
    )
    yield* Fiber.join(restarts)
    return outcomes
  })

/**
 * Checks the invariants against what the server stores, as listed by `list` (bodies of the chat's
 * messages with their ids): each succeeded send once with its id, each failed one at most once,
 * nothing else and nothing twice. Returns the number of failed sends that were applied anyway.
 */
const checkStored = (
  outcomes: ReadonlyArray<Outcome>,
  stored: ReadonlyArray<{ readonly id: string; readonly body: string }>
) => {
  const byBody = new Map<string, Array<string>>()
  for (const m of stored) byBody.set(m.body, [...(byBody.get(m.body) ?? []), m.id])
  let appliedAnyway = 0
  for (const { exit, index } of outcomes) {
    const ids = byBody.get(`load ${index}`) ?? []
    // Never a defect, an interruption or a hang: a success or a typed error.
    expect(Exit.isSuccess(exit) || isTypedFailure(exit), `send ${index}: ${observe(exit)}`).toBe(true)
    if (Exit.isSuccess(exit)) {
      expect(ids, `load ${index} succeeded: stored exactly once, with the id returned`).toEqual([exit.value.id])
    } else {
      expect(ids.length, `load ${index} failed: stored at most once`).toBeLessThanOrEqual(1)
      appliedAnyway += ids.length
    }
  }
  const succeeded = outcomes.filter((o) => Exit.isSuccess(o.exit)).length
  expect(stored.length, "nothing else stored, nothing duplicated").toBe(succeeded + appliedAnyway)
  expect(new Set(stored.map((m) => m.id)).size).toBe(stored.length)
  return appliedAnyway
}

const failureTags = (outcomes: ReadonlyArray<Outcome>) => {
  const counts = new Map<string, number>()
  for (const { exit } of outcomes) {
    if (Exit.isFailure(exit)) {
      const tag = observe(exit).split(":", 1)[0]!
      counts.set(tag, (counts.get(tag) ?? 0) + 1)
    }
  }
  return [...counts].map(([tag, n]) => `${tag}×${n}`).join(", ") || "none"
}

const faults: ReadonlyArray<Fault> = [
  {
    name: `restart ×3 under load over HTTP (${N} sends, concurrency ${CONCURRENCY}, 3 held in flight)`,
    expected: "every send ok or typed; each ok stored once, each failed at most once; bob syncs and pushes the same",
    run: Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const bobInfo = server.user("bob")
      const { client: alice } = yield* stack(server, server.user("alice").token)
      const { client: bob, transport: bobTransport } = yield* stack(server, bobInfo.token)
      const chat = yield* alice.Chat.createOne({ kind: "direct", contactId: bobInfo.userId })
      // The chat shows up for bob with its first message: his view (and Message state) before the load.
      yield* alice.Message.send({ chatId: chat.id, body: "warm-up", bodyType: "text/plain" })
      const bobChats = (yield* bob.Chat.list({ filter: { kind: "direct" } })).list
      expect(bobChats.length).toBe(1)
      const before = yield* bob.Message.list({ filter: { chatId: bobChats[0]!.id } })
      expect(before.list.map((m) => m.body)).toEqual(["warm-up"])

      // Bob's EventSource runs through the whole test (the restarts drop it too).
      const pushed = yield* Ref.make<
        ReadonlyArray<{ readonly tag: string; readonly id?: string | undefined; readonly message?: string | undefined }>
      >([])
      const push = yield* ChatEventSource.make({
        open: (lastEventId) =>
          bobTransport.openEventSource(`${server.url}/jmap/eventsource?types=*&closeafter=no&ping=0`, {
            lastEventId: Option.getOrUndefined(lastEventId)
          }),
        maxFrameBytes: 1024 * 1024,
        schedule: Schedule.spaced("20 millis")
      }).pipe(
        Stream.runForEach((e) =>
          Ref.update(pushed, (list) => [
            ...list,
            e._tag === "StateChange"
              ? { tag: e._tag, id: Option.getOrUndefined(e.id), message: e.changed[bobInfo.accountId]?.["Message"] }
              : { tag: e._tag }
          ])
        ),
        Effect.forkScoped
      )

      const requests = server.faults.requestCount("api")
      const outcomes = yield* sendUnderLoad(
        (body) => alice.Message.send({ chatId: chat.id, body, bodyType: "text/plain" }),
        (started) =>
          Effect.gen(function*() {
            // 1: hold the next three API requests (sends) in the server, then restart under them.
            yield* waitUntil(Effect.map(Ref.get(started), (n) => n >= 12))
            const base = yield* requests
            yield* server.faults.delayNext(3, "1 minute")
            yield* waitUntil(Effect.map(requests, (n) => n >= base + 3))
            yield* server.faults.restart
            // 2 and 3: restart wherever the load happens to be.
            yield* waitUntil(Effect.map(Ref.get(started), (n) => n >= 30))
            yield* server.faults.restart
            yield* waitUntil(Effect.map(Ref.get(started), (n) => n >= 45))
            yield* server.faults.restart
          })
      )
      const succeeded = outcomes.filter((o) => Exit.isSuccess(o.exit)).length
      const failed = N - succeeded
      // The three held sends were cut by the restart before the server applied them.
      expect(failed).toBeGreaterThanOrEqual(3)

      const all = yield* alice.Message.list({ filter: { chatId: chat.id } })
      const stored = all.list.filter((m) => m.body !== "warm-up")
      expect(stored.length).toBe(all.list.length - 1)
      const appliedAnyway = checkStored(outcomes, stored)

      // Bob's view: his delta sync from before the load has exactly the same messages.
      const synced = yield* bob.Message.sync({ sinceState: before.state })
      expect(synced.created.map((m) => m.body).sort()).toEqual(stored.map((m) => m.body).sort())
      expect(synced.updated).toEqual([])
      expect(synced.destroyed).toEqual([])
      const bobList = yield* bob.Message.list({ filter: { chatId: bobChats[0]!.id } })
      expect(bobList.list.map((m) => m.body).sort()).toEqual(["warm-up", ...stored.map((m) => m.body)].sort())

      // …and his EventSource, reconnected after the restarts, reaches the final Message state.
      yield* waitUntil(Effect.map(Ref.get(pushed), (list) => list.some((e) => e.message === synced.newState)))
      yield* Fiber.interrupt(push)
      const events = yield* Ref.get(pushed)
      const reconnects = events.filter((e) => e.tag === "Reconnected").length
      expect(reconnects).toBeGreaterThanOrEqual(1)
      expect(events[0]?.tag).toBe("Connected")
      expect(events.slice(1).every((e) => e.tag === "StateChange" || e.tag === "Reconnected" || e.tag === "Ping")).toBe(
        true
      )
      // Resuming with Last-Event-ID across the restarts: no StateChange twice.
      const ids = events.flatMap((e) => (e.tag === "StateChange" ? [e.id] : []))
      expect(ids.every((id) => id !== undefined)).toBe(true)
      expect(new Set(ids).size).toBe(ids.length)

      return `${succeeded} ok, ${failed} failed (${failureTags(outcomes)}), ${appliedAnyway} of the failed applied; ` +
        `stored ${stored.length}, no duplicate; bob: sync ${synced.created.length} created, SSE reconnected ${reconnects}×, ${ids.length} StateChanges, none twice`
    })
  },
  {
    name: `restart ×3 under load over a WebSocket (${N} sends, concurrency ${CONCURRENCY})`,
    expected: "every send ok or typed (WebSocketError); each ok stored once, each failed at most once",
    run: Effect.gen(function*() {
      const server = yield* ChatServer.make()
      const aliceInfo = server.user("alice")
      const { client: alice } = yield* stack(server, aliceInfo.token)
      const chat = yield* alice.Chat.createOne({ kind: "direct", contactId: server.user("bob").userId })
      const session = yield* WebSocketSession.make({
        url: server.webSocketUrl,
        headers: Effect.succeed({ authorization: `Bearer ${aliceInfo.token}` }),
        pingInterval: "1 second",
        pongTimeout: "2 seconds",
        connectTimeout: "5 seconds",
        schedule: Schedule.spaced("20 millis").pipe(Schedule.intersect(Schedule.recurs(50)))
      }).pipe(Effect.provide(NodeWebSocket.layer))
      const reconnected = yield* Ref.make(0)
      yield* session.events.pipe(
        Stream.runForEach((f) => f._tag === "Reconnected" ? Ref.update(reconnected, (n) => n + 1) : Effect.void),
        Effect.forkScoped
      )
      const overWs = ChatClient.makeWith({ call: session.call, accountId: aliceInfo.accountId })
      const outcomes = yield* sendUnderLoad(
        (body) => overWs.Message.send({ chatId: chat.id, body, bodyType: "text/plain" }),
        (started) =>
          Effect.forEach(
            [15, 30, 45],
            (at) =>
              waitUntil(Effect.map(Ref.get(started), (n) => n >= at)).pipe(Effect.zipRight(server.faults.restart)),
            { discard: true }
          )
      )
      // The session is still usable after the restarts.
      const echo = yield* session.call({
        using: ["urn:ietf:params:jmap:core"],
        methodCalls: [["Core/echo", { ok: 1 }, "e"]]
      })
      expect(echo.methodResponses).toEqual([["Core/echo", { ok: 1 }, "e"]])
      const reconnects = yield* Ref.get(reconnected)
      expect(reconnects).toBeGreaterThanOrEqual(1)
      const stored = yield* alice.Message.list({ filter: { chatId: chat.id } })
      const appliedAnyway = checkStored(outcomes, stored.list)
      const succeeded = outcomes.filter((o) => Exit.isSuccess(o.exit)).length
      return `${succeeded} ok, ${N - succeeded} failed (${
        failureTags(outcomes)
      }), ${appliedAnyway} of the failed applied; ` +
        `stored ${stored.list.length}, no duplicate; session reconnected ${reconnects}×, then answered Core/echo`
    })
  }
]

describe("fault injection: server restart under load", () => {
  runTable(faults, 60)
})
