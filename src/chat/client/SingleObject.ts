/**
 * How the single-object forms of `ChatClient` (`X.updateOne`, …) read the `/set` and `/get` results
 * of their one Request (RFC 8620 §5.3, §5.1): the object, or exactly what happened to it.
 *
 * @since 0.1.0
 */
import { Effect, type Either } from "effect"
import { ObjectGone, type ParseError, SetFailed, UnexpectedResponse } from "../../jmap/Errors.js"
import type { InvalidItem, SetError } from "../../jmap/MethodResponses.js"
import { own } from "./internal/schema.js"

/** The parts of an RFC 8620 §5.3 `/set` response the single-object forms read. */
export interface SetLike {
  readonly created?: { readonly [id: string]: unknown } | null | undefined
  readonly updated?: { readonly [id: string]: unknown } | null | undefined
  readonly destroyed?: ReadonlyArray<string> | null | undefined
  readonly notCreated?: { readonly [id: string]: SetError } | null | undefined
  readonly notUpdated?: { readonly [id: string]: SetError } | null | undefined
  readonly notDestroyed?: { readonly [id: string]: SetError } | null | undefined
  readonly invalid?: ReadonlyArray<InvalidItem>
}

/** The parts of an RFC 8620 §5.1 `/get` response the single-object forms read. */
export interface GetLike<T> {
  readonly list: ReadonlyArray<T>
  readonly notFound: ReadonlyArray<string>
  readonly invalid?: ReadonlyArray<InvalidItem>
}

/** Why the object `id` was left out of a response as ill-formed (RFC 8620 §5.1, §5.3), if it was. */
export const invalidError = (
  response: { readonly invalid?: ReadonlyArray<InvalidItem> },
  id: string
): ParseError | undefined => response.invalid?.find((i) => i.id === id)?.error

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
 * message marked read is hard-deleted at once (draft-atwood-jmap-chat-00 §Message); the
 * `ParseError` of the object when the server returned it ill-formed; otherwise
 * (neither reported, or a `/get` that neither lists nor misses it) `UnexpectedResponse`.
 */
export const updatedObject = <T extends { readonly id: string }, E>(
  method: string,
  id: string,
  set: SetLike,
  fetched: Either.Either<GetLike<T>, E>
): Effect.Effect<T, E | SetFailed | ObjectGone | UnexpectedResponse | ParseError> =>
  Effect.gen(function*() {
    const rejected = own(set.notUpdated, id)
    if (rejected !== undefined) return yield* setFailed("update", id, method, rejected)
    const got = yield* fetched
    const found = got.list.find((item) => item.id === id)
    if (found !== undefined) return found
    const illFormed = invalidError(got, id)
    if (illFormed !== undefined) return yield* illFormed
    const applied = own(set.updated, id) !== undefined || invalidError(set, id) !== undefined
    if (applied && got.notFound.includes(id)) return yield* new ObjectGone({ operation: "update", id, method })
    return yield* new UnexpectedResponse({
      description: applied
        ? `${method.replace(/\/set$/, "")}/get did not return ${id} after updating it`
        : `${method} reported neither updated nor notUpdated for ${id}`
    })
  })
