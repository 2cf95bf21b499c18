/**
 * UTF-8 byte counts without encoding, for size limits (RFC 8620 §2 `maxSizeRequest`). Portable: no
 * `Buffer`, so the core bundles for browsers.
 *
 * @internal
 */

/** The number of bytes `s` takes in UTF-8, as `TextEncoder` would write it (a lone surrogate as U+FFFD). */
export const utf8Length = (s: string): number => {
  let n = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) n += 1
    else if (c < 0x800) n += 2
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const next = s.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) {
        n += 4
        i++
      } else n += 3
    } else n += 3
  }
  return n
}
