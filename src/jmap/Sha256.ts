/**
 * `Sha256`: the SHA-256 with which `HttpTransport` checks blobs (draft-atwood-jmap-cid-00 `sha256`
 * of an upload's response and of a download's expected digest), hashing a stream chunk by chunk.
 * A service, so that the core imports no platform module: the default is portable JavaScript
 * (`@noble/hashes`, for browsers and any runtime), and `NodeSha256.layer` (used by the Node layers)
 * swaps in `node:crypto`.
 *
 * @since 0.1.0
 */
import { sha256 } from "@noble/hashes/sha2.js"
import { bytesToHex } from "@noble/hashes/utils.js"
import { Context } from "effect"

/** One running hash: feed it chunks in order, then read the digest once. */
export interface Hash {
  readonly update: (chunk: Uint8Array) => void
  /** The lowercase hex digest of everything fed so far; the hash may not be used afterwards. */
  readonly digestHex: () => string
}

/** The service: starts a hash. */
export interface Service {
  readonly create: () => Hash
}

/** A portable SHA-256 over `@noble/hashes` (incremental, no platform module). */
export const portable: Service = {
  create: () => {
    const hash = sha256.create()
    return {
      update: (chunk) => {
        hash.update(chunk)
      },
      digestHex: () => bytesToHex(hash.digest())
    }
  }
}

/** The `Sha256` service: {@link portable} unless a layer provides another (e.g. `NodeSha256.layer`). */
export class Sha256 extends Context.Reference<Sha256>()("effect-jmap-chat/Sha256", {
  defaultValue: (): Service => portable
}) {}

/** The lowercase hex SHA-256 of `bytes`. */
export const hex = (service: Service, bytes: Uint8Array): string => {
  const hash = service.create()
  hash.update(bytes)
  return hash.digestHex()
}

/** Compares two digests in time that depends only on their lengths (not on where they differ). */
export const sameDigest = (a: string, b: string): boolean => {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return diff === 0
}
