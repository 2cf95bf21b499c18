/**
 * Node.js layers: undici HTTP with an optional private CA.
 *
 * @since 0.1.0
 */
export * as NodeHttp from "./NodeHttp.js"
