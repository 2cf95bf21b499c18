/**
 * `ChatStore` (issue 16):
 *
 * - memory: the live heap of 100,000 stored messages (100 chat windows of 1,000 decoded messages,
 *   as a window fetch leaves them), against their JSON size; and the time to save and restore that
 *   snapshot (`Persistence`, in-memory `KeyValueStore`);
 * - apply: a `/changes` of 1,000 updated messages (reactions) applied to an open window of 5,000,
 *   until its view shows them, against a full reload of the same window (what an app without a
 *   store does), end to end against the in-memory reference backend; and the client CPU of applying
 *   the delta and deriving the view alone.
 */
import { KeyValueStore } from "@effect/platform"
import { Context, Effect, Either, Layer, Option, Schema, Stream } from "effect"
import * as ChatClient from "../src/chat/ChatClient.js"
import { Message } from "../src/chat/Message.js"
import * as ChatPush from "../src/chat/push/ChatPush.js"
import * as ChatSseEvent from "../src/chat/push/ChatSseEvent.js"
import * as ChatStore from "../src/chat/store/ChatStore.js"
import * as MessagePages from "../src/chat/store/MessagePages.js"
import * as MessageWindow from "../src/chat/store/MessageWindow.js"
import * as Persistence from "../src/chat/store/Persistence.js"
import * as Snapshot from "../src/chat/store/Snapshot.js"
import * as Views from "../src/chat/store/Views.js"
import { decoderFor } from "../src/jmap/internal/json.js"
import { Backend, ChatClientTest } from "../src/testing/index.js"
import { message } from "./decode.js"

const gc = () => (globalThis as { gc?: () => void }).gc?.()
const heap = () => {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}
const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1)

const memory = Effect.gen(function*() {
  const chats = 100
  const perChat = 1000
  // Each window as a fetch leaves it: its page of JSON decoded by the client's compiled decoder.
  const decode = decoderFor(Schema.Array(Message))
  const page = (c: number) =>
    JSON.stringify(Array.from({ length: perChat }, (_, k) => {
      const i = (perChat - 1 - k) * chats + c
      return {
        ...message(i),
        id: `01JQ${String(i).padStart(22, "0")}`,
        chatId: `chat${c}`,
        receivedAt: new Date(Date.UTC(2026, 3, 26) + i * 1000).toISOString()
      }
    }))
  let json = 0
  for (let c = 0; c < chats; c++) json += Buffer.byteLength(page(c))
  const before = heap()
  const windows = new Map<string, MessageWindow.MessageWindow>()
  for (let c = 0; c < chats; c++) {
    const newestFirst = Either.getOrThrow(decode(JSON.parse(page(c))))
    windows.set(`chat${c}`, MessageWindow.loaded(MessageWindow.unloaded(`chat${c}`, perChat), newestFirst, true))
  }
  const held = heap() - before
  const snapshot: Snapshot.Snapshot = { ...Snapshot.empty, accountId: "A", messageState: "1", windows }
  const kv = yield* Effect.map(Layer.build(KeyValueStore.layerMemory), Context.get(KeyValueStore.KeyValueStore))
  const persistence = yield* Persistence.make(kv, "bench")
  let start = performance.now()
  yield* persistence.saveSnapshot(snapshot)
  const saveMs = performance.now() - start
  // One window changed: only it and the manifest are written.
  const one = windows.get("chat0")!
  start = performance.now()
  yield* persistence.saveSnapshot({ ...snapshot, windows: new Map(windows).set("chat0", { ...one }) })
  const saveOneMs = performance.now() - start
  const size = JSON.stringify(Array.from(windows.values())).length
  start = performance.now()
  const restored = yield* Effect.flatMap(Persistence.make(kv, "bench"), (p) => p.load)
  const loadMs = performance.now() - start
  const count = Option.getOrThrow(restored.snapshot).windows.get("chat0")?.messages.length
  if (count !== perChat) throw new Error("the snapshot did not restore")
  console.log(`store memory: ${chats * perChat} messages in ${chats} windows`)
  console.log(
    `  live heap ${mb(held)} MB (${Math.round(held / (chats * perChat))} bytes a message); JSON ${mb(json)} MB`
  )
  console.log(
    `  snapshot ${mb(size)} MB: saved in ${saveMs.toFixed(0)} ms (one window changed: ${
      saveOneMs.toFixed(0)
    } ms), restored in ${loadMs.toFixed(0)} ms`
  )
  return { held, json, saveMs, saveOneMs, loadMs, count: chats * perChat }
})

const noPush = ChatPush.ChatPush.of({
  events: () =>
    Stream.concat(
      Stream.make(new ChatSseEvent.Connected({ lastEventId: Option.none(), pushState: Option.none() })),
      Stream.never
    ),
  eventSource: () => Stream.never,
  webSocket: () => Effect.dieMessage("not in the bench"),
  webSocketClient: () => Effect.dieMessage("not in the bench")
})

