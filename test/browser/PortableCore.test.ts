/**
 * The core entry bundles for browsers: nothing under src/jmap or src/chat (nor anything they pull
 * in) imports a Node built-in module, and no source file of the entry uses Node's globals
 * (`Buffer`, `process`, …). Platform needs come from services (`Sha256`, `WebSocketFactory`).
 */
import * as esbuild from "esbuild"
import * as Fs from "node:fs/promises"
import { builtinModules } from "node:module"
import * as Path from "node:path"
import { describe, expect, it } from "vitest"

const root = Path.resolve(import.meta.dirname, "../..")
const builtins = new Set(builtinModules)
const nodeGlobals = ["Buffer", "process", "global", "require", "__dirname", "__filename", "setImmediate"]

interface Findings {
  readonly builtinImports: ReadonlyArray<string>
  readonly globalUses: ReadonlyArray<string>
  readonly errors: ReadonlyArray<string>
}

/** Bundles `entry` for the browser, reporting Node built-ins imported and Node globals used by our sources. */
const inspect = async (entry: string, ours: ReadonlyArray<string> = ["src/"]): Promise<Findings> => {
  const builtinImports: Array<string> = []
  const result = await esbuild.build({
    entryPoints: [Path.join(root, entry)],
    bundle: true,
    write: false,
    platform: "browser",
    format: "esm",
    metafile: true,
    logLevel: "silent",
    plugins: [{
      name: "report-node-builtins",
      setup(build) {
        build.onResolve({ filter: /.*/ }, (args) => {
          const bare = args.path.replace(/^node:/, "").split("/")[0]!
          if (args.path.startsWith("node:") || builtins.has(bare)) {
            builtinImports.push(`${Path.relative(root, args.importer)} imports ${args.path}`)
            return { path: args.path, external: true }
          }
          return undefined
        })
      }
    }]
  }).catch((error: esbuild.BuildFailure) => error)
  if (!("metafile" in result) || result.metafile === undefined) {
    return { builtinImports, globalUses: [], errors: (result as esbuild.BuildFailure).errors.map((e) => e.text) }
  }
  const define = Object.fromEntries(nodeGlobals.map((name) => [name, `__NODE_GLOBAL_${name}__`]))
  const globalUses: Array<string> = []
  for (const input of Object.keys(result.metafile.inputs)) {
    if (!ours.some((prefix) => input.startsWith(prefix))) continue
    const source = await Fs.readFile(Path.join(root, input), "utf8")
    // `define` replaces only free (global) identifiers, and the comments are dropped.
    const { code } = await esbuild.transform(source, { loader: "ts", define, legalComments: "none" })
    for (const name of nodeGlobals) {
      if (code.includes(`__NODE_GLOBAL_${name}__`)) globalUses.push(`${input} uses ${name}`)
    }
  }
  return { builtinImports, globalUses, errors: [] }
}

describe("a platform-neutral core", () => {
  it("src/index.ts bundles for the browser without Node built-ins or Node globals", async () => {
    const findings = await inspect("src/index.ts")
    expect(findings).toEqual({ builtinImports: [], globalUses: [], errors: [] })
  }, 60_000)

  it("src/browser/index.ts (effect-jmap-chat/browser) bundles the same way", async () => {
    const findings = await inspect("src/browser/index.ts")
    expect(findings).toEqual({ builtinImports: [], globalUses: [], errors: [] })
  }, 60_000)

  it("the check sees a Node built-in and a Node global (the guard works)", async () => {
    const findings = await inspect("test/browser/fixtures/uses-node.ts", ["test/browser/fixtures/"])
    expect(findings.builtinImports).toEqual(["test/browser/fixtures/uses-node.ts imports node:crypto"])
    expect(findings.globalUses).toEqual(["test/browser/fixtures/uses-node.ts uses Buffer"])
  }, 60_000)
})
