/**
 * Push decoding throughput (goal: ≥ 100,000 small events/s through the SSE decoder).
 *
 * - push-sse: 200,000 small `state` events in 16 KiB chunks through `SseDecoder.decode` (a Stream),
 *   against `@effect/experimental/Sse.makeChannel` after `Stream.decodeText` in the same run.
 * - push-sse-chat: the same bytes through the whole chat path (decode + `ChatSseEvent.fromSseEvent`:
 *   JSON + Schema), against the raw decode.
 * - push-ws: `ChatWsFrame.decode` of small WebSocket frames against `JSON.parse` alone.
 *
 * Run alone with `npx tsx bench/push.ts`, or through `npm run bench -- push`.
 */
import * as Sse from "@effect/experimental/Sse"
import { Effect, Stream } from "effect"
import { pathToFileURL } from "node:url"
import * as ChatSseEvent from "../src/chat/push/ChatSseEvent.js"
import * as ChatWsFrame from "../src/chat/push/ChatWsFrame.js"
import * as SseDecoder from "../src/jmap/push/SseDecoder.js"

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

export const run = async (count = 200_000): Promise<ReadonlyArray<Result>> => {
  const input = chunks(count)
  const bytes = input.reduce((n, c) => n + c.length, 0)
  const count$ = <A, E>(s: Stream.Stream<A, E>) => Effect.runPromise(Stream.runCount(s))

  const ours = () => count$(Stream.fromIterable(input).pipe(SseDecoder.decode(1024 * 1024)))
  const experimental = () =>
    count$(
      Stream.fromIterable(input).pipe(Stream.decodeText(), Stream.pipeThroughChannel(Sse.makeChannel()))
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

  const oursMs = await bestOf(5, ours)
  const expMs = await bestOf(5, experimental)
  const chatMs = await bestOf(5, chat)
  const perSecond = (ms: number) => Math.round(count / (ms / 1000))

  const frames = Array.from({ length: 50_000 }, (_, i) =>
    i % 2 === 0
      ? JSON.stringify({ "@type": "ChatTypingEvent", chatId: `c${i}`, senderId: "user:alice@example.com", typing: true })
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

  console.log(`push: ${count} SSE events, ${(bytes / 1e6).toFixed(1)} MB in 16 KiB chunks`)
  console.log(`  SseDecoder.decode            ${perSecond(oursMs).toLocaleString("en")} events/s (${(bytes / 1e6 / (oursMs / 1000)).toFixed(0)} MB/s)`)
  console.log(`  Sse.makeChannel (baseline)   ${perSecond(expMs).toLocaleString("en")} events/s`)
  console.log(`  decode + ChatSseEvent        ${perSecond(chatMs).toLocaleString("en")} events/s`)
  console.log(`  ChatWsFrame.decode           ${Math.round(frames.length / (wsMs / 1000)).toLocaleString("en")} frames/s (JSON.parse alone: ${Math.round(frames.length / (jsonMs / 1000)).toLocaleString("en")}/s)`)

  return [
    {
      name: "push-sse",
      ratio: expMs / oursMs,
      note: `SseDecoder ${perSecond(oursMs).toLocaleString("en")} events/s (goal ≥ 100,000); ratio = speed vs Sse.makeChannel (${perSecond(expMs).toLocaleString("en")}/s), higher is better`
    },
    {
      name: "push-sse-chat",
      ratio: chatMs / oursMs,
      note: `decode + ChatSseEvent ${perSecond(chatMs).toLocaleString("en")} events/s; ratio = time vs raw decode`
    },
    {
      name: "push-ws",
      ratio: wsMs / jsonMs,
      note: `ChatWsFrame.decode ${Math.round(frames.length / (wsMs / 1000)).toLocaleString("en")} frames/s; ratio = time vs JSON.parse alone`
    }
  ]
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  void run().then((results) => {
    for (const r of results) console.log(`${r.name}: ${r.ratio.toFixed(2)} — ${r.note ?? ""}`)
  })
}
