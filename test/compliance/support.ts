/**
 * Shared setup of the compliance suite (`jmap-chat-compliance-tests.md`, spec-digest §8): the
 * server options, the users' clients, and helpers for what a client can only see on the wire or
 * at a push endpoint.
 */
import { Effect, Schema } from "effect"
import * as ChatClient from "../../src/chat/ChatClient.js"
import { ChatMessagePush, type ChatPushConfig } from "../../src/chat/PushTypes.js"
import type { JmapRequest, JmapResponse } from "../../src/jmap/Wire.js"
import { ChatBackend, ChatClientTest, type ChatServerOptions } from "../../src/testing/index.js"

/**
 * The server the suite runs against: where the drafts disagree, the compliance tests' reading
 * (spec-digest §7.5 duplicate direct chats, §7.11 presence expiry).
 */
export const complianceServer: ChatServerOptions = {
  users: ["alice", "bob", "carol", "dave", "erin", "frank"].map((name) => ({ name })),
  directChatDuplicate: "alreadyExists",
  presenceExpiry: "offline"
}

/** A socket-less client. */
export type Client = ChatClientTest.Client

/** Every user's client on the `ChatBackend` in context, and their userIds. */
export const people = Effect.map(ChatBackend, (backend) => {
  const as = (name: string) => ChatClientTest.make(backend, name)
  return {
    backend,
    as,
    /** The userId (ChatContact id) of a user. */
    id: (name: string) => backend.user(name).userId,
    alice: as("alice"),
    bob: as("bob"),
    carol: as("carol"),
    dave: as("dave"),
    erin: as("erin"),
    frank: as("frank")
  }
})

/** A client of `user` that keeps every Request it sends and the Response it gets, as JSON. */
export const recording = (backend: ChatBackend.Service, user: string) => {
  const exchanges: Array<{ readonly request: JmapRequest; readonly response: JmapResponse }> = []
  const transport = ChatClientTest.transport(backend, user)
  const client = ChatClient.makeWith({
    ...transport,
    call: (request) =>
      Effect.tap(transport.call(request), (response) => Effect.sync(() => exchanges.push({ request, response })))
  })
  /** The arguments of the first method call of the latest Request. */
  const lastCall = () => exchanges[exchanges.length - 1]!.request.methodCalls[0]![1] as Record<string, any>
  return { client, exchanges, lastCall }
}

/**
 * Sends one method call as `user` past the client's typed API (for methods the client does not
 * offer) and returns its response arguments, or `{ error }` for a method error.
 */
export const rawCall = (backend: ChatBackend.Service, user: string, method: string, args: Record<string, unknown>) =>
  Effect.map(
    ChatClientTest.transport(backend, user).call({
      using: ["urn:ietf:params:jmap:core", "urn:ietf:params:jmap:chat"],
      methodCalls: [[method, { accountId: backend.user(user).accountId, ...args }, "c0"]]
    }),
    (response): Record<string, any> => {
      const [name, result] = response.methodResponses[0]!
      return name === "error" ? { error: result } : result
    }
  )

/** A direct chat from `from` to `to` (a userId); returns its id. */
export const directChat = (from: Client, to: string) =>
  Effect.map(from.Chat.createOne({ kind: "direct", contactId: to }), (chat) => chat.id)

/**
 * A Space owned by `owner` with one channel, `others` as members (`@everyone` only); returns the
 * Space id and the channel id.
 */
export const spaceWithChannel = (owner: Client, others: ReadonlyArray<string>, name = "Space") =>
  Effect.gen(function*() {
    const space = yield* owner.Space.createOne({ name })
    const updated = yield* owner.Space.updateOne({
      id: space.id,
      patch: { addMembers: others.map((id) => ({ id })), addChannels: [{ name: "general" }] }
    })
    return { spaceId: space.id, channelId: updated.uncategorizedChannelIds![0]! }
  })

let devices = 0

/**
 * A verified PushSubscription of `client` with `config` as the `chatPush` of its account, as a
 * device would set it up: create, read the PushVerification the server sent to the push URL,
 * echo its code. Returns the subscription id.
 */
export const pushSubscription = (backend: ChatBackend.Service, client: Client, config: ChatPushConfig) =>
  Effect.gen(function*() {
    const accountId = yield* client.accountId
    devices += 1
    const created = yield* client.PushSubscription.createOne({
      deviceClientId: `device-${devices}`,
      url: `https://push.example/${devices}`,
      chatPush: { [accountId]: config }
    })
    const verification = (yield* backend.pushDeliveries).find((d) =>
      d.subscriptionId === created.id && d.payload["@type"] === "PushVerification"
    )
    yield* client.PushSubscription.updateOne({
      id: created.id,
      patch: { verificationCode: String(verification?.payload["verificationCode"]) }
    })
    return created.id
  })

/** The ChatMessagePush payloads delivered to a subscription so far, decoded by the SDK, with their RFC 8030 urgency. */
export const chatPushes = (backend: ChatBackend.Service, subscriptionId: string) =>
  Effect.map(backend.pushDeliveries, (deliveries) =>
    deliveries
      .filter((d) => d.subscriptionId === subscriptionId && d.payload["@type"] === "ChatMessagePush")
      .map((d) => ({ urgency: d.urgency, raw: d.payload, push: Schema.decodeUnknownSync(ChatMessagePush)(d.payload) })))
