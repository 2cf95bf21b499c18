/**
 * Convergence of `ChatStore` (issue 16), as a property against the reference server over real HTTP
 * and push: alice, bob and carol each run a store (small windows, a short change log so that
 * `cannotCalculateChanges` happens) while a random program of operations runs — sends, edits,
 * reactions, read marks, deletions from "another device", older pages — interleaved with faults:
 * push connections dropped after a few events, server restarts, a send's response lost after the
 * server applied it, a 503 before it did, and an app restart over the same KeyValueStore.
 *
 * After quiescence (faults off; every store settled, at the server's current states, with no write
 * under way — waited for by condition, never by a fixed delay) every store must equal a fresh full
 * load of its user's account (every collection and state, each window the latest `limit` messages),
 * and every send must be on the server exactly once.
 */
import { KeyValueStore } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import {
  Context,
  Deferred,
  Effect,
  Either,
  Exit,
  FastCheck as fc,
  Layer,
  Option,
  Ref,
  Schedule,
  Scope,
  Stream
} from "effect"
import { CapabilityUri } from "../../../src/chat/Capabilities.js"
import * as ChatClient from "../../../src/chat/ChatClient.js"
import * as ChatPush from "../../../src/chat/push/ChatPush.js"
import * as ChatStore from "../../../src/chat/store/ChatStore.js"
import * as Collections from "../../../src/chat/store/Collections.js"
import * as Auth from "../../../src/jmap/Auth.js"
import { HttpError } from "../../../src/jmap/Errors.js"
import * as SessionService from "../../../src/jmap/SessionService.js"
import type { JmapRequest, JmapResponse } from "../../../src/jmap/Wire.js"
import * as NodeChat from "../../../src/node/NodeChat.js"
import { ChatServer } from "../../../src/testing/index.js"

const users = ["alice", "bob", "carol"] as const
type User = 0 | 1 | 2

type Op =
  | { readonly _tag: "Send"; readonly user: User; readonly chat: number }
  | { readonly _tag: "Edit"; readonly user: User; readonly pick: number }
  | { readonly _tag: "React"; readonly user: User; readonly pick: number }
  | { readonly _tag: "MarkRead"; readonly user: User; readonly chat: number }
  | { readonly _tag: "Delete"; readonly user: User; readonly pick: number }
  | { readonly _tag: "LoadOlder"; readonly user: User; readonly chat: number }
  | { readonly _tag: "DropPush"; readonly after: number }
  | { readonly _tag: "PushBack" }
  | { readonly _tag: "Restart" }
  | { readonly _tag: "LoseResponse"; readonly user: User }
  | { readonly _tag: "Unavailable"; readonly user: User }
  | { readonly _tag: "RestartApp"; readonly user: User }
  | { readonly _tag: "Pause" }

const user = fc.constantFrom<User>(0, 1, 2)
const index = fc.nat({ max: 20 })
const op: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ _tag: fc.constant("Send" as const), user, chat: index }), weight: 8 },
  { arbitrary: fc.record({ _tag: fc.constant("Edit" as const), user, pick: index }), weight: 2 },
  { arbitrary: fc.record({ _tag: fc.constant("React" as const), user, pick: index }), weight: 2 },
  { arbitrary: fc.record({ _tag: fc.constant("MarkRead" as const), user, chat: index }), weight: 2 },
  { arbitrary: fc.record({ _tag: fc.constant("Delete" as const), user, pick: index }), weight: 1 },
  { arbitrary: fc.record({ _tag: fc.constant("LoadOlder" as const), user, chat: index }), weight: 1 },
  {
    arbitrary: fc.record({ _tag: fc.constant("DropPush" as const), after: fc.integer({ min: 1, max: 4 }) }),
    weight: 1
  },
  { arbitrary: fc.constant({ _tag: "PushBack" as const }), weight: 1 },
  { arbitrary: fc.constant({ _tag: "Restart" as const }), weight: 1 },
  { arbitrary: fc.record({ _tag: fc.constant("LoseResponse" as const), user }), weight: 1 },
  { arbitrary: fc.record({ _tag: fc.constant("Unavailable" as const), user }), weight: 1 },
  { arbitrary: fc.record({ _tag: fc.constant("RestartApp" as const), user }), weight: 1 },
  { arbitrary: fc.constant({ _tag: "Pause" as const }), weight: 2 }
)
const program = fc.record({
  via: fc.constantFrom("websocket" as const, "eventsource" as const),
  ops: fc.array(op, { minLength: 6, maxLength: 16 })
})

