/**
 * SHA-256 on Node's native `node:crypto` for blob checks (draft-atwood-jmap-cid-00), several
 * times faster than the portable default on large blobs. `NodeHttp.layer` and `NodeChat.layer`
 * provide it.
 *
 * @since 0.1.0
 */
import { Layer } from "effect"
import { createHash } from "node:crypto"
import { type Service, Sha256 } from "../jmap/Sha256.js"

/** The `Sha256` service over `node:crypto`. */
export const native: Service = {
  create: () => {
    const hash = createHash("sha256")
    return {
      update: (chunk) => {
        hash.update(chunk)
      },
      digestHex: () => hash.digest("hex")
    }
  }
}

/** Provides {@link native} as the `Sha256` service. */
export const layer: Layer.Layer<Sha256> = Layer.succeed(Sha256, native)