const apply = Effect.gen(function*() {
  const window = 5000
  const changed = 1000
  const backend = yield* Backend.make({ limits: { maxObjectsInSet: 1000 } })
  const alice = backend.user("alice")
  const bobClient = ChatClientTest.make(backend, "bob")
  const aliceClient = ChatClientTest.make(backend, "alice")
  const chat = yield* aliceClient.Chat.createOne({ kind: "direct", contactId: backend.user("bob").userId })
  const using = ["urn:ietf:params:jmap:core", "urn:ietf:params:jmap:chat"]
  const set = (args: Record<string, unknown>) =>
    backend.dispatch(alice.token, {
      using,
      methodCalls: [["Message/set", { accountId: alice.accountId, ...args }, "s"]]
    })
  const sentIds: Array<string> = []
  for (let page = 0; page < window / 1000; page++) {
    const create = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [
      `m${page * 1000 + i}`,
      {
        chatId: chat.id,
        body: message(page * 1000 + i).body,
        bodyType: "text/plain",
        sentAt: "2026-04-26T12:00:00Z"
      }
    ]))
    const response = yield* set({ create })
    const created = (response.methodResponses as any)[0][1].created as Record<string, { id: string }>
    sentIds.push(...Object.values(created).map((c) => c.id))
  }
  const bobChat = (yield* bobClient.Chat.get({})).list[0]!.id

  const store = yield* ChatStore.make({ windowSize: window }).pipe(
    Effect.provide(Layer.succeed(ChatClient.ChatClient, bobClient as unknown as ChatClient.Service)),
    Effect.provideService(ChatPush.ChatPush, noPush),
    Effect.provide(KeyValueStore.layerMemory)
  )
  yield* store.settled
  const view = store.messages(bobChat)
  yield* Stream.runHead(Stream.filter(view, (v) => v.entries.length === window))
  const react = (round: number) =>
    set({
      update: Object.fromEntries(
        sentIds.slice(-changed).map((id) => [
          id,
          { [`reactions/r${round}`]: { emoji: "👍", sentAt: "2026-04-26T12:00:05Z" } }
        ])
      )
    })
  const shows = (round: number) =>
    Stream.runHead(Stream.filter(view, (v) => v.entries.at(-1)?.message.reactions[`r${round}`] !== undefined))

  const rounds = 5
  const storeMs: Array<number> = []
  const reloadMs: Array<number> = []
  const localApplyMs: Array<number> = []
  for (let round = 0; round < rounds; round++) {
    yield* react(round)
    let start = performance.now()
    yield* store.refresh
    yield* shows(round)
    storeMs.push(performance.now() - start)

    start = performance.now()
    const load = yield* MessagePages.fetch(bobClient as unknown as ChatClient.Service, bobChat, window)
    const before = yield* store.snapshot
    const reloaded = MessageWindow.loaded(before.windows.get(bobChat)!, load.newestFirst, load.complete)
    Views.messages({ ...before, windows: new Map(before.windows).set(bobChat, reloaded) }, bobChat)
    reloadMs.push(performance.now() - start)

    // The client-side part alone: 1,000 changed messages (as /changes fetched them) applied, and the view derived.
    const delta = load.newestFirst.slice(0, changed)
    start = performance.now()
    const applied = Snapshot.applyRound(before, {
      round: 1e9,
      accountId: before.accountId!,
      collections: [],
      messages: {
        _tag: "Synced",
        delta: {
          oldState: "a",
          newState: "b",
          created: [],
          updated: delta.map((m) => ({
            ...m,
            reactions: { ...m.reactions, local: { emoji: "🎉", senderId: "self", sentAt: "2026-04-26T12:00:06Z" } }
          })),
          destroyed: [],
          invalid: [],
          fullResync: false,
          requests: 1
        }
      },
      windows: new Map()
    })
    Views.messages(applied, bobChat)
    localApplyMs.push(performance.now() - start)
  }
  const median = (xs: Array<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
  const result = {
    store: median(storeMs),
    reload: median(reloadMs),
    localApply: median(localApplyMs)
  }
  console.log(`store apply: ${changed} updated messages of an open window of ${window} (median of ${rounds})`)
  console.log(`  store (/changes + apply + view)        ${result.store.toFixed(1)} ms`)
  console.log(`  full reload of the window (+ view)     ${result.reload.toFixed(1)} ms`)
  console.log(`  of which applying the delta + the view ${result.localApply.toFixed(1)} ms (client CPU alone)`)
  return result
})

export const run = async () => {
  const m = await Effect.runPromise(Effect.scoped(memory))
  const a = await Effect.runPromise(Effect.scoped(apply))
  return [
    {
      name: "store-memory",
      ratio: m.held / m.json,
      note: `live heap of 100,000 stored messages ${mb(m.held)} MB (${
        Math.round(m.held / m.count)
      } bytes each); ratio = heap / JSON size; snapshot saved in ${m.saveMs.toFixed(0)} ms (${
        m.saveOneMs.toFixed(0)
      } ms when one window of 1,000 changed), restored in ${m.loadMs.toFixed(0)} ms`
    },
    {
      name: "store-apply",
      ratio: a.store / a.reload,
      note: `/changes of 1,000 updated messages into an open window of 5,000 until its view shows them ${
        a.store.toFixed(0)
      } ms vs full reload of the window ${
        a.reload.toFixed(0)
      } ms (in-memory reference server); applying the delta to the window and its view alone ${
        a.localApply.toFixed(1)
      } ms of client CPU; ratio = store / reload, lower is better`
    }
  ]
}

if (import.meta.url === `file://${process.argv[1]}`) void run()
