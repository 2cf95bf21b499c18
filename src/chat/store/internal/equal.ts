/**
 * Structural equality of decoded JMAP values (plain objects and arrays, compared key by key), so
 * that an object fetched again unchanged keeps its old reference and views do not emit.
 *
 * @internal
 */
import { Equal, Utils } from "effect"

/** True when `a` and `b` are equal values (Effect `Equal`, with plain objects and arrays compared by content). */
export const same = (a: unknown, b: unknown): boolean => a === b || Utils.structuralRegion(() => Equal.equals(a, b))

/** `next`, or `previous` when both are {@link same} (so unchanged values keep their identity). */
export const keep = <A>(previous: A | undefined, next: A): A =>
  previous !== undefined && same(previous, next) ? previous : next