/** Fails the user's next `Message/set` request: before the server sees it, or after it applied it. */
type Fault = "lose" | "unavailable" | undefined

const lost = new HttpError({ reason: "Timeout", method: "POST", url: "fault:/api" })
const unavailable = new HttpError({ reason: "Status", method: "POST", url: "fault:/api", status: 503 })
const fast = Schedule.spaced("20 millis")

/** A user's client stack: the store's `ChatClient` with a fault hook at its transport, push, and a plain client. */
const stackFor = (server: ChatServer.Service, name: string, fault: Ref.Ref<Fault>) =>
  Effect.gen(function*() {
    const context = yield* Layer.build(NodeChat.layer({
      url: server.url,
      auth: Auth.bearer(server.user(name).token),
      config: { requestTimeout: "5 seconds", retrySchedule: fast.pipe(Schedule.intersect(Schedule.recurs(10))) }
    }))
    const session = Context.get(context, SessionService.SessionService)
    // After a lost response, the user's Message/changes wait until the store has checked or sent
    // again (its next Message/query or Message/set): so the retry, not a sync, finds the message.
    const hold = yield* Ref.make<Option.Option<Deferred.Deferred<void>>>(Option.none())
    const has = (request: JmapRequest, ...names: ReadonlyArray<string>) =>
      request.methodCalls.some(([m]) => names.includes(m))
    const release = Effect.flatMap(
      Ref.getAndSet(hold, Option.none()),
      Option.match({
        onNone: () => Effect.void,
        onSome: (d) => Deferred.succeed(d, undefined)
      })
    )
    const call = (request: JmapRequest): Effect.Effect<JmapResponse, SessionService.CallError> =>
      Effect.gen(function*() {
        const f = yield* Ref.get(fault)
        if (f !== undefined && has(request, "Message/set")) {
          yield* Ref.set(fault, undefined)
          if (f === "unavailable") return yield* unavailable
          yield* session.call(request)
          yield* Ref.set(hold, Option.some(yield* Deferred.make<void>()))
          return yield* lost
        }
        if (has(request, "Message/changes")) {
          const held = yield* Ref.get(hold)
          if (Option.isSome(held)) yield* Deferred.await(held.value)
        }
        const response = yield* session.call(request)
        if (has(request, "Message/query", "Message/set")) yield* release
        return response
      })
    const faulty = ChatClient.makeWith({
      call,
      accountId: session.primaryAccountId(CapabilityUri.chat),
      upload: session.upload,
      download: session.download
    })
    return {
      plain: Context.get(context, ChatClient.ChatClient),
      layer: Layer.mergeAll(
        Layer.succeed(ChatClient.ChatClient, faulty),
        Layer.succeed(ChatPush.ChatPush, Context.get(context, ChatPush.ChatPush))
      )
    }
  })

/** Polls `condition` (the store's fibers run on their own) until it holds; a hang guard bounds it. */
const eventually = (condition: Effect.Effect<boolean>, what: string) =>
  Effect.gen(function*() {
    while (!(yield* condition)) yield* Effect.sleep("20 millis")
  }).pipe(Effect.timeoutFail({ duration: "40 seconds", onTimeout: () => new Error(`no quiescence: ${what}`) }))

const stateNames = [...Collections.names, "Message"] as const

