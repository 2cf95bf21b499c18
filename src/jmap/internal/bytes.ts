/**
 * Byte helpers shared by the body readers, the SSE decoder, the WebSocket session and the request
 * size checks (platform-neutral: no `Buffer`).
 *
 * @internal
 */

/** Joins `chunks` (of `total` bytes in all) into one array; a single chunk is returned as is. */
export const concat = (chunks: ReadonlyArray<Uint8Array>, total: number): Uint8Array => {
  if (chunks.length === 1) return chunks[0]!
  const out = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.length
  }
  return out
}

/**
 * The length of `s` in UTF-8 bytes, as `TextEncoder` would encode it (a lone surrogate becomes
 * U+FFFD, 3 bytes), without encoding it.
 */
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
