/**
 * A small scripted JMAP Mail server (RFC 8620 + RFC 8621, a few properties each) on a loopback
 * port, to test the generic client against a data model the SDK knows nothing of: a Session with
 * `urn:ietf:params:jmap:mail`, `Mailbox/get` and `/changes`, `Email/query`, `/get`, `/changes`
 * and `/set` (keywords only), result references (RFC 8620 §3.7, plain JSON Pointers), and an
 * EventSource (RFC 8620 §7.3) that pushes a `StateChange` whenever `deliver` adds an email.
 */
import { Effect, type Scope } from "effect"
import type * as Http from "node:http"
import { json, listen, type Received } from "../../support/LoopbackServer.js"

export const MailCapability = "urn:ietf:params:jmap:mail"
const CoreCapability = "urn:ietf:params:jmap:core"

/** The account of the one user, and its Bearer token. */
export const accountId = "u1"
export const token = "mail-token"

interface Mailbox {
  readonly id: string
  readonly name: string
  readonly role: string | null
  totalEmails: number
  unreadEmails: number
}

interface Email {
  readonly id: string
  readonly mailboxIds: Readonly<Record<string, true>>
  keywords: Record<string, true>
  readonly from: ReadonlyArray<{ readonly name: string | null; readonly email: string }>
  readonly subject: string
  readonly receivedAt: string
  readonly preview: string
  /** A property the example does not declare: the client must ignore it. */
  readonly size: number
}

/** What `deliver` takes. */
export interface NewEmail {
  readonly mailbox: string
  readonly from: string
  readonly subject: string
  readonly receivedAt: string
}

/** The running server. */
export interface MailServer {
  readonly url: string
  /** Adds an email to a mailbox (by role or name), moving the Email and Mailbox states and pushing a StateChange. */
  readonly deliver: (email: NewEmail) => Effect.Effect<string>
  /** Every method call received, in order (`Mailbox/get`, …). */
  readonly methods: ReadonlyArray<string>
  /** EventSource requests received (their `Last-Event-ID` too). */
  readonly eventSourceRequests: ReadonlyArray<{ readonly types: string | null; readonly lastEventId?: string }>
}

/** A change log of one type: the state is the number of changes so far. */
class Log {
  readonly changes: Array<{ readonly id: string; readonly kind: "created" | "updated" | "destroyed" }> = []
  get state(): string {
    return String(this.changes.length)
  }
  since(state: string) {
    const from = Number(state)
    if (!/^\d+$/.test(state) || from > this.changes.length) return undefined
    const created = new Set<string>()
    const updated = new Set<string>()
    const destroyed = new Set<string>()
    for (const change of this.changes.slice(from)) {
      if (change.kind === "created") created.add(change.id)
      else if (change.kind === "updated" && !created.has(change.id)) updated.add(change.id)
      else if (change.kind === "destroyed") {
        if (!created.delete(change.id)) destroyed.add(change.id)
        updated.delete(change.id)
      }
    }
    return { created: [...created], updated: [...updated], destroyed: [...destroyed] }
  }
}

type Args = Record<string, unknown>

/** Resolves `#name` arguments against earlier results (RFC 8620 §3.7; plain JSON Pointers only). */
const resolveReferences = (args: Args, results: Map<string, { name: string; args: Args }>): Args | string => {
  const out: Args = {}
  for (const [key, value] of Object.entries(args)) {
    if (!key.startsWith("#")) {
      out[key] = value
      continue
    }
    const ref = value as { resultOf: string; name: string; path: string }
    const result = results.get(ref.resultOf)
    if (result === undefined || result.name !== ref.name) return "invalidResultReference"
    let target: unknown = result.args
    for (const segment of ref.path.split("/").slice(1)) {
      target = typeof target === "object" && target !== null ? (target as Args)[segment] : undefined
    }
    if (target === undefined) return "invalidResultReference"
    out[key.slice(1)] = target
  }
  return out
}

