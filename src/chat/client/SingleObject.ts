/**
 * How the single-object forms of `ChatClient` (`X.updateOne`, …) read the `/set` and `/get` results
 * of their one Request (RFC 8620 §5.3, §5.1): the object, or exactly what happened to it.
 *
 * @since 0.1.0
 */
import { Effect, type Either } from "effect"
import { ObjectGone, SetFailed, UnexpectedResponse } from "../../jmap/Errors.js"
import type { SetError } from "../../jmap/MethodResponses.js"
import { own } from "./internal/schema.js"

/** The parts of an RFC 8620 §5.3 `/set` response the single-object forms read. */
export interface SetLike {
  readonly created?: { readonly [id: string]: unknown } | null | undefined
  readonly updated?: { readonly [id: string]: unknown } | null | undefined
  readonly destroyed?: ReadonlyArray<string> | null | undefined
  readonly notCreated?: { readonly [id: string]: SetError } | null | undefined
  readonly notUpdated?: { readonly [id: string]: SetError } | null | undefined
  readonly notDestroyed?: { readonly [id: string]: SetError } | null | undefined
}

/** The parts of an RFC 8620 §5.1 `/get` response the single-object forms read. */
export interface GetLike<T> {
  readonly list: ReadonlyArray<T>
  readonly notFound: ReadonlyArray<string>
}

/** `SetFailed` for the SetError of `id` (RFC 8620 §5.3 `notCreated` / `notUpdated` / `notDestroyed`). */
export const setFailed = (operation: "create" | "update" | "destroy", id: string, method: string, error: SetError) =>
  new SetFailed({
    operation,
    id,
    method,
    type: error.type,
    ...(error.description == null ? {} : { description: error.description }),
    ...(error.properties == null ? {} : { properties: error.properties }),
    error
  })

/**
 * The object `id` after `method` (`X/set`) updated it, from the `/set` response and the result of
 * the `X/get` of `id` that followed it in the same Request: the object; `SetFailed` when the update
 * was rejected; `ObjectGone` when the update was applied and the object is gone — a `burnOnRead`
 * message marked read is hard-deleted at once (draft-atwood-jmap-chat-00 §Message); otherwise
 * (neither reported, or a `/get` that neither lists nor misses it) `UnexpectedResponse`.
 */
export const updatedObject = <T extends { readonly id: string }, E>(
  method: string,
  id: string,
  set: SetLike,
  fetched: Either.Either<GetLike<T>, E>
): Effect.Effect<T, E | SetFailed | ObjectGone | UnexpectedResponse> =>
  Effect.gen(function*() {
    const rejected = own(set.notUpdated, id)
    if (rejected !== undefined) return yield* setFailed("update", id, method, rejected)
    const got = yield* fetched
    const found = got.list.find((item) => item.id === id)
    if (found !== undefined) return found
    const applied = own(set.updated, id) !== undefined
    if (applied && got.notFound.includes(id)) return yield* new ObjectGone({ operation: "update", id, method })
    return yield* new UnexpectedResponse({
      description: applied
        ? `${method.replace(/\/set$/, "")}/get did not return ${id} after updating it`
        : `${method} reported neither updated nor notUpdated for ${id}`
    })
  })
