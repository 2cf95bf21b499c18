/**
 * Hot-path construction of `Schema.TaggedClass` instances from values that were just decoded.
 *
 * `new C(props, true)` still copies `props`, deletes and re-adds `_tag` and walks every field for
 * constructor defaults: about 1.7 µs per instance, which was a quarter of the cost of decoding a push
 * event. {@link unsafeMake} builds the same object (same prototype, same own keys in the same order,
 * so `Equal`, `Hash`, `toJSON` and `inspect` agree) without that work. Only for classes whose fields
 * have no constructor defaults besides `_tag`, and only for props that already passed their schema.
 *
 * @internal
 */

/** A `Schema.TaggedClass` constructor (its static `_tag` is the tag). */
type TaggedClass<A> = (new(props: never, options?: boolean) => A) & { readonly _tag: string }

/** Props of `C` as its constructor takes them. */
type Props<C> = C extends new(props: infer P, options?: boolean) => unknown ? P : never

/** Equivalent to `new klass(props, true)`; see the module comment for when it may be used. */
export const unsafeMake = <C extends TaggedClass<unknown>>(
  klass: C,
  props: Props<C>
): InstanceType<C> => {
  const out = Object.create(klass.prototype as object) as Record<string, unknown>
  for (const key in props as Record<string, unknown>) out[key] = (props as Record<string, unknown>)[key]
  out["_tag"] = klass._tag
  return out as InstanceType<C>
}
