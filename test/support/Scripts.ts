/**
 * Runs a TypeScript script of this repository in its own Node process, as `npm run demo` or
 * `npx tsx examples/x.ts` would: `effect-jmap-chat` imports resolve to src/ through the package's
 * `@effect-jmap-chat/source` export condition, so no build is needed.
 */
import { Effect } from "effect"
import { execFile } from "node:child_process"
import * as path from "node:path"

/** The repository root. */
export const root = path.resolve(__dirname, "../..")

/** What a finished script left: its exit code (1 when killed) and its output. */
export interface ScriptResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/**
 * Runs `script` (relative to the root) with `env` and nothing else from this process's
 * environment but PATH and HOME (so a JMAP_URL set in the shell does not leak in). Killed after
 * `timeoutMs`, or when the effect is interrupted.
 */
export const runScript = (
  script: string,
  options: { readonly env?: Record<string, string>; readonly timeoutMs?: number } = {}
): Effect.Effect<ScriptResult> =>
  Effect.async<ScriptResult>((resume, signal) => {
    const env: Record<string, string> = { ...options.env }
    for (const key of ["PATH", "HOME", "TMPDIR"]) {
      const value = process.env[key]
      if (value !== undefined) env[key] ??= value
    }
    execFile(
      process.execPath,
      ["--conditions=@effect-jmap-chat/source", "--import", "tsx", script],
      { cwd: root, env, signal, timeout: options.timeoutMs ?? 60_000 },
      (error, stdout, stderr) =>
        resume(Effect.succeed({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }))
    )
  })
