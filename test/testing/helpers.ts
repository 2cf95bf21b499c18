/**
 * Raw-HTTP helpers for driving the reference server in tests (deliberately not the SDK client).
 */
import { Effect } from "effect"
import type { ChatServer } from "../../src/testing/index.js"

/** The `using` of a JMAP Chat request. */
export const USING = [
  "urn:ietf:params:jmap:core",
  "urn:ietf:params:jmap:chat",
  "urn:ietf:params:jmap:quota",
  "urn:ietf:params:jmap:blob2",
  "urn:ietf:params:jmap:chat:push"
]

/** A JSON object as the tests read it. */
export type Json = any

/** An HTTP exchange's status, headers and parsed body. */
export interface Reply {
  readonly status: number
  readonly headers: Headers
  readonly body: Json
}

/** Performs a fetch and parses a JSON body (or keeps the text). */
export const http = (url: string, init?: RequestInit): Effect.Effect<Reply> =>
  Effect.promise(async () => {
    const response = await fetch(url, init)
    const text = await response.text()
    let body: Json = text
    try {
      body = JSON.parse(text)
    } catch {
      // keep the text
    }
    return { status: response.status, headers: response.headers, body }
  })

/** Authorization header for a user. */
export const bearer = (server: ChatServer.Service, name: string) => ({
  authorization: `Bearer ${server.user(name).token}`
})

/** POSTs a raw body to the API endpoint as `name`. */
export const post = (server: ChatServer.Service, name: string, body: Json, contentType = "application/json") =>
  http(`${server.url}/jmap/api`, {
    method: "POST",
    headers: { ...bearer(server, name), "content-type": contentType },
    body: typeof body === "string" ? body : JSON.stringify(body)
  })

/** Sends method calls as `name`; returns the whole Response object (fails the test on a non-200). */
export const request = (
  server: ChatServer.Service,
  name: string,
  methodCalls: ReadonlyArray<readonly [string, Json, string]>,
  extra: Json = {}
): Effect.Effect<Json> =>
  Effect.flatMap(post(server, name, { using: USING, methodCalls, ...extra }), (reply) =>
    reply.status === 200
      ? Effect.succeed(reply.body)
      : Effect.dieMessage(`HTTP ${reply.status}: ${JSON.stringify(reply.body)}`))

/** Sends one method call as `name` and returns its response arguments (`["error", …]` arguments too). */
export const call = (server: ChatServer.Service, name: string, method: string, args: Json): Effect.Effect<Json> =>
  Effect.map(request(server, name, [[method, args, "c0"]]), (response) => {
    const [responseName, responseArgs] = response.methodResponses[0]
    return responseName === "error" ? { error: responseArgs } : responseArgs
  })

/** The account id of a user. */
export const acct = (server: ChatServer.Service, name: string) => server.user(name).accountId

/** Creates a direct chat from `from` to `to`; returns its id. */
export const directChat = (server: ChatServer.Service, from: string, to: string): Effect.Effect<string> =>
  Effect.map(
    call(server, from, "Chat/set", {
      accountId: acct(server, from),
      create: { c: { kind: "direct", contactId: server.user(to).userId } }
    }),
    (r) => r.created?.c?.id ?? Object.keys(r.updated ?? {})[0]
  )

/** Sends a plain-text message; returns the sender's message id. */
export const send = (server: ChatServer.Service, from: string, chatId: string, body: string): Effect.Effect<string> =>
  Effect.flatMap(
    call(server, from, "Message/set", {
      accountId: acct(server, from),
      create: { m: { chatId, body, bodyType: "text/plain", sentAt: "2026-01-01T00:00:00Z" } }
    }),
    (r) => r.created?.m?.id ? Effect.succeed(r.created.m.id) : Effect.dieMessage(JSON.stringify(r))
  )

/** Fetches records of a type for a user (all of them when `ids` is omitted). */
export const get = (
  server: ChatServer.Service,
  name: string,
  type: string,
  ids: ReadonlyArray<string> | null = null
): Effect.Effect<ReadonlyArray<Json>> =>
  Effect.map(call(server, name, `${type}/get`, { accountId: acct(server, name), ids }), (r) => r.list)

/** The current state of a type for a user. */
export const stateOf = (server: ChatServer.Service, name: string, type: string): Effect.Effect<string> =>
  Effect.map(call(server, name, `${type}/get`, { accountId: acct(server, name), ids: [] }), (r) => r.state)
