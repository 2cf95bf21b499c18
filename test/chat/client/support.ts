/**
 * A loopback JMAP server for the ChatClient tests: the session of `sessionFor`, and an API
 * endpoint whose answer each test scripts. The client goes through the real HttpTransport and
 * SessionService (batching off, so every call is its own HTTP request and the JSON sent is exact).
 */
import { Context, Effect, Layer } from "effect"
import * as fs from "node:fs"
import { fileURLToPath } from "node:url"
import { ChatClient } from "../../../src/chat/ChatClient.js"
import * as HttpTransport from "../../../src/jmap/HttpTransport.js"
import * as SessionService from "../../../src/jmap/SessionService.js"
import { json, listen, type LoopbackServer, sessionFor } from "../../support/LoopbackServer.js"

export const ACCOUNT = "A13824"
export const CHAT = "urn:ietf:params:jmap:chat"
export const CORE = "urn:ietf:params:jmap:core"
export const USING_CHAT = [CORE, CHAT]
export const SESSION_STATE = "75128aab4b1b"

/** A request body as the server received it. */
export interface SentRequest {
  readonly using: ReadonlyArray<string>
  readonly methodCalls: ReadonlyArray<readonly [string, Record<string, any>, string]>
  readonly createdIds?: Record<string, string>
}

/** What the API endpoint answers: a full Response body, computed from the request. */
export type Answer = (request: SentRequest) => unknown

/** A Response body with one invocation per `[name, args]`, call ids `r1`, `r2`, …. */
export const respond = (...invocations: ReadonlyArray<readonly [string, Record<string, unknown>]>) => ({
  methodResponses: invocations.map(([name, args], i) => [name, args, `r${i + 1}`]),
  sessionState: SESSION_STATE
})

/** Answers every call of the request with the same result, under the request's call ids. */
export const echoEach =
  (f: (name: string, args: Record<string, any>, callId: string) => readonly [string, unknown]): Answer =>
  (
    request
  ) => ({
    methodResponses: request.methodCalls.map(([name, args, callId]) => [...f(name, args, callId), callId]),
    sessionState: SESSION_STATE
  })

const fixtureDir = fileURLToPath(new URL("../../../../shared/fixtures/jmapchat-client/methods/", import.meta.url))
/** Whether the jmapchat-client fixture corpus is present. */
export const haveFixtures = fs.existsSync(fixtureDir)
/** A fixture of `methods/` as parsed JSON (a whole Response body). */
export const fixture = (name: string): any => JSON.parse(fs.readFileSync(`${fixtureDir}${name}.json`, "utf8"))

/** Starts a server and a `ChatClient` on it. `answer` may be changed between calls. */
export const start = (answer: Answer, sessionOverrides: Record<string, unknown> = {}) =>
  Effect.gen(function*() {
    const state = { answer }
    const server: LoopbackServer = yield* listen((req, res) => {
      if (req.url === "/.well-known/jmap") return json(res, 200, sessionFor(server.url, sessionOverrides))
      if (req.url.startsWith("/upload/")) {
        return json(res, 200, {
          accountId: ACCOUNT,
          blobId: "blob-up",
          type: req.headers["content-type"],
          size: req.body.length
        })
      }
      if (req.url.startsWith("/download/")) {
        res.writeHead(200, { "content-type": "application/octet-stream" })
        return res.end(Buffer.from("bytes"))
      }
      json(res, 200, state.answer(JSON.parse(req.body.toString()) as SentRequest))
    })
    const context = yield* Layer.build(
      ChatClient.layer.pipe(
        Layer.provideMerge(SessionService.layerWith({ batching: false })),
        Layer.provide(HttpTransport.layer({ url: server.url }))
      )
    )
    const client = Context.get(context, ChatClient)
    const session = Context.get(context, SessionService.SessionService)
    /** The API requests sent so far. */
    const sent = (): ReadonlyArray<SentRequest> =>
      server.received.filter((r) => r.url === "/api/").map((r) => JSON.parse(r.body.toString()) as SentRequest)
    const setAnswer = (next: Answer) => {
      state.answer = next
    }
    return { client, server, session, sent, setAnswer }
  })
