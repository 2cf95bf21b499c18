/**
 * `npm run demo` in both modes, as a newcomer runs it: without JMAP_URL (the embedded two-user
 * demo), and against a server given by JMAP_URL and credentials only — the reference server,
 * started here and reached over HTTP as if it were remote. Wrong settings end in one line.
 */
import { describe, expect, it } from "@effect/vitest"
import { Console, Effect, Option } from "effect"
import { ChatClientTest, ChatServer } from "effect-jmap-chat/testing"
import { main, settings } from "../../examples/demo_server.js"
import { listen } from "../support/LoopbackServer.js"
import { runScript } from "../support/Scripts.js"

/** Runs `npm run demo`'s script with exactly `env` (plus PATH). */
const demo = (env: Record<string, string>) => runScript("examples/demo.ts", { env })

/** Runs `main(env)` in-process; what it printed to stdout and stderr. */
const mainIn = (env: Record<string, string>) =>
  Effect.gen(function*() {
    const out: Array<string> = []
    const err: Array<string> = []
    const base = yield* Effect.console
    const exitCode = process.exitCode
    yield* main(env).pipe(Console.withConsole({
      ...base,
      log: (...args) => Effect.sync(() => void out.push(args.join(" "))),
      error: (...args) => Effect.sync(() => void err.push(args.join(" ")))
    }))
    const failed = process.exitCode === 1
    process.exitCode = exitCode
    return { out, err, failed }
  })

/** A reference server where bob has written to alice in a direct chat. */
const serverWithChat = Effect.gen(function*() {
  const server = yield* ChatServer.make()
  const bob = ChatClientTest.make(server.backend, "bob")
  const chat = yield* bob.Chat.createOne({ kind: "direct", contactId: server.user("alice").userId })
  yield* bob.Message.send({ chatId: chat.id, body: "hi Alice, from Bob" })
  return { server, chatId: chat.id }
})

