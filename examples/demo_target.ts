/**
 * Scaffolding shared by the push examples (not what they teach): where to connect, and something
 * to watch. With JMAP_URL and JMAP_TOKEN set they use your server; otherwise they start the embedded
 * reference server (`effect-jmap-chat/testing`), where "alice" writes to the example's user "bob"
 * and the server restarts once (every connection closed, all state kept) so the reconnection shows.
 */
import { Console, type Duration, Effect, Option, Schedule } from "effect"
import { ChatClientTest, ChatServer } from "effect-jmap-chat/testing"
import { pathToFileURL } from "node:url"

/** Where an example connects, as whom; `server` when it is the embedded one (the demo then drives it). */
export interface Target {
  readonly url: string
  readonly token: string
  readonly server: Option.Option<ChatServer.Service>
}

/** `user` ("bob" by default) on an embedded server. */
export const embedded = (server: ChatServer.Service, user = "bob"): Target => ({
  url: server.url,
  token: server.user(user).token,
  server: Option.some(server)
})

/** JMAP_URL + JMAP_TOKEN, or a fresh embedded server (stopped when the scope closes). */
export const fromEnv = Effect.gen(function*() {
  const url = process.env["JMAP_URL"]
  const token = process.env["JMAP_TOKEN"]
  if (url && token) {
    yield* Console.log(`Using ${url}`)
    return { url, token, server: Option.none() } satisfies Target
  }
  const server = yield* ChatServer.make()
  yield* Console.log(`Embedded JMAP Chat server on ${server.url}; alice will write to bob`)
  return embedded(server)
})

/** How long to run against a real server: JMAP_SECONDS, default 30. */
export const seconds = (): number => Number(process.env["JMAP_SECONDS"] ?? 30)

/** True when this module is the script node was started with (`npx tsx examples/x.ts`). */
export const isMain = (importMetaUrl: string): boolean =>
  process.argv[1] !== undefined && importMetaUrl === pathToFileURL(process.argv[1]).href

/** Options of {@link chatter}. */
export interface ChatterOptions {
  /** Pause between alice's messages (default 300 ms). */
  readonly every?: Duration.DurationInput
  /** Restart the server once this completes (e.g. when bob's stream has shown it is connected). */
  readonly restartWhen?: Effect.Effect<void>
}

/**
 * Alice on the embedded server, until interrupted: a direct chat with bob, then "message 1",
 * "message 2", … each after a typing notification. She uses an in-process client on the server's
 * backend (no sockets), so the restart only affects the example's own connections.
 */
export const chatter = (server: ChatServer.Service, options: ChatterOptions = {}): Effect.Effect<never> =>
  Effect.gen(function*() {
    const alice = ChatClientTest.make(server.backend, "alice")
    const chat = yield* alice.Chat.createOne({ kind: "direct", contactId: server.user("bob").userId })
    if (options.restartWhen !== undefined) {
      yield* options.restartWhen.pipe(
        Effect.zipRight(Console.log("*** the server restarts: every connection is closed, no state is lost ***")),
        Effect.zipRight(server.faults.restart),
        Effect.fork
      )
    }
    let n = 0
    return yield* Effect.gen(function*() {
      yield* alice.Chat.typing({ chatId: chat.id, typing: true })
      yield* alice.Message.send({ chatId: chat.id, body: `message ${++n}` })
    }).pipe(Effect.repeat(Schedule.spaced(options.every ?? "300 millis")), Effect.zipRight(Effect.never))
  }).pipe(Effect.orDie)
