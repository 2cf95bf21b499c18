/**
 * A `ChatClient` for fast unit tests, with no sockets: each call goes to an in-memory
 * {@link ChatBackend} (the core of the reference server) as JSON text, and its answer is decoded
 * exactly like an HTTP response. Request-level problems (RFC 8620 §3.6.1) fail with the SDK's
 * `RequestError`. Several users' clients can share one backend, so alice and bob can talk.
 *
 * ```ts
 * import { ChatClient } from "effect-jmap-chat"
 * import { ChatBackend, ChatClientTest } from "effect-jmap-chat/testing"
 *
 * it.layer(ChatClientTest.layer({ user: "alice" }))((it) => {
 *   it.effect("bob reads what alice sends", () =>
 *     Effect.gen(function*() {
 *       const alice = yield* ChatClient.ChatClient
 *       const bob = ChatClientTest.make(yield* ChatBackend, "bob")
 *       // …
 *     }))
 * })
 * ```
 *
 * Differences from the HTTP stack: the Session is not fetched (the user's account is the chat
 * account), requests are not batched, and the backend rather than the client enforces the core
 * limits (a `RequestError` of type `…:limit` instead of an `InvalidArgument`). The backend's clock
 * is the Effect `Clock` of the calling fiber, so `TestClock` drives slow mode and expiries.
 *
 * @since 0.1.0
 */
import { Effect, Layer, Option, Schema, Stream } from "effect"
import * as ChatClient from "../chat/ChatClient.js"
import { BlobIntegrityMismatch, BlobNotFound, ParseError, RequestError, SerializeError } from "../jmap/Errors.js"
import { BlobUploadResponse } from "../jmap/Session.js"
import { JmapResponse } from "../jmap/Wire.js"
import * as Backend from "./ChatBackend.js"
import type { RequestProblem } from "./ProtocolErrors.js"
import type { ChatServerOptions } from "./ServerConfig.js"

/** What the transport of a test client fails with (besides the errors of the calls themselves). */
export type TransportError = RequestError | SerializeError | ParseError

/** A `ChatClient` over an in-memory backend. */
export type Client = ChatClient.Service<TransportError>

/** Options of {@link layer}. */
export interface Options {
  /** The user the client acts as (default `"alice"`). */
  readonly user?: string
  /** Options of the fresh backend (users, limits, clock, behaviour switches). */
  readonly server?: ChatServerOptions
}

const toRequestError = (problem: RequestProblem): RequestError =>
  new RequestError({
    type: problem.type,
    status: problem.status,
    detail: problem.detail,
    ...(problem.limit === undefined ? {} : { limit: problem.limit })
  })

/** Decodes a copy of `value` (as if it had crossed the wire), so nothing is shared with the backend. */
const decodeCopy = <A, I>(schema: Schema.Schema<A, I>, value: unknown, subject: string): Effect.Effect<A, ParseError> =>
  Schema.decodeUnknown(schema)(JSON.parse(JSON.stringify(value))).pipe(
    Effect.mapError((error) => ParseError.fromSchema(subject, error))
  )

const concat = (chunks: Iterable<Uint8Array>): Uint8Array => Buffer.concat(Array.from(chunks))

/**
 * What `ChatClient.makeWith` needs to act as `user` on `backend`: `call`, `accountId`, `upload` and
 * `download`. Wrap `call` to observe or alter the JSON exchanged.
 */
export const transport = (
  backend: Backend.ChatBackend.Service,
  user: string
): ChatClient.MakeOptions<TransportError> => {
  const info = backend.user(user)
  return {
    accountId: info.accountId,
    call: (request) =>
      Effect.gen(function*() {
        const body = yield* Effect.try({
          try: () => JSON.stringify(request),
          catch: (e) => new SerializeError({ description: e instanceof Error ? e.message : "request is not JSON" })
        })
        if (Buffer.byteLength(body) > backend.limits.maxSizeRequest) {
          return yield* new RequestError({
            type: "urn:ietf:params:jmap:error:limit",
            status: 400,
            limit: "maxSizeRequest",
            detail: `the request is larger than maxSizeRequest (${backend.limits.maxSizeRequest} bytes)`
          })
        }
        const response = yield* Effect.mapError(backend.dispatch(info.token, body), toRequestError)
        return yield* decodeCopy(JmapResponse, response, "JMAP response")
      }),
    upload: (options) =>
      Effect.gen(function*() {
        const bytes = options.body instanceof Uint8Array
          ? options.body
          : concat(yield* Stream.runCollect(options.body))
        const response = yield* Effect.mapError(
          backend.upload(info, options.accountId, bytes.slice(), options.contentType),
          toRequestError
        )
        return yield* decodeCopy(BlobUploadResponse, response, "upload response")
      }),
    download: (options) =>
      Effect.flatMap(backend.download(info, options.accountId, options.blobId), (blob): Effect.Effect<
        Uint8Array,
        BlobNotFound | BlobIntegrityMismatch
      > => {
        if (Option.isNone(blob)) {
          return Effect.fail(
            new BlobNotFound({
              blobId: options.blobId,
              accountId: options.accountId,
              url: `memory:/download/${options.accountId}/${options.blobId}`
            })
          )
        }
        const { bytes, sha256 } = blob.value
        if (options.expectedSha256 !== undefined && options.expectedSha256 !== sha256) {
          return Effect.fail(new BlobIntegrityMismatch({ expected: options.expectedSha256, actual: sha256 }))
        }
        return Effect.succeed(bytes.slice())
      })
  }
}

/** A client acting as `user` (a provisioned user's short name) on `backend`. */
export const make = (backend: Backend.ChatBackend.Service, user: string): Client =>
  ChatClient.makeWith(transport(backend, user))

/** `ChatClient` for `user` on the `ChatBackend` in context (e.g. a second user in the same test). */
export const layerFor = (user: string): Layer.Layer<ChatClient.ChatClient, never, Backend.ChatBackend> =>
  Layer.effect(ChatClient.ChatClient, Effect.map(Backend.ChatBackend, (backend) => make(backend, user)))

/** A fresh backend and a `ChatClient` for one of its users (default `"alice"`). */
export const layer = (options: Options = {}): Layer.Layer<ChatClient.ChatClient | Backend.ChatBackend> =>
  layerFor(options.user ?? "alice").pipe(Layer.provideMerge(Backend.layer(options.server)))
