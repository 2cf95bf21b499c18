/**
 * Byte helpers shared by the body readers and the SSE decoder.
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