describe("npm run demo", () => {
  it.scopedLive(
    "as a script: the embedded demo; a real server's tour and a send; a wrong token in one line",
    () =>
      Effect.gen(function*() {
        const { chatId, server } = yield* serverWithChat
        const alice = { JMAP_URL: server.url, JMAP_TOKEN: server.user("alice").token }
        const [embedded, send, wrong] = yield* Effect.all([
          demo({}),
          demo({ ...alice, JMAP_CHAT_ID: chatId, JMAP_SEND: "hello from the demo" }),
          demo({ ...alice, JMAP_TOKEN: "not-a-token" })
        ], { concurrency: "unbounded" })

        expect(embedded.stderr).toBe("")
        expect(embedded.code).toBe(0)
        expect(embedded.stdout).toContain("Embedded JMAP Chat server on http://127.0.0.1:")
        expect(embedded.stdout).toMatch(/Bob's screen: new message "Did you see the new JMAP Chat draft\?"/)
        expect(embedded.stdout).toContain("Bob marked the chat read: 0 unread")
        expect(embedded.stdout).toMatch(/Alice: Did you see the new JMAP Chat draft\?\s+👍/)

        expect(send.stderr).toBe("")
        expect(send.code).toBe(0)
        expect(send.stdout).toContain("Signed in as alice@example.com; chat account A-alice")
        expect(send.stdout).toContain(`${chatId}  direct chat with Bob, 1 unread`)
        expect(send.stdout).toMatch(/\[[-\dT:Z.]+\] Bob: hi Alice, from Bob\n/)
        expect(send.stdout).toMatch(/Sent message \S+ to \S+: hello from the demo\n$/)
        const received = yield* ChatClientTest.make(server.backend, "bob").Message.list({ filter: { chatId } })
        expect(received.list.map((m) => m.body)).toContain("hello from the demo")

        expect(wrong.code).toBe(1)
        expect(wrong.stdout).toBe("")
        expect(wrong.stderr).toBe(
          `${server.url} refused the credentials (HTTP 401): check JMAP_TOKEN, or JMAP_USERNAME and JMAP_PASSWORD\n`
        )
      }),
    300_000
  )

  it.scopedLive("without JMAP_SEND it only looks, and says how to send", () =>
    Effect.gen(function*() {
      const { chatId, server } = yield* serverWithChat
      const { err, failed, out } = yield* mainIn({ JMAP_URL: server.url, JMAP_TOKEN: server.user("alice").token })
      expect(failed).toBe(false)
      expect(err).toEqual([])
      expect(out.at(-1)).toBe("To send a message: JMAP_CHAT_ID=<a chat id above> JMAP_SEND=\"text\" npm run demo")
      const messages = yield* ChatClientTest.make(server.backend, "bob").Message.list({ filter: { chatId } })
      expect(messages.list).toHaveLength(1)
    }), 60_000)

  it.scopedLive(
    "Basic credentials work too; every wrong setting is one line naming what to fix",
    () =>
      Effect.gen(function*() {
        const server = yield* ChatServer.make({ users: [{ name: "alice", password: "secret" }, { name: "bob" }] })
        const url = server.url
        const basic = yield* mainIn({ JMAP_URL: url, JMAP_USERNAME: "alice@example.com", JMAP_PASSWORD: "secret" })
        expect(basic).toMatchObject({ failed: false, err: [] })
        expect(basic.out[0]).toMatch(/^Signed in as alice@example.com/)

        const oneLine = (env: Record<string, string>) =>
          Effect.map(mainIn(env), ({ err, failed, out }) => {
            expect(failed).toBe(true)
            expect(out).toEqual([])
            expect(err).toHaveLength(1)
            return err[0]!
          })
        expect(yield* oneLine({ JMAP_URL: url })).toBe(
          `JMAP_URL is ${url}: also set JMAP_TOKEN, or JMAP_USERNAME and JMAP_PASSWORD, to sign in`
        )
        expect(yield* oneLine({ JMAP_URL: url, JMAP_USERNAME: "alice@example.com" })).toBe(
          "JMAP_USERNAME is set: also set JMAP_PASSWORD"
        )
        expect(yield* oneLine({ JMAP_URL: url, JMAP_USERNAME: "alice@example.com", JMAP_PASSWORD: "wrong" })).toMatch(
          /refused the credentials \(HTTP 401\)/
        )
        expect(yield* oneLine({ JMAP_URL: url, JMAP_TOKEN: "alice-token", JMAP_SEND: "hi" })).toMatch(
          /^JMAP_SEND needs JMAP_CHAT_ID/
        )
        expect(yield* oneLine({ JMAP_URL: url, JMAP_TOKEN: "alice-token", JMAP_CHAT_ID: "nope" })).toBe(
          "JMAP_CHAT_ID is set: also set JMAP_SEND to the text to send"
        )
        expect(yield* oneLine({ JMAP_URL: "not a url", JMAP_TOKEN: "t" })).toMatch(
          /^JMAP_URL or another setting is wrong/
        )
        expect(yield* oneLine({ JMAP_URL: "http://127.0.0.1:1", JMAP_TOKEN: "t" })).toMatch(
          /^could not reach http:\/\/127\.0\.0\.1:1: /
        )
        expect(yield* oneLine({ JMAP_URL: `${url}/no-session-here`, JMAP_TOKEN: "alice-token" })).toBe(
          `${url}/no-session-here answered HTTP 404: is JMAP_URL the server's origin or its Session URL? ` +
            `(HTTP error (HTTP 404) on GET ${url}/no-session-here)`
        )
        const notJmap = yield* listen((_, res) => res.writeHead(200, { "content-type": "text/html" }).end("<html/>"))
        expect(yield* oneLine({ JMAP_URL: notJmap.url, JMAP_TOKEN: "t" })).toMatch(
          new RegExp(`^${notJmap.url} did not answer as a JMAP Chat server: `)
        )
      }),
    60_000
  )

  it.scopedLive(
    "JMAP_SEND to a chat the account does not have is refused by name, after the list",
    () =>
      Effect.gen(function*() {
        const { server } = yield* serverWithChat
        const { err, failed, out } = yield* mainIn({
          JMAP_URL: server.url,
          JMAP_TOKEN: server.user("alice").token,
          JMAP_CHAT_ID: "no-such-chat",
          JMAP_SEND: "hello?"
        })
        expect(failed).toBe(true)
        expect(out.join("\n")).toContain("1 chat(s):")
        expect(err).toEqual(["JMAP_CHAT_ID: this account has no chat no-such-chat (see the list above)"])
      }),
    60_000
  )

  it.effect("settings: JMAP_CHAT_ID and JMAP_SEND go together; a token wins over Basic", () =>
    Effect.gen(function*() {
      const both = yield* settings({ JMAP_URL: "u", JMAP_TOKEN: "t", JMAP_CHAT_ID: "c", JMAP_SEND: "" })
      expect(both.send).toEqual(Option.some({ chatId: "c", text: "" }))
      expect(both.auth._tag).toBe("Bearer")
      const basic = yield* settings({ JMAP_URL: "u", JMAP_USERNAME: "a", JMAP_PASSWORD: "p" })
      expect(basic.auth._tag).toBe("Basic")
      expect(Option.isNone(basic.send)).toBe(true)
    }))
})
