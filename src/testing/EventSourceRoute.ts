/**
 * The EventSource endpoint (RFC 8620 §7.3 with the JMAP Chat events of draft-atwood-jmap-chat-00
 * §Push Notifications): `state` events carrying a StateChange, `typing` and `presence` events
 * (plain JSON, no `@type`), and `ping` events (`{"interval": N}`). Every event has an `id:`;
 * `Last-Event-ID` replays the StateChanges missed since. Honours `types`, `closeafter=state` and
 * `ping`.
 *
 * @since 0.1.0
 */
import { HttpServerResponse } from "@effect/platform"
import { Chunk, Deferred, Duration, Effect, Option, Schedule, Stream } from "effect"
import { applyFault, authenticated, type FrontEnd, problemResponse } from "./HttpSupport.js"
import type { JsonRecord } from "./Json.js"
import { RequestProblem } from "./ProtocolErrors.js"
import type { Changed, PushEvent } from "./PushHub.js"

/** Keeps only the listed types of a StateChange's `changed` (`null` = all); `None` when nothing is left. */
export const filterChanged = (changed: Changed, types: ReadonlySet<string> | null): Option.Option<Changed> => {
  if (types === null) return Option.some(changed)
  const out: Record<string, Record<string, string>> = {}
  for (const [accountId, states] of Object.entries(changed)) {
    const kept = Object.entries(states).filter(([type]) => types.has(type))
    if (kept.length > 0) out[accountId] = Object.fromEntries(kept)
  }
  return Object.keys(out).length > 0 ? Option.some(out) : Option.none()
}

interface SseEvent {
  readonly event: "state" | "typing" | "presence"
  readonly id: number
  readonly data: JsonRecord
}

const toSse = (event: PushEvent, types: ReadonlySet<string> | null): Option.Option<SseEvent> => {
  switch (event._tag) {
    case "StateChange":
      return Option.map(filterChanged(event.changed, types), (changed) => ({
        event: "state",
        id: event.id,
        data: { "@type": "StateChange", changed }
      }))
    case "Typing":
      return Option.some({
        event: "typing",
        id: event.id,
        data: { chatId: event.chatId, senderId: event.senderId, typing: event.typing }
      })
    case "Presence":
      return Option.some({
        event: "presence",
        id: event.id,
        data: {
          contactId: event.contactId,
          presence: event.presence,
          lastActiveAt: event.lastActiveAt,
          statusText: event.statusText,
          statusEmoji: event.statusEmoji
        }
      })
  }
}

const frame = (event: string, id: number | undefined, data: JsonRecord): string =>
  `event: ${event}\n${id === undefined ? "" : `id: ${id}\n`}data: ${JSON.stringify(data)}\n\n`

/** The EventSource route handler. */
export const eventSource = (fe: FrontEnd) =>
  authenticated(fe, (user, request) =>
    Effect.gen(function*() {
      const fault = yield* applyFault(fe, "eventSource", request)
      if (Option.isSome(fault.response)) return fault.response.value
      const params = new URL(request.url, "http://localhost").searchParams
      const typesParam = params.get("types") ?? "*"
      const types = typesParam === "*" ? null : new Set(typesParam.split(",").filter((t) => t !== ""))
      const closeAfterState = params.get("closeafter") === "state"
      const ping = Number(params.get("ping") ?? "0")
      if (!Number.isSafeInteger(ping) || ping < 0) {
        return problemResponse(
          new RequestProblem({ type: "about:blank", status: 400, detail: "ping must be an UnsignedInt" })
        )
      }
      const lastEventId = request.headers["last-event-id"]

      const body = Stream.unwrapScoped(Effect.gen(function*() {
        const events = yield* fe.backend.subscribe(user)
        const kill = yield* fe.faults.register()
        const catchUp = lastEventId === undefined ? [] : yield* fe.backend.catchUp(user, lastEventId)
        const start = catchUp.reduce((max, e) => Math.max(max, e.id), yield* fe.backend.lastEventId(user))
        const pushes = Stream.concat(
          Stream.fromIterable(catchUp),
          events.pipe(Stream.filter((e) => e.id > start))
        ).pipe(Stream.filterMap((e) => toSse(e, types)))
        const pings: Stream.Stream<SseEvent | "ping"> = ping > 0
          ? Stream.fromSchedule(Schedule.spaced(Duration.seconds(ping))).pipe(Stream.as("ping" as const))
          : Stream.never
        return Stream.merge(pushes, pings).pipe(
          Stream.mapAccum({ lastId: start, delivered: 0 }, (s, item) => {
            if (item === "ping") {
              return [s, { text: frame("ping", s.lastId, { interval: ping }), delivered: s.delivered, last: false }]
            }
            const next = { lastId: item.id, delivered: s.delivered + 1 }
            const dropped = fe.faults.dropAfter !== undefined && next.delivered >= fe.faults.dropAfter
            const last = dropped || (closeAfterState && item.event === "state")
            return [next, { text: frame(item.event, item.id, item.data), delivered: next.delivered, last }]
          }),
          Stream.takeUntil((item) => item.last),
          Stream.map((item) => item.text),
          Stream.interruptWhen(Deferred.await(kill)),
          Stream.prepend(Chunk.of(": connected\n\n"))
        )
      }))

      return HttpServerResponse.stream(Stream.encodeText(body), {
        contentType: "text/event-stream",
        headers: { "cache-control": "no-cache", "x-accel-buffering": "no" }
      })
    }), { allowQueryToken: true })
