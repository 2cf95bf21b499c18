/**
 * Blob transfer: a 256 MiB download through `downloadStream` into a file (peak RSS growth must stay
 * under 32 MiB: nothing is buffered), next to raw `fetch` piped to a file, and a 256 MiB upload with
 * local SHA-256 versus raw `fetch` of the same bytes, in the same run.
 */
import { NodeSink } from "@effect/platform-node"
import { Effect, ManagedRuntime, Stream } from "effect"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Readable } from "node:stream"
import { pipeline } from "node:stream/promises"
import { HttpTransport } from "../src/jmap/HttpTransport.js"
import * as NodeHttp from "../src/node/NodeHttp.js"

const MiB = 1024 * 1024

/** A plain node HTTP server: GET streams `size` bytes, POST hashes the body and answers like a JMAP upload. */
const serverSource = (size: number) => `
const http = require("node:http"), crypto = require("node:crypto")
const chunk = Buffer.alloc(1024 * 1024, 7)
const server = http.createServer((req, res) => {
  if (req.method === "GET") {
    res.writeHead(200, { "content-type": "application/octet-stream" })
    let sent = 0
    const pump = () => {
      while (sent < ${size}) { sent += chunk.length; if (!res.write(chunk)) return void res.once("drain", pump) }
      res.end()
    }
    return pump()
  }
  const hash = crypto.createHash("sha256"); let received = 0
  req.on("data", (c) => { received += c.length; hash.update(c) })
  req.on("end", () => {
    const body = JSON.stringify({ accountId: "A", blobId: "B", type: "application/octet-stream", size: received, sha256: hash.digest("hex") })
    res.writeHead(201, { "content-type": "application/json", "content-length": Buffer.byteLength(body) })
    res.end(body)
  })
})
server.listen(0, "127.0.0.1", () => console.log(server.address().port))
`

export const run = async (sizeMiB = 256) => {
  const size = sizeMiB * MiB
  // The server runs in a child process so that only the client's memory is measured.
  const child = spawn(process.execPath, ["-e", serverSource(size)], { stdio: ["ignore", "pipe", "inherit"] })
  const port = await new Promise<number>((resolve) =>
    child.stdout!.once("data", (d: Buffer) => resolve(Number(d.toString().trim())))
  )
  const url = `http://127.0.0.1:${port}`
  const runtime = ManagedRuntime.make(NodeHttp.layer({ url, config: { requestTimeout: "10 minutes" } }))
  const transport = await runtime.runPromise(HttpTransport)
  const file = path.join(os.tmpdir(), `effect-jmap-chat-bench-${process.pid}.bin`)

  console.log(`blob: ${sizeMiB} MiB download through downloadStream to a file, and upload with SHA-256`)
  /** Peak RSS growth in MiB while `download` writes the blob to `file`; with `collect`, a full GC every 50 ms. */
  const peakGrowth = async (download: () => Promise<unknown>, collect: boolean) => {
    global.gc?.()
    const rssBefore = process.memoryUsage().rss
    let peak = rssBefore
    let ticks = 0
    const sampler = setInterval(() => {
      if (collect && ++ticks % 10 === 0) global.gc?.()
      peak = Math.max(peak, process.memoryUsage().rss)
    }, 5)
    const start = performance.now()
    await download()
    clearInterval(sampler)
    const ms = performance.now() - start
    const written = fs.statSync(file).size
    fs.rmSync(file)
    if (written !== size) throw new Error(`downloaded ${written} bytes, expected ${size}`)
    return { growth: (peak - rssBefore) / MiB, mibPerSecond: sizeMiB / (ms / 1000) }
  }
  const rawDownload = () =>
    fetch(`${url}/d/B`).then((response) =>
      pipeline(Readable.fromWeb(response.body as import("node:stream/web").ReadableStream), fs.createWriteStream(file))
    )
  const sdkDownload = () =>
    Effect.runPromise(
      Stream.run(
        transport.downloadStream({ downloadUrl: `${url}/d/{blobId}`, accountId: "A", blobId: "B", name: "big.bin" }),
        NodeSink.fromWritable(() => fs.createWriteStream(file), (e) => e)
      )
    )
  // Peak RSS without forced collections is mostly chunk garbage V8 has not collected yet (raw
  // fetch shows the same); with a GC every 50 ms it is the memory the download actually holds.
  const rawFree = await peakGrowth(rawDownload, false)
  const sdkFree = await peakGrowth(sdkDownload, false)
  const held = global.gc === undefined ? undefined : await peakGrowth(sdkDownload, true)
  console.log(
    `  download, no forced GC: raw fetch ${rawFree.mibPerSecond.toFixed(0)} MiB/s, peak RSS +${
      rawFree.growth.toFixed(1)
    } MiB; ` +
      `SDK ${sdkFree.mibPerSecond.toFixed(0)} MiB/s, peak RSS +${sdkFree.growth.toFixed(1)} MiB`
  )
  if (held !== undefined) {
    console.log(
      `  download, GC every 50 ms: SDK ${held.mibPerSecond.toFixed(0)} MiB/s, peak RSS +${
        held.growth.toFixed(1)
      } MiB held (goal < 32 MiB)`
    )
  }
  const growth = held?.growth ?? sdkFree.growth

  const bytes = new Uint8Array(size).fill(9)
  const time = async (f: () => Promise<unknown>) => {
    const start = performance.now()
    await f()
    return performance.now() - start
  }
  const raw = () =>
    fetch(`${url}/u/A`, { method: "POST", body: bytes, headers: { "content-type": "application/octet-stream" } }).then((
      r
    ) => r.json())
  const sdk = () =>
    Effect.runPromise(
      transport.upload({
        uploadUrl: `${url}/u/{accountId}`,
        accountId: "A",
        contentType: "application/octet-stream",
        body: bytes
      })
    )
  await raw()
  await sdk()
  const rawMs = Math.min(await time(raw), await time(raw))
  const sdkMs = Math.min(await time(sdk), await time(sdk))
  const throughput = rawMs / sdkMs
  console.log(
    `  upload: raw fetch ${(sizeMiB / (rawMs / 1000)).toFixed(0)} MiB/s, SDK with SHA-256 ${
      (sizeMiB / (sdkMs / 1000)).toFixed(0)
    } MiB/s`
  )
  console.log(`  upload throughput SDK / raw: ${(throughput * 100).toFixed(0)}% (goal ≥ 80%)`)
  await runtime.dispose()
  child.kill()
  return [
    {
      name: "blob-download-rss",
      ratio: growth,
      note: `peak RSS growth in MiB for a ${sizeMiB} MiB downloadStream to a file${
        held !== undefined ? " with a GC every 50 ms (memory held)" : " (no --expose-gc)"
      }, goal < 32; without forced GC SDK +${sdkFree.growth.toFixed(0)} MiB, raw fetch +${
        rawFree.growth.toFixed(0)
      } MiB`
    },
    {
      name: "blob-upload",
      ratio: throughput,
      note: `upload throughput SDK (with SHA-256) / raw fetch, ${sizeMiB} MiB, goal ≥ 0.8`
    }
  ]
}

if (import.meta.url === `file://${process.argv[1]}`) void run()
