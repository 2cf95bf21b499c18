/**
 * How a `ChatStore` survives a restart: its snapshot (every collection and message window with the
 * states they are at) and its open writes, in an `@effect/platform` `KeyValueStore` (in memory,
 * the file system with `NodeKeyValueStore`, or the browser's storage). The snapshot is saved as one
 * value, so the states always match the data; the writes have a value of their own, saved as soon
 * as they change, so that a send is never lost.
 *
 * The format is versioned. A value that is corrupt or of another version is discarded with a
 * warning (the store then loads from the server), never a failure; so is a storage error.
 *
 * @since 0.1.0
 */
import type { KeyValueStore } from "@effect/platform"
import { Effect, Either, Option, ParseResult, Schema } from "effect"
import { Message } from "../Message.js"
import * as Collections from "./Collections.js"
import type * as MessageWindow from "./MessageWindow.js"
import type { Snapshot } from "./Snapshot.js"
import * as Writes from "./Writes.js"

/** The version of the persisted format; a value of any other version is discarded. */
export const version = 1

const collection = <A, I>(item: Schema.Schema<A, I>) =>
  Schema.Struct({ state: Schema.optional(Schema.String), items: Schema.Array(item) })

const PersistedSnapshot = Schema.Struct({
  format: Schema.Literal("effect-jmap-chat/ChatStore"),
  version: Schema.Literal(version),
  accountId: Schema.String,
  messageState: Schema.optional(Schema.String),
  collections: Schema.Struct({
    Chat: collection(Collections.schemas.Chat),
    ChatContact: collection(Collections.schemas.ChatContact),
    Space: collection(Collections.schemas.Space),
    ReadPosition: collection(Collections.schemas.ReadPosition),
    PresenceStatus: collection(Collections.schemas.PresenceStatus),
    CustomEmoji: collection(Collections.schemas.CustomEmoji)
  }),
  windows: Schema.Array(Schema.Struct({
    chatId: Schema.String,
    limit: Schema.Int.pipe(Schema.positive()),
    complete: Schema.Boolean,
    loaded: Schema.Boolean,
    messages: Schema.Array(Message)
  }))
})

const PersistedWrites = Schema.Struct({
  format: Schema.Literal("effect-jmap-chat/ChatStore/writes"),
  version: Schema.Literal(version),
  writes: Schema.Array(Writes.Persisted)
})

const snapshotJson = Schema.parseJson(PersistedSnapshot)
const writesJson = Schema.parseJson(PersistedWrites)

/** What was restored: the last snapshot (if any) and the open writes. */
export interface Restored {
  readonly snapshot: Option.Option<Pick<Snapshot, "accountId" | "collections" | "messageState" | "windows">>
  readonly writes: ReadonlyArray<Writes.Entry>
}

/** Reads and writes a store's values under `key` (and `key + "/writes"`). */
export interface Persistence {
  /** The persisted snapshot and writes; what cannot be read is discarded with a warning. */
  readonly load: Effect.Effect<Restored>
  /** Saves the snapshot (a storage failure is logged). */
  readonly saveSnapshot: (snapshot: Snapshot) => Effect.Effect<void>
  /** Saves the open writes (a storage failure is logged). */
  readonly saveWrites: (writes: ReadonlyArray<Writes.Entry>) => Effect.Effect<void>
}

/** Where decoding failed, without the value (which may be message content). */
const where = (error: ParseResult.ParseError): string => {
  const first = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
  return first === undefined || first.path.length === 0 ? "at the root" : `at ${first.path.join(".")}`
}

const versionOf = (text: string): unknown => {
  try {
    const json: unknown = JSON.parse(text)
    return typeof json === "object" && json !== null ? (json as { readonly version?: unknown }).version : undefined
  } catch {
    return undefined
  }
}

