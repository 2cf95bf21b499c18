/**
 * How a `ChatStore` survives a restart, in an `@effect/platform` `KeyValueStore` (in memory, the
 * file system with `NodeKeyValueStore`, or a browser storage):
 *
 * - `key`: the manifest: the account, every collection with its state, the `Message` state and
 *   which chats have a window;
 * - `key/window/<chatId>`: one value per message window, rewritten only when that window changed;
 * - `key/writes`: the open writes, saved as soon as they change, so that a send is never lost.
 *
 * A window is always saved before the manifest that lists it, so a window is never older than the
 * `Message` state it will be synced from (newer is harmless: applying `/changes` again changes
 * nothing). The format is versioned. A value that is corrupt or of another version is discarded
 * with a warning (the store then loads what is missing from the server), never a failure; so is a
 * storage error.
 *
 * Values are written with `JSON.stringify` (the objects are JSON values already) and read with the
 * compiled decoder the client uses for responses, which validates everything.
 *
 * @since 0.1.0
 */
import type { KeyValueStore } from "@effect/platform"
import { Effect, Either, Option, ParseResult, Ref, Schema } from "effect"
import { decoderFor, parseUntrusted } from "../../jmap/internal/json.js"
import { Message } from "../Message.js"
import * as Collections from "./Collections.js"
import type * as MessageWindow from "./MessageWindow.js"
import type { Snapshot } from "./Snapshot.js"
import * as Writes from "./Writes.js"

/** The version of the persisted format; a value of any other version is discarded. */
export const version = 1

const collection = <A, I>(item: Schema.Schema<A, I>) =>
  Schema.Struct({ state: Schema.optional(Schema.String), items: Schema.Array(item) })

const Manifest = Schema.Struct({
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
  windows: Schema.Array(Schema.String)
})

const PersistedWindow = Schema.Struct({
  format: Schema.Literal("effect-jmap-chat/ChatStore/window"),
  version: Schema.Literal(version),
  chatId: Schema.String,
  limit: Schema.Int.pipe(Schema.positive()),
  complete: Schema.Boolean,
  loaded: Schema.Boolean,
  messages: Schema.Array(Message)
})

const PersistedWrites = Schema.Struct({
  format: Schema.Literal("effect-jmap-chat/ChatStore/writes"),
  version: Schema.Literal(version),
  writes: Schema.Array(Writes.Persisted)
})

/** Parses and decodes `text` with the compiled decoder of `schema`. */
const decode = <A, I>(schema: Schema.Schema<A, I>) => (text: string): Either.Either<A, ParseResult.ParseError> => {
  let json: unknown
  try {
    json = parseUntrusted(text)
  } catch {
    return Either.left(new ParseResult.ParseError({ issue: new ParseResult.Type(schema.ast, text, "invalid JSON") }))
  }
  return decoderFor(schema)(json)
}

const writesJson = Schema.parseJson(PersistedWrites)

/** What was restored: the last snapshot (if any) and the open writes. */
export interface Restored {
  readonly snapshot: Option.Option<Pick<Snapshot, "accountId" | "collections" | "messageState" | "windows">>
  readonly writes: ReadonlyArray<Writes.Entry>
}

