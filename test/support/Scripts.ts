/**
 * Runs a TypeScript script of this repository in its own Node process, as `npm run demo` or
 * `npx tsx examples/x.ts` would: `effect-jmap-chat` imports resolve to src/ through the package's
 * `@effect-jmap-chat/source` export condition, so no build is needed.
 */
import { Effect, Schedule, type Scope } from "effect"
import { execFile, spawn } from "node:child_process"
import * as path from "node:path"

/** The repository root. */
export const root = path.resolve(__dirname, "../..")

/** `node` resolving `effect-jmap-chat` to src/ and running TypeScript through tsx. */
const nodeArgs = ["--conditions=@effect-jmap-chat/source", "--import", "tsx"]

/** `env`, plus PATH, HOME and TMPDIR of this process and nothing else (a JMAP_URL in the shell stays out). */
const scriptEnv = (env: Record<string, string> = {}): Record<string, string> => {
  const out: Record<string, string> = { ...env }
  for (const key of ["PATH", "HOME", "TMPDIR"]) {
    const value = process.env[key]
    if (value !== undefined) out[key] ??= value
  }
  return out
}

/** What a finished script left: its exit code (1 when killed) and its output. */
export interface ScriptResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/**
 * Runs `script` (relative to the root) with `env` (see {@link scriptEnv}) to its end. Killed after
 * `timeoutMs` (default 3 minutes: a hang guard for a busy machine), or when the effect is interrupted.
 */
export const runScript = (
  script: string,
  options: { readonly env?: Record<string, string>; readonly timeoutMs?: number } = {}
): Effect.Effect<ScriptResult> =>
  Effect.async<ScriptResult>((resume, signal) => {
    execFile(
      process.execPath,
      [...nodeArgs, script],
      { cwd: root, env: scriptEnv(options.env), signal, timeout: options.timeoutMs ?? 180_000 },
      (error, stdout, stderr) =>
        resume(Effect.succeed({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }))
    )
  })

/** A script still running: its output so far, and a way to wait for a line. */
export interface RunningScript {
  /** Everything the script printed to stdout so far. */
  readonly stdout: () => string
  /** Waits (polling every 50 ms) until stdout matches `pattern`; returns the match. */
  readonly waitFor: (pattern: RegExp) => Effect.Effect<RegExpMatchArray>
}

/** Starts `script` like {@link runScript}; it is killed when the scope closes. */
export const startScript = (
  script: string,
  options: { readonly env?: Record<string, string> } = {}
): Effect.Effect<RunningScript, never, Scope.Scope> =>
  Effect.gen(function*() {
    const controller = new AbortController()
    let out = ""
    let err = ""
    const child = spawn(process.execPath, [...nodeArgs, script], {
      cwd: root,
      env: scriptEnv(options.env),
      signal: controller.signal
    })
    child.on("error", () => {})
    child.stdout.on("data", (chunk: Buffer) => void (out += chunk.toString("utf8")))
    child.stderr.on("data", (chunk: Buffer) => void (err += chunk.toString("utf8")))
    yield* Effect.addFinalizer(() => Effect.sync(() => controller.abort()))
    return {
      stdout: () => out,
      waitFor: (pattern) =>
        Effect.suspend(() => {
          const match = out.match(pattern)
          if (match !== null) return Effect.succeed(match)
          if (child.exitCode !== null) return Effect.dieMessage(`${script} exited: ${out}${err}`)
          return Effect.fail("not yet")
        }).pipe(Effect.retry(Schedule.spaced("50 millis")), Effect.orDie)
    }
  })
