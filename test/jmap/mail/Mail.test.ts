/**
 * The generic floor against a data model it knows nothing of: examples/mail.ts (Mailbox and Email
 * declared in a few lines) runs against the scripted JMAP Mail server, lists, syncs and follows
 * push; `JmapClient.call` and `batch` reach methods no type declares; and the generic push stream
 * resumes an EventSource with `Last-Event-ID`.
 */
import { describe, expect, it } from "@effect/vitest"
import { Console, Context, Effect, Either, Fiber, Layer, Schema, Stream } from "effect"
import * as MailExample from "../../../examples/mail.js"
import * as Auth from "../../../src/jmap/Auth.js"
import * as JmapClient from "../../../src/jmap/JmapClient.js"
import * as JmapPush from "../../../src/jmap/push/JmapPush.js"
import * as PushEvent from "../../../src/jmap/push/PushEvent.js"
import * as NodeJmap from "../../../src/node/NodeJmap.js"
import { runScript } from "../../support/Scripts.js"
import * as MailServer from "./MailServer.js"

const stack = (server: MailServer.MailServer) =>
  NodeJmap.layer({ url: server.url, auth: Auth.bearer(MailServer.token) })

/** Captures `Console.log` lines. */
const capture = (lines: Array<string>) =>
  Console.withConsole({
    ...globalThis.console,
    log: (...args: ReadonlyArray<unknown>) => Effect.sync(() => void lines.push(args.map(String).join(" ")))
  } as unknown as Console.Console)

describe("examples/mail.ts against a JMAP Mail server", () => {
  it.scopedLive("lists mailboxes and recent emails, then prints an email pushed while it listens", () =>
    Effect.gen(function*() {
      const server = yield* MailServer.make
      const lines: Array<string> = []
      const running = yield* MailExample.program({ newEmails: 1 }).pipe(
        capture(lines),
        Effect.provide(stack(server)),
        Effect.fork
      )
      // Delivered once the stream is live and its Connected sync has asked for the changes (so the
      // delivery is found by the sync of its StateChange, not by that one).
      yield* Effect.sleep("10 millis").pipe(Effect.repeat({ until: () => server.methods.includes("Email/changes") }))
      yield* server.deliver({
        mailbox: "inbox",
        from: "barbara@example.com",
        subject: "Abstractions",
        receivedAt: "2026-12-02T09:00:00Z"
      })
      yield* Fiber.join(running).pipe(Effect.timeout("20 seconds"))
      expect(lines).toEqual([
        "Inbox (inbox): 2 unread of 2",
        "Archive (archive): 1 unread of 1",
        "Recent emails in Inbox:",
        "  2026-12-01T09:00:00Z  alan: Machines",
        "  2026-11-30T09:00:00Z  ada: Engines",
        "Listening for changes…",
        "New: 2026-12-02T09:00:00Z  barbara: Abstractions"
      ])
      // One round trip per listing and per sync (`Email/changes` with its `/get`s).
      expect(server.methods).toEqual([
        "Mailbox/get",
        "Email/query",
        "Email/get",
        "Email/changes",
        "Email/get",
        "Email/get",
        "Email/changes",
        "Email/get",
        "Email/get"
      ])
      expect(server.eventSourceRequests).toEqual([{ types: "Mailbox,Email" }])
    }))

  it.scopedLive(
    "runs as a script (tsx examples/mail.ts) against JMAP_URL and exits 0 after JMAP_SECONDS",
    () =>
      Effect.gen(function*() {
        const server = yield* MailServer.make
        const { code, stdout } = yield* runScript("examples/mail.ts", {
          env: { JMAP_URL: server.url, JMAP_TOKEN: MailServer.token, JMAP_SECONDS: "1" }
        })
        expect(code).toBe(0)
        expect(stdout).toContain("Recent emails in Inbox:\n  2026-12-01T09:00:00Z  alan: Machines")
        expect(stdout).toContain("Listening for changes…")
      }),
    90_000
  )
})

