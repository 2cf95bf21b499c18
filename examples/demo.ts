/**
 * `npm run demo`. Without JMAP_URL, two users chat through the embedded reference server: a direct
 * chat, typing, messages followed over push, a reaction, a reply, the read position. With JMAP_URL
 * and credentials, a tour of your account on that server instead (see `demo_server.ts`).
 */
import { Console, Effect, Fiber, Stream } from "effect"
import { Auth, ChatClient, ChatPush, Ulid } from "effect-jmap-chat"
import { NodeChat } from "effect-jmap-chat/node"
import { ChatServer } from "effect-jmap-chat/testing"
import { main } from "./demo_server.js"

interface Person {
  readonly name: string
  readonly url: string
  readonly token: string
  readonly contactId: string
}

/** Alice and Bob on a freshly started embedded server (stopped when the scope closes). */
const people = Effect.gen(function*() {
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

/** Alice writes to Bob, who follows over push, reacts, replies and marks the chat read. */
const twoUsers = Effect.gen(function*() {
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
      for (const [i, body] of ["Hi Bob! 👋", "Did you see the new JMAP Chat draft?"].entries()) {
        // Typing indicators are ephemeral: only a connected stream sees them. The first reaches
        // nobody: the chat is in Bob's account only once her first message is delivered.
        yield* client.Chat.typing({ chatId: chat.id, typing: true })
        if (i === 0) {
          yield* Console.log(`  (${alice.name} is typing: ${bob.name} has no such chat until her first message)`)
        }
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
      const reactionId = yield* Ulid.make
      yield* client.Message.update({ id: last.id, patch: { reactions: { [reactionId]: { emoji: "👍" } } } })
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

const program = process.env["JMAP_URL"] ? main(process.env) : Effect.scoped(twoUsers)

Effect.runPromise(program).then(
  () => process.exit(process.exitCode ?? 0),
  (error) => {
    console.error(String(error))
    process.exit(1)
  }
)
