import { describe, expect, it } from "@effect/vitest"
import { Either, Inspectable, Option, Redacted, Schema } from "effect"
import * as ChatSseEvent from "../../src/chat/push/ChatSseEvent.js"
import * as ChatWsFrame from "../../src/chat/push/ChatWsFrame.js"
import * as Ephemeral from "../../src/chat/push/Ephemeral.js"
import { SseEvent } from "../../src/jmap/push/SseDecoder.js"
import { StateChange } from "../../src/jmap/push/StateChange.js"
import * as Frames from "../../src/jmap/push/WebSocketFrames.js"

const roundTrip = <A, I>(schema: Schema.Schema<A, I>, json: unknown) =>
  Schema.encodeSync(schema)(Schema.decodeUnknownSync(schema)(json))

describe("StateChange (RFC 8620 §7.1)", () => {
  it("decodes with or without @type, keeps unknown properties, always writes @type", () => {
    const json = { "@type": "StateChange", changed: { u1: { Message: "s1", Chat: "s2" } }, pushState: "p", ext: 1 }
    expect(roundTrip(StateChange, json)).toEqual(json)
    const noType = Schema.decodeUnknownSync(StateChange)({ changed: { u1: { Message: "s1" } } })
    expect(noType["@type"]).toBe("StateChange")
    expect(Schema.encodeSync(StateChange)(noType)).toEqual({
      "@type": "StateChange",
      changed: { u1: { Message: "s1" } }
    })
    expect(Either.isLeft(Schema.decodeUnknownEither(StateChange)({ "@type": "Other", changed: {} }))).toBe(true)
    expect(Either.isLeft(Schema.decodeUnknownEither(StateChange)({ changed: { u1: { Message: 5 } } }))).toBe(true)
  })
})

describe("RFC 8887 frames", () => {
  it("encodes a Request frame with @type and id that the request cannot override", () => {
    const text = Either.getOrThrow(
      Frames.encodeRequest(
        {
          using: ["urn:ietf:params:jmap:core"],
          methodCalls: [["Core/echo", { a: 1 }, "c0"]],
          id: "evil",
          "@type": "X"
        } as never,
        "R1"
      )
    )
    const json = JSON.parse(text)
    expect(json).toEqual({
      "@type": "Request",
      id: "R1",
      using: ["urn:ietf:params:jmap:core"],
      methodCalls: [["Core/echo", { a: 1 }, "c0"]]
    })
    expect(text.startsWith("{\"@type\":\"Request\",\"id\":\"R1\"")).toBe(true)
    expect(Schema.decodeUnknownSync(Frames.WebSocketRequest)(json).id).toBe("R1")
  })

  it("reports values JSON cannot hold as SerializeError instead of throwing", () => {
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    const result = Frames.encodeRequest({ using: [], methodCalls: [["Core/echo", cyclic, "c"]] }, "R")
    expect(Either.isLeft(result) && result.left._tag).toBe("SerializeError")
    const big = Frames.encodeRequest({ using: [], methodCalls: [["Core/echo", { n: 1n }, "c"]] }, "R")
    expect(Either.isLeft(big) && big.left._tag).toBe("SerializeError")
  })

  it("push enable and disable frames", () => {
    const enable = Frames.WebSocketPushEnable.make({ dataTypes: ["Message"], pushState: "aaa" })
    expect(Schema.encodeSync(Frames.WebSocketPushEnable)(enable)).toEqual({
      "@type": "WebSocketPushEnable",
      dataTypes: ["Message"],
      pushState: "aaa"
    })
    expect(Schema.encodeSync(Frames.WebSocketPushEnable)(Frames.WebSocketPushEnable.make({ dataTypes: null }))).toEqual(
      {
        "@type": "WebSocketPushEnable",
        dataTypes: null
      }
    )
    expect(Schema.encodeSync(Frames.WebSocketPushDisable)(Frames.WebSocketPushDisable.make({}))).toEqual({
      "@type": "WebSocketPushDisable"
    })
    expect(Either.isLeft(Schema.decodeUnknownEither(Frames.WebSocketPushEnable)({ "@type": "WebSocketPushEnable" })))
      .toBe(true)
  })

  it("Response and RequestError frames keep unknown properties", () => {
    const response = {
      "@type": "Response",
      requestId: "R1",
      methodResponses: [["Core/echo", {}, "c"]],
      sessionState: "s",
      x: 1
    }
    expect(roundTrip(Frames.WebSocketResponse, response)).toEqual(response)
    const error = {
      "@type": "RequestError",
      requestId: "R2",
      type: "urn:ietf:params:jmap:error:limit",
      status: 400,
      limit: "maxSizeRequest",
      y: 2
    }
    expect(roundTrip(Frames.WebSocketRequestError, error)).toEqual(error)
  })
})

