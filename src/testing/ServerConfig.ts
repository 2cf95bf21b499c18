/**
 * Options of the reference server: its users, the limits it advertises in the Session
 * (RFC 8620 §2 core capability; draft-atwood-jmap-chat-00 and -push-00 account capabilities) and
 * behaviour switches where the drafts disagree with each other.
 *
 * @since 0.1.0
 */
/** The `cors` option of the reference server (see `Cors.middleware`). */
export interface CorsOptions {
  /** Origins whose pages may call the server (e.g. `"http://127.0.0.1:8080"`), or `"*"` for any. */
  readonly allowedOrigins: ReadonlyArray<string> | "*"
  /** Let pages send cookies (`credentials: "include"`): `Access-Control-Allow-Credentials: true`. Default false. */
  readonly credentials?: boolean
  /** How long a browser may cache a preflight, in seconds. Default 600. */
  readonly maxAge?: number
}

/** One user to provision. Everything but `name` has a default derived from it. */
export interface UserOptions {
  /** Short handle, e.g. `"alice"`. */
  readonly name: string
  /** Bearer token; default `"<name>-token"`. */
  readonly token?: string
  /** Password for HTTP Basic; default `"<name>-password"`. `null` disables Basic for this user. */
  readonly password?: string | null
  /** Default: the name, capitalised. */
  readonly displayName?: string
  /** ChatContact.id; default `"user:<name>@example.com"` (deliberately not an RFC 8620 Id). */
  readonly userId?: string
  /** Default `"<name>@example.com"`. */
  readonly login?: string
  /** Default `"A-<name>"`. */
  readonly accountId?: string
  /** Session `ownerEndpoints` (draft-atwood-jmap-chat-00 Endpoint objects). */
  readonly endpoints?: ReadonlyArray<{ readonly type: string; readonly uri: string; readonly label?: string }>
}

/** The limits the server advertises and enforces. */
export interface ServerLimits {
  readonly maxSizeUpload: number
  readonly maxConcurrentUpload: number
  readonly maxSizeRequest: number
  readonly maxConcurrentRequests: number
  readonly maxCallsInRequest: number
  readonly maxObjectsInGet: number
  readonly maxObjectsInSet: number
  readonly maxBodyBytes: number
  readonly maxAttachmentsPerMessage: number
  readonly maxGroupMembers: number
  readonly maxSpaceMembers: number
  readonly maxRolesPerSpace: number
  readonly maxChannelsPerSpace: number
  readonly maxCategoriesPerSpace: number
  readonly maxSnippetBytes: number
  readonly maxMessagesPerPush: number
  /** How many record changes each (account, type) change log keeps; older states → `cannotCalculateChanges`. */
  readonly changeLogCapacity: number
  /** How many StateChange events each user's push log keeps for `Last-Event-ID` / `pushState` replay. */
  readonly pushLogCapacity: number
}

/**
 * Behaviours of real servers that a client must cope with, all off by default: each lets a test
 * show that the SDK copes (and fails without the fix).
 */
export interface ServerQuirks {
  /**
   * Serve the Session at this path (e.g. `"/jmap/session"`) and answer `/.well-known/jmap` with a
   * 307 redirect to it, as many servers do (RFC 8620 §2.2 allows either).
   */
  readonly sessionPath?: `/${string}`
  /**
   * The `url` of the `urn:ietf:params:jmap:websocket` capability, verbatim, e.g. the host-less
   * `"wss:/jmap/ws"` some servers send. Default: the absolute `ws://127.0.0.1:<port>/jmap/ws`.
   */
  readonly webSocketUrl?: string
  /**
   * How `WebSocketPushEnable` reads `dataTypes: null`: `"all"` types (RFC 8887 §4.3.5.2, the
   * default) or `"none"`, as some servers do.
   */
  readonly pushNullDataTypes?: "all" | "none"
  /**
   * Capabilities the Session advertises that requests may not use: a request whose `using` names
   * one fails as a whole with the `unknownCapability` request error (RFC 8620 §3.6.1).
   */
  readonly unusableCapabilities?: ReadonlyArray<string>
  /**
   * A `maxCallsInRequest` lower than the Session advertises: a request with more calls fails with
   * the `limit` request error.
   */
  readonly enforcedMaxCallsInRequest?: number
}

/** Options of {@link ChatBackend.make} and {@link ChatServer.make}. */
export interface ChatServerOptions {
  /** Default: alice, bob and carol. */
  readonly users?: ReadonlyArray<UserOptions>
  readonly limits?: Partial<ServerLimits>
  /**
   * How a second direct chat with the same contact is answered. `"updated"` (the draft's MUST:
   * the existing chat appears in `updated`, and its id is recorded as the creation id's result)
   * or `"alreadyExists"` (compliance test 2.4: a SetError with `existingId`). Default `"updated"`.
   */
  readonly directChatDuplicate?: "updated" | "alreadyExists"
  /**
   * What `PresenceStatus.presence` becomes when its `expiresAt` passes: `"online"` (the core
   * draft) or `"offline"` (compliance test 9.3). Default `"online"`.
   */
  readonly presenceExpiry?: "online" | "offline"
  /** Serve Session URLs relative to the server origin instead of absolute. Default `false`. */
  readonly relativeUrls?: boolean
  /** Clock override in epoch milliseconds; by default the Effect `Clock` (so `TestClock` works). */
  readonly now?: () => number
  /** TCP port; default 0 (any free port). The server always binds 127.0.0.1. */
  readonly port?: number
  /** Serve pages from other origins (CORS, for browser clients); default: no cross-origin access. */
  readonly cors?: CorsOptions
  /** Real-server behaviours to imitate (see {@link ServerQuirks}); none by default. */
  readonly quirks?: ServerQuirks
}

/** The default limits. */
export const defaultLimits: ServerLimits = {
  maxSizeUpload: 20_000_000,
  maxConcurrentUpload: 4,
  maxSizeRequest: 10_000_000,
  maxConcurrentRequests: 8,
  maxCallsInRequest: 32,
  maxObjectsInGet: 500,
  maxObjectsInSet: 500,
  maxBodyBytes: 65_536,
  maxAttachmentsPerMessage: 10,
  maxGroupMembers: 100,
  maxSpaceMembers: 1000,
  maxRolesPerSpace: 50,
  maxChannelsPerSpace: 200,
  maxCategoriesPerSpace: 50,
  maxSnippetBytes: 200,
  maxMessagesPerPush: 10,
  changeLogCapacity: 1000,
  pushLogCapacity: 1000
}

/** The default users. */
export const defaultUsers: ReadonlyArray<UserOptions> = [{ name: "alice" }, { name: "bob" }, { name: "carol" }]

/** Capability URIs the server implements (RFC 8620, RFC 8887, RFC 9425, RFC 9404 successor, the drafts). */
export const Capability = {
  core: "urn:ietf:params:jmap:core",
  chat: "urn:ietf:params:jmap:chat",
  chatPush: "urn:ietf:params:jmap:chat:push",
  websocket: "urn:ietf:params:jmap:websocket",
  chatWebsocket: "urn:ietf:params:jmap:chat:websocket",
  cid: "urn:ietf:params:jmap:cid",
  quota: "urn:ietf:params:jmap:quota",
  blob2: "urn:ietf:params:jmap:blob2"
} as const

/** The body types the server accepts in `Message.bodyType`. */
export const supportedBodyTypes: ReadonlyArray<string> = ["text/plain", "text/markdown", "application/jmap-chat-rich"]

/** The urgency values advertised in the chat:push account capability. */
export const supportedUrgencyValues: ReadonlyArray<string> = ["very-low", "low", "normal", "high"]
