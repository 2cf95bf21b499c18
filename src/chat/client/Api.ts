/**
 * The shape of the JMAP Chat API (draft-atwood-jmap-chat-00 §Methods, RFC 8620 §5, §7.2), written
 * once and read three ways through an `Interpretation` (the generic machinery of `src/jmap/Api.ts`,
 * shared with `JmapClient`): as pure prepared invocations (`Prepared`), as effects (`ChatClient`),
 * and as calls added to a batch (`Batched`).
 *
 * @since 0.1.0
 */
import type { Apply, Interpretation } from "../../jmap/Api.js"
import type { RateLimited, UnexpectedResponse } from "../../jmap/Errors.js"
import type {
  ChangesResponse,
  GetResponse,
  QueryChangesResponse,
  QueryResponse,
  SetResponse
} from "../../jmap/MethodResponses.js"
import type { Chat } from "../Chat.js"
import type { ChatContact } from "../ChatContact.js"
import type { CustomEmoji } from "../CustomEmoji.js"
import type { ContactSortProperty } from "../Enums.js"
import type { Message } from "../Message.js"
import type { PresenceStatus } from "../PresenceStatus.js"
import type { Quota } from "../Quota.js"
import type { ReadPosition } from "../ReadPosition.js"
import type { Space } from "../Space.js"
import type { SpaceBan } from "../SpaceBan.js"
import type { SpaceInvite } from "../SpaceInvite.js"
import type {
  BlobConvertInput,
  BlobLookupInput,
  ChangesInput,
  ChatContactFilter,
  ChatCreateInput,
  ChatFilter,
  ChatSortProperty,
  CustomEmojiCreateInput,
  CustomEmojiFilter,
  CustomEmojiSortProperty,
  DestroyInput,
  GetInput,
  MessageCreateInput,
  MessageFilter,
  MessageGetInput,
  MessageSortProperty,
  PushSubscriptionCreateInput,
  QueryChangesInput,
  QueryInput,
  SpaceBanCreateInput,
  SpaceCreateInput,
  SpaceFilter,
  SpaceInviteCreateInput,
  SpaceJoinInput,
  SpaceSortProperty,
  TypingInput,
  UpdateInput
} from "./Inputs.js"
import type {
  ChatContactPatch,
  ChatPatch,
  CustomEmojiPatch,
  MessagePatch,
  PresenceStatusPatch,
  PushSubscriptionPatch,
  ReadPositionPatch,
  SpaceBanPatch,
  SpacePatch
} from "./Patches.js"
import type { PushSubscriptionGetResponse, PushSubscriptionSetResponse } from "./PushSubscription.js"
import type { BlobConvertResponse, BlobLookupResponse, SpaceJoinResponse, TypingResponse } from "./Responses.js"

/** The readings of the API (defined with the generic client, `src/jmap/Api.ts`). */
export type { Apply, Batched, Interpretation, Prepared } from "../../jmap/Api.js"

/** A `/set` response whose `created` and `updated` values are partial objects of `T`. */
export type SetResult<T> = SetResponse<Partial<T>, Partial<T>>

/** `Foo/get` with `properties` typed: the items carry only those properties and `id`. */
export interface GetMethod<F extends Interpretation, T, I> {
  <const K extends keyof T & string>(
    input: I & { readonly properties: ReadonlyArray<K> }
  ): Apply<F, GetResponse<Pick<T, K | ("id" & keyof T)>>, never>
  (input: Omit<I, "properties"> & { readonly properties?: never }): Apply<F, GetResponse<T>, never>
}

/** `Foo/get` (RFC 8620 §5.1), where `ids` absent or `null` means every object. */
export interface Get<F extends Interpretation, T> {
  readonly get: {
    <const K extends keyof T & string>(
      input: GetInput & { readonly properties: ReadonlyArray<K> }
    ): Apply<F, GetResponse<Pick<T, K | ("id" & keyof T)>>, never>
    (input?: Omit<GetInput, "properties"> & { readonly properties?: never }): Apply<F, GetResponse<T>, never>
  }
}

