/**
 * Bundle size in browsers: a minimal app that provides `BrowserChat.layer` and sends one message
 * (bundle/sdk-app.ts), and the same app written on `effect` + `@effect/platform` alone
 * (bundle/baseline-app.ts), both bundled with esbuild (minified, ES2022, browser) and gzipped.
 * The SDK's share is the difference (goal ≤ 60 kB gzip). It splits into the SDK's own code (the
 * app bundled with `effect` and `@effect/platform` left out) and the further `effect`/`platform`
 * code the SDK uses; esbuild's metafile says which modules weigh most.
 */
import * as esbuild from "esbuild"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as zlib from "node:zlib"
import { sdkFromSource } from "../examples/browser/build.js"

const here = path.dirname(fileURLToPath(import.meta.url))

const build = async (entry: string, external: Array<string> = []) => {
  const result = await esbuild.build({
    entryPoints: [path.join(here, "bundle", entry)],
    bundle: true,
    write: false,
    platform: "browser",
    format: "esm",
    target: "es2022",
    minify: true,
    metafile: true,
    external,
    logLevel: "silent",
    plugins: [sdkFromSource]
  })
  const code = result.outputFiles[0]!.contents
  const inputs = Object.values(result.metafile.outputs)[0]!.inputs
  return { minified: code.length, gzip: zlib.gzipSync(code, { level: 9 }).length, inputs }
}

type Inputs = Awaited<ReturnType<typeof build>>["inputs"]

const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`

/** `src/<dir>` for our files, the module's file name for a dependency's. */
const label = (input: string): string => {
  const src = /^src\/(.+?)(?:\/[^/]+)?$/.exec(input)
  if (src !== null) return input.split("/").length > 3 ? `src/${src[1]}` : input
  return input.replace(/^node_modules\//, "").replace(/\/dist\/esm\//, "/")
}

/** The `n` heaviest groups of `inputs` by minified bytes, less what `minus` has of the same inputs. */
const heaviest = (inputs: Inputs, n: number, minus: Inputs = {}) => {
  const totals = new Map<string, number>()
  for (const [input, { bytesInOutput }] of Object.entries(inputs)) {
    const extra = bytesInOutput - (minus[input]?.bytesInOutput ?? 0)
    if (extra > 0) totals.set(label(input), (totals.get(label(input)) ?? 0) + extra)
  }
  return [...totals].sort((a, b) => b[1] - a[1]).slice(0, n)
}

const list = (entries: ReadonlyArray<readonly [string, number]>) => entries.map(([n, b]) => `${n} ${kB(b)}`).join(", ")

export const run = async () => {
  const platform = ["effect", "effect/*", "@effect/platform", "@effect/platform/*"]
  const [sdk, baseline, own] = await Promise.all([
    build("sdk-app.ts"),
    build("baseline-app.ts"),
    build("sdk-app.ts", platform)
  ])
  const share = sdk.gzip - baseline.gzip
  const ownFiles = heaviest(own.inputs, 6)
  const effectExtra = heaviest(
    Object.fromEntries(Object.entries(sdk.inputs).filter(([input]) => !input.startsWith("src/"))),
    6,
    baseline.inputs
  )
  console.log("bundle: a minimal browser app (BrowserChat.layer, send one message), esbuild --minify, gzip -9")
  console.log(`  with the SDK      ${kB(sdk.minified)} minified, ${kB(sdk.gzip)} gzip`)
  console.log(`  effect+platform   ${kB(baseline.minified)} minified, ${kB(baseline.gzip)} gzip`)
  console.log(`  SDK share         ${kB(share)} gzip (goal ≤ 60 kB)`)
  console.log(`    its own code    ${kB(own.gzip)} gzip alone (${kB(own.minified)} minified): ${list(ownFiles)}`)
  console.log(`    more of effect  ${list(effectExtra)} (minified, beyond the baseline's)`)
  return {
    name: "bundle-size",
    ratio: sdk.gzip / baseline.gzip,
    note: `minimal browser app min+gzip: with the SDK ${kB(sdk.gzip)}, effect+platform alone ${kB(baseline.gzip)}, ` +
      `SDK share ${kB(share)} (goal ≤ 60 kB): its own code ${kB(own.gzip)} gzip alone (heaviest ${
        list(ownFiles.slice(0, 3))
      } min), more of effect (${list(effectExtra.slice(0, 4))} min); ratio = with / without`
  }
}
