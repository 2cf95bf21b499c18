/**
 * Type-level checks: each method's result and its exact error union (no `unknown`), typed
 * `properties`, required inputs, and batch results.
 */
import { describe, expectTypeOf, it } from "@effect/vitest"
import type { Effect, Either } from "effect"
import type { Chat } from "../../../src/chat/Chat.js"
import type { CallError, Service, SingleError } from "../../../src/chat/ChatClient.js"
import type { SetResult } from "../../../src/chat/client/Api.js"
import type { SpaceJoinResponse } from "../../../src/chat/client/Responses.js"
import type { Message } from "../../../src/chat/Message.js"
import type {
  InvalidArgument,
  MethodError,
  MethodNotFound,
  ObjectGone,
  ParseError,
  RateLimited,
  SetFailed,
  UnexpectedResponse
} from "../../../src/jmap/Errors.js"
import type { GetResponse, QueryResponse } from "../../../src/jmap/MethodResponses.js"
import type { CallError as SessionCallError } from "../../../src/jmap/SessionService.js"

declare const client: Service
type E = SessionCallError

/** Type-checked by `tsc`, never run (there is no client at runtime here). */
const typeOnly = (_check: () => void) => {}

describe("ChatClient types", () => {
  it("wire methods: typed results and exact errors", () =>
    typeOnly(() => {
      expectTypeOf(client.Chat.get()).toEqualTypeOf<Effect.Effect<GetResponse<Chat>, CallError<E>>>()
      expectTypeOf(client.Chat.query()).toEqualTypeOf<Effect.Effect<QueryResponse, CallError<E>>>()
      expectTypeOf(client.Space.join({ spaceId: "s" })).toEqualTypeOf<Effect.Effect<SpaceJoinResponse, CallError<E>>>()
      expectTypeOf(client.Message.create({ chatId: "c", body: "b" })).toEqualTypeOf<
        Effect.Effect<SetResult<Message>, RateLimited | UnexpectedResponse | CallError<E>>
      >()
      expectTypeOf<CallError<never>>().toEqualTypeOf<InvalidArgument | MethodError | MethodNotFound | ParseError>()
    }))

  it("properties narrow the items", () =>
    typeOnly(() => {
      expectTypeOf(client.Chat.get({ properties: ["name", "muted"] })).toEqualTypeOf<
        Effect.Effect<GetResponse<Pick<Chat, "name" | "muted" | "id">>, CallError<E>>
      >()
      // @ts-expect-error not a Chat property
      client.Chat.get({ properties: ["nope"] })
      // @ts-expect-error Message/get needs ids
      client.Message.get({})
    }))

  it("single-object forms", () =>
    typeOnly(() => {
      expectTypeOf(client.Message.send({ chatId: "c", body: "b" })).toEqualTypeOf<
        Effect.Effect<Message, SingleError<E> | RateLimited>
      >()
      expectTypeOf(client.Chat.updateOne({ id: "c", patch: { muted: true } })).toEqualTypeOf<
        Effect.Effect<Chat, CallError<E> | SetFailed | UnexpectedResponse | ObjectGone>
      >()
      // @ts-expect-error `undefined` is not a patch value: leave the property out to keep it
      client.Chat.update({ id: "c", patch: { muteUntil: undefined } })
    }))

  it("batch results are per call", () =>
    typeOnly(() => {
      const batch = client.batch((b) => ({ chats: b.Chat.get(), sent: b.Message.create({ chatId: "c", body: "b" }) }))
      expectTypeOf(batch).toEqualTypeOf<
        Effect.Effect<
          {
            readonly chats: Either.Either<GetResponse<Chat>, MethodError | MethodNotFound | ParseError>
            readonly sent: Either.Either<
              SetResult<Message>,
              RateLimited | UnexpectedResponse | MethodError | MethodNotFound | ParseError
            >
          },
          E | InvalidArgument
        >
      >()
    }))
})
