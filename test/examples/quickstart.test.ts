/** Runs `npm run demo`'s script as a newcomer would, so the README's first command cannot rot. */
import { describe, expect, it } from "@effect/vitest"
import { execFile } from "node:child_process"
import * as path from "node:path"

const root = path.resolve(__dirname, "../..")

describe("examples/quickstart.ts (npm run demo)", () => {
  it("runs against the embedded server, follows push and exits 0 on its own", async () => {
    const env = { ...process.env }
    delete env["JMAP_URL"]
    delete env["JMAP_TOKEN"]
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      execFile(
        process.execPath,
        ["--import", "tsx", "examples/quickstart.ts"],
        { cwd: root, env, timeout: 60_000 },
        (error, stdout) => resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout })
      )
    })
    expect(code).toBe(0)
    expect(stdout).toContain("Embedded JMAP Chat server on http://127.0.0.1:")
    expect(stdout).toMatch(/Bob's screen: new message "Did you see the new JMAP Chat draft\?"/)
    expect(stdout).toContain("Bob marked the chat read: 0 unread")
    expect(stdout).toMatch(/Alice: Did you see the new JMAP Chat draft\?\s+👍/)
  }, 90_000)
})
