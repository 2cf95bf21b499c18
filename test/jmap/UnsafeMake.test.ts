import { describe, expect, it } from "@effect/vitest"
import { Equal, Hash, Option, Schema } from "effect"
import { inspect } from "node:util"
import * as ChatSseEvent from "../../src/chat/push/ChatSseEvent.js"
import * as ChatWsFrame from "../../src/chat/push/ChatWsFrame.js"
import { unsafeMake } from "../../src/jmap/internal/instance.js"
import { SseEvent } from "../../src/jmap/push/SseDecoder.js"

class Sample extends Schema.TaggedClass<Sample>("test/Sample")("Sample", {
  a: Schema.String,
  b: Schema.optionalWith(Schema.Number, { exact: true }),
  c: Schema.OptionFromSelf(Schema.String)
}) {}

// Nested plain objects (e.g. `changed`) compare by reference under `Equal`, so `structural` is only
// asserted for flat values.
const same = (made: object, constructed: object, structural = true) => {
  expect(Object.getPrototypeOf(made)).toBe(Object.getPrototypeOf(constructed))
  expect(Object.keys(made)).toEqual(Object.keys(constructed))
  expect(made).toEqual(constructed)
  if (structural) {
    expect(Equal.equals(made, constructed)).toBe(true)
    expect(Hash.hash(made)).toBe(Hash.hash(constructed))
  }
  expect(JSON.stringify(made)).toBe(JSON.stringify(constructed))
  expect(inspect(made, { depth: 5 })).toBe(inspect(constructed, { depth: 5 }))
  expect(String(made)).toBe(String(constructed))
}

describe("unsafeMake (hot-path TaggedClass construction)", () => {
  it("builds what the validating constructor builds", () => {
    same(unsafeMake(Sample, { a: "x", c: Option.some("y") }), new Sample({ a: "x", c: Option.some("y") }))
    same(unsafeMake(Sample, { a: "x", b: 1, c: Option.none() }), new Sample({ a: "x", b: 1, c: Option.none() }))
    expect(unsafeMake(Sample, { a: "x", c: Option.none() })).toBeInstanceOf(Sample)
    expect(Schema.is(Sample)(unsafeMake(Sample, { a: "x", c: Option.none() }))).toBe(true)
  })

  it("differs from a different value", () => {
    expect(Equal.equals(unsafeMake(Sample, { a: "x", c: Option.none() }), new Sample({ a: "z", c: Option.none() })))
      .toBe(false)
  })

  it("push decoders build the same events as the constructors", () => {
    const id = Option.some("7")
    const sse = ChatSseEvent.fromSseEvent(
      new SseEvent({
        id,
        retry: Option.none(),
        event: "state",
        data: `{"changed":{"u1":{"Message":"m1"}},"pushState":"p"}`
      })
    )
    same(sse, new ChatSseEvent.StateChange({ id, changed: { u1: { Message: "m1" } }, pushState: "p" }), false)
    const typing = ChatSseEvent.fromSseEvent(
      new SseEvent({ id, retry: Option.none(), event: "typing", data: `{"chatId":"c","senderId":"s","typing":true}` })
    )
    same(typing, new ChatSseEvent.Typing({ id, chatId: "c", senderId: "s", typing: true }))
    const ws = ChatWsFrame.decodeJson({
      "@type": "ChatPresenceEvent",
      contactId: "k",
      presence: "online",
      statusText: null
    })
    same(ws, new ChatWsFrame.ChatPresenceEvent({ contactId: "k", presence: "online", statusText: null }))
  })
})
