/**
 * One account's materialised records of one data type, with the type's state string and a
 * bounded change log (RFC 8620 §1.6.3 states, §5.2 `/changes`, §5.6 `/queryChanges`).
 *
 * Every created, updated or destroyed record advances the state by one, so `/changes` can stop
 * at any record boundary and honour `maxChanges` exactly. Only the newest `capacity` log
 * entries are kept; a `sinceState` older than that yields `cannotCalculateChanges`.
 *
 * @since 0.1.0
 */
import { Option } from "effect"
import { jsonEqual, type JsonRecord } from "./Json.js"

type ChangeKind = "created" | "updated" | "destroyed"

interface LogEntry {
  readonly seq: number
  readonly id: string
  readonly kind: ChangeKind
}

/** The result of {@link TypeStore.changes}: RFC 8620 §5.2 response fields. */
export interface Changes {
  readonly oldState: string
  readonly newState: string
  readonly hasMoreChanges: boolean
  readonly created: ReadonlyArray<string>
  readonly updated: ReadonlyArray<string>
  readonly destroyed: ReadonlyArray<string>
}

/** A per-account, per-type record store with state and change log. */
export class TypeStore {
  private seq = 0
  /** Changes after this sequence number are all still in the log. */
  private floor = 0
  private readonly log: Array<LogEntry> = []
  private readonly records = new Map<string, JsonRecord>()

  constructor(private readonly capacity: number) {}

  /** The current state string. */
  get state(): string {
    return String(this.seq)
  }

  /** The record with this id, if present. */
  get(id: string): JsonRecord | undefined {
    return this.records.get(id)
  }

  /** Every record, in creation order. */
  all(): ReadonlyArray<JsonRecord> {
    return Array.from(this.records.values())
  }

  /** Number of records. */
  get size(): number {
    return this.records.size
  }

  /**
   * Stores (or, with `undefined`, removes) a record. Returns `true` and advances the state when
   * that changed anything.
   */
  put(id: string, record: JsonRecord | undefined): boolean {
    const previous = this.records.get(id)
    if (record === undefined) {
      if (previous === undefined) return false
      this.records.delete(id)
      this.append(id, "destroyed")
      return true
    }
    if (previous !== undefined && jsonEqual(previous, record)) return false
    this.records.set(id, record)
    this.append(id, previous === undefined ? "created" : "updated")
    return true
  }

  private append(id: string, kind: ChangeKind): void {
    this.seq += 1
    this.log.push({ seq: this.seq, id, kind })
    while (this.log.length > this.capacity) {
      const dropped = this.log.shift()!
      this.floor = dropped.seq
    }
  }

  private parseState(state: string): Option.Option<number> {
    if (!/^(0|[1-9][0-9]*)$/.test(state)) return Option.none()
    const n = Number(state)
    return n < this.floor || n > this.seq ? Option.none() : Option.some(n)
  }

  /**
   * RFC 8620 §5.2: what changed since `sinceState`, at most `maxChanges` ids. `None` means
   * `cannotCalculateChanges` (unknown state, or older than the retained log).
   */
  changes(sinceState: string, maxChanges: number | undefined): Option.Option<Changes> {
    return Option.map(this.parseState(sinceState), (since) => {
      const entries = this.log.filter((entry) => entry.seq > since)
      const first = new Map<string, ChangeKind>()
      const last = new Map<string, ChangeKind>()
      let newSeq = since
      for (const entry of entries) {
        if (!first.has(entry.id)) {
          if (maxChanges !== undefined && first.size >= maxChanges) break
          first.set(entry.id, entry.kind)
        }
        last.set(entry.id, entry.kind)
        newSeq = entry.seq
      }
      const created: Array<string> = []
      const updated: Array<string> = []
      const destroyed: Array<string> = []
      for (const [id, kind] of first) {
        const existedBefore = kind !== "created"
        const existsNow = last.get(id) !== "destroyed"
        if (existedBefore && existsNow) updated.push(id)
        else if (existedBefore) destroyed.push(id)
        else if (existsNow) created.push(id)
      }
      return {
        oldState: sinceState,
        newState: String(newSeq),
        hasMoreChanges: newSeq < this.seq,
        created,
        updated,
        destroyed
      }
    })
  }

  /** Ids touched since `sinceState` (for `/queryChanges`); `None` when it cannot be calculated. */
  touchedSince(sinceState: string): Option.Option<ReadonlySet<string>> {
    return Option.map(
      this.parseState(sinceState),
      (since) => new Set(this.log.filter((entry) => entry.seq > since).map((entry) => entry.id))
    )
  }
}
