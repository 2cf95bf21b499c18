import { NodeRuntime } from "@effect/platform-node"
import { Console, Effect, Stream } from "effect"
import { ChatClient, ChatPush } from "effect-jmap-chat"
import { NodeChat } from "effect-jmap-chat/node"

const program = Effect.gen(function*() {
  const client = yield* ChatClient.ChatClient
  const push = yield* ChatPush.ChatPush // provided by NodeChat.layer and NodeChat.layerConfig
  let state = yield* client.Message.state() // where your view of the messages starts
  const catchUp = Effect.gen(function*() {
    const changes = yield* client.Message.sync({ sinceState: state }) // Message/changes + Message/get
    state = changes.newState
    for (const m of changes.created) yield* Console.log(`new message from ${m.senderId}: ${m.body}`)
  })
  yield* push.events({ types: ["Message"] }).pipe(
    Stream.runForEach((event) => {
      switch (event._tag) {
        case "Connected": // live now: catch up on what changed since `state` was read
        case "StateChange": // something changed on the server
        case "Reconnected": // the stream resumed; events may have been missed
          return catchUp
        case "Typing":
          return Console.log(`${event.senderId} is ${event.typing ? "" : "no longer "}typing in ${event.chatId}`)
        default:
          return Effect.void
      }
    })
  )
})

program.pipe(Effect.provide(NodeChat.layerConfig()), NodeRuntime.runMain)
