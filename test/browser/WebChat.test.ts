/**
 * The web chat example (examples/browser) in a real browser: headless Chromium (Debian's
 * `chromium`) driven by playwright-core. Alice and Bob sign in on two pages, see each other's
 * typing, messages and reactions live over push — once over the EventSource, once over the
 * WebSocket (token in the URL) — and screenshots of both pages are written to
 * test-results/web-chat/. Without Chromium the tests are skipped, saying how to install it.
 * Every wait is for a DOM condition, with generous timeouts; nothing sleeps.
 */
import { Effect, Exit, Scope } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { type BrowserContext, chromium, type Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Demo, start } from "../../examples/browser/serve.js"

const executablePath = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium"
const found = Fs.existsSync(executablePath)
const howToInstall = `no Chromium at ${executablePath}: install it with \`apt-get install -y chromium\` ` +
  "(or set CHROMIUM_PATH)"
if (!found) console.warn(`test/browser/WebChat.test.ts skipped: ${howToInstall}`)

/** Where the screenshots go. */
export const screenshots = Path.resolve(import.meta.dirname, "../../test-results/web-chat")

const wait = { timeout: 60_000 }

describe.skipIf(!found)(`web chat in headless Chromium${found ? "" : ` (skipped: ${howToInstall})`}`, () => {
  let scope: Scope.CloseableScope
  let demo: Demo
  let context: BrowserContext
  let profile: string
  const problems: Array<string> = []

  beforeAll(async () => {
    scope = Effect.runSync(Scope.make())
    demo = await Effect.runPromise(Scope.extend(start(), scope))
    profile = Fs.mkdtempSync(Path.join(Os.tmpdir(), "web-chat-chromium-"))
    context = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync"
      ]
    })
    Fs.mkdirSync(screenshots, { recursive: true })
  }, 120_000)

  afterAll(async () => {
    await context?.close()
    if (scope !== undefined) await Effect.runPromise(Scope.close(scope, Exit.void))
    if (profile !== undefined) Fs.rmSync(profile, { recursive: true, force: true })
  }, 60_000)

  const open = async (user: string, push: string): Promise<Page> => {
    const page = await context.newPage()
    page.on("pageerror", (error) => problems.push(`${user}: ${error.message}`))
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(`${user}: ${message.text()}`)
    })
    await page.goto(`${demo.pageUrl}?user=${user}&push=${push}`)
    await page.locator("#status", { hasText: `live · ${push}` }).waitFor(wait)
    return page
  }

  const openChat = (page: Page, name: string) => page.locator("#chats li", { hasText: name }).first().click()

  const message = (page: Page, text: string) => page.locator(".message", { hasText: text })

  /**
   * Types into the composer until `watcher` shows that `who` is typing. Typing events are
   * ephemeral (a watcher not yet subscribed misses one), and the page repeats them while the
   * user types, so this keeps typing: a slow machine only makes it type longer.
   */
  const typeUntilSeen = async (typist: Page, watcher: Page, who: string) => {
    const indicator = watcher.locator("#typing", { hasText: `${who} is typing` })
    for (let attempt = 0; attempt < 20; attempt++) {
      await typist.locator("#text").pressSequentially("…")
      const seen = await indicator.waitFor({ timeout: 5_000 }).then(() => true, () => false)
      if (seen) return
    }
    await indicator.waitFor(wait)
  }

  for (const push of ["eventsource", "websocket"]) {
    it(`alice and bob chat, type and react live over ${push}`, async () => {
      problems.length = 0
      const count = (endpoint: "eventSource" | "webSocket") =>
        Effect.runPromise(demo.server.faults.requestCount(endpoint))
      const before = { eventSource: await count("eventSource"), webSocket: await count("webSocket") }
      const alice = await open("alice", push)
      const bob = await open("bob", push)
      await openChat(alice, "Bob")
      await openChat(bob, "Alice")
      await message(bob, "Hi Bob!").waitFor(wait)

      await typeUntilSeen(alice, bob, "Alice")
      await alice.locator("#text").fill(`Hello Bob, over ${push}`)
      await alice.locator("#send").click()
      await message(bob, `Hello Bob, over ${push}`).waitFor(wait)

      await message(bob, `Hello Bob, over ${push}`).locator("button.react").click()
      await message(alice, `Hello Bob, over ${push}`).locator(".reactions", { hasText: "👍 1" }).waitFor(wait)

      await typeUntilSeen(bob, alice, "Bob")
      await bob.locator("#text").fill(`Hi Alice, got it over ${push}`)
      await bob.locator("#send").click()
      await message(alice, `Hi Alice, got it over ${push}`).waitFor(wait)

      for (const [name, page] of [["alice", alice], ["bob", bob]] as const) {
        await page.screenshot({ path: Path.join(screenshots, `${push}-${name}.png`) })
      }
      await Promise.all([alice.close(), bob.close()])
      expect(problems).toEqual([])
      // Each page pushed over the transport it asked for, and only that one.
      const used = {
        eventSource: (await count("eventSource")) - before.eventSource,
        webSocket: (await count("webSocket")) - before.webSocket
      }
      expect(push === "websocket" ? used.webSocket : used.eventSource).toBeGreaterThanOrEqual(2)
      expect(push === "websocket" ? used.eventSource : used.webSocket).toBe(0)
      expect(Fs.existsSync(Path.join(screenshots, `${push}-bob.png`))).toBe(true)
    }, 240_000)
  }
})
