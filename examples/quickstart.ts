/**
 * `npm run demo`: two users chat through the SDK. Starts the embedded reference server unless
 * JMAP_URL and credentials (JMAP_TOKEN for alice, JMAP_PEER_TOKEN for her peer) point at a real one.
 */
import { Console, Effect, Fiber, Stream } from "effect"
import { ulid } from "ulid"
import { Auth, ChatClient, ChatPush } from "../src/index.js"
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
    return [{ name: "you", url, token, contactId: me }, {
      name: "peer",
      url,
      token: peerToken,
      contactId: peer
    }] as const
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
const as = <A, E>(person: Person, program: Effect.Effect<A, E, ChatClient.ChatClient | ChatPush.ChatPush>) =>
  program.pipe(Effect.provide(NodeChat.layer({ url: person.url, auth: Auth.bearer(person.token) })))

const program = Effect.gen(function*() {
  const [alice, bob] = yield* people

  const chat = yield* as(
    alice,
    Effect.gen(function*() {
      const client = yield* ChatClient.ChatClient
      const chat = yield* client.Chat.createOne({ kind: "direct", contactId: bob.contactId })
      yield* Console.log(`${alice.name} opened a direct chat ${chat.id} with ${bob.name}`)
      return chat
    })
  )

  // Bob follows his push stream (WebSocket when the server offers it, else EventSource) while
  // Alice types and writes; each StateChange for Message makes him fetch what changed.
  const following = yield* Effect.fork(as(
    bob,
    Effect.gen(function*() {
      const client = yield* ChatClient.ChatClient
      const push = yield* ChatPush.ChatPush
      let state = yield* client.Message.changes({ sinceState: "0" }).pipe(
        Effect.map((c) => c.newState),
        Effect.orElseSucceed(() => "0")
      )
      let received = 0
      return yield* push.events({ types: ["Message"] }).pipe(
        Stream.tap((event) => {
          switch (event._tag) {
            case "Typing":
              return Console.log(
                `  (${bob.name}'s screen: ${event.typing ? `${alice.name} is typing…` : "typing stopped"})`
              )
            case "StateChange":
              return client.Message.sync({ sinceState: state }).pipe(
                Effect.tap((changes) => {
                  state = changes.newState
                  received += changes.created.length
                  return Effect.forEach(
                    changes.created,
                    (m) => Console.log(`  (${bob.name}'s screen: new message "${m.body}")`)
                  )
                })
              )
            default:
              return Effect.void
          }
        }),
        Stream.takeUntil(() => received >= 2),
        Stream.runDrain
      )
    })
  ))
  yield* Effect.sleep("500 millis") // let Bob's stream connect

  yield* as(
    alice,
    Effect.gen(function*() {
      const client = yield* ChatClient.ChatClient
      for (const body of ["Hi Bob! 👋", "Did you see the new JMAP Chat draft?"]) {
        // Typing indicators are ephemeral: only a connected stream sees them.
        yield* client.Chat.typing({ chatId: chat.id, typing: true })
        yield* Effect.sleep("300 millis")
        const sent = yield* client.Message.send({ chatId: chat.id, body, bodyType: "text/plain" })
        yield* Console.log(`  ${alice.name} → ${sent.body}`)
      }
    })
  )
  yield* Fiber.join(following).pipe(
    Effect.timeout("10 seconds"),
    Effect.orElse(() => Console.log("  (push: timed out waiting)"))
  )

  yield* as(
    bob,
    Effect.gen(function*() {
      const client = yield* ChatClient.ChatClient
      const chats = yield* client.Chat.list({ filter: { kind: "direct" } })
      const mine = chats.list[0]!
      yield* Console.log(`${bob.name} sees ${chats.list.length} direct chat(s), ${mine.unreadCount} unread`)
      const { list } = yield* client.Message.list({
        filter: { chatId: mine.id },
        sort: [{ property: "sentAt", isAscending: true }]
      })
      const contacts = yield* client.ChatContact.get({})
      const nameOf = (id: string) =>
        id === "self" ? bob.name : contacts.list.find((c) => c.id === id)?.displayName ?? id
      for (const m of list) yield* Console.log(`  ${nameOf(m.senderId)}: ${m.body}`)
      const last = list[list.length - 1]!
      // A reaction is keyed by its senderReactionId, a ULID (core draft §Reaction).
      yield* client.Message.update({ id: last.id, patch: { reactions: { [ulid()]: { emoji: "👍" } } } })
      const reply = yield* client.Message.send({
        chatId: mine.id,
        body: "Yes, reading it now.",
        bodyType: "text/plain",
        replyTo: last.id
      })
      yield* Console.log(`  ${bob.name} → ${reply.body} (and reacted 👍)`)
      const positions = yield* client.ReadPosition.get({})
      const position = positions.list.find((p) => p.chatId === mine.id)
      if (position) yield* client.ReadPosition.update({ id: position.id, patch: { lastReadMessageId: reply.id } })
      const after = yield* client.Chat.get({ ids: [mine.id] })
      yield* Console.log(`${bob.name} marked the chat read: ${after.list[0]?.unreadCount} unread`)
    })
  )

  yield* as(
    alice,
    Effect.gen(function*() {
      const client = yield* ChatClient.ChatClient
      const { list } = yield* client.Message.list({
        filter: { chatId: chat.id },
        sort: [{ property: "sentAt", isAscending: true }]
      })
      yield* Console.log(`\nTranscript as ${alice.name} sees it:`)
      for (const m of list) {
        const who = m.senderId === "self" ? alice.name : bob.name
        const reactions = Object.values(m.reactions).map((r) => r.emoji).join("")
        yield* Console.log(`  [${m.sentAt}] ${who}: ${m.body}${reactions ? `  ${reactions}` : ""}`)
      }
    })
  )
})

Effect.runPromise(program.pipe(Effect.scoped)).then(
  () => process.exit(0),
  (error) => {
    console.error(String(error))
    process.exit(1)
  }
)
