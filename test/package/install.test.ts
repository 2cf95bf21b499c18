/**
 * The README's install line, as a new user runs it: the packed tarball (`npm pack`, whose
 * `prepack` builds dist/) installed with exactly that command into an empty project (from the npm
 * cache when it can), the README's programs type-checked there with `tsc` (strict, NodeNext) and
 * run with plain `node`: the quick start against a reference server reached over HTTP, and a
 * program that starts its own from `effect-jmap-chat/testing`. Also: the peers are the packages
 * that line pins. Slow (a build, an install): one file, run in parallel with the others.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { ChatServer } from "effect-jmap-chat/testing"
import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { root } from "../support/Scripts.js"

const readme = fs.readFileSync(path.join(root, "README.md"), "utf8")
const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as {
  readonly name: string
  readonly version: string
  readonly peerDependencies: Record<string, string>
  readonly scripts: Record<string, string>
}

/** The install command of README.md's "Install" section. */
const installLine = (): ReadonlyArray<string> => {
  const section = readme.slice(readme.indexOf("## Install"))
  const line = section.match(/^npm install effect-jmap-chat .*$/m)?.[0]
  if (line === undefined) throw new Error("README.md's Install section has no `npm install effect-jmap-chat …` line")
  return line.split(/\s+/)
}

/** Runs a command to its end; fails with its output when it exits non-zero. */
const run = (
  command: string,
  args: ReadonlyArray<string>,
  options: { readonly cwd: string; readonly env?: Record<string, string | undefined> }
) =>
  Effect.async<{ readonly stdout: string; readonly stderr: string }, Error>((resume, signal) => {
    execFile(
      command,
      args,
      { cwd: options.cwd, env: options.env ?? cleanEnv(), signal, timeout: 240_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resume(
          error
            ? Effect.fail(new Error(`${command} ${args.join(" ")} failed (${error.message}):\n${stdout}\n${stderr}`))
            : Effect.succeed({ stdout, stderr })
        )
    )
  })

/** This process's environment without what `npm test` adds about this package (npm_package_*, …). */
const cleanEnv = (extra: Record<string, string> = {}): Record<string, string | undefined> => {
  const env: Record<string, string | undefined> = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(npm_package_|npm_lifecycle_|npm_config_local_prefix$|INIT_CWD$|JMAP_)/.test(key)) env[key] = value
  }
  return { ...env, ...extra }
}

/** Whether dist/ was built after the last change to src/ (CI builds right before the tests). */
const distIsFresh = (): boolean => {
  const times = (dir: string): Array<number> =>
    fs.readdirSync(dir, { withFileTypes: true, recursive: true })
      .filter((e) => e.isFile())
      .map((e) => fs.statSync(path.join(e.parentPath, e.name)).mtimeMs)
  const dist = path.join(root, "dist")
  if (!fs.existsSync(path.join(dist, "index.js"))) return false
  return Math.min(...times(dist)) >= Math.max(...times(path.join(root, "src")))
}

/** A program of the user's that needs no server of theirs: it starts one from `effect-jmap-chat/testing`. */
const ownServer = `import { Effect } from "effect"
import { Auth, ChatClient } from "effect-jmap-chat"
import { NodeChat } from "effect-jmap-chat/node"
import { ChatServer } from "effect-jmap-chat/testing"

const program = Effect.gen(function*() {
  const server = yield* ChatServer.make()
  const bob = server.user("bob")
  const count = yield* Effect.gen(function*() {
    const client = yield* ChatClient.ChatClient
    const chat = yield* client.Chat.createOne({ kind: "direct", contactId: server.user("alice").userId })
    yield* client.Message.send({ chatId: chat.id, body: "ping" })
    return (yield* client.Message.list({ filter: { chatId: chat.id } })).list.length
  }).pipe(Effect.provide(NodeChat.layer({ url: server.url, auth: Auth.bearer(bob.token) })))
  console.log(\`messages: \${count}\`)
})

Effect.runPromise(Effect.scoped(program))
`

