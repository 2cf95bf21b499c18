/**
 * Node.js HTTP for the SDK: an `HttpClient` on undici with a connect timeout and, optionally, a
 * private certificate authority (DER or PEM) that REPLACES the public roots (pinning semantics,
 * like the Rust client's `CustomCaTransport`), and the `HttpTransport` layer on top of it.
 *
 * @since 0.1.0
 */
import type { HttpClient } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { Duration, Effect, Either, Encoding, Layer } from "effect"
import { Agent } from "undici"
import { InvalidArgument, type InvalidHeaderValue } from "../jmap/Errors.js"
import * as HttpTransport from "../jmap/HttpTransport.js"
import * as NodeSha256 from "./NodeSha256.js"

/** Options of the Node `HttpClient`. */
export interface NodeHttpOptions {
  /** A private CA certificate (PEM text or DER bytes). When given, only this CA is trusted. */
  readonly ca?: string | Uint8Array
  /** TCP + TLS connect timeout. Default 10 s. */
  readonly connectTimeout?: Duration.DurationInput
}

const pemBlock = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/

/**
 * Normalises a CA certificate to one PEM block: the first `-----BEGIN …-----` block of PEM text
 * (any label), or DER bytes wrapped as PEM. Anything else is an `InvalidArgument`.
 */
export const normalizeCa = (ca: string | Uint8Array): Either.Either<string, InvalidArgument> => {
  if (typeof ca === "string") {
    const match = pemBlock.exec(ca)
    const body = match?.[2]?.replace(/\s+/g, "") ?? ""
    if (body === "" || Either.isLeft(Encoding.decodeBase64(body))) {
      return Either.left(new InvalidArgument({ description: "CA: no PEM-framed certificate found in input" }))
    }
    return Either.right(toPem(body))
  }
  // A DER certificate is an ASN.1 SEQUENCE (0x30); anything else cannot be one.
  if (ca.length < 2 || ca[0] !== 0x30) {
    return Either.left(new InvalidArgument({ description: "CA: the bytes are not a DER certificate" }))
  }
  return Either.right(toPem(Encoding.encodeBase64(ca)))
}

const toPem = (base64: string): string =>
  `-----BEGIN CERTIFICATE-----\n${base64.match(/.{1,64}/g)!.join("\n")}\n-----END CERTIFICATE-----\n`

/** An undici `HttpClient` layer with a connect timeout and an optional private CA. */
export const layerHttpClient = (options: NodeHttpOptions = {}): Layer.Layer<HttpClient.HttpClient, InvalidArgument> =>
  NodeHttpClient.layerUndiciWithoutDispatcher.pipe(
    Layer.provide(
      Layer.scoped(
        NodeHttpClient.Dispatcher,
        Effect.gen(function*() {
          const ca = options.ca === undefined ? undefined : yield* normalizeCa(options.ca)
          const timeout = Duration.toMillis(Duration.decode(options.connectTimeout ?? "10 seconds"))
          return yield* Effect.acquireRelease(
            Effect.sync(() => new Agent({ connect: { timeout, ...(ca === undefined ? {} : { ca }) } })),
            (agent) => Effect.promise(() => agent.destroy())
          )
        })
      )
    )
  )

/** `HttpTransport` over undici, hashing blobs with `node:crypto`: `layer({ url, auth, ca })` needs nothing else. */
export const layer = (
  options: HttpTransport.Options & NodeHttpOptions
): Layer.Layer<HttpTransport.HttpTransport, InvalidArgument | InvalidHeaderValue> =>
  HttpTransport.layer(options).pipe(Layer.provide(Layer.merge(layerHttpClient(options), NodeSha256.layer)))