describe("ChatStore convergence", () => {
  it.scopedLive.prop(
    "after random operations and faults, every store equals a fresh load of its account; no send lost or duplicated",
    [program],
    ([{ ops, via }]) =>
      Effect.gen(function*() {
        const server = yield* ChatServer.make({ limits: { changeLogCapacity: 6, pushLogCapacity: 8 } })
        const ids = users.map((n) => server.user(n).userId)
        const faults = yield* Effect.forEach(users, () => Ref.make<Fault>(undefined))
        const stacks = yield* Effect.forEach(users, (n, i) => stackFor(server, n, faults[i]!))
        const kvs = yield* Effect.forEach(
          users,
          () => Effect.map(Layer.build(KeyValueStore.layerMemory), Context.get(KeyValueStore.KeyValueStore))
        )
        const options: ChatStore.Options = {
          windowSize: 3,
          pageSize: 2,
          saveDelay: "50 millis",
          retrySchedule: fast,
          push: { via, schedule: fast }
        }
        const open = (i: User) =>
          Effect.gen(function*() {
            const scope = yield* Scope.make()
            const store = yield* ChatStore.make(options).pipe(
              Effect.provide(stacks[i]!.layer),
              Effect.provideService(KeyValueStore.KeyValueStore, kvs[i]!),
              Scope.extend(scope)
            )
            return { scope, store }
          })
        const apps = yield* Effect.forEach([0, 1, 2] as const, open)
        yield* Effect.addFinalizer(() =>
          Effect.forEach(apps, (a) => Scope.close(a.scope, Exit.void), { discard: true })
        )
        const store = (i: User) => apps[i]!.store

        // Four chats, each with a first message so every member has it: three direct ones and a group.
        const [alice, bob] = [stacks[0]!.plain, stacks[1]!.plain]
        const chats = [
          yield* alice.Chat.createOne({ kind: "direct", contactId: ids[1]! }),
          yield* alice.Chat.createOne({ kind: "direct", contactId: ids[2]! }),
          yield* bob.Chat.createOne({ kind: "direct", contactId: ids[2]! }),
          yield* alice.Chat.createOne({ kind: "group", name: "all three", memberIds: [ids[1]!, ids[2]!] })
        ]
        const creators = [alice, alice, bob, alice]
        yield* Effect.forEach(chats, (c, i) => creators[i]!.Message.send({ chatId: c.id, body: `start ${i}` }))
        const chatsOf = (i: User) =>
          chats.filter((c) =>
            c.kind === "group" || c.contactId === ids[i] || (creators[chats.indexOf(c)] === stacks[i]!.plain)
          ).map((c) => c.id)
        for (const i of [0, 1, 2] as const) {
          for (const chatId of chatsOf(i)) yield* Stream.runHead(store(i).messages(chatId))
        }

        const sends: Array<{ readonly user: User; readonly body: string }> = []
        const messagesOf = (i: User, own: boolean) =>
          Effect.map(store(i).snapshot, (s) =>
            Array.from(s.windows.values()).flatMap((w) => w.messages).filter((m) =>
              (m.senderId === "self") === own && (m.deletedAt ?? null) === null
            ))
        const pick = <A>(list: ReadonlyArray<A>, n: number) => (list.length === 0 ? undefined : list[n % list.length])

        let n = 0
        for (const o of ops) {
          switch (o._tag) {
            case "Send": {
              const chatId = pick(chatsOf(o.user), o.chat)!
              const body = `${users[o.user]} #${++n}`
              sends.push({ user: o.user, body })
              yield* store(o.user).send({ chatId, body })
              break
            }
            case "Edit": {
              const m = pick(yield* messagesOf(o.user, true), o.pick)
              if (m !== undefined) yield* store(o.user).edit({ messageId: m.id, body: `${m.body} (edited ${++n})` })
              break
            }
            case "React": {
              const m = pick([...yield* messagesOf(o.user, true), ...yield* messagesOf(o.user, false)], o.pick)
              if (m !== undefined) yield* store(o.user).react({ messageId: m.id, emoji: "👍" })
              break
            }
            case "MarkRead":
              yield* Effect.ignore(store(o.user).markRead({ chatId: pick(chatsOf(o.user), o.chat)! }))
              break
            case "Delete": {
              const m = pick(yield* messagesOf(o.user, false), o.pick)
              if (m !== undefined) yield* Effect.ignore(stacks[o.user]!.plain.Message.destroyOne({ id: m.id }))
              break
            }
            case "LoadOlder":
              yield* Effect.ignore(store(o.user).loadOlder(pick(chatsOf(o.user), o.chat)!))
              break
            case "DropPush":
              yield* server.faults.dropPushAfter(o.after)
              break
            case "PushBack":
              yield* server.faults.dropPushAfter(undefined)
              break
            case "Restart":
              yield* server.faults.restart
              break
            case "LoseResponse":
              yield* Ref.set(faults[o.user]!, "lose")
              break
            case "Unavailable":
              yield* Ref.set(faults[o.user]!, "unavailable")
              break
            case "RestartApp": {
              yield* Scope.close(apps[o.user]!.scope, Exit.void)
              apps[o.user] = yield* open(o.user)
              break
            }
            case "Pause":
              yield* Effect.sleep("10 millis")
              break
          }
        }

        // Quiescence: faults off, then every store settled at the server's current states.
        yield* server.faults.dropPushAfter(undefined)
        for (const f of faults) yield* Ref.set(f, undefined)
        const serverStates = (i: User) =>
          Effect.map(
            stacks[i]!.plain.batch((b) => ({
              Chat: b.Chat.state(),
              ChatContact: b.ChatContact.state(),
              Space: b.Space.state(),
              ReadPosition: b.ReadPosition.state(),
              PresenceStatus: b.PresenceStatus.state(),
              CustomEmoji: b.CustomEmoji.state(),
              Message: b.Message.state()
            })),
            (r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Either.getOrUndefined(v)]))
          )
        const quiet = (i: User) =>
          Effect.gen(function*() {
            const s = yield* store(i).snapshot
            const states = yield* Effect.orDie(serverStates(i))
            return !s.status.syncing &&
              s.writes.every((e) => e.status === "confirmed" || e.status === "failed") &&
              [...s.windows.values()].every((w) => w.loaded) &&
              stateNames.every((name) =>
                (name === "Message" ? s.messageState : s.collections[name].state) === states[name]
              )
          })
        yield* eventually(
          Effect.map(Effect.forEach([0, 1, 2] as const, quiet), (all) => all.every(Boolean)),
          "stores at the server's states"
        )

        for (const i of [0, 1, 2] as const) {
          const s = yield* store(i).snapshot
          const client = stacks[i]!.plain
          // Every collection as a fresh /get of everything returns it.
          const fresh = yield* client.batch((b) => ({
            Chat: b.Chat.get({}),
            ChatContact: b.ChatContact.get({}),
            Space: b.Space.get({}),
            ReadPosition: b.ReadPosition.get({}),
            PresenceStatus: b.PresenceStatus.get({}),
            CustomEmoji: b.CustomEmoji.get({})
          }))
          for (const name of Collections.names) {
            const got = Either.getOrThrow(
              fresh[name] as unknown as Either.Either<{ state: string; list: ReadonlyArray<any> }, unknown>
            )
            expect(s.collections[name].state, `${users[i]} ${name} state`).toBe(got.state)
            expect(new Map(s.collections[name].items as Map<string, unknown>), `${users[i]} ${name}`).toEqual(
              new Map(got.list.map((x) => [x.id, x]))
            )
          }
          // Every window: the chat's latest `limit` messages, as a fresh query returns them.
          expect([...s.windows.keys()].sort()).toEqual(chatsOf(i).sort())
          for (const w of s.windows.values()) {
            const page = yield* client.Message.list({
              filter: { chatId: w.chatId },
              sort: [{ property: "receivedAt", isAscending: false }],
              limit: w.limit + 1
            })
            expect(w.messages, `${users[i]} window of ${w.chatId}`).toEqual(page.list.slice(0, w.limit).reverse())
            expect(w.complete, `${users[i]} window of ${w.chatId} complete`).toBe(page.query.ids.length <= w.limit)
          }
          // No send lost, none duplicated; none refused.
          const all = yield* Effect.forEach(chatsOf(i), (chatId) =>
            client.Message.list({ filter: { chatId }, limit: 500 }))
          const bodies = all.flatMap((p) =>
            p.list
          ).filter((m) => m.senderId === "self").map((m) =>
            m.editHistory?.[0]?.body ?? m.body
          )
          for (const send of sends.filter((x) => x.user === i)) {
            expect(bodies.filter((b) => b === send.body), `${send.body} on the server`).toHaveLength(1)
          }
          expect(s.writes.filter((e) => e.write._tag === "Send" && e.status !== "confirmed")).toEqual([])
        }
      }).pipe(Effect.scoped),
    { timeout: 120_000, fastCheck: { numRuns: Number(process.env["STORE_RUNS"] ?? 3) } }
  )
})
