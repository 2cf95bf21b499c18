/**
 * Minimal EventSource and WebSocket test clients over `fetch` and `ws` (deliberately not the SDK).
 */
import { Effect, type Scope, TestClock } from "effect"
import WebSocket from "ws"

/** One parsed `text/event-stream` event. */
export interface SseEvent {
  readonly event: string
  readonly id: string | undefined
  readonly data: any
}

/** An open EventSource response. */
export interface SseClient {
  readonly status: number
  readonly contentType: string | null
  /** The next event, or `undefined` once the stream has ended. */
  readonly next: Effect.Effect<SseEvent | undefined>
}

const parseBlock = (block: string): SseEvent | undefined => {
  let event = "message"
  let id: string | undefined
  const data: Array<string> = []
  for (const line of block.split("\n")) {
    if (line.startsWith(":") || line === "") continue
    const colon = line.indexOf(":")
    const field = colon < 0 ? line : line.slice(0, colon)
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "")
    if (field === "event") event = value
    else if (field === "id") id = value
    else if (field === "data") data.push(value)
  }
  if (data.length === 0) return undefined
  return { event, id, data: JSON.parse(data.join("\n")) }
}

/** Opens an EventSource request for the lifetime of the scope. */
export const openSse = (url: string, headers: Record<string, string>): Effect.Effect<SseClient, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      const controller = new AbortController()
      const response = await fetch(url, { headers, signal: controller.signal })
      const reader = response.body!.getReader()
      const decoder = new TextDecoder()
      let buffer = ""
      const next = async (): Promise<SseEvent | undefined> => {
        for (;;) {
          const end = buffer.indexOf("\n\n")
          if (end >= 0) {
            const block = buffer.slice(0, end)
            buffer = buffer.slice(end + 2)
            const event = parseBlock(block)
            if (event !== undefined) return event
            continue
          }
          const chunk = await reader.read().catch(() => ({ done: true as const, value: undefined }))
          if (chunk.done) return undefined
          buffer += decoder.decode(chunk.value, { stream: true })
        }
      }
      return {
        controller,
        client: {
          status: response.status,
          contentType: response.headers.get("content-type"),
          next: Effect.promise(next)
        }
      }
    }),
    ({ controller }) => Effect.sync(() => controller.abort())
  ).pipe(Effect.map(({ client }) => client))

/** An open WebSocket. */
export interface WsClient {
  readonly protocol: string
  readonly send: (frame: unknown) => Effect.Effect<void>
  readonly sendText: (text: string) => Effect.Effect<void>
  readonly sendBinary: (bytes: Uint8Array) => Effect.Effect<void>
  /** The next JSON frame. */
  readonly next: Effect.Effect<any>
  /** Resolves with the close code once the connection is closed. */
  readonly closed: Effect.Effect<number>
}

/** Opens a WebSocket (subprotocol `jmap` unless told otherwise) for the lifetime of the scope. */
export const openWs = (
  url: string,
  options: { readonly headers?: Record<string, string>; readonly protocols?: Array<string> } = {}
): Effect.Effect<WsClient, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(() =>
      new Promise<{ ws: WebSocket; client: WsClient }>((resolve, reject) => {
        const ws = new WebSocket(url, options.protocols ?? ["jmap"], { headers: options.headers ?? {} })
        const frames: Array<any> = []
        const waiters: Array<(frame: any) => void> = []
        ws.on("message", (data) => {
          const frame = JSON.parse(data.toString())
          const waiter = waiters.shift()
          if (waiter) waiter(frame)
          else frames.push(frame)
        })
        const closed = new Promise<number>((done) => ws.on("close", (code) => done(code)))
        ws.on("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
        ws.on("error", (e) => reject(e))
        ws.on("open", () =>
          resolve({
            ws,
            client: {
              protocol: ws.protocol,
              send: (frame) => Effect.sync(() => ws.send(JSON.stringify(frame))),
              sendText: (text) => Effect.sync(() => ws.send(text)),
              sendBinary: (bytes) => Effect.sync(() => ws.send(bytes, { binary: true })),
              next: Effect.promise(() =>
                frames.length > 0 ? Promise.resolve(frames.shift()) : new Promise((r) => waiters.push(r))
              ),
              closed: Effect.promise(() => closed)
            }
          }))
      })
    ),
    ({ ws }) => Effect.sync(() => ws.terminate())
  ).pipe(Effect.map(({ client }) => client))

/** The HTTP status with which a WebSocket upgrade is refused (or 101 when it succeeds). */
export const upgradeStatus = (
  url: string,
  options: { headers?: Record<string, string>; protocols?: Array<string> } = {}
) =>
  Effect.promise(() =>
    new Promise<number>((resolve) => {
      const ws = new WebSocket(url, options.protocols ?? ["jmap"], { headers: options.headers ?? {} })
      ws.on("unexpected-response", (_req, res) => {
        resolve(res.statusCode ?? 0)
        ws.terminate()
      })
      ws.on("open", () => {
        resolve(101)
        ws.terminate()
      })
      ws.on("error", () => resolve(0))
    })
  )

/** Lets real I/O happen until some fiber is sleeping on the TestClock, then advances it. */
export const advanceWhenSleeping = (duration: Parameters<typeof TestClock.adjust>[0]) =>
  Effect.gen(function*() {
    while ((yield* TestClock.sleeps()).length === 0) {
      yield* Effect.promise(() => new Promise((r) => setImmediate(r)))
    }
    yield* TestClock.adjust(duration)
  })
