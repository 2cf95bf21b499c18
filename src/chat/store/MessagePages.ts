/**
 * Fetching a chat's messages for a `ChatStore` window: the latest `count`, or `count` older than
 * a message, newest first (`Message/query` by `receivedAt` descending, then `Message/get`, in one
 * Request per page: RFC 8620 §3.7, §5.5). Pages stay within the server's cap on `/query` results,
 * following the last id seen (`anchor`, `anchorOffset: 1`); when such an anchor was destroyed
 * meanwhile, fetching the latest starts over once.
 *
 * @since 0.1.0
 */
import { Effect, Option } from "effect"
import type { UnexpectedResponse } from "../../jmap/Errors.js"
import type * as SessionService from "../../jmap/SessionService.js"
import type * as ChatClient from "../ChatClient.js"
import type { Message } from "../Message.js"
import type { WindowLoad } from "./Snapshot.js"
import * as Writes from "./Writes.js"

/** What fetching messages fails with. */
export type FetchError = ChatClient.CallError<SessionService.CallError> | UnexpectedResponse

const newestFirst = [{ property: "receivedAt", isAscending: false }] as const

/** True when a page's anchor is gone (destroyed since it was seen): for older messages, reload the window instead. */
export const isAnchorNotFound = (error: FetchError): boolean =>
  error._tag === "MethodError" && error.type === "anchorNotFound"

/**
 * Up to `count` messages of `chatId`, newest first, starting after `before` (a message id) or at the
 * newest; `complete` when the chat has no more beyond them (by the query's `total`, or, from a
 * server that does not count, a page shorter than asked).
 */
export const fetch = (
  client: ChatClient.Service,
  chatId: string,
  count: number,
  before?: string
): Effect.Effect<WindowLoad, FetchError> => {
  const attempt = Effect.gen(function*() {
    const found: Array<Message> = []
    let anchor = before
    let taken = 0
    for (;;) {
      const want = count - taken
      const page = yield* client.Message.list({
        filter: { chatId },
        sort: newestFirst,
        limit: want,
        calculateTotal: true,
        ...(anchor === undefined ? {} : { anchor, anchorOffset: 1 })
      })
      found.push(...page.list)
      const { ids, limit, position, total } = page.query
      taken += ids.length
      const exhausted = total === undefined
        ? ids.length < Math.min(want, limit ?? want)
        : position + ids.length >= total
      if (exhausted || ids.length === 0) return { newestFirst: found, complete: true }
      if (taken >= count) return { newestFirst: found, complete: false }
      anchor = ids.at(-1)
    }
  })
  return attempt.pipe(
    Effect.catchIf((error) => before === undefined && isAnchorNotFound(error), () => attempt),
    Effect.withSpan("ChatStore.fetchMessages", { attributes: { chatId, count }, captureStackTrace: false })
  )
}

/**
 * The message a send created, if the chat's latest `scan` messages hold it (see
 * `Writes.matchesSend`): asked before sending again a send that may have reached the server.
 */
export const findSent = (
  client: ChatClient.Service,
  send: Writes.Send,
  scan: number
): Effect.Effect<Option.Option<Message>, FetchError> =>
  Effect.map(
    fetch(client, send.input.chatId, scan),
    (load) => Option.fromNullable(load.newestFirst.find((m) => Writes.matchesSend(send, m)))
  )
