import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { ChatServer } from "../../src/testing/index.js"
import { bearer, http } from "./helpers.js"
import { upgradeStatus } from "./streams.js"

const page = "http://127.0.0.1:8080"

const preflight = (server: ChatServer.Service, path: string, origin: string, requestHeaders: string) =>
  http(`${server.url}${path}`, {
    method: "OPTIONS",
    headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": requestHeaders }
  })

describe("reference server CORS option", () => {
  it.scoped("answers preflights for allowed origins with the headers a JMAP client sends", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make({ cors: { allowedOrigins: [page], credentials: true, maxAge: 60 } })
      const ok = yield* preflight(server, "/jmap/api", page, "authorization,content-type")
      expect(ok.status).toBe(204)
      expect(ok.headers.get("access-control-allow-origin")).toBe(page)
      expect(ok.headers.get("access-control-allow-credentials")).toBe("true")
      expect(ok.headers.get("access-control-allow-methods")).toContain("POST")
      const allowed = ok.headers.get("access-control-allow-headers")!.toLowerCase().split(/,\s*/)
      expect(allowed).toEqual(expect.arrayContaining(["authorization", "content-type", "last-event-id"]))
      expect(ok.headers.get("access-control-max-age")).toBe("60")
      expect(ok.headers.get("vary")).toContain("Origin")
      const other = yield* preflight(server, "/jmap/api", "http://evil.example", "authorization")
      expect(other.status).toBe(403)
      expect(other.headers.get("access-control-allow-origin")).toBeNull()
    }))

  it.scoped("labels responses (plain, problem, event stream) for allowed origins only", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make({ cors: { allowedOrigins: [page], credentials: true } })
      const session = yield* http(server.sessionUrl, { headers: { origin: page, ...bearer(server, "alice") } })
      expect(session.status).toBe(200)
      expect(session.headers.get("access-control-allow-origin")).toBe(page)
      expect(session.headers.get("access-control-allow-credentials")).toBe("true")
      expect(session.headers.get("access-control-expose-headers")).toContain("Retry-After")
      const unauthorized = yield* http(server.sessionUrl, { headers: { origin: page } })
      expect(unauthorized.status).toBe(401)
      expect(unauthorized.headers.get("access-control-allow-origin")).toBe(page)
      const stream = yield* Effect.promise(async () => {
        const controller = new AbortController()
        const response = await fetch(`${server.url}/jmap/eventsource?types=*&closeafter=no&ping=0`, {
          headers: { origin: page, accept: "text/event-stream", ...bearer(server, "alice") },
          signal: controller.signal
        })
        controller.abort()
        return response
      })
      expect(stream.headers.get("content-type")).toContain("text/event-stream")
      expect(stream.headers.get("access-control-allow-origin")).toBe(page)
      const foreign = yield* http(server.sessionUrl, {
        headers: { origin: "http://evil.example", ...bearer(server, "alice") }
      })
      expect(foreign.headers.get("access-control-allow-origin")).toBeNull()
      const sameOrigin = yield* preflight(server, "/jmap/api", server.url, "authorization")
      expect(sameOrigin.headers.get("access-control-allow-origin")).toBe(server.url)
    }))

  it.scoped("refuses WebSocket upgrades from origins that are not allowed", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make({ cors: { allowedOrigins: [page] } })
      const auth = `${server.webSocketUrl}?access_token=${server.user("alice").token}`
      expect(yield* upgradeStatus(auth, { headers: { origin: "http://evil.example" } })).toBe(403)
      expect(yield* upgradeStatus(auth, { headers: { origin: page } })).toBe(101)
      expect(yield* upgradeStatus(auth)).toBe(101)
    }))

  it.scoped("\"*\" allows any origin without credentials; without the option nothing is labelled", () =>
    Effect.gen(function*() {
      const any = yield* ChatServer.make({ cors: { allowedOrigins: "*" } })
      const reply = yield* preflight(any, "/jmap/api", "http://anywhere.example", "authorization")
      expect(reply.status).toBe(204)
      expect(reply.headers.get("access-control-allow-origin")).toBe("*")
      expect(reply.headers.get("access-control-allow-credentials")).toBeNull()
      const plain = yield* ChatServer.make()
      const session = yield* http(plain.sessionUrl, { headers: { origin: page, ...bearer(plain, "alice") } })
      expect(session.status).toBe(200)
      expect(session.headers.get("access-control-allow-origin")).toBeNull()
    }))
})
