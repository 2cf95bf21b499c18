/**
 * Bundles browser code that imports `effect-jmap-chat` and `effect-jmap-chat/browser` with
 * esbuild, straight from this repository's sources (no `npm run build` needed).
 */
import * as esbuild from "esbuild"
import * as Path from "node:path"

const root = Path.resolve(import.meta.dirname, "../..")

const entries: Record<string, string> = {
  "effect-jmap-chat": "src/index.ts",
  "effect-jmap-chat/browser": "src/browser/index.ts"
}

/** Resolves the package's own entry points to its sources. */
export const sdkFromSource: esbuild.Plugin = {
  name: "effect-jmap-chat-from-source",
  setup(build) {
    build.onResolve({ filter: /^effect-jmap-chat(\/browser)?$/ }, (args) => ({
      path: Path.join(root, entries[args.path]!)
    }))
  }
}

/** Bundles `entry` for browsers (ES2022 modules, minified) and returns the JavaScript. */
export const bundle = async (entry: string): Promise<string> => {
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    platform: "browser",
    format: "esm",
    target: "es2022",
    minify: true,
    sourcemap: "inline",
    logLevel: "silent",
    plugins: [sdkFromSource]
  })
  return result.outputFiles[0]!.text
}