describe("WSS ephemeral frames", () => {
  it("ChatStreamEnable: @type filled in, null and absent id lists kept apart, unknown properties kept", () => {
    const enable = Ephemeral.ChatStreamEnable.make({ dataTypes: ["typing", "presence"], chatIds: null })
    expect(Schema.encodeSync(Ephemeral.ChatStreamEnable)(enable)).toEqual({
      "@type": "ChatStreamEnable",
      dataTypes: ["typing", "presence"],
      chatIds: null
    })
    const spec = { "@type": "ChatStreamEnable", dataTypes: ["typing"], chatIds: ["c1"], contactIds: null, future: true }
    expect(roundTrip(Ephemeral.ChatStreamEnable, spec)).toEqual(spec)
    expect(Schema.encodeSync(Ephemeral.ChatStreamDisable)(Ephemeral.ChatStreamDisable.make({}))).toEqual({
      "@type": "ChatStreamDisable"
    })
  })

  it("ChatPresenceEvent: absent status (unchanged) and null status (cleared) stay distinct", () => {
    const cleared = {
      "@type": "ChatPresenceEvent",
      contactId: "user:a@x",
      presence: "away",
      statusText: null,
      statusEmoji: null
    }
    const unchanged = { "@type": "ChatPresenceEvent", contactId: "user:a@x", presence: "away" }
    const a = Schema.decodeUnknownSync(Ephemeral.ChatPresenceEvent)(cleared)
    const b = Schema.decodeUnknownSync(Ephemeral.ChatPresenceEvent)(unchanged)
    expect("statusText" in a && a.statusText === null).toBe(true)
    expect("statusText" in b).toBe(false)
    expect(Schema.encodeSync(Ephemeral.ChatPresenceEvent)(a)).toEqual(cleared)
    expect(Schema.encodeSync(Ephemeral.ChatPresenceEvent)(b)).toEqual(unchanged)
    // An unknown presence value is kept (open enum).
    expect(Schema.decodeUnknownSync(Ephemeral.ChatPresenceEvent)({ ...unchanged, presence: "dnd" }).presence).toBe(
      "dnd"
    )
  })

  it("ChatTypingEvent decodes with (WebSocket) and without (EventSource) @type, verbatim", () => {
    const ws = { "@type": "ChatTypingEvent", chatId: "c1", senderId: "user:alice@example.com", typing: true }
    const sse = { chatId: "c1", senderId: "user:alice@example.com", typing: false }
    expect(roundTrip(Ephemeral.ChatTypingEvent, ws)).toEqual(ws)
    expect(roundTrip(Ephemeral.ChatTypingEvent, sse)).toEqual(sse)
  })
})

const sse = (event: string, data: string, id?: string) =>
  new SseEvent({ event, data, id: Option.fromNullable(id), retry: Option.none() })