/** Starts the server in the current scope: an Inbox and an Archive with three emails. */
export const make: Effect.Effect<MailServer, never, Scope.Scope> = Effect.gen(function*() {
  const mailboxes = new Map<string, Mailbox>([
    ["mb-inbox", { id: "mb-inbox", name: "Inbox", role: "inbox", totalEmails: 0, unreadEmails: 0 }],
    ["mb-archive", { id: "mb-archive", name: "Archive", role: "archive", totalEmails: 0, unreadEmails: 0 }]
  ])
  const emails = new Map<string, Email>()
  const mailboxLog = new Log()
  const emailLog = new Log()
  const methods: Array<string> = []
  const eventSourceRequests: Array<{ types: string | null; lastEventId?: string }> = []
  const streams = new Set<Http.ServerResponse>()
  let pushId = 0

  const add = (email: NewEmail): string => {
    const box = [...mailboxes.values()].find((m) => m.role === email.mailbox || m.name === email.mailbox)!
    const id = `e${emails.size + 1}`
    emails.set(id, {
      id,
      mailboxIds: { [box.id]: true },
      keywords: {},
      from: [{ name: email.from.split("@")[0]!, email: email.from }],
      subject: email.subject,
      receivedAt: email.receivedAt,
      preview: `${email.subject} …`,
      size: 1024
    })
    box.totalEmails++
    box.unreadEmails++
    emailLog.changes.push({ id, kind: "created" })
    mailboxLog.changes.push({ id: box.id, kind: "updated" })
    return id
  }
  add({ mailbox: "inbox", from: "ada@example.com", subject: "Engines", receivedAt: "2026-11-30T09:00:00Z" })
  add({ mailbox: "inbox", from: "alan@example.com", subject: "Machines", receivedAt: "2026-12-01T09:00:00Z" })
  add({ mailbox: "archive", from: "grace@example.com", subject: "Compilers", receivedAt: "2026-11-01T09:00:00Z" })

  const stateChange = () => ({
    "@type": "StateChange",
    changed: { [accountId]: { Mailbox: mailboxLog.state, Email: emailLog.state } }
  })

  const push = () => {
    const id = ++pushId
    for (const res of streams) res.write(`event: state\nid: ${id}\ndata: ${JSON.stringify(stateChange())}\n\n`)
  }

  const session = (base: string) => ({
    capabilities: {
      [CoreCapability]: {
        maxSizeUpload: 50_000_000,
        maxConcurrentUpload: 4,
        maxSizeRequest: 10_000_000,
        maxConcurrentRequests: 4,
        maxCallsInRequest: 16,
        maxObjectsInGet: 500,
        maxObjectsInSet: 500,
        collationAlgorithms: ["i;ascii-casemap"]
      },
      [MailCapability]: {}
    },
    accounts: {
      [accountId]: {
        name: "me@example.com",
        isPersonal: true,
        isReadOnly: false,
        accountCapabilities: {
          [MailCapability]: {
            maxMailboxesPerEmail: null,
            maxMailboxDepth: 10,
            maxSizeMailboxName: 200,
            maxSizeAttachmentsPerEmail: 50_000_000,
            emailQuerySortOptions: ["receivedAt"],
            mayCreateTopLevelMailbox: true
          }
        }
      }
    },
    primaryAccounts: { [MailCapability]: accountId },
    username: "me@example.com",
    apiUrl: `${base}/jmap/api/`,
    downloadUrl: `${base}/jmap/download/{accountId}/{blobId}/{name}?accept={type}`,
    uploadUrl: `${base}/jmap/upload/{accountId}/`,
    eventSourceUrl: `${base}/jmap/eventsource/?types={types}&closeafter={closeafter}&ping={ping}`,
    state: "s1"
  })

  const error = (type: string, description?: string) => ["error", { type, ...(description ? { description } : {}) }]

  const pick = <T extends { readonly id: string }>(
    all: Map<string, T>,
    args: Args
  ): { list: Array<Partial<T>>; notFound: Array<string> } => {
    const ids = args["ids"] === null || args["ids"] === undefined ? [...all.keys()] : args["ids"] as Array<string>
    const properties = args["properties"] as Array<string> | null | undefined
    const list: Array<Partial<T>> = []
    const notFound: Array<string> = []
    for (const id of ids) {
      const object = all.get(id)
      if (object === undefined) notFound.push(id)
      else if (properties === null || properties === undefined) list.push({ ...object })
      else list.push(Object.fromEntries(["id", ...properties].map((p) => [p, (object as Args)[p]])) as Partial<T>)
    }
    return { list, notFound }
  }

  const changes = (log: Log, args: Args) => {
    const delta = log.since(String(args["sinceState"]))
    if (delta === undefined) return error("cannotCalculateChanges")
    return {
      accountId,
      oldState: args["sinceState"],
      newState: log.state,
      hasMoreChanges: false,
      ...delta
    }
  }

  const method = (name: string, args: Args): readonly [string, unknown] => {
    if (name !== "Core/echo" && args["accountId"] !== accountId) return error("accountNotFound") as [string, unknown]
    switch (name) {
      case "Core/echo":
        return [name, args]
      case "Mailbox/get":
        return [name, { accountId, state: mailboxLog.state, ...pick(mailboxes, args) }]
      case "Mailbox/changes":
      case "Email/changes": {
        const result = changes(name === "Mailbox/changes" ? mailboxLog : emailLog, args)
        return Array.isArray(result) ? result as [string, unknown] : [name, { ...result, updatedProperties: null }]
      }
      case "Email/get":
        return [name, { accountId, state: emailLog.state, ...pick(emails, args) }]
      case "Email/query": {
        const filter = (args["filter"] ?? {}) as { inMailbox?: string }
        const found = [...emails.values()]
          .filter((e) => filter.inMailbox === undefined || e.mailboxIds[filter.inMailbox] === true)
          .sort((a, b) => b.receivedAt.localeCompare(a.receivedAt))
          .map((e) => e.id)
        const position = typeof args["position"] === "number" ? args["position"] : 0
        const limit = typeof args["limit"] === "number" ? args["limit"] : found.length
        return [name, {
          accountId,
          queryState: emailLog.state,
          canCalculateChanges: false,
          position,
          ids: found.slice(position, position + limit),
          ...(args["calculateTotal"] === true ? { total: found.length } : {})
        }]
      }
      case "Email/set": {
        const updated: Record<string, null> = {}
        const notUpdated: Record<string, unknown> = {}
        for (const [id, patch] of Object.entries((args["update"] ?? {}) as Record<string, Args>)) {
          const email = emails.get(id)
          if (email === undefined) {
            notUpdated[id] = { type: "notFound" }
            continue
          }
          for (const [path, value] of Object.entries(patch)) {
            const keyword = path.startsWith("keywords/") ? path.slice("keywords/".length) : undefined
            if (keyword === undefined) continue
            if (value === true) email.keywords[keyword] = true
            else delete email.keywords[keyword]
          }
          updated[id] = null
          emailLog.changes.push({ id, kind: "updated" })
        }
        return [name, {
          accountId,
          oldState: null,
          newState: emailLog.state,
          updated,
          ...(Object.keys(notUpdated).length > 0 ? { notUpdated } : {})
        }]
      }
      default:
        return error("unknownMethod", name) as [string, unknown]
    }
  }

  const api = (req: Received, res: Http.ServerResponse) => {
    const request = JSON.parse(req.body.toString("utf8")) as {
      using: Array<string>
      methodCalls: Array<[string, Args, string]>
    }
    if (!request.using.includes(CoreCapability)) {
      return json(res, 400, { type: "urn:ietf:params:jmap:error:unknownCapability", status: 400 })
    }
    const results = new Map<string, { name: string; args: Args }>()
    const methodResponses: Array<[string, unknown, string]> = []
    for (const [name, args, callId] of request.methodCalls) {
      methods.push(name)
      if (name !== "Core/echo" && !request.using.includes(MailCapability)) {
        methodResponses.push([...error("unknownMethod", `${name} needs ${MailCapability}`), callId] as never)
        continue
      }
      const resolved = resolveReferences(args, results)
      const [responseName, responseArgs] = typeof resolved === "string"
        ? error(resolved) as [string, unknown]
        : method(name, resolved)
      results.set(callId, { name, args: responseArgs as Args })
      methodResponses.push([responseName, responseArgs, callId])
    }
    json(res, 200, { methodResponses, sessionState: "s1" })
  }

  const eventSource = (req: Received, res: Http.ServerResponse) => {
    const query = new URL(req.url, "http://x").searchParams
    const lastEventId = req.headers["last-event-id"]
    eventSourceRequests.push({
      types: query.get("types"),
      ...(typeof lastEventId === "string" ? { lastEventId } : {})
    })
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" })
    res.write(": hello\n\n")
    streams.add(res)
    res.on("close", () => streams.delete(res))
  }

  const server = yield* listen((req, res) => {
    if (req.headers.authorization !== `Bearer ${token}`) return json(res, 401, { type: "about:blank", status: 401 })
    const path = new URL(req.url, "http://x").pathname
    if (path === "/.well-known/jmap") return json(res, 200, session(`http://${req.headers.host}`))
    if (path === "/jmap/api/" && req.method === "POST") return api(req, res)
    if (path === "/jmap/eventsource/") return eventSource(req, res)
    json(res, 404, { type: "about:blank", status: 404 })
  })
  yield* Effect.addFinalizer(() => Effect.sync(() => streams.forEach((res) => res.destroy())))

  return {
    url: server.url,
    deliver: (email) =>
      Effect.sync(() => {
        const id = add(email)
        push()
        return id
      }),
    methods,
    eventSourceRequests
  }
})
