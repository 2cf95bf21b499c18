/**
 * The `Quota` data type (RFC 9425) as the JMAP Chat drafts suggest using it: message storage in
 * octets, and counts of chats and Spaces, each per account. Read-only.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { type DataType, filter } from "../DataType.js"
import { type JsonRecord, utf8Length } from "../Json.js"
import { Capability } from "../ServerConfig.js"
import type { Account, World } from "../World.js"

/** The quota ids every account has. */
export const quotaIds: ReadonlyArray<string> = ["messages", "chats", "spaces"]

const project = (world: World, account: Account, id: string): JsonRecord | undefined => {
  const me = account.user.userId
  switch (id) {
    case "messages": {
      let used = 0
      for (const copy of account.messages.values()) {
        const message = world.messages.get(copy.canonId)
        if (message !== undefined && message.senderId === me) used += utf8Length(message.body)
      }
      for (const blob of account.blobs.values()) used += blob.bytes.length
      return {
        id,
        name: "Message storage",
        scope: "account",
        resourceType: "octets",
        used,
        hardLimit: 1_000_000_000,
        types: ["Message"]
      }
    }
    case "chats":
      return {
        id,
        name: "Chats",
        scope: "account",
        resourceType: "count",
        used: account.chats.size,
        hardLimit: 10_000,
        types: ["Chat"]
      }
    case "spaces": {
      const used = Array.from(world.spaces.values()).filter((s) => s.members.has(me)).length
      return { id, name: "Spaces", scope: "account", resourceType: "count", used, hardLimit: 1_000, types: ["Space"] }
    }
    default:
      return undefined
  }
}

/** The `Quota` data type. */
export const QuotaType: DataType = {
  name: "Quota",
  capability: Capability.quota,
  properties: [
    "id",
    "name",
    "scope",
    "resourceType",
    "used",
    "hardLimit",
    "warnLimit",
    "softLimit",
    "description",
    "types"
  ],
  project,
  query: {
    filters: {
      name: filter(Schema.String, (r, v) => typeof r.name === "string" && r.name.includes(v)),
      scope: filter(Schema.String, (r, v) => r.scope === v),
      resourceType: filter(Schema.String, (r, v) => r.resourceType === v),
      type: filter(Schema.String, (r, v) => Array.isArray(r.types) && r.types.includes(v))
    },
    sorts: ["name", "used"],
    defaultSort: () => [{ property: "name", isAscending: true, collation: undefined }]
  }
}
