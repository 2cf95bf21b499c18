/**
 * Push throughput and memory (goals: ≥ 100,000 SSE events/s and ≥ 50,000 WebSocket frames/s decoded
 * to chat events, RSS growth under 20 MB over 1,000,000 events).
 *
 * - push-sse: the SSE decoder alone, 200,000 small events in 16 KiB chunks held in memory, against
 *   `@effect/experimental/Sse.makeChannel` after `Stream.decodeText` (20,000 events: it is slow).
 * - push-sse-chat: the same bytes through the whole chat decode (SSE decoder + `ChatSseEvent`).
 * - push-sse-e2e: 1,000,000 events over loopback HTTP from a server in its own process, through
 *   `HttpTransport.openEventSource` (undici) and the resilient `ChatEventSource`: events/s and RSS
 *   before, at peak and after. Both clients first take 200,000 events so V8 has sized its heap for
 *   the workload; "before" and "after" are read once the heap has settled (three full GCs 200 ms
 *   apart, when run with `--expose-gc` as `npm run bench` does), so the growth is what the events
 *   kept, not pages V8 had yet to return. The live heap after GC is printed too.
 * - push-ws-e2e: 1,000,000 RFC 8887 frames over a loopback WebSocket (`ws` server in its own
 *   process) through `WebSocketSession.events` (frames decoded to `ChatWsFrame`): frames/s and RSS.
 * - push-ws: `ChatWsFrame.decode` alone against `JSON.parse` alone.
 *
 * Run alone with `npx tsx --expose-gc bench/push.ts`, or through `npm run bench -- push`.
 */
import * as Sse from "@effect/experimental/Sse"
import { Effect, ManagedRuntime, Option, Stream } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import { fileURLToPath, pathToFileURL } from "node:url"
import * as ChatEventSource from "../src/chat/push/ChatEventSource.js"
import * as ChatSseEvent from "../src/chat/push/ChatSseEvent.js"
import * as ChatWsFrame from "../src/chat/push/ChatWsFrame.js"
import * as Auth from "../src/jmap/Auth.js"
import * as HttpTransport from "../src/jmap/HttpTransport.js"
import * as SseDecoder from "../src/jmap/push/SseDecoder.js"
import * as WebSocketSession from "../src/jmap/push/WebSocketSession.js"
import * as NodeHttp from "../src/node/NodeHttp.js"
import * as NodeWebSocket from "../src/node/NodeWebSocket.js"

interface Result {
  readonly name: string
  readonly ratio: number
  readonly note?: string
}

const eventText = (i: number) =>
  `id: ${i}\nevent: state\ndata: {"@type":"StateChange","changed":{"u1":{"Message":"m${i}","Chat":"c${i % 7}"}}}\n\n`

const chunks = (count: number, size = 16 * 1024): Array<Uint8Array> => {
  const all = new TextEncoder().encode(Array.from({ length: count }, (_, i) => eventText(i)).join(""))
  const out: Array<Uint8Array> = []
  for (let i = 0; i < all.length; i += size) out.push(all.subarray(i, i + size))
  return out
}

const bestOf = async (runs: number, f: () => Promise<number>): Promise<number> => {
  let best = Number.POSITIVE_INFINITY
  for (let i = 0; i < runs; i++) {
    const start = performance.now()
    const n = await f()
    const ms = performance.now() - start
    if (n <= 0) throw new Error("nothing decoded")
    best = Math.min(best, ms)
  }
  return best
}

const MB = 1e6
const gc = (globalThis as { gc?: () => void }).gc
const rss = () => process.memoryUsage.rss()
const heap = () => process.memoryUsage().heapUsed

/** Full GCs with pauses between them, so V8 can also return the pages it no longer needs. */
const settle = async () => {
  for (let i = 0; i < 3; i++) {
    gc?.()
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

/** RSS before and after (each once the heap has settled), highest sample while running; live heap before and after. */
const memory = async () => {
  await settle()
  const before = rss()
  const heapBefore = heap()
  let peak = before
  return {
    sample: () => {
      const now = rss()
      if (now > peak) peak = now
    },
    end: async () => {
      const peakSeen = Math.max(peak, rss())
      await settle()
      const after = rss()
      return { before, peak: peakSeen, after, heapGrowth: heap() - heapBefore }
    }
  }
}
type Memory = Awaited<ReturnType<Awaited<ReturnType<typeof memory>>["end"]>>
const showMemory = (m: Memory) =>
  `RSS ${(m.before / MB).toFixed(0)} MB before, ${(m.peak / MB).toFixed(0)} MB peak, ${
    (m.after / MB).toFixed(0)
  } MB after ` +
  `(growth ${((m.after - m.before) / MB).toFixed(1)} MB, peak +${((m.peak - m.before) / MB).toFixed(1)} MB; ` +
  `live heap ${m.heapGrowth >= 0 ? "+" : ""}${(m.heapGrowth / MB).toFixed(1)} MB)`

/** Starts a bench/support server in its own process; resolves with its `{ url }` line. */
const child = async (script: string): Promise<{ readonly url: string; readonly process: ChildProcess }> => {
  const proc = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL(script, import.meta.url))], {
    stdio: ["ignore", "pipe", "inherit"]
  })
  const { url } = await new Promise<{ url: string }>((resolve) =>
    proc.stdout!.once("data", (d: Buffer) => resolve(JSON.parse(d.toString())))
  )
  return { url, process: proc }
}

