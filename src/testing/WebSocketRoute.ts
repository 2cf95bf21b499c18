/**
 * The WebSocket endpoint (RFC 8887, subprotocol `jmap`) with the JMAP Chat ephemeral stream
 * (draft-atwood-jmap-chat-wss-00): `Request` → `Response` / `RequestError`,
 * `WebSocketPushEnable` (with `pushState` replay) / `WebSocketPushDisable`, and
 * `ChatStreamEnable` / `ChatStreamDisable` delivering `ChatTypingEvent` and `ChatPresenceEvent`
 * filtered by `chatIds` / `contactIds`. Unknown `@type`s are ignored; binary frames close the
 * connection with 1003. Authentication happens on the upgrade request.
 *
 * @since 0.1.0
 */
import { HttpServerResponse, Socket } from "@effect/platform"
import { Deferred, Effect, Option, Stream } from "effect"
import type { UserInfo } from "./ChatBackend.js"
import { filterChanged } from "./EventSourceRoute.js"
import { applyFault, authenticated, type FrontEnd, problemResponse } from "./HttpSupport.js"
import { isRecord, isStringArray, type JsonRecord } from "./Json.js"
import { RequestProblem } from "./ProtocolErrors.js"
import type { PushEvent, StateChangeEvent } from "./PushHub.js"

interface ChatStream {
  readonly typing: boolean
  readonly presence: boolean
  readonly chatIds: ReadonlySet<string> | null
  readonly contactIds: ReadonlySet<string> | null
}

interface ConnectionState {
  /** Data types of `WebSocketPushEnable` (`null` = all); `undefined` while push is off. */
  push: ReadonlySet<string> | null | undefined
  /** The highest StateChange id already sent (replay and live events are deduplicated by it). */
  watermark: number
  stream: ChatStream | undefined
  delivered: number
}

const invalidArguments = (detail: string) =>
  new RequestProblem({ type: "urn:ietf:params:jmap:error:invalidArguments", status: 400, detail })

const idSet = (value: unknown): Option.Option<ReadonlySet<string> | null> =>
  value === undefined || value === null
    ? Option.some(null)
    : isStringArray(value)
    ? Option.some(new Set(value))
    : Option.none()

/** Parses a ChatStreamEnable frame (draft-atwood-jmap-chat-wss-00 §Enabling Ephemeral Push). */
const parseChatStream = (frame: JsonRecord): Option.Option<ChatStream> => {
  if (!isStringArray(frame.dataTypes)) return Option.none()
  const typing = frame.dataTypes.includes("typing")
  const presence = frame.dataTypes.includes("presence")
  if (!typing && !presence) return Option.none()
  const chatIds = idSet(frame.chatIds)
  const contactIds = idSet(frame.contactIds)
  if (Option.isNone(chatIds) || Option.isNone(contactIds)) return Option.none()
  return Option.some({ typing, presence, chatIds: chatIds.value, contactIds: contactIds.value })
}