describe("ChatSseEvent.fromSseEvent", () => {
  it("decodes state, typing, presence and ping, carrying the event id", () => {
    const state = ChatSseEvent.fromSseEvent(
      sse("state", JSON.stringify({ "@type": "StateChange", changed: { u1: { Message: "m2" } } }), "5")
    )
    expect(state._tag).toBe("StateChange")
    expect(state._tag === "StateChange" && state.changed).toEqual({ u1: { Message: "m2" } })
    expect(state._tag === "StateChange" && state.id).toEqual(Option.some("5"))

    const typing = ChatSseEvent.fromSseEvent(sse("typing", "{\"chatId\":\"c\",\"senderId\":\"u\",\"typing\":true}"))
    expect(typing).toEqual(new ChatSseEvent.Typing({ id: Option.none(), chatId: "c", senderId: "u", typing: true }))

    const presence = ChatSseEvent.fromSseEvent(
      sse(
        "presence",
        "{\"contactId\":\"u\",\"presence\":\"busy\",\"lastActiveAt\":\"2026-04-26T12:00:00Z\",\"statusText\":null}"
      )
    )
    expect(presence._tag === "Presence" && presence.statusText).toBe(null)
    expect(presence._tag === "Presence" && "statusEmoji" in presence).toBe(false)

    const ping = ChatSseEvent.fromSseEvent(sse("ping", "{\"interval\":30}"))
    expect(ping._tag === "Ping" && ping.interval).toBe(30)
  })

  it("turns unknown names and malformed payloads into Unknown, with the reason, and redacts the data", () => {
    const unknownName = ChatSseEvent.fromSseEvent(sse("vtc", "secret body"))
    expect(unknownName._tag).toBe("Unknown")
    expect(unknownName._tag === "Unknown" && Redacted.value(unknownName.data)).toBe("secret body")
    expect(unknownName._tag === "Unknown" && unknownName.error).toEqual(Option.none())

    for (
      const [event, data] of [
        ["state", "not json"],
        ["state", ""],
        ["state", "{\"changed\":{\"u1\":{\"Message\":1}}}"],
        ["typing", "{\"chatId\":\"c\",\"senderId\":\"u\"}"],
        ["presence", "{\"contactId\":\"u\"}"],
        ["ping", "{\"interval\":-1}"]
      ] as const
    ) {
      const decoded = ChatSseEvent.fromSseEvent(sse(event, data, "9"))
      expect(decoded._tag, `${event}: ${data}`).toBe("Unknown")
      if (decoded._tag === "Unknown") {
        expect(decoded.event).toBe(event)
        expect(decoded.id).toEqual(Option.some("9"))
        expect(Option.isSome(decoded.error)).toBe(true)
      }
    }
    const printed = String(ChatSseEvent.fromSseEvent(sse("state", "{\"secret\":\"CANARY\"}"))) +
      JSON.stringify(ChatSseEvent.fromSseEvent(sse("x", "CANARY"))) +
      Inspectable.format(ChatSseEvent.fromSseEvent(sse("x", "CANARY")))
    expect(printed).not.toContain("CANARY")
  })

  it("accepts a StateChange sent as a default message event, but only with its @type", () => {
    const data = JSON.stringify({ "@type": "StateChange", changed: { u1: { Chat: "c9" } } })
    expect(ChatSseEvent.fromSseEvent(sse("message", data))._tag).toBe("StateChange")
    expect(ChatSseEvent.fromSseEvent(sse("message", JSON.stringify({ changed: { u1: { Chat: "c9" } } })))._tag).toBe(
      "Unknown"
    )
  })
})

