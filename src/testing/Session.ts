/**
 * The Session resource (RFC 8620 §2) the reference server serves at `/.well-known/jmap`, with the
 * JMAP Chat capabilities and account capabilities (draft-atwood-jmap-chat-00 §Capability,
 * -push-00, -wss-00, jmap-cid-00; RFC 8887, RFC 9425, blob2) and the chat extension fields
 * `ownerUserId` / `ownerLogin` / `ownerEndpoints`.
 *
 * @since 0.1.0
 */
import { createHash } from "node:crypto"
import type { JsonRecord } from "./Json.js"
import { Capability, type ServerLimits, supportedBodyTypes, supportedUrgencyValues } from "./ServerConfig.js"
import { collationAlgorithms } from "./StandardMethods.js"
import type { User } from "./World.js"

/** Where the Session's URLs point. */
export interface SessionUrls {
  /** `http://127.0.0.1:<port>`; used for the WebSocket URL and for absolute URLs. */
  readonly origin: string
  /** Serve apiUrl, uploadUrl, downloadUrl and eventSourceUrl relative to the origin. */
  readonly relative: boolean
  /** The WebSocket capability's `url`, verbatim; default `ws://…/jmap/ws` (see `ServerQuirks.webSocketUrl`). */
  readonly webSocket?: string | undefined
}

/** Paths of the server's endpoints. */
export const Paths = {
  session: "/.well-known/jmap",
  api: "/jmap/api",
  upload: "/jmap/upload/{accountId}/",
  download: "/jmap/download/{accountId}/{blobId}/{name}",
  eventSource: "/jmap/eventsource",
  webSocket: "/jmap/ws"
} as const

/** The capability URIs a client may list in `using`. */
export const capabilityUris: ReadonlyArray<string> = Object.values(Capability)

/** The Session object for one user; `generation` is folded into `state` so it can be bumped. */
export const sessionFor = (user: User, limits: ServerLimits, urls: SessionUrls, generation: number): JsonRecord => {
  const base = urls.relative ? "" : urls.origin
  const wsOrigin = urls.origin.replace(/^http/, "ws")
  const accountId = user.accountId
  const session = {
    capabilities: {
      [Capability.core]: {
        maxSizeUpload: limits.maxSizeUpload,
        maxConcurrentUpload: limits.maxConcurrentUpload,
        maxSizeRequest: limits.maxSizeRequest,
        maxConcurrentRequests: limits.maxConcurrentRequests,
        maxCallsInRequest: limits.maxCallsInRequest,
        maxObjectsInGet: limits.maxObjectsInGet,
        maxObjectsInSet: limits.maxObjectsInSet,
        collationAlgorithms: [...collationAlgorithms]
      },
      [Capability.chat]: {},
      [Capability.chatPush]: {},
      [Capability.websocket]: { url: urls.webSocket ?? `${wsOrigin}${Paths.webSocket}`, supportsPush: true },
      [Capability.chatWebsocket]: {},
      [Capability.cid]: {},
      [Capability.quota]: {},
      [Capability.blob2]: {}
    },
    accounts: {
      [accountId]: {
        name: user.login,
        isPersonal: true,
        isReadOnly: false,
        accountCapabilities: {
          [Capability.chat]: {
            maxBodyBytes: limits.maxBodyBytes,
            maxAttachmentBytes: limits.maxSizeUpload,
            maxAttachmentsPerMessage: limits.maxAttachmentsPerMessage,
            supportedBodyTypes: [...supportedBodyTypes],
            supportsThreads: true,
            role: "owner",
            maxGroupMembers: limits.maxGroupMembers,
            maxSpaceMembers: limits.maxSpaceMembers,
            maxRolesPerSpace: limits.maxRolesPerSpace,
            maxChannelsPerSpace: limits.maxChannelsPerSpace,
            maxCategoriesPerSpace: limits.maxCategoriesPerSpace
          },
          [Capability.chatPush]: {
            maxSnippetBytes: limits.maxSnippetBytes,
            supportedUrgencyValues: [...supportedUrgencyValues],
            maxMessagesPerPush: limits.maxMessagesPerPush
          },
          [Capability.quota]: {},
          [Capability.blob2]: {
            maxSizeBlobSet: limits.maxSizeUpload,
            maxDataSources: 64,
            supportedTypeNames: ["Message", "Chat", "Space", "CustomEmoji"],
            supportedDigestAlgorithms: ["sha-256"]
          }
        }
      }
    },
    primaryAccounts: {
      [Capability.core]: accountId,
      [Capability.chat]: accountId,
      [Capability.chatPush]: accountId,
      [Capability.quota]: accountId,
      [Capability.blob2]: accountId
    },
    username: user.login,
    apiUrl: `${base}${Paths.api}`,
    uploadUrl: `${base}${Paths.upload}`,
    downloadUrl: `${base}${Paths.download}?accept={type}`,
    eventSourceUrl: `${base}${Paths.eventSource}?types={types}&closeafter={closeafter}&ping={ping}`,
    ownerUserId: user.userId,
    ownerLogin: user.login,
    ...(user.endpoints.length > 0 ? { ownerEndpoints: user.endpoints.map((e) => ({ ...e })) } : {})
  }
  const state = createHash("sha256").update(`${generation}:${JSON.stringify(session)}`).digest("hex").slice(0, 16)
  return { ...session, state }
}
