/**
 * `npm run demo`: two users chat through the SDK. Starts the embedded reference server unless
 * JMAP_URL and credentials (JMAP_TOKEN for alice, JMAP_PEER_TOKEN for her peer) point at a real one.
 */
import { Console, Effect } from "effect"
import { ulid } from "ulid"
import { Auth, ChatClient } from "../src/index.js"
import { NodeChat } from "../src/node/index.js"
import { ChatServer } from "../src/testing/index.js"

interface Person {
  readonly name: string
  readonly url: string
  readonly token: string
  readonly contactId: string
}

/** The two accounts to use: from the environment, or from a freshly started embedded server. */
const people = Effect.gen(function*() {
  const url = process.env["JMAP_URL"]
  const token = process.env["JMAP_TOKEN"]
  const peerToken = process.env["JMAP_PEER_TOKEN"]
  const peer = process.env["JMAP_PEER_ID"]
  if (url && token && peerToken && peer) {
    yield* Console.log(`Using ${url}`)
    const me = process.env["JMAP_USER_ID"] ?? "me"
    return [{ name: "you", url, token, contactId: me }, { name: "peer", url, token: peerToken, contactId: peer }] as const
  }
  const server = yield* ChatServer.make()
  yield* Console.log(`Embedded JMAP Chat server on ${server.url}`)
  const alice = server.user("alice")
  const bob = server.user("bob")
  return [
    { name: alice.displayName, url: server.url, token: alice.token, contactId: alice.userId },
    { name: bob.displayName, url: server.url, token: bob.token, contactId: bob.userId }
  ] as const
})

/** Runs `program` as `person`, with the whole client stack for their account. */
const as = <A, E>(person: Person, program: Effect.Effect<A, E, ChatClient.ChatClient>) =>
  program.pipe(Effect.provide(NodeChat.layer({ url: person.url, auth: Auth.bearer(person.token) })))

const program = Effect.gen(function*() {
  const [alice, bob] = yield* people

  const chat = yield* as(alice, Effect.gen(function*() {
    const client = yield* ChatClient.ChatClient
    const chat = yield* client.Chat.createOne({ kind: "direct", contactId: bob.contactId })
    yield* Console.log(`${alice.name} opened a direct chat ${chat.id} with ${bob.name}`)
    for (const body of ["Hi Bob! 👋", "Did you see the new JMAP Chat draft?"]) {
      const sent = yield* client.Message.send({ chatId: chat.id, body, bodyType: "text/plain" })
      yield* Console.log(`  ${alice.name} → ${sent.body}`)
    }
    return chat
  }))

  yield* as(bob, Effect.gen(function*() {
    const client = yield* ChatClient.ChatClient
    const chats = yield* client.Chat.list({ filter: { kind: "direct" } })
    const mine = chats.list[0]!
    yield* Console.log(`${bob.name} sees ${chats.list.length} direct chat(s), ${mine.unreadCount} unread`)
    const { list } = yield* client.Message.list({ filter: { chatId: mine.id }, sort: [{ property: "sentAt", isAscending: true }] })
    const contacts = yield* client.ChatContact.get({})
    const nameOf = (id: string) => id === "self" ? bob.name : contacts.list.find((c) => c.id === id)?.displayName ?? id
    for (const m of list) yield* Console.log(`  ${nameOf(m.senderId)}: ${m.body}`)
    const last = list[list.length - 1]!
    // A reaction is keyed by its senderReactionId, a ULID (core draft §Reaction).
    yield* client.Message.update({ id: last.id, patch: { reactions: { [ulid()]: { emoji: "👍" } } } })
    const reply = yield* client.Message.send({ chatId: mine.id, body: "Yes, reading it now.", bodyType: "text/plain", replyTo: last.id })
    yield* Console.log(`  ${bob.name} → ${reply.body} (and reacted 👍)`)
    const positions = yield* client.ReadPosition.get({})
    const position = positions.list.find((p) => p.chatId === mine.id)
    if (position) yield* client.ReadPosition.update({ id: position.id, patch: { lastReadMessageId: reply.id } })
    const after = yield* client.Chat.get({ ids: [mine.id] })
    yield* Console.log(`${bob.name} marked the chat read: ${after.list[0]?.unreadCount} unread`)
  }))

  yield* as(alice, Effect.gen(function*() {
    const client = yield* ChatClient.ChatClient
    const { list } = yield* client.Message.list({ filter: { chatId: chat.id }, sort: [{ property: "sentAt", isAscending: true }] })
    yield* Console.log(`\nTranscript as ${alice.name} sees it:`)
    for (const m of list) {
      const who = m.senderId === "self" ? alice.name : bob.name
      const reactions = Object.values(m.reactions).map((r) => r.emoji).join("")
      yield* Console.log(`  [${m.sentAt}] ${who}: ${m.body}${reactions ? `  ${reactions}` : ""}`)
    }
  }))
})

Effect.runPromise(program.pipe(Effect.scoped)).then(
  () => process.exit(0),
  (error) => {
    console.error(String(error))
    process.exit(1)
  }
)
