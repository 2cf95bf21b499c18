/**
 * ChatClient call overhead: N sequential `client.Message.get` of 20 messages against the reference
 * server, versus raw `fetch` + `JSON.parse` of the same request and versus jmap-jam's generic
 * `request` doing the same call, all in the same run.
 */
import { Effect, ManagedRuntime } from "effect"
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { Auth, ChatClient } from "../src/index.js"
import { NodeChat } from "../src/node/index.js"

type JamClientConstructor = new(config: {
  readonly sessionUrl: string
  readonly bearerToken: string
  readonly customCapabilities?: Record<string, string>
}) => { request: (invocation: readonly [string, Record<string, unknown>]) => Promise<unknown> }

const time = async (label: string, n: number, f: () => Promise<unknown>) => {
  for (let i = 0; i < 200; i++) await f()
  const start = performance.now()
  for (let i = 0; i < n; i++) await f()
  const ms = performance.now() - start
  console.log(`  ${label.padEnd(32)} ${ms.toFixed(0).padStart(6)} ms  (${((n / ms) * 1000).toFixed(0)} calls/s)`)
  return ms
}

export const run = async (n = 2000) => {
  // The server runs in a child process: only client-side costs are compared.
  const child = spawn(process.execPath, [
    "--import",
    "tsx",
    fileURLToPath(new URL("./support/chat-server.ts", import.meta.url))
  ], {
    stdio: ["ignore", "pipe", "inherit"]
  })
  const seeded = await new Promise<{ url: string; token: string; accountId: string; ids: Array<string> }>((resolve) =>
    child.stdout!.once("data", (d: Buffer) => resolve(JSON.parse(d.toString())))
  )
  const { accountId, ids, token, url } = seeded
  const runtime = ManagedRuntime.make(NodeChat.layer({ url, auth: Auth.bearer(token) }))
  const client = await runtime.runPromise(ChatClient.ChatClient)
  const session =
    (await (await fetch(`${url}/.well-known/jmap`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
      apiUrl: string
    }
  const body = JSON.stringify({
    using: ["urn:ietf:params:jmap:core", "urn:ietf:params:jmap:chat"],
    methodCalls: [["Message/get", { accountId, ids }, "r1"]]
  })
  const raw = () =>
    fetch(session.apiUrl, {
      method: "POST",
      body,
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` }
    })
      .then((r) => r.text())
      .then(JSON.parse)
  const sdk = () => Effect.runPromise(client.Message.get({ ids }))
  // Loaded untyped: jmap-jam's declarations import raw .ts files that our strict type-check rejects.
  const { JamClient } = (await import("jmap-jam" as string)) as { JamClient: JamClientConstructor }
  const jam = new JamClient({
    sessionUrl: `${url}/.well-known/jmap`,
    bearerToken: token,
    customCapabilities: { Message: "urn:ietf:params:jmap:chat" }
  })
  const viaJam = () => jam.request(["Message/get", { accountId, ids }])
  const check = (await sdk()).list.length
  if (check !== 20) throw new Error(`expected 20 messages, got ${check}`)

  console.log(`chat call overhead: ${n} sequential Message/get of 20 messages against the reference server`)
  // Rounds interleave the three clients so that drift (server JIT warming, a busy neighbour) falls
  // on all of them alike instead of on whichever runs first.
  // Warm the server and all three clients before any round is timed.
  for (let i = 0; i < 500; i++) {
    await raw()
    await viaJam()
    await sdk()
  }
  // Six rounds of n/3 calls each; each client's figure is its median round (scaled to 2n calls),
  // so one round slowed by a busy neighbour or a major GC does not decide the ratio.
  const rounds = { raw: [] as Array<number>, jam: [] as Array<number>, sdk: [] as Array<number> }
  const third = Math.ceil(n / 3)
  for (let round = 0; round < 6; round++) {
    rounds.raw.push(await time("raw fetch + JSON.parse", third, raw))
    rounds.jam.push(await time("jmap-jam request", third, viaJam))
    rounds.sdk.push(await time("ChatClient.Message.get", third, sdk))
  }
  const median = (xs: Array<number>) => {
    const s = [...xs].sort((a, b) => a - b)
    return ((s[(s.length - 1) >> 1]! + s[s.length >> 1]!) / 2) * 6
  }
  const rawMs = median(rounds.raw)
  const jamMs = median(rounds.jam)
  const sdkMs = median(rounds.sdk)
  console.log(
    `  ratio ChatClient / raw: ${(sdkMs / rawMs).toFixed(2)} (goal ≤ 1.3); ChatClient / jmap-jam: ${
      (sdkMs / jamMs).toFixed(2)
    } (goal < 1)`
  )
  await runtime.dispose()
  child.kill()
  return [
    {
      name: "chat-call-vs-raw",
      ratio: sdkMs / rawMs,
      note:
        "ChatClient.Message.get(20) / raw fetch + JSON.parse, reference server, median of 6 interleaved rounds, goal ≤ 1.3"
    },
    {
      name: "chat-call-vs-jmap-jam",
      ratio: sdkMs / jamMs,
      note: "ChatClient.Message.get(20) / jmap-jam request, median of 6 interleaved rounds, goal < 1"
    }
  ]
}

if (import.meta.url === `file://${process.argv[1]}`) void run().then(() => process.exit(0))
