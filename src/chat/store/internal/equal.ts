/**
 * Structural equality of decoded JMAP values (plain objects and arrays, compared member by member),
 * so that an object fetched again unchanged keeps its old reference and views do not emit. Other
 * objects (an `Option`, an error) are compared with Effect's `Equal`.
 *
 * @internal
 */
import { Equal } from "effect"

const isPlain = (u: object): boolean => {
  const proto = Object.getPrototypeOf(u)
  return proto === Object.prototype || proto === null
}

/** True when `a` and `b` are equal values (see the module doc). */
export const same = (a: unknown, b: unknown): boolean => {
  if (a === b) return true
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false
    for (let i = 0; i < a.length; i++) if (!same(a[i], b[i])) return false
    return true
  }
  if (Array.isArray(b)) return false
  if (!isPlain(a) || !isPlain(b)) return Equal.equals(a, b)
  const keys = Object.keys(a)
  if (keys.length !== Object.keys(b).length) return false
  for (const key of keys) {
    if (!Object.prototype.hasOwnProperty.call(b, key)) return false
    if (!same((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false
  }
  return true
}

/** `next`, or `previous` when both are {@link same} (so unchanged values keep their identity). */
export const keep = <A>(previous: A | undefined, next: A): A =>
  previous !== undefined && same(previous, next) ? previous : next