/** `Foo/changes` (RFC 8620 §5.2). */
export interface Changes<F extends Interpretation> {
  readonly changes: (input: ChangesInput) => Apply<F, ChangesResponse, never>
}

/**
 * `Foo/get` with `ids: []` (RFC 8620 §5.1: an empty list fetches no objects): the type's current
 * `state` string, e.g. where a cache starts before its first `/changes`. A method, not a value, so
 * that it reads the same in a batch (`b.Message.state()`).
 */
export interface CurrentState<F extends Interpretation> {
  readonly state: () => Apply<F, string, never>
}

/** `Foo/query` and `Foo/queryChanges` (RFC 8620 §5.5, §5.6). */
export interface Query<F extends Interpretation, Filter, Sort extends string> {
  readonly query: (input?: QueryInput<Filter, Sort>) => Apply<F, QueryResponse, never>
  readonly queryChanges: (input: QueryChangesInput<Filter, Sort>) => Apply<F, QueryChangesResponse, never>
}

/** `Foo/set` create of one object (RFC 8620 §5.3). */
export interface Create<F extends Interpretation, C, S, E = never> {
  readonly create: (input: C) => Apply<F, S, E>
}

/** `Foo/set` update of one object (RFC 8620 §5.3). */
export interface Update<F extends Interpretation, P, S> {
  readonly update: (input: UpdateInput<P>) => Apply<F, S, never>
}

/** `Foo/set` destroy (RFC 8620 §5.3). */
export interface Destroy<F extends Interpretation, S> {
  readonly destroy: (input: DestroyInput) => Apply<F, S, never>
}

/** Chat methods (core draft §Chat, §Chat/typing). */
export interface ChatApi<F extends Interpretation>
  extends
    Get<F, Chat>,
    Changes<F>,
    CurrentState<F>,
    Query<F, ChatFilter, ChatSortProperty>,
    Create<F, ChatCreateInput, SetResult<Chat>>,
    Update<F, ChatPatch, SetResult<Chat>>,
    Destroy<F, SetResult<Chat>>
{
  /** `Chat/typing`: tell the other participants the user is (or stopped) typing; nothing is stored. */
  readonly typing: (input: TypingInput) => Apply<F, TypingResponse, never>
}

/** Message methods (core draft §Message). `create` turns a `rateLimited` rejection into `RateLimited`. */
export interface MessageApi<F extends Interpretation>
  extends
    Changes<F>,
    CurrentState<F>,
    Query<F, MessageFilter, MessageSortProperty>,
    Create<F, MessageCreateInput, SetResult<Message>, RateLimited | UnexpectedResponse>,
    Update<F, MessagePatch, SetResult<Message>>,
    Destroy<F, SetResult<Message>>
{
  /** `Message/get`: `ids` is required. */
  readonly get: GetMethod<F, Message, MessageGetInput>
}

/** Space methods (core draft §Space, §Space/join). */
export interface SpaceApi<F extends Interpretation>
  extends
    Get<F, Space>,
    Changes<F>,
    CurrentState<F>,
    Query<F, SpaceFilter, SpaceSortProperty>,
    Create<F, SpaceCreateInput, SetResult<Space>>,
    Update<F, SpacePatch, SetResult<Space>>,
    Destroy<F, SetResult<Space>>
{
  /** `Space/join` by invite code or, for a public Space, by id. */
  readonly join: (input: SpaceJoinInput) => Apply<F, SpaceJoinResponse, never>
}

/** SpaceInvite methods (core draft §SpaceInvite); invites cannot be updated. */
export interface SpaceInviteApi<F extends Interpretation>
  extends
    Get<F, SpaceInvite>,
    Changes<F>,
    CurrentState<F>,
    Create<F, SpaceInviteCreateInput, SetResult<SpaceInvite>>,
    Destroy<F, SetResult<SpaceInvite>>
{}

