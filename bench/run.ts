/**
 * `npm run bench`: runs every benchmark (each prints its figures and a ratio against a baseline
 * measured in the same run) and appends one row per benchmark to bench/RESULTS.md with the machine,
 * date and command. Pass benchmark names to run a subset: `npm run bench -- decode batching`.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

interface Result {
  readonly name: string
  readonly ratio: number
  readonly note?: string
}

const benches: Record<string, () => Promise<Result | ReadonlyArray<Result>>> = {
  "call-overhead": async () => (await import("./call-overhead.js")).run(),
  decode: async () => (await import("./decode.js")).run(),
  batching: async () => (await import("./batching.js")).run(),
  bundle: async () => (await import("./bundle.js")).run()
}

const optional: Record<string, string> = {
  push: "./push.js",
  blob: "./blob.js",
  "chat-call": "./chat-call.js",
  store: "./store.js"
}

const main = async () => {
  const here = path.dirname(fileURLToPath(import.meta.url))
  for (const [name, file] of Object.entries(optional)) {
    if (fs.existsSync(path.join(here, file.replace(/\.js$/, ".ts")))) {
      benches[name] = async () => (await import(file)).run()
    }
  }
  const selected = process.argv.slice(2).filter((a) => a in benches)
  const names = selected.length > 0 ? selected : Object.keys(benches)
  const results: Array<Result> = []
  for (const name of names) {
    const r = await benches[name]!()
    results.push(...(Array.isArray(r) ? r : [r as Result]))
    console.log()
  }
  const machine = `${os.cpus()[0]?.model.trim() ?? "cpu"} ×${os.cpus().length}, ${
    (os.totalmem() / 2 ** 30).toFixed(0)
  } GiB, Node ${process.version}`
  const date = new Date().toISOString().slice(0, 16).replace("T", " ")
  const file = path.join(here, "RESULTS.md")
  if (!fs.existsSync(file)) {
    fs.writeFileSync(
      file,
      "# Benchmark results\n\nAppended by `npm run bench` (older rows are kept). Ratios are SDK / baseline measured in the same run, " +
        "except where the note says otherwise.\n\n| date (UTC) | machine | command | benchmark | ratio | note |\n|---|---|---|---|---|---|\n"
    )
  }
  const command = `npm run bench${selected.length > 0 ? ` -- ${selected.join(" ")}` : ""}`
  fs.appendFileSync(
    file,
    results.map((r) =>
      `| ${date} | ${machine} | \`${command}\` | ${r.name} | ${r.ratio.toFixed(2)} | ${r.note ?? ""} |\n`
    ).join("")
  )
  console.log(`results appended to ${path.relative(process.cwd(), file)}`)
  process.exit(0)
}

void main()