describe("JmapClient on an undeclared method", () => {
  it.scopedLive("call sends the arguments as they are; batch chains result references; bad input is refused", () =>
    Effect.gen(function*() {
      const server = yield* MailServer.make
      const client = Context.get(yield* Layer.build(stack(server)), JmapClient.JmapClient)
      const accountId = yield* client.accountId(MailExample.Mail)
      const echoed = yield* client.call("Core/echo", { hello: "mail" }, [])
      expect(echoed).toEqual({ hello: "mail" })
      const Ids = Schema.Struct({ ids: Schema.Array(Schema.String) })
      const { got, query } = yield* client.batch((b) => {
        const query = b.call("Email/query", { accountId, limit: 2 }, [MailExample.Mail], Ids)
        const got = b.call("Email/get", { accountId, "#ids": query.ref("/ids"), properties: ["subject"] }, [
          MailExample.Mail
        ])
        return { query, got }
      })
      expect(Either.getOrThrow(query).ids).toEqual(["e2", "e1"])
      expect(Either.getOrThrow(got)["list"] as ReadonlyArray<unknown>).toEqual([
        { id: "e2", subject: "Machines" },
        { id: "e1", subject: "Engines" }
      ])
      const unknown = yield* Effect.flip(client.call("Email/frobnicate", { accountId }, [MailExample.Mail]))
      expect(unknown._tag === "MethodError" && unknown.type).toBe("unknownMethod")
      const refused = yield* Effect.flip(client.call("Email/get", "nope" as never, [MailExample.Mail]))
      expect(refused._tag).toBe("InvalidArgument")
      const sent = server.methods.length
      const mail = client.api({ Mailbox: MailExample.Mailbox, Email: MailExample.Email })
      expect((yield* Effect.flip(mail.Email.changes({ sinceState: "" })))._tag).toBe("InvalidArgument")
      expect((yield* Effect.flip(mail.Email.get({ ids: [1, 2] as never })))._tag).toBe("InvalidArgument")
      expect(server.methods.length).toBe(sent)
    }))

  it.scopedLive("typed methods fill in the primary account of the type's capability, also in a batch", () =>
    Effect.gen(function*() {
      const server = yield* MailServer.make
      const client = Context.get(yield* Layer.build(stack(server)), JmapClient.JmapClient)
      const mail = client.api({ Mailbox: MailExample.Mailbox, Email: MailExample.Email })
      const { boxes, emails } = yield* mail.batch((b) => {
        const query = b.Email.query({ filter: { inMailbox: "mb-archive" } })
        return { boxes: b.Mailbox.get({ ids: ["mb-archive"] }), emails: b.Email.get({ ids: query.ref("/ids") }) }
      })
      expect(Either.getOrThrow(boxes).list.map((box) => box.name)).toEqual(["Archive"])
      expect(Either.getOrThrow(emails).list.map((email) => email.subject)).toEqual(["Compilers"])
      const subjects = yield* mail.Email.get({ ids: ["e1"], properties: ["subject"] })
      expect(subjects.list).toEqual([{ id: "e1", subject: "Engines" }])
      const state = yield* mail.Email.state()
      yield* mail.Email.set({ update: { e1: { "keywords/$seen": true } } })
      const delta = yield* mail.Email.sync({ sinceState: state })
      expect(delta.updated.map((email) => email.id)).toEqual(["e1"])
      expect(delta.newState).not.toBe(state)
      const everything = yield* mail.Email.listAll
      expect(everything.list.map((email) => email.id).sort()).toEqual(["e1", "e2", "e3"])
    }))
})

describe("JmapPush over the EventSource", () => {
  it.scopedLive("emits Connected, then each StateChange; a restarted stream resumes after the last event id", () =>
    Effect.gen(function*() {
      const server = yield* MailServer.make
      const push = Context.get(yield* Layer.build(stack(server)), JmapPush.JmapPush)
      const first = yield* push.events({ types: ["Email"] }).pipe(
        Stream.tap((event) =>
          event._tag === "Connected"
            ? server.deliver({
              mailbox: "inbox",
              from: "a@example.com",
              subject: "1",
              receivedAt: "2026-12-02T10:00:00Z"
            })
            : Effect.void
        ),
        Stream.take(2),
        Stream.runCollect
      )
      const [connected, change] = [...first]
      expect(connected?._tag).toBe("Connected")
      expect(change?._tag === "StateChange" && change.changed[MailServer.accountId]?.["Email"]).toBe("4")
      const lastEventId = PushEvent.lastEventIdOf(change!)
      expect(lastEventId._tag === "Some" && lastEventId.value).toBe("1")
      yield* push.events({ types: ["Email"], lastEventId: "1" }).pipe(Stream.take(1), Stream.runDrain)
      expect(server.eventSourceRequests).toEqual([{ types: "Email" }, { types: "Email", lastEventId: "1" }])
    }))
})