/** SpaceBan methods (core draft §SpaceBan). */
export interface SpaceBanApi<F extends Interpretation>
  extends
    Get<F, SpaceBan>,
    Changes<F>,
    CurrentState<F>,
    Create<F, SpaceBanCreateInput, SetResult<SpaceBan>>,
    Update<F, SpaceBanPatch, SetResult<SpaceBan>>,
    Destroy<F, SetResult<SpaceBan>>
{}

/** ChatContact methods (core draft §ChatContact): the server creates and destroys contacts. */
export interface ChatContactApi<F extends Interpretation>
  extends
    Get<F, ChatContact>,
    Changes<F>,
    CurrentState<F>,
    Query<F, ChatContactFilter, ContactSortProperty>,
    Update<F, ChatContactPatch, SetResult<ChatContact>>
{}

/** CustomEmoji methods (core draft §CustomEmoji). */
export interface CustomEmojiApi<F extends Interpretation>
  extends
    Get<F, CustomEmoji>,
    Changes<F>,
    CurrentState<F>,
    Query<F, CustomEmojiFilter, CustomEmojiSortProperty>,
    Create<F, CustomEmojiCreateInput, SetResult<CustomEmoji>>,
    Update<F, CustomEmojiPatch, SetResult<CustomEmoji>>,
    Destroy<F, SetResult<CustomEmoji>>
{}

/** ReadPosition methods (core draft §ReadPosition): one per Chat, created by the server. */
export interface ReadPositionApi<F extends Interpretation>
  extends Get<F, ReadPosition>, Changes<F>, CurrentState<F>, Update<F, ReadPositionPatch, SetResult<ReadPosition>>
{}

/** PresenceStatus methods (core draft §PresenceStatus): the account's singleton. */
export interface PresenceStatusApi<F extends Interpretation>
  extends Get<F, PresenceStatus>, Changes<F>, CurrentState<F>, Update<F, PresenceStatusPatch, SetResult<PresenceStatus>>
{}

/** PushSubscription methods (RFC 8620 §7.2 with the push draft's `chatPush`): not account-scoped. */
export interface PushSubscriptionApi<F extends Interpretation>
  extends
    Create<F, PushSubscriptionCreateInput, PushSubscriptionSetResponse>,
    Update<F, PushSubscriptionPatch, PushSubscriptionSetResponse>,
    Destroy<F, PushSubscriptionSetResponse>
{
  readonly get: (input?: GetInput) => Apply<F, PushSubscriptionGetResponse, never>
}

/** Quota methods (RFC 9425 §4), for the chat account. */
export interface QuotaApi<F extends Interpretation> extends Get<F, Quota>, Changes<F>, CurrentState<F> {}

/** blob2 methods (draft-ietf-jmap-blobext; seed-api §2.12). */
export interface BlobApi<F extends Interpretation> {
  /** `Blob/lookup`: which objects reference each blob. */
  readonly lookup: (input: BlobLookupInput) => Apply<F, BlobLookupResponse, never>
  /** `Blob/convert` with an `imageConvert` recipe, under the creation id `"r1"`. */
  readonly convert: (input: BlobConvertInput) => Apply<F, BlobConvertResponse, never>
}

/** Every JMAP Chat method, by data type, under interpretation `F`. */
export interface ChatApis<F extends Interpretation> {
  readonly Chat: ChatApi<F>
  readonly Message: MessageApi<F>
  readonly Space: SpaceApi<F>
  readonly SpaceInvite: SpaceInviteApi<F>
  readonly SpaceBan: SpaceBanApi<F>
  readonly ChatContact: ChatContactApi<F>
  readonly CustomEmoji: CustomEmojiApi<F>
  readonly ReadPosition: ReadPositionApi<F>
  readonly PresenceStatus: PresenceStatusApi<F>
  readonly PushSubscription: PushSubscriptionApi<F>
  readonly Quota: QuotaApi<F>
  readonly Blob: BlobApi<F>
}