/** Counts `count` events of `stream` (not its `Connected` marker), sampling RSS every 10,000. */
const consume = <A extends { readonly _tag: string }, E>(
  stream: Stream.Stream<A, E>,
  count: number,
  m: Awaited<ReturnType<typeof memory>>
) =>
  stream.pipe(
    Stream.filter((e) => e._tag !== "Connected"),
    Stream.take(count),
    Stream.runFoldEffect(0, (n, _) => {
      if (n % 10_000 === 0) m.sample()
      return Effect.succeed(n + 1)
    })
  )

const sseEndToEnd = async (count: number) => {
  const server = await child("./support/sse-server.ts")
  try {
    const runtime = ManagedRuntime.make(NodeHttp.layer({ url: server.url, auth: Auth.bearer("bench") }))
    const transport = await runtime.runPromise(HttpTransport.HttpTransport)
    const url = `${server.url}/events?count=${count}`
    const events = ChatEventSource.make({
      open: (lastEventId) => transport.openEventSource(url, { lastEventId: Option.getOrUndefined(lastEventId) }),
      maxFrameBytes: 1024 * 1024
    })
    // Baseline in the same process: raw fetch reading the same 1,000,000 events' bytes (its first
    // pass also grows the allocator's arenas, which RSS keeps), then a warm-up of the SDK path.
    const raw = await memory()
    const rawStart = performance.now()
    const response = await fetch(url)
    const reader = response.body!.getReader()
    for (let i = 0;; i++) {
      const { done } = await reader.read()
      if (done) break
      if (i % 100 === 0) raw.sample()
    }
    const rawMs = performance.now() - rawStart
    const rawMem = await raw.end()
    // Warm-up: long enough for V8 to size its heap for this workload, so that the growth measured
    // next is what the 1,000,000 events themselves keep.
    await Effect.runPromise(Stream.runCount(Stream.take(events, 200_000)))
    const m = await memory()
    const start = performance.now()
    const n = await Effect.runPromise(consume(events, count, m))
    const ms = performance.now() - start
    const mem = await m.end()
    await runtime.dispose()
    if (n !== count) throw new Error(`SSE end to end: ${n} of ${count} events`)
    return { perSecond: Math.round(count / (ms / 1000)), mem, rawPerSecond: Math.round(count / (rawMs / 1000)), rawMem }
  } finally {
    server.process.kill()
  }
}

const wsEndToEnd = async (count: number) => {
  const server = await child("./support/ws-server.ts")
  try {
    const program = (n: number) =>
      Effect.gen(function*() {
        const session = yield* WebSocketSession.make({ url: `${server.url}?count=${n}`, codec: ChatWsFrame.codec })
        const events = yield* session.subscribe
        yield* session.pushEnable(null)
        return events
      })
    // Warm up (as for the EventSource: long enough for V8 to size its heap).
    await Effect.runPromise(
      Effect.scoped(Effect.flatMap(program(200_000), (events) => Stream.runCount(Stream.take(events, 200_000)))).pipe(
        Effect.provide(NodeWebSocket.layer)
      )
    )
    const m = await memory()
    const start = performance.now()
    const n = await Effect.runPromise(
      Effect.scoped(Effect.flatMap(program(count), (events) => consume(events, count, m))).pipe(
        Effect.provide(NodeWebSocket.layer)
      )
    )
    const ms = performance.now() - start
    const mem = await m.end()
    if (n !== count) throw new Error(`WebSocket end to end: ${n} of ${count} frames`)
    return { perSecond: Math.round(count / (ms / 1000)), mem }
  } finally {
    server.process.kill()
  }
}

export const run = async (options: { readonly count?: number; readonly endToEnd?: number } = {}): Promise<
  ReadonlyArray<Result>
