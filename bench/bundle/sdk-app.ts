// The minimal browser app of the bundle-size benchmark: the whole client stack, one message sent.
import { Effect } from "effect"
import { Auth, ChatClient } from "effect-jmap-chat"
import { BrowserChat } from "effect-jmap-chat/browser"

const program = Effect.gen(function*() {
  const client = yield* ChatClient.ChatClient
  const sent = yield* client.Message.send({ chatId: "chat-1", body: "Hello from the browser" })
  console.log(sent.id)
})

Effect.runFork(program.pipe(Effect.provide(BrowserChat.layer({ url: location.origin, auth: Auth.bearer("token") }))))
