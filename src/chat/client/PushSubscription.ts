/**
 * The RFC 8620 §7.2 PushSubscription object with the `chatPush` extension of
 * draft-atwood-jmap-chat-push-00, and its `/get` and `/set` responses, which have no `accountId`
 * and no state.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { ListResponse, SetError } from "../../jmap/MethodResponses.js"
import { Id, OpenStruct, State, UTCDate } from "../../jmap/Primitives.js"
import { ChatPushConfig } from "../PushTypes.js"

const optionalNullable = <S extends Schema.Schema.All>(schema: S) =>
  Schema.optionalWith(Schema.NullOr(schema), { exact: true })

/** RFC 8291 Web Push encryption keys of a PushSubscription (RFC 8620 §7.2 `keys`). */
export const PushKeys = OpenStruct({
  p256dh: Schema.String,
  auth: Schema.String
}, "PushKeys")
/** @see {@link PushKeys} */
export type PushKeys = typeof PushKeys.Type

/** `chatPush`: per accountId, which new messages trigger an inline `ChatMessagePush` (push draft §ChatPushConfig). */
export const ChatPushMap = Schema.Record({
  key: Id.pipe(Schema.filter((k) => k !== "__proto__")),
  value: ChatPushConfig
}).annotations({ parseOptions: { onExcessProperty: "ignore" } })
/** @see {@link ChatPushMap} */
export type ChatPushMap = typeof ChatPushMap.Type

/**
 * A PushSubscription (RFC 8620 §7.2). Only `id` is always present: `url` and `keys` are never
 * returned by `/get`, and the server chooses what `/set` create echoes.
 */
export const PushSubscription = OpenStruct({
  id: Id,
  deviceClientId: Schema.optionalWith(Schema.String, { exact: true }),
  url: Schema.optionalWith(Schema.String, { exact: true }),
  keys: optionalNullable(PushKeys),
  verificationCode: optionalNullable(Schema.String),
  expires: optionalNullable(UTCDate),
  types: optionalNullable(Schema.Array(Schema.String)),
  chatPush: optionalNullable(ChatPushMap)
}, "PushSubscription")
/** @see {@link PushSubscription} */
export interface PushSubscription extends Schema.Schema.Type<typeof PushSubscription> {}

/**
 * The `PushSubscription/get` response (RFC 8620 §7.2.1): `list` and `notFound`, no account or
 * state. Decoded object by object, like every `/get` (see `ListResponse`).
 */
export const PushSubscriptionGetResponse = ListResponse(
  "PushSubscriptionGetResponse",
  { notFound: Schema.optionalWith(Schema.NullOr(Schema.Array(Id)), { exact: true }) },
  PushSubscription
)
/** @see {@link PushSubscriptionGetResponse} */
export type PushSubscriptionGetResponse = typeof PushSubscriptionGetResponse.Type

const PartialPushSubscription = Schema.partialWith(PushSubscription, { exact: true })
const SetErrors = Schema.optional(Schema.NullOr(Schema.Record({ key: Schema.String, value: SetError })))

/**
 * The `PushSubscription/set` response (RFC 8620 §7.2.2). `accountId` is absent or `null` (the
 * jmapchat-client fixture sends `null`); `oldState`/`newState` are absent.
 */
export const PushSubscriptionSetResponse = OpenStruct({
  accountId: Schema.optional(Schema.Null),
  created: Schema.optional(Schema.NullOr(Schema.Record({ key: Schema.String, value: PartialPushSubscription }))),
  updated: Schema.optional(
    Schema.NullOr(Schema.Record({ key: Id, value: Schema.NullOr(PartialPushSubscription) }))
  ),
  destroyed: Schema.optional(Schema.NullOr(Schema.Array(Id))),
  notCreated: SetErrors,
  notUpdated: SetErrors,
  notDestroyed: SetErrors,
  oldState: Schema.optional(Schema.NullOr(State)),
  newState: Schema.optional(Schema.NullOr(State))
}, "PushSubscriptionSetResponse")
/** @see {@link PushSubscriptionSetResponse} */
export type PushSubscriptionSetResponse = typeof PushSubscriptionSetResponse.Type
