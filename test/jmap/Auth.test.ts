import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, Option, Redacted } from "effect"
import * as Auth from "../../src/jmap/Auth.js"
import * as HttpTransport from "../../src/jmap/HttpTransport.js"
import { ChatServer } from "../../src/testing/index.js"

const make = (auth: Auth.Auth) =>
  HttpTransport.make({ url: "https://jmap.example.com", auth }).pipe(
    Effect.provide(NodeHttpClient.layerUndici),
    Effect.flip
  )

/** The header value `auth` sends. */
const headerOf = (auth: Auth.Auth) =>
  Effect.map(Auth.header(auth), (h) => Option.getOrThrow(h).value.pipe(Redacted.value))

describe("Auth", () => {
  it.effect("a missing credential (an unset variable) is InvalidArgument, not a TypeError", () =>
    Effect.gen(function*() {
      const unset = process.env["EFFECT_JMAP_CHAT_SURELY_UNSET"]
      const bearer = yield* make(Auth.bearer(unset as unknown as string))
      expect(bearer).toMatchObject({ _tag: "InvalidArgument" })
      expect(bearer.message).toContain("Bearer token is missing")
      const noUser = yield* make(Auth.basic(unset as unknown as string, "pw"))
      expect(noUser).toMatchObject({ _tag: "InvalidArgument" })
      expect(noUser.message).toContain("username is missing")
      const noPassword = yield* make(Auth.basic("alice", unset as unknown as string))
      expect(noPassword.message).toContain("password is missing")
      expect((yield* make(Auth.bearer(null as unknown as string))).message).toContain("got null")
      expect((yield* make(Auth.bearer(Redacted.make(42 as unknown as string)))).message).toContain("got number")
    }))

  it.effect("Basic credentials outside Latin-1 are sent as base64 of UTF-8 (RFC 7617 charset=\"UTF-8\")", () =>
    Effect.gen(function*() {
      const auth = Auth.basic("zoë 東京", "пароль🔑")
      expect(yield* make(auth).pipe(Effect.flip, Effect.as("built"))).toBe("built")
      const value = yield* headerOf(auth)
      expect(value).toBe(`Basic ${Buffer.from("zoë 東京:пароль🔑", "utf8").toString("base64")}`)
      expect(Auth.isHeaderValue(value)).toBe(true)
    }))

  it.effect("Basic keeps the RFC 7617 rules: no ':' in the user name, no control character anywhere", () =>
    Effect.gen(function*() {
      expect((yield* make(Auth.basic("ali:ce", "pw"))).message).toContain("may not contain ':'")
      const control = yield* make(Auth.basic("alice", "pass\u0000word-CANARY"))
      expect(control).toMatchObject({ _tag: "InvalidArgument" })
      expect(control.message).toContain("control character")
      expect(control.message).not.toContain("CANARY")
      expect((yield* make(Auth.basic("al\u007fice", "pw"))).message).toContain("control character")
    }))
})

layer(NodeHttpClient.layerUndici, { excludeTestServices: true })("Auth over loopback", (it) => {
  it.scoped("a server decoding Basic as UTF-8 accepts a non-Latin-1 user and password", () =>
    Effect.gen(function*() {
      const server = yield* ChatServer.make({ users: [{ name: "zoë", login: "zoë@例え.jp", password: "пароль🔑" }] })
      const transport = yield* HttpTransport.make({ url: server.url, auth: Auth.basic("zoë@例え.jp", "пароль🔑") })
      const { session } = yield* transport.fetchSession
      expect(session.username).toBe("zoë@例え.jp")
    }))
})
