/**
 * `effect-jmap-chat/testing`: a reference, in-memory JMAP Chat server (RFC 8620, RFC 8887 and the
 * draft-atwood-jmap-chat family) to run demos and tests against, with no other software installed,
 * and the layers that put the SDK's client in front of it: {@link ChatClientTest} (no sockets) and
 * {@link ChatServerTest} (the real HTTP stack).
 *
 * @since 0.1.0
 */
export { ChatBackend, type UserInfo } from "./ChatBackend.js"
export * as Backend from "./ChatBackend.js"
export * as ChatClientTest from "./ChatClientTest.js"
export { ChatServer } from "./ChatServer.js"
export * as ChatServerTest from "./ChatServerTest.js"
export type { CorsOptions } from "./Cors.js"
export type { Endpoint, FaultControls, ReceivedRequest } from "./Faults.js"
export type { JsonRecord, JsonValue } from "./Json.js"
export { MethodFailure, RequestProblem, SetFailure } from "./ProtocolErrors.js"
export type { PushEvent, StateChangeEvent } from "./PushHub.js"
export type { ChatServerOptions, ServerLimits, ServerQuirks, UserOptions } from "./ServerConfig.js"
export { Capability, defaultLimits, defaultUsers } from "./ServerConfig.js"
export type { PushDelivery } from "./World.js"
