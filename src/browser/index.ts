/**
 * `effect-jmap-chat/browser`: the client stack on `fetch` and the browser's `WebSocket`, with
 * cookie or URL-token WebSocket authentication.
 *
 * @since 0.1.0
 */
export * as BrowserChat from "./BrowserChat.js"
export * as BrowserHttp from "./BrowserHttp.js"
export * as BrowserWebSocket from "./BrowserWebSocket.js"