/** Reads and writes a store's values under `key`. */
export interface Persistence {
  /** The persisted snapshot and writes; what cannot be read is discarded with a warning. */
  readonly load: Effect.Effect<Restored>
  /** Saves the snapshot: the windows that changed since the last save, then the manifest (failures are logged). */
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

const toCollections = (persisted: typeof Manifest.Type["collections"]): Collections.Collections =>
  Object.fromEntries(
    Collections.names.map((name) => {
      const c = persisted[name] as { readonly state?: string; readonly items: ReadonlyArray<{ readonly id: string }> }
      return [name, { state: c.state, items: new Map(c.items.map((item) => [item.id, item])) }]
    })
  ) as unknown as Collections.Collections

const fromCollections = (collections: Collections.Collections): typeof Manifest.Type["collections"] =>
  Object.fromEntries(
    Collections.names.map((name) => {
      const c = collections[name] as Collections.Collection<unknown>
      return [name, { ...(c.state === undefined ? {} : { state: c.state }), items: Array.from(c.items.values()) }]
    })
  ) as unknown as typeof Manifest.Type["collections"]

/** The store's persistence in `kv` under `key`. */
export const make = (kv: KeyValueStore.KeyValueStore, key: string): Effect.Effect<Persistence> =>
  Effect.gen(function*() {
    const writesKey = `${key}/writes`
    const windowKey = (chatId: string) => `${key}/window/${encodeURIComponent(chatId)}`
    /** The windows as last saved (or restored), by chat id: unchanged ones are not written again. */
    const saved = yield* Ref.make(new Map<string, MessageWindow.MessageWindow>())

    const read = <A>(
      what: string,
      k: string,
      decoder: (text: string) => Either.Either<A, ParseResult.ParseError>
    ): Effect.Effect<Option.Option<A>> =>
      kv.get(k).pipe(
        Effect.flatMap(Option.match({
          onNone: () => Effect.succeedNone,
          onSome: (text) => {
            const decoded = decoder(text)
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

    const write = (what: string, k: string, text: string) =>
      kv.set(k, text).pipe(
        Effect.as(true),
        Effect.catchAll((error) =>
          Effect.as(Effect.logWarning(`ChatStore: the ${what} cannot be saved: ${error.message}`), false)
        )
      )

    const loadWindows = (chatIds: ReadonlyArray<string>) =>
      Effect.forEach(chatIds, (chatId) =>
        Effect.map(
          read("window", windowKey(chatId), decode(PersistedWindow)),
          Option.filter((w) => w.chatId === chatId)
        )).pipe(
          Effect.map((found) =>
            new Map(found.flatMap(Option.match({
              onNone: () => [],
              onSome: ({ format: _f, version: _v, ...w }): Array<[string, MessageWindow.MessageWindow]> => [[
                w.chatId,
                w
              ]]
            })))
          )
        )

    const load = Effect.gen(function*() {
      const manifest = yield* read("snapshot", key, decode(Manifest))
      const snapshot = yield* Option.match(manifest, {
        onNone: () => Effect.succeedNone,
        onSome: (m) =>
          Effect.map(loadWindows(m.windows), (windows) =>
            Option.some({
              accountId: m.accountId,
              messageState: m.messageState,
              collections: toCollections(m.collections),
              windows
            }))
      })
      if (Option.isSome(snapshot)) yield* Ref.set(saved, new Map(snapshot.value.windows))
      const writes = yield* read("writes", writesKey, Schema.decodeEither(writesJson))
      return {
        snapshot,
        writes: Option.match(writes, { onNone: () => [], onSome: (p) => Writes.restore(p.writes) })
      }
    }).pipe(Effect.withSpan("ChatStore.Persistence.load", { captureStackTrace: false }))

    const saveSnapshot = (snapshot: Snapshot) =>
      Effect.gen(function*() {
        if (snapshot.accountId === undefined) return
        const before = yield* Ref.get(saved)
        const after = new Map<string, MessageWindow.MessageWindow>()
        for (const [chatId, w] of snapshot.windows) {
          const unchanged = before.get(chatId) === w ||
            (yield* write(
              "window",
              windowKey(chatId),
              JSON.stringify({ format: "effect-jmap-chat/ChatStore/window", version, ...w })
            ))
          // A window that could not be saved is left out of the manifest.
          if (unchanged) after.set(chatId, w)
        }
        const manifest: typeof Manifest.Type = {
          format: "effect-jmap-chat/ChatStore",
          version,
          accountId: snapshot.accountId,
          ...(snapshot.messageState === undefined ? {} : { messageState: snapshot.messageState }),
          collections: fromCollections(snapshot.collections),
          windows: Array.from(after.keys())
        }
        if (!(yield* write("snapshot", key, JSON.stringify(manifest)))) return
        for (const chatId of before.keys()) {
          if (!after.has(chatId)) yield* Effect.ignore(kv.remove(windowKey(chatId)))
        }
        yield* Ref.set(saved, after)
      }).pipe(Effect.withSpan("ChatStore.Persistence.saveSnapshot", { captureStackTrace: false }))

    const saveWrites = (writes: ReadonlyArray<Writes.Entry>) =>
      Either.match(
        Schema.encodeEither(writesJson)({
          format: "effect-jmap-chat/ChatStore/writes",
          version,
          writes: Writes.persist(writes)
        }),
        {
          onLeft: (error) => Effect.logWarning(`ChatStore: the writes do not encode (${where(error)}); not saved`),
          onRight: (text) => Effect.asVoid(write("writes", writesKey, text))
        }
      )

    return { load, saveSnapshot, saveWrites }
  })
