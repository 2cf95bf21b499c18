/**
 * Delta synchronisation of one data type (RFC 8620 §5.2, draft-atwood-jmap-chat-00 §Sync): `/changes`
 * with the objects it names fetched in the same Request (two `/get`s with `#ids` on `/created` and
 * `/updated`), repeated while `hasMoreChanges`, and every object listed again
 * (`StandardMethods.listAll`) when the server answers `cannotCalculateChanges`. Every `/get`
 * stays within the server's `maxObjectsInGet` (RFC 8620 §5.1): a page whose `/get` is refused as
 * `requestTooLarge` is asked for again with a smaller `maxChanges`.
 *
 * @since 0.1.0
 */
import { Effect, Either } from "effect"
import { type InvalidArgument, UnexpectedResponse } from "./Errors.js"
import * as Invocation from "./Invocation.js"
import type { ChangesResponse, InvalidItem } from "./MethodResponses.js"
import { type ChangesOptions, type DataType, get, listAll } from "./StandardMethods.js"

/** Options of {@link sync}. */
export interface SyncOptions {
  /** The state the caller's cache is at. */
  readonly sinceState: string
  /** Per `/changes` page; the server's own cap applies when absent. */
  readonly maxChanges?: number
}

/** What changed since `oldState`, with the created and updated objects fetched. */
export interface SyncResult<T> {
  readonly oldState: string
  /** The state to pass as `sinceState` next time. */
  readonly newState: string
  readonly created: ReadonlyArray<T>
  readonly updated: ReadonlyArray<T>
  readonly destroyed: ReadonlyArray<string>
  /**
   * Objects the server returned ill-formed, left out of `created` and `updated` (see
   * `GetResponse`): they did change, so keep them in mind (their ids are known when the server sent
   * string ids) rather than assuming the cache is complete.
   */
  readonly invalid: ReadonlyArray<InvalidItem>
  /**
   * True when the server could not calculate the changes (`cannotCalculateChanges`) and every
   * object was fetched again: `created` then holds all of them and the cache must be replaced.
   * `newState` is then the state from before the listing began.
   */
  readonly fullResync: boolean
  /** How many Requests were sent. */
  readonly requests: number
}

const tooLarge = (result: Either.Either<unknown, Invocation.ResultError>): boolean =>
  Either.isLeft(result) && result.left._tag === "MethodError" && result.left.type === "requestTooLarge"

/** Errors of {@link sync} besides the transport's. */
export type SyncError = InvalidArgument | Invocation.ResultError | UnexpectedResponse

/**
 * Brings a cache of `type` from `sinceState` to the current state. `changes` prepares each
 * `/changes` call (so the caller's guards apply). Objects reported created or updated but no
 * longer found by the `/get` are reported destroyed; an object created and destroyed within the
 * sync is not reported at all.
 */
export const sync = <E, T extends { readonly id: string }>(
  executor: Invocation.Executor<E>,
  type: DataType<T>,
  changes: (options: ChangesOptions) => Either.Either<Invocation.Invocation<ChangesResponse>, InvalidArgument>,
  options: SyncOptions
): Effect.Effect<SyncResult<T>, E | SyncError> =>
  Effect.gen(function*() {
    const created = new Map<string, T>()
    const updated = new Map<string, T>()
    const destroyed = new Set<string>()
    const invalid: Array<InvalidItem> = []
    const destroy = (id: string) => {
      if (created.delete(id)) return
      updated.delete(id)
      destroyed.add(id)
    }
    let since = options.sinceState
    let maxChanges = options.maxChanges
    let requests = 0
    for (;;) {
      const page = yield* Invocation.batch(executor, (b) => {
        const c = b.add(changes({ sinceState: since, ...(maxChanges === undefined ? {} : { maxChanges }) }))
        const gc = b.add(Either.right(get(type, { ids: c.ref("/created") })))
        const gu = b.add(Either.right(get(type, { ids: c.ref("/updated") })))
        return { c, gc, gu }
      })
      requests++
      if (Either.isLeft(page.c)) {
        const error = page.c.left
        if (error._tag === "MethodError" && error.type === "cannotCalculateChanges") {
          const all = yield* listAll(executor, type)
          return {
            oldState: options.sinceState,
            newState: all.state,
            created: all.list,
            updated: [],
            destroyed: [],
            invalid: all.invalid,
            fullResync: true,
            requests: requests + all.requests
          }
        }
        return yield* error
      }
      const delta = page.c.right
      const named = Math.max(delta.created.length, delta.updated.length)
      if (named > 1 && [page.gc, page.gu].some(tooLarge)) {
        maxChanges = Math.floor(named / 2)
        continue
      }
      const [fresh, changed] = yield* Effect.all([page.gc, page.gu])
      for (const item of fresh.list) created.set(item.id, item)
      for (const item of changed.list) (created.has(item.id) ? created : updated).set(item.id, item)
      for (const id of [...delta.destroyed, ...fresh.notFound, ...changed.notFound]) destroy(id)
      invalid.push(...fresh.invalid, ...changed.invalid)
      if (!delta.hasMoreChanges) {
        return {
          oldState: options.sinceState,
          newState: delta.newState,
          created: Array.from(created.values()),
          updated: Array.from(updated.values()),
          destroyed: Array.from(destroyed),
          invalid,
          fullResync: false,
          requests
        }
      }
      if (delta.newState === since) {
        return yield* new UnexpectedResponse({
          description: `${type.name}/changes reported hasMoreChanges without advancing its state`
        })
      }
      since = delta.newState
    }
  })