const runConnection = (
  fe: FrontEnd,
  user: UserInfo,
  socket: Socket.Socket,
  tcp: { readonly end: () => void } | undefined
) =>
  Effect.scoped(Effect.gen(function*() {
    const write = yield* socket.writer
    const kill = yield* fe.faults.register()
    const events = yield* fe.backend.subscribe(user)
    const lock = yield* Effect.makeSemaphore(1)
    const state: ConnectionState = { push: undefined, watermark: 0, stream: undefined, delivered: 0 }
    const send = (frame: JsonRecord) => write(JSON.stringify(frame)).pipe(Effect.ignore)

    /** Sends a push frame and applies the drop fault. */
    const deliver = (frame: JsonRecord) =>
      Effect.zipRight(
        send(frame),
        Effect.sync(() => {
          state.delivered += 1
          if (fe.faults.dropAfter !== undefined && state.delivered >= fe.faults.dropAfter) tcp?.end()
        })
      )

    const sendStateChange = (event: StateChangeEvent) =>
      Effect.suspend(() => {
        if (state.push === undefined || event.id <= state.watermark) return Effect.void
        state.watermark = event.id
        return Option.match(filterChanged(event.changed, state.push), {
          onNone: () => Effect.void,
          onSome: (changed) => deliver({ "@type": "StateChange", changed, pushState: String(event.id) })
        })
      })

    const onEvent = (event: PushEvent) =>
      Effect.suspend(() => {
        const stream = state.stream
        switch (event._tag) {
          case "StateChange":
            return sendStateChange(event)
          case "Typing":
            return stream?.typing && (stream.chatIds === null || stream.chatIds.has(event.chatId))
              ? deliver({
                "@type": "ChatTypingEvent",
                chatId: event.chatId,
                senderId: event.senderId,
                typing: event.typing
              })
              : Effect.void
          case "Presence":
            return stream?.presence && (stream.contactIds === null || stream.contactIds.has(event.contactId))
              ? deliver({
                "@type": "ChatPresenceEvent",
                contactId: event.contactId,
                presence: event.presence,
                lastActiveAt: event.lastActiveAt,
                ...(event.changed.includes("statusText") ? { statusText: event.statusText } : {}),
                ...(event.changed.includes("statusEmoji") ? { statusEmoji: event.statusEmoji } : {})
              })
              : Effect.void
        }
      })

    const requestError = (problem: RequestProblem, requestId: string | undefined) =>
      send({ "@type": "RequestError", ...(requestId === undefined ? {} : { requestId }), ...problem.body })

    const onFrame = (frame: JsonRecord): Effect.Effect<void> => {
      switch (frame["@type"]) {
        case "Request": {
          const requestId = typeof frame.id === "string" ? frame.id : undefined
          const { "@type": _type, id: _id, ...request } = frame
          return fe.backend.handle(user, request).pipe(
            Effect.matchEffect({
              onFailure: (problem) => requestError(problem, requestId),
              onSuccess: (response) =>
                send({ "@type": "Response", ...(requestId === undefined ? {} : { requestId }), ...response })
            })
          )
        }
        case "WebSocketPushEnable": {
          const dataTypes = idSet(frame.dataTypes)
          if (Option.isNone(dataTypes) || (frame.pushState !== undefined && typeof frame.pushState !== "string")) {
            return requestError(invalidArguments("WebSocketPushEnable needs dataTypes (String[]|null)"), undefined)
          }
          state.push = dataTypes.value === null && fe.quirks.pushNullDataTypes === "none" ? new Set() : dataTypes.value
          const pushState = frame.pushState
          if (typeof pushState !== "string") return Effect.void
          return fe.backend.catchUp(user, pushState).pipe(
            Effect.flatMap((missed) => Effect.forEach(missed, (event) => sendStateChange(event), { discard: true }))
          )
        }
        case "WebSocketPushDisable":
          state.push = undefined
          return Effect.void
        case "ChatStreamEnable":
          return Option.match(parseChatStream(frame), {
            onNone: () =>
              requestError(
                invalidArguments("ChatStreamEnable needs dataTypes with typing and/or presence, and id lists or null"),
                undefined
              ),
            onSome: (stream) =>
              Effect.sync(() => {
                state.stream = stream
              })
          })
        case "ChatStreamDisable":
          state.stream = undefined
          return Effect.void
        default:
          return Effect.void
      }
    }

    const onMessage = (data: string | Uint8Array): Effect.Effect<void> => {
      if (typeof data !== "string") {
        return write(new Socket.CloseEvent(1003, "binary frames are not supported")).pipe(Effect.ignore)
      }
      let frame: unknown
      try {
        frame = JSON.parse(data)
      } catch {
        return requestError(RequestProblem.notJSON("the frame is not valid JSON"), undefined)
      }
      if (!isRecord(frame) || typeof frame["@type"] !== "string") {
        return requestError(RequestProblem.notRequest("a frame must be a JSON object with @type"), undefined)
      }
      return onFrame(frame)
    }

    yield* events.pipe(
      Stream.runForEach((event) => lock.withPermits(1)(onEvent(event))),
      Effect.forkScoped
    )
    yield* Effect.raceFirst(
      socket.runRaw((data) => lock.withPermits(1)(onMessage(data))).pipe(Effect.ignore),
      Deferred.await(kill).pipe(
        Effect.zipRight(write(new Socket.CloseEvent(1012, "server restart")).pipe(Effect.ignore))
      )
    )
  }))

/** The WebSocket route handler. */
export const webSocket = (fe: FrontEnd) =>
  authenticated(fe, (user, request) =>
    Effect.gen(function*() {
      const fault = yield* applyFault(fe, "webSocket", request)
      if (Option.isSome(fault.response)) return fault.response.value
      if ((request.headers["upgrade"] ?? "").toLowerCase() !== "websocket") {
        return problemResponse(
          new RequestProblem({ type: "about:blank", status: 426, detail: "WebSocket upgrade required" }),
          {
            upgrade: "websocket"
          }
        )
      }
      const protocols = (request.headers["sec-websocket-protocol"] ?? "").split(",").map((p) => p.trim())
      if (!protocols.includes("jmap")) {
        return problemResponse(
          new RequestProblem({
            type: "about:blank",
            status: 400,
            detail: "the jmap subprotocol is required (RFC 8887)"
          })
        )
      }
      const socket = yield* request.upgrade.pipe(Effect.option)
      if (Option.isSome(socket)) {
        const source = request.source as { readonly socket?: { readonly end: () => void } }
        yield* runConnection(fe, user, socket.value, source.socket)
      }
      return HttpServerResponse.empty()
    }), { allowQueryToken: true })
