import { Effect, Stream } from "effect"
import { Auth, ChatClient, ChatPush } from "effect-jmap-chat"
import { BrowserChat } from "effect-jmap-chat/browser"

const program = Effect.gen(function*() {
  const client = yield* ChatClient.ChatClient
  const push = yield* ChatPush.ChatPush
  const { list } = yield* client.Chat.get()
  yield* client.Message.send({ chatId: list[0]!.id, body: "hello from the browser" })
  yield* push.events({ types: ["Message"] }).pipe(Stream.runForEach((event) => Effect.log(event._tag)))
})

const token = new URLSearchParams(location.hash.slice(1)).get("token") ?? "" // however your app signs in

const ChatLive = BrowserChat.layer({
  url: "https://chat.example.com",
  auth: Auth.bearer(token),
  webSocket: { tokenQueryParameter: "access_token" } // only if the server takes the token in the URL
})
Effect.runFork(program.pipe(Effect.provide(ChatLive)))
