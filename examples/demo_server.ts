/**
 * `npm run demo` against your server (JMAP_URL set): who you are signed in as, your chats with
 * their latest messages, and, only when told which chat, one message sent.
 *
 * - JMAP_URL: the server's origin, e.g. https://chat.example.com (the Session is found at
 *   /.well-known/jmap), or its Session URL;
 * - JMAP_TOKEN (Bearer), or JMAP_USERNAME and JMAP_PASSWORD (Basic);
 * - JMAP_CHAT_ID and JMAP_SEND="text": send "text" to that chat (both or neither).
 *
 * A missing or wrong setting, an unreachable server or refused credentials end the program with
 * one line saying what to fix ({@link explain}), never a stack trace.
 */
import { Console, Data, Effect, Option } from "effect"
import {
  Auth,
  type Chat,
  ChatClient,
  type ChatContact,
  type ClientError,
  type Message,
  SessionService
} from "effect-jmap-chat"
import { NodeChat } from "effect-jmap-chat/node"

/** A setting that is missing or contradicts another, found before connecting. */
export class SettingError extends Data.TaggedError("SettingError")<{ readonly message: string }> {}

/** The settings read from the environment. */
export interface Settings {
  readonly url: string
  readonly auth: Auth.Auth
  readonly send: Option.Option<{ readonly chatId: string; readonly text: string }>
}

/** Reads and checks the settings: credentials are required, JMAP_CHAT_ID and JMAP_SEND go together. */
export const settings = (env: NodeJS.ProcessEnv): Effect.Effect<Settings, SettingError> => {
  const url = env["JMAP_URL"] ?? ""
  const { JMAP_CHAT_ID: chatId, JMAP_PASSWORD: password, JMAP_SEND: text, JMAP_TOKEN: token, JMAP_USERNAME: username } =
    env
  if (!token && !username) {
    return new SettingError({
      message: `JMAP_URL is ${url}: also set JMAP_TOKEN, or JMAP_USERNAME and JMAP_PASSWORD, to sign in`
    })
  }
  if (!token && !password) return new SettingError({ message: "JMAP_USERNAME is set: also set JMAP_PASSWORD" })
  if (text !== undefined && !chatId) {
    return new SettingError({
      message: "JMAP_SEND needs JMAP_CHAT_ID, the id of the chat to send to (without JMAP_SEND the demo lists them)"
    })
  }
  if (chatId && text === undefined) {
    return new SettingError({ message: "JMAP_CHAT_ID is set: also set JMAP_SEND to the text to send" })
  }
  return Effect.succeed({
    url,
    auth: token ? Auth.bearer(token) : Auth.basic(username!, password!),
    send: chatId && text !== undefined ? Option.some({ chatId, text }) : Option.none()
  })
}

/** How many of each chat's latest messages to show. */
const recent = 3

const nameOf = (contacts: ReadonlyArray<ChatContact>, id: string) => {
  if (id === "self") return "you"
  const contact = contacts.find((c) => c.id === id)
  return contact?.displayName || contact?.login || id
}

const title = (chat: Chat, contacts: ReadonlyArray<ChatContact>) =>
  chat.kind === "direct" ? `direct chat with ${nameOf(contacts, chat.contactId ?? "?")}` : `${chat.kind} "${chat.name}"`

const line = (m: Message, contacts: ReadonlyArray<ChatContact>) =>
  `    [${m.receivedAt}] ${nameOf(contacts, m.senderId)}: ${m.deletedAt ? "(deleted)" : m.body}`

/** The tour: the Session, every chat with its latest messages, then the message to send, if any. */
export const tour = (send: Settings["send"]) =>
  Effect.gen(function*() {
    const session = yield* (yield* SessionService.SessionService).get
    const client = yield* ChatClient.ChatClient
    const accountId = session.primaryAccounts["urn:ietf:params:jmap:chat"]
    yield* Console.log(
      `Signed in as ${session.username}; chat account ${accountId} (${session.accounts[accountId ?? ""]?.name ?? "?"})`
    )
    yield* Console.log(`  capabilities: ${Object.keys(session.capabilities).join(", ")}`)

    const contacts = (yield* client.ChatContact.get()).list
    const chats = (yield* client.Chat.list()).list
    yield* Console.log(`${chats.length} chat(s):`)
    for (const chat of chats) {
      yield* Console.log(`  ${chat.id}  ${title(chat, contacts)}, ${chat.unreadCount} unread`)
      const { list } = yield* client.Message.list({
        filter: { chatId: chat.id },
        sort: [{ property: "receivedAt", isAscending: false }],
        limit: recent
      })
      for (const m of [...list].reverse()) yield* Console.log(line(m, contacts))
    }

    if (Option.isNone(send)) {
      return yield* Console.log("To send a message: JMAP_CHAT_ID=<a chat id above> JMAP_SEND=\"text\" npm run demo")
    }
    const { chatId, text } = send.value
    if (!chats.some((c) => c.id === chatId)) {
      return yield* new SettingError({
        message: `JMAP_CHAT_ID: this account has no chat ${chatId} (see the list above)`
      })
    }
    const sent = yield* client.Message.send({ chatId, body: text })
    yield* Console.log(`Sent message ${sent.id} to ${chatId}: ${sent.body}`)
  })

/** One line saying what went wrong and what to check. */
export const explain = (url: string, error: ClientError | SettingError): string => {
  switch (error._tag) {
    case "SettingError":
      return error.message
    case "AuthFailed":
      return `${url} refused the credentials (HTTP ${error.status}): check JMAP_TOKEN, or JMAP_USERNAME and JMAP_PASSWORD`
    case "HttpError":
      return error.reason === "Status"
        ? `${url} answered HTTP ${error.status}: is JMAP_URL the server's origin or its Session URL? (${error.message})`
        : `could not reach ${url}: ${error.message}`
    case "InvalidArgument":
      return `JMAP_URL or another setting is wrong: ${error.message}`
    case "InvalidSession":
    case "ParseError":
    case "UnexpectedResponse":
      return `${url} did not answer as a JMAP Chat server: ${error.message}`
    default:
      return `${url}: ${error.message}`
  }
}

/** The demo against JMAP_URL: the tour, or one line on stderr and exit code 1. */
export const main = (env: NodeJS.ProcessEnv) =>
  settings(env).pipe(
    Effect.flatMap(({ auth, send, url }) => tour(send).pipe(Effect.provide(NodeChat.layer({ url, auth })))),
    Effect.catchAll((error) =>
      Console.error(explain(env["JMAP_URL"] ?? "", error)).pipe(
        Effect.zipRight(Effect.sync(() => (process.exitCode = 1)))
      )
    )
  )