describe("the published package", () => {
  it("its peers are the packages the README's install line pins, with the same majors", () => {
    const [, , name, ...pins] = installLine()
    expect(name).toBe(manifest.name)
    const pinned = Object.fromEntries(pins.map((p) => {
      const at = p.lastIndexOf("@")
      return [p.slice(0, at), p.slice(at + 1)]
    }))
    expect(Object.keys(manifest.peerDependencies).sort()).toEqual(Object.keys(pinned).sort())
    for (const [peer, range] of Object.entries(manifest.peerDependencies)) {
      const prefix = pinned[peer]!.replace(/^\^/, "")
      expect(range.replace(/^\^/, ""), `${peer}: peer ${range} vs README ${pinned[peer]}`).toMatch(
        new RegExp(`^${prefix.replace(/\./g, "\\.")}(\\.|$)`)
      )
    }
    expect(manifest.scripts["prepack"]).toMatch(/npm run build/)
  })

  it.scopedLive(
    "installs with the README's command, type-checks strict under NodeNext, and runs",
    () =>
      Effect.gen(function*() {
        const tmp = yield* Effect.acquireRelease(
          Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "effect-jmap-chat-install-"))),
          (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
        )
        // `npm pack` runs prepack (a clean build) unless dist/ is already fresh.
        yield* run("npm", ["pack", "--pack-destination", tmp, ...(distIsFresh() ? ["--ignore-scripts"] : [])], {
          cwd: root
        })
        const tarball = path.join(tmp, `${manifest.name}-${manifest.version}.tgz`)
        expect(fs.existsSync(tarball)).toBe(true)

        const project = path.join(tmp, "app")
        fs.mkdirSync(path.join(project, "src"), { recursive: true })
        fs.writeFileSync(
          path.join(project, "package.json"),
          JSON.stringify({ name: "app", private: true, type: "module" })
        )
        const [npm, ...args] = installLine().map((word) => word === manifest.name ? tarball : word)
        yield* run(npm!, [...args, "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: project })
        const installed = path.join(project, "node_modules", manifest.name)
        expect(fs.existsSync(path.join(installed, "dist", "index.js"))).toBe(true)
        expect(fs.existsSync(path.join(installed, "src", "index.ts")), "src/ ships for the source maps").toBe(true)

        for (const file of ["readme_quick_start.ts", "readme_push.ts"]) {
          fs.copyFileSync(path.join(root, "examples", file), path.join(project, "src", file))
        }
        fs.writeFileSync(path.join(project, "src", "own_server.ts"), ownServer)
        fs.writeFileSync(
          path.join(project, "tsconfig.json"),
          JSON.stringify({
            compilerOptions: {
              target: "ES2022",
              module: "NodeNext",
              moduleResolution: "NodeNext",
              strict: true,
              exactOptionalPropertyTypes: true,
              skipLibCheck: true,
              outDir: "dist",
              rootDir: "src",
              types: ["node"],
              typeRoots: [path.join(root, "node_modules", "@types")]
            },
            include: ["src"]
          })
        )
        yield* run(process.execPath, [path.join(root, "node_modules", "typescript", "bin", "tsc"), "-p", project], {
          cwd: project
        })

        const server = yield* ChatServer.make()
        const env = cleanEnv({ JMAP_URL: server.url, JMAP_TOKEN: server.user("alice").token })
        const [quickStart, own] = yield* Effect.all([
          run(process.execPath, ["dist/readme_quick_start.js"], { cwd: project, env }),
          run(process.execPath, ["dist/own_server.js"], { cwd: project })
        ], { concurrency: 2 })
        expect(quickStart).toEqual({ stdout: "self: hello, Bob 👍\n", stderr: "" })
        expect(own).toEqual({ stdout: "messages: 1\n", stderr: "" })
      }),
    480_000
  )
})
