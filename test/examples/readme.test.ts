/**
 * Every TypeScript block of README.md is a complete program kept as a file under examples/ (named
 * in an `<!-- examples/… -->` comment on the line before it) and equal to that file, which
 * `npm run typecheck` checks and this suite runs: the quick start and the push program as a
 * newcomer runs them, against the reference server reached over HTTP as if it were remote; the
 * browser program is bundled as for a page; `readme_testing.test.ts` is itself a test of the suite.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Schedule } from "effect"
import { ChatClientTest, ChatServer } from "effect-jmap-chat/testing"
import * as fs from "node:fs"
import * as path from "node:path"
import { bundle } from "../../examples/browser/build.js"
import { root, runScript, startScript } from "../support/Scripts.js"

/** The TypeScript blocks of a Markdown text, with the file each one names. */
export const typeScriptBlocks = (markdown: string) =>
  Array.from(
    markdown.matchAll(/^(?:<!-- (?<file>\S+) -->\n)?```(?:ts|typescript)\n(?<code>[\s\S]*?)^```$/gm),
    (m) => ({ file: m.groups!["file"], code: m.groups!["code"]!, line: markdown.slice(0, m.index).split("\n").length })
  )

const readme = fs.readFileSync(path.join(root, "README.md"), "utf8")

describe("README.md's TypeScript blocks", () => {
  const blocks = typeScriptBlocks(readme)

  it("each names its file under examples/ and equals it", () => {
    expect(blocks.map((b) => b.file)).toEqual([
      "examples/readme_quick_start.ts",
      "examples/readme_push.ts",
      "examples/readme_browser.ts",
      "examples/readme_testing.test.ts"
    ])
    for (const block of blocks) {
      const file = fs.readFileSync(path.join(root, block.file!), "utf8")
      expect(block.code, `README.md line ${block.line} differs from ${block.file}: copy one onto the other`).toBe(file)
    }
  })

  it("the parser finds every block, named or not (an unnamed one fails the test above)", () => {
    const sample = "# x\n\n```ts\nconst a = 1\n```\n\n<!-- examples/y.ts -->\n```ts\nconst b = 2\n```\n"
    expect(typeScriptBlocks(sample)).toEqual([
      { file: undefined, code: "const a = 1\n", line: 3 },
      { file: "examples/y.ts", code: "const b = 2\n", line: 7 }
    ])
  })

  it.live(
    "the browser program bundles for browsers (the web chat's Chromium test runs the same layer)",
    () =>
      Effect.gen(function*() {
        const js = yield* Effect.promise(() => bundle(path.join(root, "examples", "readme_browser.ts")))
        expect(js).toContain("hello from the browser")
      }),
    60_000
  )

  it.scopedLive(
    "the quick start and the push program run against a server given by JMAP_URL and a token",
    () =>
      Effect.gen(function*() {
        const server = yield* ChatServer.make()
        const env = (user: string) => ({ JMAP_URL: server.url, JMAP_TOKEN: server.user(user).token })

        // Bob follows his push stream while Alice runs the quick start, which writes to him.
        const push = yield* startScript("examples/readme_push.ts", { env: env("bob") })
        const pushConnections = Effect.zipWith(
          server.faults.requestCount("webSocket"),
          server.faults.requestCount("eventSource"),
          (a, b) => a + b
        )
        yield* Effect.repeat(pushConnections, { until: (n) => n > 0, schedule: Schedule.spaced("50 millis") })
        const quickStart = yield* runScript("examples/readme_quick_start.ts", { env: env("alice") })
        expect(quickStart.stderr).toBe("")
        expect(quickStart.code).toBe(0)
        expect(quickStart.stdout).toBe("self: hello, Bob 👍\n")

        yield* push.waitFor(/new message from user:alice@example\.com: hello, Bob\n/)
        // Typing reaches Bob now that the chat is in his account (a notice may be dropped while his
        // stream subscribes to typing, so Alice types until he sees it).
        const alice = ChatClientTest.make(server.backend, "alice")
        const chat = (yield* alice.Chat.list()).list[0]!
        yield* alice.Chat.typing({ chatId: chat.id, typing: true }).pipe(
          Effect.zipRight(Effect.sleep("500 millis")),
          Effect.repeat({ until: () => push.stdout().includes("is typing in") })
        )
        expect(push.stdout()).toContain(`user:alice@example.com is typing in ${chat.id}\n`)
      }).pipe(Effect.timeout("4 minutes")),
    300_000
  )
})