const toSnapshot = (p: typeof PersistedSnapshot.Type): Restored["snapshot"] =>
  Option.some({
    accountId: p.accountId,
    messageState: p.messageState,
    collections: Object.fromEntries(
      Collections.names.map((name) => {
        const c = p.collections[name] as { readonly state?: string; readonly items: ReadonlyArray<{ id: string }> }
        return [name, { state: c.state, items: new Map(c.items.map((item) => [item.id, item])) }]
      })
    ) as unknown as Collections.Collections,
    windows: new Map(p.windows.map((w): [string, MessageWindow.MessageWindow] => [w.chatId, w]))
  })

const fromSnapshot = (s: Snapshot): typeof PersistedSnapshot.Type => ({
  format: "effect-jmap-chat/ChatStore",
  version,
  accountId: s.accountId ?? "",
  ...(s.messageState === undefined ? {} : { messageState: s.messageState }),
  collections: Object.fromEntries(
    Collections.names.map((name) => {
      const c = s.collections[name] as Collections.Collection<unknown>
      return [name, { ...(c.state === undefined ? {} : { state: c.state }), items: Array.from(c.items.values()) }]
    })
  ) as unknown as typeof PersistedSnapshot.Type["collections"],
  windows: Array.from(s.windows.values())
})

/** The store's persistence in `kv` under `key`. */
export const make = (kv: KeyValueStore.KeyValueStore, key: string): Persistence => {
  const writesKey = `${key}/writes`

  const read = <A>(
    what: string,
    k: string,
    decode: (text: string) => Either.Either<A, ParseResult.ParseError>
  ): Effect.Effect<Option.Option<A>> =>
    kv.get(k).pipe(
      Effect.flatMap(Option.match({
        onNone: () => Effect.succeedNone,
        onSome: (text) => {
          const decoded = decode(text)
          if (Either.isRight(decoded)) return Effect.succeed(Option.some(decoded.right))
          const found = versionOf(text)
          const reason = found !== version && found !== undefined
            ? `it is of format version ${String(found)}, not ${version}`
            : `it does not decode (${where(decoded.left)})`
          return Effect.logWarning(`ChatStore: the persisted ${what} is discarded: ${reason}`).pipe(
            Effect.zipRight(Effect.ignore(kv.remove(k))),
            Effect.as(Option.none<A>())
          )
        }
      })),
      Effect.catchAll((error) =>
        Effect.logWarning(`ChatStore: the persisted ${what} cannot be read: ${error.message}`).pipe(
          Effect.as(Option.none<A>())
        )
      )
    )

  const write = (what: string, k: string, encoded: Either.Either<string, ParseResult.ParseError>) =>
    Either.match(encoded, {
      onLeft: (error) => Effect.logWarning(`ChatStore: the ${what} does not encode (${where(error)}); not saved`),
      onRight: (text) =>
        kv.set(k, text).pipe(
          Effect.catchAll((error) => Effect.logWarning(`ChatStore: the ${what} cannot be saved: ${error.message}`))
        )
    })

  return {
    load: Effect.all({
      snapshot: Effect.map(
        read("snapshot", key, Schema.decodeEither(snapshotJson)),
        (s) => Option.flatMap(s, toSnapshot)
      ),
      writes: Effect.map(
        read("writes", writesKey, Schema.decodeEither(writesJson)),
        (w) => Option.match(w, { onNone: () => [], onSome: (p) => Writes.restore(p.writes) })
      )
    }).pipe(Effect.withSpan("ChatStore.Persistence.load", { captureStackTrace: false })),
    saveSnapshot: (snapshot) =>
      Effect.suspend(() =>
        snapshot.accountId === undefined
          ? Effect.void
          : write("snapshot", key, Schema.encodeEither(snapshotJson)(fromSnapshot(snapshot)))
      ).pipe(Effect.withSpan("ChatStore.Persistence.saveSnapshot", { captureStackTrace: false })),
    saveWrites: (writes) =>
      Effect.suspend(() =>
        write(
          "writes",
          writesKey,
          Schema.encodeEither(writesJson)({
            format: "effect-jmap-chat/ChatStore/writes",
            version,
            writes: Writes.persist(writes)
          })
        )
      )
  }
}