describe("ChatWsFrame.decode", () => {
  const decode = (json: unknown) => Either.getOrThrow(ChatWsFrame.decode(JSON.stringify(json)))

  it("decodes the WSS draft's example frames", () => {
    expect(
      decode({
        "@type": "ChatTypingEvent",
        chatId: "01J3XKZQN4MWVT8PPBEHTJ3HX",
        senderId: "user:alice@example.com",
        typing: true
      })
    )
      .toEqual(
        new ChatWsFrame.ChatTypingEvent({
          chatId: "01J3XKZQN4MWVT8PPBEHTJ3HX",
          senderId: "user:alice@example.com",
          typing: true
        })
      )
    const presence = decode({
      "@type": "ChatPresenceEvent",
      contactId: "user:alice@example.com",
      presence: "away",
      lastActiveAt: "2026-04-26T12:00:00Z",
      statusText: "In a meeting",
      statusEmoji: null
    })
    expect(presence._tag === "ChatPresenceEvent" && [presence.statusText, presence.statusEmoji]).toEqual([
      "In a meeting",
      null
    ])
    const state = decode({ "@type": "StateChange", changed: { u1: { Message: "d35ecb040aab" } }, pushState: "bbb" })
    expect(state).toEqual(
      new ChatWsFrame.StateChange({ changed: { u1: { Message: "d35ecb040aab" } }, pushState: "bbb" })
    )
  })

  it("decodes Response and RequestError with their requestId", () => {
    const response = decode({
      "@type": "Response",
      requestId: "R1",
      methodResponses: [["Core/echo", { x: 1 }, "c"]],
      sessionState: "s"
    })
    expect(response._tag).toBe("Response")
    if (response._tag === "Response") {
      expect(response.requestId).toEqual(Option.some("R1"))
      expect(response.response).toEqual({ methodResponses: [["Core/echo", { x: 1 }, "c"]], sessionState: "s" })
    }
    const error = decode({
      "@type": "RequestError",
      requestId: "R2",
      type: "urn:ietf:params:jmap:error:notRequest",
      status: 400,
      detail: "bad"
    })
    expect(error._tag).toBe("RequestError")
    if (error._tag === "RequestError") {
      expect(error.requestId).toEqual(Option.some("R2"))
      expect(error.error._tag).toBe("RequestError")
      expect(error.error.type).toBe("urn:ietf:params:jmap:error:notRequest")
      expect(error.error.detail).toBe("bad")
    }
  })

  it("gives Unknown for unknown, missing or non-string @type and for malformed known frames", () => {
    const vtc = decode({ "@type": "VTCRingEvent", callId: "x" })
    expect(vtc._tag === "Unknown" && vtc.typeName).toBe("VTCRingEvent")
    expect(decode({ a: 1 })._tag === "Unknown" && (decode({ a: 1 }) as ChatWsFrame.Unknown).typeName).toBe(
      ChatWsFrame.noType
    )
    expect((decode({ "@type": 7 }) as ChatWsFrame.Unknown).typeName).toBe(ChatWsFrame.noType)
    expect((decode([1, 2]) as ChatWsFrame.Unknown).typeName).toBe(ChatWsFrame.noType)
    expect((decode("text") as ChatWsFrame.Unknown).typeName).toBe(ChatWsFrame.noType)
    const bad = decode({ "@type": "Response", requestId: "R9", methodResponses: "nope", sessionState: "s" })
    expect(bad._tag).toBe("Unknown")
    if (bad._tag === "Unknown") {
      expect(bad.typeName).toBe("Response")
      expect(Option.isSome(bad.error)).toBe(true)
      expect(ChatWsFrame.rawRequestId(bad)).toEqual(Option.some("R9"))
    }
    expect((decode({ "@type": "ChatTypingEvent", chatId: "c" }) as ChatWsFrame.Unknown).typeName).toBe(
      "ChatTypingEvent"
    )
  })

  it("fails with ParseError, never throws, on text that is not JSON", () => {
    for (const text of ["", "{", "nul", "{\"a\":1}}"]) {
      const result = ChatWsFrame.decode(text)
      expect(Either.isLeft(result) && result.left._tag).toBe("ParseError")
    }
  })

  it("never prints the raw payload of an Unknown frame", () => {
    const frame = decode({ "@type": "Secret", body: "CANARY-payload" })
    const printed = [
      String(frame),
      JSON.stringify(frame),
      Inspectable.format(frame),
      Inspectable.toStringUnknown(frame)
    ].join("\n")
    expect(printed).toContain("Secret")
    expect(printed).not.toContain("CANARY")
    expect(frame._tag === "Unknown" && JSON.stringify(Redacted.value(frame.raw))).toContain("CANARY")
  })
})
