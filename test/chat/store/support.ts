/**
 * ChatStore test rig over the in-memory reference backend (no sockets, so `TestClock` drives
 * everything): the user's `ChatClient` from `ChatClientTest.transport` with a hook on every call,
 * and a `ChatPush` fed by the backend's own push hub (`Connected` first, then the user's
 * StateChange, typing and presence events), whose connection a test can cut (`Reconnected`
 * follows) or whose events it can drop.
 */
import { KeyValueStore } from "@effect/platform"
import { Context, Effect, Layer, Option, Queue, Redacted, Ref, Stream, TestClock } from "effect"
import * as ChatClient from "../../../src/chat/ChatClient.js"
import * as ChatPush from "../../../src/chat/push/ChatPush.js"
import * as ChatSseEvent from "../../../src/chat/push/ChatSseEvent.js"
import * as ChatStore from "../../../src/chat/store/ChatStore.js"
import type { JmapRequest, JmapResponse } from "../../../src/jmap/Wire.js"
import { Backend, ChatClientTest, type PushEvent } from "../../../src/testing/index.js"

const none = Option.none<string>()

/** The chat event the push stream carries for a backend push event. */
export const toChatEvent = (event: PushEvent): ChatPush.ChatPushEvent => {
  switch (event._tag) {
    case "StateChange":
      return new ChatSseEvent.StateChange({ id: Option.some(String(event.id)), changed: event.changed })
    case "Typing":
      return new ChatSseEvent.Typing({ id: none, chatId: event.chatId, senderId: event.senderId, typing: event.typing })
    case "Presence":
      return new ChatSseEvent.Presence({
        id: none,
        contactId: event.contactId,
        presence: event.presence,
        lastActiveAt: event.lastActiveAt,
        ...(event.changed.includes("statusText") ? { statusText: event.statusText } : {}),
        ...(event.changed.includes("statusEmoji") ? { statusEmoji: event.statusEmoji } : {})
      })
  }
}

/** What a call hook may do: pass the request on (`next`) and alter or replace the outcome. */
export type CallHook = (
  request: JmapRequest,
  next: Effect.Effect<JmapResponse, ChatClientTest.TransportError>
) => Effect.Effect<JmapResponse, any>

/** Controls of a user's rig. */
export interface Rig {
  readonly client: ChatClient.Service<any>
  /** Every request's method names, in order. */
  readonly calls: Ref.Ref<ReadonlyArray<ReadonlyArray<string>>>
  /** Replaces the call hook (default: pass through). */
  readonly hook: Ref.Ref<CallHook>
  /** Ends the push connection: the stream emits `Reconnected` and resumes (events in between are lost). */
  readonly reconnect: Effect.Effect<void>
  /** Push events this returns true for are dropped (as a connection that silently lost them would). */
  readonly dropping: Ref.Ref<(event: ChatPush.ChatPushEvent) => boolean>
  /** The layer of `ChatClient` and `ChatPush` for this user. */
  readonly layer: Layer.Layer<ChatClient.ChatClient | ChatPush.ChatPush>
}

/** A rig for `user` on `backend`. */
export const rig = (backend: Backend.ChatBackend.Service, user: string) =>
  Effect.gen(function*() {
    const calls = yield* Ref.make<ReadonlyArray<ReadonlyArray<string>>>([])
    const hook = yield* Ref.make<CallHook>((_, next) => next)
    const dropping = yield* Ref.make<(event: ChatPush.ChatPushEvent) => boolean>(() => false)
    const cuts = yield* Queue.unbounded<void>()
    const transport = ChatClientTest.transport(backend, user)
    const client = ChatClient.makeWith<any>({
      ...transport,
      call: (request) =>
        Ref.update(calls, (all) => [...all, request.methodCalls.map(([name]) => name)]).pipe(
          Effect.zipRight(Ref.get(hook)),
          Effect.flatMap((h) => h(request, transport.call(request)))
        )
    })
    const info = backend.user(user)
    /** One connection: subscribed first, then `first`, then its events until the next cut. */
    const connection = (first: () => ChatPush.ChatPushEvent): Stream.Stream<ChatPush.ChatPushEvent> =>
      Stream.unwrapScoped(
        Effect.map(backend.subscribe(info), (events) =>
          Stream.concat(
            Stream.sync(first),
            events.pipe(
              Stream.map(toChatEvent),
              Stream.filterEffect((event) => Effect.map(Ref.get(dropping), (drop) => !drop(event)))
            )
          ).pipe(Stream.interruptWhen(Queue.take(cuts))))
      )
    let attempt = 0
    const events = Stream.concat(
      connection(() => new ChatSseEvent.Connected({ lastEventId: none, pushState: none })),
      Stream.forever(connection(() => new ChatSseEvent.Reconnected({ attempt: ++attempt, lastEventId: none })))
    )
    const push = ChatPush.ChatPush.of({
      events: () => events,
      eventSource: () => events as Stream.Stream<ChatSseEvent.ChatSseEvent>,
      webSocket: () => Effect.dieMessage("no WebSocket in the memory rig"),
      webSocketClient: () => Effect.dieMessage("no WebSocket in the memory rig")
    })
    return {
      client,
      calls,
      hook,
      dropping,
      reconnect: Queue.offer(cuts, undefined),
      layer: Layer.mergeAll(
        Layer.succeed(ChatClient.ChatClient, client as ChatClient.Service),
        Layer.succeed(ChatPush.ChatPush, push)
      )
    } satisfies Rig
  })

/** A store for a rig, in the current scope, over `kv`. */
export const storeFor = (r: Rig, kv: KeyValueStore.KeyValueStore, options: ChatStore.Options = {}) =>
  ChatStore.make(options).pipe(
    Effect.provide(r.layer),
    Effect.provideService(KeyValueStore.KeyValueStore, kv)
  )

/** A fresh in-memory KeyValueStore. */
export const memoryKv = Effect.map(Layer.build(KeyValueStore.layerMemory), Context.get(KeyValueStore.KeyValueStore))

/** Lets the store's fibers run until it has settled (no time passes). */
export const settle = (store: ChatStore.Service) => Effect.zipRight(TestClock.adjust(0), store.settled)

/** The first value of `stream` that satisfies `p`. */
export const until = <A>(stream: Stream.Stream<A>, p: (a: A) => boolean) =>
  Effect.map(Stream.runHead(Stream.filter(stream, p)), Option.getOrThrow)

/** A message body as the API sees it, redacted away from test output. */
export const secret = (s: string) => Redacted.make(s)
