/**
 * Per-user push fan-out: every event a user's push connections may carry — RFC 8620 §7.1
 * StateChange, and the chat drafts' ephemeral typing and presence events — gets a per-user
 * sequence number (the SSE `id:` and the RFC 8887 `pushState`). StateChanges are kept in a
 * bounded log so a reconnecting client can be replayed what it missed.
 *
 * @since 0.1.0
 */
import { Effect, Option, PubSub, type Queue, type Scope } from "effect"
import type { EphemeralEvent } from "./World.js"

/** `changed` of a StateChange: accountId → type name → state. */
export type Changed = { readonly [accountId: string]: { readonly [typeName: string]: string } }

/** A sequenced StateChange. */
export interface StateChangeEvent {
  readonly _tag: "StateChange"
  readonly id: number
  readonly changed: Changed
}

/** A sequenced push event. */
export type PushEvent = StateChangeEvent | (EphemeralEvent & { readonly id: number })

interface Channel {
  seq: number
  /** StateChanges after this id are all in the log. */
  floor: number
  readonly log: Array<StateChangeEvent>
  readonly pubsub: PubSub.PubSub<PushEvent>
}

/** The push fan-out of one server. */
export class PushHub {
  private constructor(
    private readonly channels: ReadonlyMap<string, Channel>,
    private readonly capacity: number
  ) {}

  /** One channel per user. */
  static make(userIds: ReadonlyArray<string>, capacity: number): Effect.Effect<PushHub> {
    return Effect.gen(function*() {
      const channels = new Map<string, Channel>()
      for (const userId of userIds) {
        channels.set(userId, { seq: 0, floor: 0, log: [], pubsub: yield* PubSub.unbounded<PushEvent>() })
      }
      return new PushHub(channels, capacity)
    })
  }

  private channel(userId: string): Channel {
    const channel = this.channels.get(userId)
    if (channel === undefined) throw new Error(`no push channel for ${userId}`)
    return channel
  }

  /** Sequences and publishes an event to a user's connections. */
  publish(userId: string, event: Omit<StateChangeEvent, "id"> | EphemeralEvent): Effect.Effect<void> {
    return Effect.suspend(() => {
      const channel = this.channel(userId)
      channel.seq += 1
      const sequenced = { ...event, id: channel.seq } as PushEvent
      if (sequenced._tag === "StateChange") {
        channel.log.push(sequenced)
        while (channel.log.length > this.capacity) channel.floor = channel.log.shift()!.id
      }
      return PubSub.publish(channel.pubsub, sequenced)
    })
  }

  /** Subscribes to a user's events for the lifetime of the scope. */
  subscribe(userId: string): Effect.Effect<Queue.Dequeue<PushEvent>, never, Scope.Scope> {
    return Effect.suspend(() => PubSub.subscribe(this.channel(userId).pubsub))
  }

  /** The id of the latest event sent to a user (0 before any). */
  lastId(userId: string): number {
    return this.channel(userId).seq
  }

  /**
   * The StateChanges after `afterId`, or `None` when they are no longer all in the log (or the
   * id is not one this server issued).
   */
  stateChangesAfter(userId: string, afterId: number): Option.Option<ReadonlyArray<StateChangeEvent>> {
    const channel = this.channel(userId)
    if (!Number.isSafeInteger(afterId) || afterId < channel.floor || afterId > channel.seq) return Option.none()
    return Option.some(channel.log.filter((event) => event.id > afterId))
  }
}
