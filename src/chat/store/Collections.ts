/**
 * The object types a `ChatStore` keeps whole (draft-atwood-jmap-chat-00 §Data Types): every Chat,
 * ChatContact, Space (with its members, roles and categories), ReadPosition, the PresenceStatus
 * singleton and every CustomEmoji of the account, each with the `state` it is at (RFC 8620 §5.1).
 * Messages are kept per chat instead (see `MessageWindow`).
 *
 * A collection is immutable: applying a delta returns a new one and keeps the identity of every
 * object that did not change, so unchanged views do not emit.
 *
 * @since 0.1.0
 */
import type { Schema } from "effect"
import type { SyncResult } from "../../jmap/DeltaSync.js"
import { Chat } from "../Chat.js"
import { ChatContact } from "../ChatContact.js"
import { CustomEmoji } from "../CustomEmoji.js"
import { PresenceStatus } from "../PresenceStatus.js"
import { ReadPosition } from "../ReadPosition.js"
import { Space } from "../Space.js"
import { keep } from "./internal/equal.js"

/** The schema of each collection's objects, by JMAP type name. */
export const schemas = {
  Chat,
  ChatContact,
  Space,
  ReadPosition,
  PresenceStatus,
  CustomEmoji
} as const

/** The name of a collection (a JMAP data type). */
export type Name = keyof typeof schemas

/** Every collection name. */
export const names: ReadonlyArray<Name> = Object.keys(schemas) as Array<Name>

/** The objects of collection `K`. */
export type Item<K extends Name> = Schema.Schema.Type<(typeof schemas)[K]>

/** The objects of one type by id, and the state they are at (`undefined`: never loaded). */
export interface Collection<T> {
  readonly state: string | undefined
  readonly items: ReadonlyMap<string, T>
}

/** Every collection of an account. */
export type Collections = { readonly [K in Name]: Collection<Item<K>> }

/** A collection that was never loaded. */
export const empty: Collection<never> = { state: undefined, items: new Map<string, never>() }

/** Every collection, never loaded. */
export const emptyAll: Collections = Object.fromEntries(names.map((name) => [name, empty])) as unknown as Collections

/** The whole collection as `/get` (or a full resync) returned it at `state`; unchanged objects keep their identity. */
export const replace = <T extends { readonly id: string }>(
  self: Collection<T>,
  state: string,
  list: ReadonlyArray<T>
): Collection<T> => {
  const items = new Map<string, T>()
  let changed = list.length !== self.items.size
  for (const item of list) {
    const previous = self.items.get(item.id)
    const kept = keep(previous, item)
    if (kept !== previous) changed = true
    items.set(item.id, kept)
  }
  return changed ? { state, items } : state === self.state ? self : { state, items: self.items }
}

/** Applies a `/changes` delta (RFC 8620 §5.2, fetched by `DeltaSync.sync`). */
export const apply = <T extends { readonly id: string }>(self: Collection<T>, delta: SyncResult<T>): Collection<T> => {
  if (delta.fullResync) return replace(self, delta.newState, delta.created)
  let items: Map<string, T> | undefined
  const edit = () => (items ??= new Map(self.items))
  for (const item of [...delta.created, ...delta.updated]) {
    const previous = self.items.get(item.id)
    if (keep(previous, item) !== previous) edit().set(item.id, item)
  }
  for (const id of delta.destroyed) if (self.items.has(id)) edit().delete(id)
  return items === undefined
    ? delta.newState === self.state ? self : { state: delta.newState, items: self.items }
    : { state: delta.newState, items }
}

/** Sets one object as the server returned it (e.g. the answer to an update), keeping the state. */
export const put = <T extends { readonly id: string }>(self: Collection<T>, item: T): Collection<T> => {
  const previous = self.items.get(item.id)
  if (keep(previous, item) === previous) return self
  const items = new Map(self.items)
  items.set(item.id, item)
  return { state: self.state, items }
}
