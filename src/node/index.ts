/**
 * Node.js layers: undici HTTP with an optional private CA, native SHA-256 for blob checks,
 * WebSockets over `ws` with headers on the upgrade, and the whole client stack in one line (the
 * chat one, or the generic one for any capability).
 *
 * @since 0.1.0
 */
export * as NodeChat from "./NodeChat.js"
export * as NodeHttp from "./NodeHttp.js"
export * as NodeJmap from "./NodeJmap.js"
export * as NodeSha256 from "./NodeSha256.js"
export * as NodeWebSocket from "./NodeWebSocket.js"
