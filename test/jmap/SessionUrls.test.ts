/**
 * The URL rules of the Session (RFC 8620 §2, §2.2; RFC 8887 §4): server URLs, WebSocket URL
 * resolution before WHATWG parsing, and the redaction of URL queries for display.
 */
import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { parseBaseUrl, parseServerUrl } from "../../src/jmap/internal/http.js"
import { resolveWebSocketUrl } from "../../src/jmap/internal/webSocketUrl.js"
import { redactUrlQuery } from "../../src/jmap/Session.js"

describe("server URLs", () => {
  it("an origin is discovered at /.well-known/jmap; a URL with a path is the Session URL", () => {
    expect(parseServerUrl("HTTPS://Chat.Example.com:443")).toEqual(
      Either.right({ origin: "https://chat.example.com", sessionUrl: "https://chat.example.com/.well-known/jmap" })
    )
    expect(parseServerUrl("http://127.0.0.1:8080/jmap/")).toEqual(
      Either.right({ origin: "http://127.0.0.1:8080", sessionUrl: "http://127.0.0.1:8080/jmap/" })
    )
    for (const bad of ["", "  ", "x", "ws://h/jmap", "https://u:p@h/jmap", "https://h/jmap?", "https://h/jmap#"]) {
      expect(Either.isLeft(parseServerUrl(bad)), bad).toBe(true)
    }
    expect(parseBaseUrl("https://h/")).toEqual(Either.right("https://h"))
    expect(Either.isLeft(parseBaseUrl("https://h/.well-known/jmap"))).toBe(true)
  })
})

describe("WebSocket URL resolution", () => {
  const session = "https://chat.example.com:8443/.well-known/jmap"
  it.each([
    ["wss://ws.example.com/jmap/ws?ticket=t", "wss://ws.example.com/jmap/ws?ticket=t"],
    ["https://ws.example.com/ws", "wss://ws.example.com/ws"],
    ["http://ws.example.com/ws", "ws://ws.example.com/ws"],
    ["wss:/jmap/ws/", "wss://chat.example.com:8443/jmap/ws/"],
    ["ws:/jmap/ws", "wss://chat.example.com:8443/jmap/ws"],
    ["wss:///jmap/ws", "wss://chat.example.com:8443/jmap/ws"],
    ["https:/jmap/ws", "wss://chat.example.com:8443/jmap/ws"],
    ["/jmap/ws", "wss://chat.example.com:8443/jmap/ws"],
    ["ws", "wss://chat.example.com:8443/.well-known/ws"],
    ["//other.example/ws", "wss://other.example/ws"],
    [" \twss:/jmap/ws\n", "wss://chat.example.com:8443/jmap/ws"]
  ])("%j → %s", (url, expected) => {
    expect(resolveWebSocketUrl(url, session)).toEqual(Either.right(expected))
  })

  it("takes the scheme, host and port of an http Session URL (http → ws)", () => {
    expect(resolveWebSocketUrl("wss:/jmap/ws", "http://127.0.0.1:8080/jmap/session")).toEqual(
      Either.right("ws://127.0.0.1:8080/jmap/ws")
    )
  })

  it.each([
    ["", session],
    ["wss:", session],
    ["ws://", session],
    ["ftp://h/ws", session],
    ["javascript:alert(1)", session],
    ["wss://h/ws#f", session],
    ["/jmap/ws#f", session],
    ["wss:/jmap/ws", undefined],
    ["/jmap/ws", "not a URL"],
    ["/jmap/ws", "ftp://h/"]
  ])("refuses %j (base %s) without echoing it", (url, base) => {
    const result = resolveWebSocketUrl(url, base)
    expect(Either.isLeft(result)).toBe(true)
    if (url.length > 3) expect(Either.getLeft(result)).not.toEqual(expect.stringContaining(url))
  })
})

describe("redactUrlQuery", () => {
  it.each([
    ["https://h/api/", "https://h/api/"],
    ["https://h/api/?access_token=abc", "https://h/api/?access_token=<redacted>"],
    [
      "https://h/es?types={types}&closeafter={closeafter}&ping={ping}&t=abc",
      "https://h/es?types={types}&closeafter={closeafter}&ping={ping}&t=<redacted>"
    ],
    ["https://h/d/{blobId}?accept={type}", "https://h/d/{blobId}?accept={type}"],
    ["https://h/x?secret&a=&b={b}", "https://h/x?<redacted>&a=&b={b}"],
    ["https://h/x#frag", "https://h/x#<redacted>"],
    ["https://h/x?a={a}#f", "https://h/x?a={a}#<redacted>"]
  ])("%s → %s", (url, expected) => {
    expect(redactUrlQuery(url)).toBe(expected)
  })
})
