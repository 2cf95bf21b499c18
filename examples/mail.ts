/**
 * JMAP Mail (RFC 8621) with the generic client: nothing here is chat. Two data types are declared
 * in a few lines each (the properties this program reads, the capability, the standard methods),
 * and `JmapClient` gives them typed methods; `JmapPush` says when something changed.
 *
 * The program lists the mailboxes and the most recent emails of the inbox, then follows push: on
 * `Connected` (the stream is live: anything that arrived since the listing is caught up now), on
 * every `StateChange` for `Email` and on `Reconnected`, it syncs (`Email/changes` with the new
 * emails fetched in the same Request) and prints what is new.
 *
 *   JMAP_URL=https://api.fastmail.com JMAP_TOKEN=… npm run example examples/mail.ts   # for JMAP_SECONDS (30)
 */
import { NodeRuntime } from "@effect/platform-node"
import { Console, Effect, Ref, Schema, Stream } from "effect"
import { Auth, JmapClient, JmapPush, UTCDate } from "effect-jmap-chat"
import { NodeJmap } from "effect-jmap-chat/node"
import { isMain, seconds } from "./demo_target.js"

/** The JMAP Mail capability (RFC 8621 §1.3.1). */
export const Mail = "urn:ietf:params:jmap:mail"

/** RFC 8621 §2 Mailbox: the properties this program reads. */
export const Mailbox = JmapClient.dataType({
  name: "Mailbox",
  schema: Schema.Struct({
    id: Schema.String,
    name: Schema.String,
    role: Schema.NullOr(Schema.String),
    totalEmails: Schema.Number,
    unreadEmails: Schema.Number
  }),
  capability: Mail,
  methods: ["get", "changes", "query", "queryChanges", "set"]
})

/** RFC 8621 §4.1.2.3 EmailAddress. */
const EmailAddress = Schema.Struct({ name: Schema.NullOr(Schema.String), email: Schema.String })

/** RFC 8621 §4 Email: the properties this program reads. */
export const Email = JmapClient.dataType({
  name: "Email",
  schema: Schema.Struct({
    id: Schema.String,
    mailboxIds: Schema.Record({ key: Schema.String, value: Schema.Boolean }),
    from: Schema.NullOr(Schema.Array(EmailAddress)),
    subject: Schema.NullOr(Schema.String),
    receivedAt: UTCDate,
    preview: Schema.String
  }),
  capability: Mail,
  methods: ["get", "changes", "query", "queryChanges", "set"]
})

/** One line for an email. */
export const describeEmail = (email: typeof Email.item.Type): string =>
  `${email.receivedAt}  ${email.from?.[0]?.name ?? email.from?.[0]?.email ?? "(no sender)"}: ${
    email.subject ?? "(no subject)"
  }`

/** Options of {@link program}. */
export interface MailOptions {
  /** How many recent inbox emails to list (default 5). */
  readonly recent?: number
  /** Stop after this many new emails were seen (default: follow push until interrupted). */
  readonly newEmails?: number
}

/** Lists the mailboxes and recent emails, then follows push, printing new emails, until `newEmails` were seen. */
export const program = (options: MailOptions = {}) =>
  Effect.gen(function*() {
    const mail = (yield* JmapClient.JmapClient).api({ Mailbox, Email })
    const push = yield* JmapPush.JmapPush

    const mailboxes = yield* mail.Mailbox.get()
    for (const box of mailboxes.list) {
      yield* Console.log(
        `${box.name}${box.role ? ` (${box.role})` : ""}: ${box.unreadEmails} unread of ${box.totalEmails}`
      )
    }
    const inbox = mailboxes.list.find((box) => box.role === "inbox")
    const recent = yield* mail.Email.list({
      ...(inbox === undefined ? {} : { filter: { inMailbox: inbox.id } }),
      sort: [{ property: "receivedAt", isAscending: false }],
      limit: options.recent ?? 5
    })
    yield* Console.log(`Recent emails${inbox === undefined ? "" : ` in ${inbox.name}`}:`)
    for (const email of recent.list) yield* Console.log(`  ${describeEmail(email)}`)

    // The state the listing is at: every sync starts where the last one ended.
    const emailState = yield* Ref.make(recent.state)
    const seen = yield* Ref.make(0)
    const sync = Effect.gen(function*() {
      const delta = yield* mail.Email.sync({ sinceState: yield* Ref.get(emailState) })
      yield* Ref.set(emailState, delta.newState)
      for (const email of delta.created) yield* Console.log(`New: ${describeEmail(email)}`)
      if (delta.destroyed.length > 0) yield* Console.log(`${delta.destroyed.length} email(s) gone`)
      return yield* Ref.updateAndGet(seen, (n) => n + delta.created.length)
    })

    yield* push.events({ types: ["Mailbox", "Email"] }).pipe(
      Stream.mapEffect((event) => {
        switch (event._tag) {
          case "Connected":
            return Effect.zipRight(Console.log("Listening for changes…"), sync)
          case "Reconnected":
            return sync
          case "StateChange":
            return Object.values(event.changed).some((types) => "Email" in types) ? sync : Ref.get(seen)
          default:
            return Ref.get(seen)
        }
      }),
      Stream.takeUntil((count) => options.newEmails !== undefined && count >= options.newEmails),
      Stream.runDrain
    )
  })

if (isMain(import.meta.url)) {
  const url = process.env["JMAP_URL"]
  const token = process.env["JMAP_TOKEN"]
  if (url === undefined || token === undefined) {
    console.log("Set JMAP_URL and JMAP_TOKEN to a JMAP Mail server (e.g. https://api.fastmail.com and an API token).")
  } else {
    program().pipe(
      Effect.timeoutOption(`${seconds()} seconds`),
      Effect.provide(NodeJmap.layer({ url, auth: Auth.bearer(token) })),
      NodeRuntime.runMain
    )
  }
}
