/**
 * `npm run demo:web`: the web chat of this folder. Starts the embedded JMAP Chat server, bundles
 * app.ts for the browser with esbuild, serves the page from another origin (so the JMAP server
 * answers it with CORS), seeds a few chats, and prints the URL. Open it in two windows and sign in
 * as two users.
 */
import { NodeRuntime } from "@effect/platform-node"
import { Console, Effect, type Scope } from "effect"
import { ChatServer, ChatServerTest } from "effect-jmap-chat/testing"
import * as Fs from "node:fs/promises"
import * as Http from "node:http"
import * as Path from "node:path"
import { bundle } from "./build.js"

/** The running demo. */
export interface Demo {
  /** The page, e.g. `http://127.0.0.1:41234/`; `?user=alice&push=websocket` signs in at once. */
  readonly pageUrl: string
  readonly server: ChatServer.Service
}

const here = import.meta.dirname

/** A plain HTTP server for the page, open for the life of the scope. */
const servePage = (files: Record<string, { readonly type: string; readonly body: () => string }>, port: number) =>
  Effect.acquireRelease(
    Effect.async<Http.Server>((resume) => {
      const server = Http.createServer((request, response) => {
        const path = new URL(request.url ?? "/", "http://localhost").pathname
        const file = files[path === "/" ? "/index.html" : path]
        if (file === undefined) return response.writeHead(404).end("not found")
        response.writeHead(200, { "content-type": file.type, "cache-control": "no-store" }).end(file.body())
      })
      server.listen(port, "127.0.0.1", () => resume(Effect.succeed(server)))
    }),
    (server) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  )

/** Alice, Bob and Carol with a direct chat (Alice–Bob) and a group chat, each with a first message. */
const seed = (server: ChatServer.Service) =>
  Effect.gen(function*() {
    const alice = yield* ChatServerTest.make(server, "alice")
    const direct = yield* alice.Chat.createOne({ kind: "direct", contactId: server.user("bob").userId })
    yield* alice.Message.send({ chatId: direct.id, body: "Hi Bob! Try typing a reply." })
    const team = yield* alice.Chat.createOne({
      kind: "group",
      name: "Team",
      memberIds: [server.user("bob").userId, server.user("carol").userId]
    })
    yield* alice.Message.send({ chatId: team.id, body: "Welcome to the team chat." })
  })

/** Starts the demo for the life of the scope. */
export const start = (options: { readonly port?: number } = {}): Effect.Effect<Demo, unknown, Scope.Scope> =>
  Effect.gen(function*() {
    const [html, script] = yield* Effect.promise(() =>
      Promise.all([Fs.readFile(Path.join(here, "index.html"), "utf8"), bundle(Path.join(here, "app.ts"))])
    )
    let config = ""
    const page = yield* servePage({
      "/index.html": { type: "text/html; charset=utf-8", body: () => html },
      "/app.js": { type: "text/javascript; charset=utf-8", body: () => script },
      "/config.json": { type: "application/json", body: () => config }
    }, options.port ?? 0)
    const address = page.address()
    const pageOrigin = `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`
    const server = yield* ChatServer.make({ cors: { allowedOrigins: [pageOrigin] } })
    yield* seed(server)
    config = JSON.stringify({
      jmapUrl: server.url,
      users: server.users.map((u) => ({ name: u.name, displayName: u.displayName, token: u.token }))
    })
    return { pageUrl: `${pageOrigin}/`, server }
  })

if (process.argv[1] === import.meta.filename) {
  Effect.gen(function*() {
    const demo = yield* start({ port: Number(process.env["PORT"] ?? 0) })
    yield* Console.log(`JMAP Chat server on ${demo.server.url}`)
    yield* Console.log(`Web chat on ${demo.pageUrl}  (open it twice and sign in as two users; Ctrl-C stops)`)
    return yield* Effect.never
  }).pipe(Effect.scoped, NodeRuntime.runMain)
}
