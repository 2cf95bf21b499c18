/**
 * Decode cost: a `Message/get` response of 5,000 realistic messages (≈ 2 MB), SDK parse + Schema
 * decode (what `ChatClient.Message.get` does) versus `JSON.parse` alone, in the same run.
 */
import { Effect, Either } from "effect"
import { Message } from "../src/chat/Message.js"
import { decodeJson } from "../src/jmap/internal/json.js"
import { GetResponse } from "../src/jmap/MethodResponses.js"
import { extractResponse } from "../src/jmap/RequestBuilder.js"
import { JmapResponse } from "../src/jmap/Wire.js"

/** A realistic message as a server sends it (shared with bench/store.ts). */
export const message = (i: number) => ({
  id: `01JQ${String(i).padStart(22, "0")}`,
  senderMsgId: `01JQS${String(i).padStart(21, "0")}`,
  senderId: i % 3 === 0 ? "self" : `user:friend${i % 7}@example.com`,
  chatId: `chat${i % 12}`,
  body:
    `Message number ${i}: lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam.`,
  bodyType: "text/plain",
  attachments: i % 10 === 0
    ? [{ blobId: `blob${i}`, filename: "photo.jpg", contentType: "image/jpeg", size: 123456, sha256: "a".repeat(64) }]
    : [],
  mentions: i % 5 === 0 ? [{ id: "user:alice@example.com", offset: 0, length: 6 }] : [],
  actions: [],
  reactions: i % 4 === 0
    ? {
      [`01JQR${String(i).padStart(21, "0")}`]: {
        emoji: "👍",
        senderId: "user:bob@example.com",
        sentAt: "2026-04-26T12:00:05Z"
      }
    }
    : {},
  sentAt: "2026-04-26T12:00:00Z",
  receivedAt: "2026-04-26T12:00:01Z",
  deliveryState: "delivered",
  replyTo: i % 6 === 0 ? `01JQ${String(i - 1).padStart(22, "0")}` : null,
  threadRootId: null,
  readAt: i % 2 === 0 ? "2026-04-26T12:01:00Z" : null
})

export const run = async (count = 5000) => {
  const text = JSON.stringify({
    methodResponses: [["Message/get", {
      accountId: "A",
      state: "s1",
      list: Array.from({ length: count }, (_, i) => message(i)),
      notFound: []
    }, "r1"]],
    sessionState: "s"
  })
  const bytes = new TextEncoder().encode(text)
  const MessageGet = GetResponse(Message)
  const sdk = () => {
    const response = Effect.runSync(decodeJson(JmapResponse, bytes, "JMAP response"))
    const result = extractResponse(response, "r1", MessageGet, "Message/get")
    if (Either.isLeft(result)) throw new Error(result.left.message)
    return result.right
  }
  const raw = () => JSON.parse(new TextDecoder().decode(bytes))
  if (sdk().list.length !== count) throw new Error("decode lost messages")
  const time = (f: () => unknown, n: number) => {
    for (let i = 0; i < 3; i++) f()
    const start = performance.now()
    for (let i = 0; i < n; i++) f()
    return (performance.now() - start) / n
  }
  const rawMs = time(raw, 20)
  const sdkMs = time(sdk, 10)
  const rawMs2 = time(raw, 20)
  const baseline = (rawMs + rawMs2) / 2
  console.log(`decode: Message/get of ${count} messages (${(bytes.length / 1e6).toFixed(2)} MB)`)
  console.log(`  JSON.parse alone           ${baseline.toFixed(1)} ms`)
  console.log(`  SDK parse + Schema decode  ${sdkMs.toFixed(1)} ms`)
  const ratio = sdkMs / baseline
  console.log(`  ratio SDK / JSON.parse: ${ratio.toFixed(2)} (goal ≤ 3, stretch ≤ 2)`)
  return { name: "decode", ratio, note: "Message/get 5,000 messages: parse + decode / JSON.parse, goal ≤ 3" }
}

if (import.meta.url === `file://${process.argv[1]}`) void run()