> => {
  const count = options.count ?? 200_000
  const endToEnd = options.endToEnd ?? 1_000_000
  // End to end first, before the in-memory inputs below inflate the heap the RSS is measured over.
  const sse = await sseEndToEnd(endToEnd)
  const ws = await wsEndToEnd(endToEnd)
  const input = chunks(count)
  const baselineCount = Math.round(count / 10)
  const baselineInput = chunks(baselineCount)
  const bytes = input.reduce((n, c) => n + c.length, 0)
  const count$ = <A, E>(s: Stream.Stream<A, E>) => Effect.runPromise(Stream.runCount(s))

  const ours = () => count$(Stream.fromIterable(input).pipe(SseDecoder.decode(1024 * 1024)))
  const experimental = () =>
    count$(
      Stream.fromIterable(baselineInput).pipe(Stream.decodeText(), Stream.pipeThroughChannel(Sse.makeChannel()))
    )
  const chat = () =>
    count$(Stream.fromIterable(input).pipe(SseDecoder.decode(1024 * 1024), Stream.map(ChatSseEvent.fromSseEvent)))

  if ((await ours()) !== count) throw new Error("SseDecoder lost events")
  const chatCheck = await Effect.runPromise(
    Stream.fromIterable(input).pipe(
      SseDecoder.decode(1024 * 1024),
      Stream.map(ChatSseEvent.fromSseEvent),
      Stream.filter((e) => e._tag === "StateChange"),
      Stream.runCount
    )
  )
  if (chatCheck !== count) throw new Error("ChatSseEvent did not decode every event")

  const perSecond = (n: number, ms: number) => Math.round(n / (ms / 1000))
  const oursRate = perSecond(count, await bestOf(5, ours))
  const expRate = perSecond(baselineCount, await bestOf(2, experimental))
  const chatRate = perSecond(count, await bestOf(5, chat))

  const frames = Array.from({ length: 50_000 }, (_, i) =>
    i % 2 === 0
      ? JSON.stringify({
        "@type": "ChatTypingEvent",
        chatId: `c${i}`,
        senderId: "user:alice@example.com",
        typing: true
      })
      : JSON.stringify({ "@type": "StateChange", changed: { u1: { Message: `m${i}` } }, pushState: `p${i}` }))
  const wsMs = await bestOf(5, async () => {
    let n = 0
    for (const f of frames) if (ChatWsFrame.decode(f)._tag === "Right") n++
    return n
  })
  const jsonMs = await bestOf(5, async () => {
    let n = 0
    for (const f of frames) if (JSON.parse(f) !== null) n++
    return n
  })

  const gcNote = gc === undefined ? " (no --expose-gc: after-RSS includes uncollected garbage)" : ""

  const fmt = (n: number) => n.toLocaleString("en")
  console.log(`push: ${fmt(count)} SSE events, ${(bytes / MB).toFixed(1)} MB in 16 KiB chunks, in memory`)
  console.log(
    `  SseDecoder.decode            ${fmt(oursRate)} events/s (${(bytes / MB / (count / oursRate)).toFixed(0)} MB/s)`
  )
  console.log(`  Sse.makeChannel (baseline)   ${fmt(expRate)} events/s`)
  console.log(`  decode + ChatSseEvent        ${fmt(chatRate)} events/s`)
  console.log(
    `  ChatWsFrame.decode           ${fmt(perSecond(frames.length, wsMs))} frames/s (JSON.parse alone: ${
      fmt(perSecond(frames.length, jsonMs))
    }/s)`
  )
  console.log(`push end to end over loopback, ${fmt(endToEnd)} events each${gcNote}`)
  console.log(`  fetch, bytes only (baseline) ${fmt(sse.rawPerSecond)} events/s; ${showMemory(sse.rawMem)}`)
  console.log(`  ChatEventSource (HTTP)       ${fmt(sse.perSecond)} events/s; ${showMemory(sse.mem)}`)
  console.log(`  WebSocketSession.events      ${fmt(ws.perSecond)} frames/s; ${showMemory(ws.mem)}`)

  return [
    {
      name: "push-sse",
      ratio: oursRate / expRate,
      note: `SseDecoder ${fmt(oursRate)} events/s; ratio = speed vs Sse.makeChannel (${
        fmt(expRate)
      }/s), higher is better`
    },
    {
      name: "push-sse-chat",
      ratio: oursRate / chatRate,
      note: `SseDecoder + ChatSseEvent ${
        fmt(chatRate)
      } events/s in memory (goal ≥ 100,000); ratio = time vs decoder alone`
    },
    {
      name: "push-sse-e2e",
      ratio: (sse.mem.after - sse.mem.before) / MB,
      note:
        `ChatEventSource over loopback HTTP ${
          fmt(sse.perSecond)
        } events/s (goal ≥ 100,000); ratio = RSS growth in MB over ` +
        `${fmt(endToEnd)} events (goal < 20); ${showMemory(sse.mem)}`
    },
    {
      name: "push-ws-e2e",
      ratio: (ws.mem.after - ws.mem.before) / MB,
      note:
        `WebSocketSession.events over loopback ${
          fmt(ws.perSecond)
        } frames/s (goal ≥ 50,000); ratio = RSS growth in MB over ` +
        `${fmt(endToEnd)} frames (goal < 20); ${showMemory(ws.mem)}`
    },
    {
      name: "push-ws",
      ratio: wsMs / jsonMs,
      note: `ChatWsFrame.decode ${fmt(perSecond(frames.length, wsMs))} frames/s; ratio = time vs JSON.parse alone`
    }
  ]
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  void run().then((results) => {
    for (const r of results) console.log(`${r.name}: ${r.ratio.toFixed(2)} — ${r.note ?? ""}`)
    process.exit(0)
  })
}
