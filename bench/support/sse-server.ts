/**
 * A bare EventSource server for the push benchmark, in its own process so that its CPU time is not
 * charged to the client: every GET streams `count` (query parameter) small `state` and `typing`
 * events as fast as the client reads them (respecting back-pressure), then ends. Prints one JSON
 * line: `{ url }`.
 */
import * as http from "node:http"

const eventText = (i: number) =>
  i % 4 === 3
    ? `id: ${i}\nevent: typing\ndata: {"chatId":"c${i % 7}","senderId":"user:alice@example.com","typing":true}\n\n`
    : `id: ${i}\nevent: state\ndata: {"@type":"StateChange","changed":{"u1":{"Message":"m${i}","Chat":"c${
      i % 7
    }"}}}\n\n`

const server = http.createServer((req, res) => {
  const count = Number(new URL(req.url ?? "/", "http://x").searchParams.get("count") ?? "1000")
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" })
  let i = 0
  const pump = () => {
    while (i < count) {
      let chunk = ""
      while (chunk.length < 16 * 1024 && i < count) chunk += eventText(i++)
      if (!res.write(chunk)) return void res.once("drain", pump)
    }
    res.end()
  }
  pump()
})
server.listen(0, "127.0.0.1", () => {
  const address = server.address()
  if (address === null || typeof address === "string") throw new Error("no address")
  console.log(JSON.stringify({ url: `http://127.0.0.1:${address.port}` }))
})
