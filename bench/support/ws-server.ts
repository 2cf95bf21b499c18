/**
 * A bare RFC 8887 WebSocket server for the push benchmark, in its own process so that its CPU time
 * is not charged to the client: on a `WebSocketPushEnable` frame it sends `count` (query parameter)
 * small `StateChange` and `ChatTypingEvent` frames as fast as the socket drains, then stays open.
 * Prints one JSON line: `{ url }`.
 */
import { WebSocketServer } from "ws"

const frame = (i: number) =>
  i % 4 === 3
    ? `{"@type":"ChatTypingEvent","chatId":"c${i % 7}","senderId":"user:alice@example.com","typing":true}`
    : `{"@type":"StateChange","changed":{"u1":{"Message":"m${i}","Chat":"c${i % 7}"}},"pushState":"p${i}"}`

const server = new WebSocketServer({ host: "127.0.0.1", port: 0, handleProtocols: () => "jmap" })
server.on("connection", (ws, req) => {
  const count = Number(new URL(req.url ?? "/", "http://x").searchParams.get("count") ?? "1000")
  ws.on("message", (data) => {
    if (!String(data).includes("WebSocketPushEnable")) return
    let i = 0
    const pump = () => {
      // Keep about 1 MiB queued in the socket; continue when it drains.
      while (i < count && ws.bufferedAmount < 1024 * 1024) ws.send(frame(i++))
      if (i < count) setTimeout(pump, 1)
    }
    pump()
  })
})
server.on("listening", () => {
  const address = server.address()
  if (address === null || typeof address === "string") throw new Error("no address")
  console.log(JSON.stringify({ url: `ws://127.0.0.1:${address.port}/jmap/ws` }))
})
