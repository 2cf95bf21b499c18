/**
 * Property tests: for every input type of the client, generated inputs either fail a guard with
 * `InvalidArgument` or produce a Request that decodes as a valid RFC 8620 Request whose arguments
 * match the method's wire shape (RFC 8620 §5 for the standard methods). Untyped garbage never throws.
 */
import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, Effect, Either, FastCheck as fc, Schema } from "effect"
import * as Inputs from "../../../src/chat/client/Inputs.js"
import * as Patches from "../../../src/chat/client/Patches.js"
import { Requests } from "../../../src/chat/client/Requests.js"
import { InvalidArgument } from "../../../src/jmap/Errors.js"
import * as Invocation from "../../../src/jmap/Invocation.js"
import { Id, JsonObject, UnsignedInt } from "../../../src/jmap/Primitives.js"
import * as StandardMethods from "../../../src/jmap/StandardMethods.js"
import { JmapRequest } from "../../../src/jmap/Wire.js"

const opt = <S extends Schema.Schema.All>(s: S) => Schema.optionalWith(s, { exact: true })
const NonEmpty = Schema.String.pipe(Schema.minLength(1))
const accountId = { accountId: Id }

const TypingRequest = Schema.Struct({ ...accountId, chatId: Id, typing: Schema.Boolean })
const JoinRequest = Schema.Union(
  Schema.Struct({ ...accountId, inviteCode: NonEmpty }),
  Schema.Struct({ ...accountId, spaceId: Id })
)
const LookupRequest = Schema.Struct({
  ...accountId,
  ids: Schema.NonEmptyArray(Id),
  typeNames: Schema.NullOr(Schema.Array(Schema.String))
})
const ConvertRequest = Schema.Struct({
  ...accountId,
  create: Schema.Struct({
    r1: Schema.Struct({
      imageConvert: Schema.Struct({ blobId: Id, type: NonEmpty, width: opt(UnsignedInt), height: opt(UnsignedInt) })
    })
  })
})
/** Checked on the raw arguments: an id such as `__proto__` is a legal RFC 8620 Id, but not a safe key for a decoded record. */
const one = (key: string) => (args: Record<string, any>) =>
  typeof args[key] === "object" && args[key] !== null && Object.keys(args[key]).length === 1 &&
  Object.values(args[key]).every(Schema.is(JsonObject))
const SetCreate = StandardMethods.SetRequest
const SetUpdate = StandardMethods.SetRequest
const SetDestroy = StandardMethods.SetRequest.pipe(
  Schema.filter((a) => Array.isArray(a.destroy) && a.destroy.length > 0)
)
const ChangesRequest = StandardMethods.ChangesRequest.pipe(Schema.filter((a) => a.sinceState !== ""))
/** RFC 8620 §5.1 `/get` with an empty `ids` list: no objects, just the state. */
const NoIds = StandardMethods.GetRequest.pipe(Schema.filter((a) => Array.isArray(a.ids) && a.ids.length === 0))
const QueryChangesRequest = StandardMethods.QueryChangesRequest.pipe(Schema.filter((a) => a.sinceQueryState !== ""))
/** Pointer keys of a Message/set update: `reactions/<id>` with no `/` or `~` in the id. */
const ReactionKeys = StandardMethods.SetRequest.pipe(
  Schema.filter((a) =>
    Object.values(a.update ?? {}).every((patch) =>
      Object.keys(patch).filter((k) => k.startsWith("reactions/")).every((k) => /^reactions\/[^/~]+$/.test(k))
    )
  )
)

interface Case {
  readonly name: string
  readonly input: Schema.Schema<any, any, never>
  readonly method: (input: unknown) => Invocation.Preparation<unknown, unknown>
  readonly wire: string
  readonly args: Schema.Schema<any, any, never>
  readonly raw?: (args: Record<string, any>) => boolean
  readonly accountless?: boolean
}

type Api = Record<string, Record<string, (input: unknown) => Invocation.Preparation<unknown, unknown>>>
const api = Requests as unknown as Api
const m = (ns: string, name: string) => api[ns]![name]!

const queryable = {
  Chat: [Inputs.ChatFilter, Inputs.ChatSortProperty],
  Message: [Inputs.MessageFilter, Inputs.MessageSortProperty],
  Space: [Inputs.SpaceFilter, Inputs.SpaceSortProperty],
  ChatContact: [Inputs.ChatContactFilter, Inputs.ContactSortProperty],
  CustomEmoji: [Inputs.CustomEmojiFilter, Inputs.CustomEmojiSortProperty]
} as const

const creates = {
  Chat: Inputs.ChatCreateInput,
  Message: Inputs.MessageCreateInput,
  Space: Inputs.SpaceCreateInput,
  SpaceInvite: Inputs.SpaceInviteCreateInput,
  SpaceBan: Inputs.SpaceBanCreateInput,
  CustomEmoji: Inputs.CustomEmojiCreateInput
} as const

const patches = {
  Chat: Patches.ChatPatch,
  Message: Patches.MessagePatch,
  Space: Patches.SpacePatch,
  ChatContact: Patches.ChatContactPatch,
  ReadPosition: Patches.ReadPositionPatch,
  PresenceStatus: Patches.PresenceStatusPatch,
  SpaceBan: Patches.SpaceBanPatch,
  CustomEmoji: Patches.CustomEmojiPatch
} as const

const destroys = ["Chat", "Message", "Space", "SpaceInvite", "SpaceBan", "CustomEmoji"] as const
const readable = [
  "Chat",
  "Space",
  "SpaceInvite",
  "SpaceBan",
  "ChatContact",
  "CustomEmoji",
  "ReadPosition",
  "PresenceStatus",
  "Quota"
] as const

const cases: ReadonlyArray<Case> = [
  ...readable.map((ns) => ({
    name: `${ns}.get`,
    input: Inputs.GetInput,
    method: m(ns, "get"),
    wire: `${ns}/get`,
    args: StandardMethods.GetRequest
  })),
  {
    name: "Message.get",
    input: Inputs.MessageGetInput,
    method: m("Message", "get"),
    wire: "Message/get",
    args: StandardMethods.GetRequest
  },
  ...[...readable, "Message" as const].map((ns) => ({
    name: `${ns}.changes`,
    input: Inputs.ChangesInput,
    method: m(ns, "changes"),
    wire: `${ns}/changes`,
    args: ChangesRequest
  })),
  ...[...readable, "Message" as const].map((ns) => ({
    name: `${ns}.state`,
    input: Schema.Undefined,
    method: m(ns, "state"),
    wire: `${ns}/get`,
    args: NoIds
  })),
  ...Object.entries(queryable).flatMap(([ns, [filter, sort]]) => [
    {
      name: `${ns}.query`,
      input: Inputs.QueryInput(filter, sort),
      method: m(ns, "query"),
      wire: `${ns}/query`,
      args: StandardMethods.QueryRequest
    },
    {
      name: `${ns}.queryChanges`,
      input: Inputs.QueryChangesInput(filter, sort),
      method: m(ns, "queryChanges"),
      wire: `${ns}/queryChanges`,
      args: QueryChangesRequest
    }
  ]),
  ...Object.entries(creates).map(([ns, input]) => ({
    name: `${ns}.create`,
    input,
    method: m(ns, "create"),
    wire: `${ns}/set`,
    args: SetCreate,
    raw: one("create")
  })),
  ...Object.entries(patches).map(([ns, patch]) => ({
    name: `${ns}.update`,
    input: Inputs.UpdateInput(patch),
    method: m(ns, "update"),
    wire: `${ns}/set`,
    args: ns === "Message" ? ReactionKeys : SetUpdate,
    raw: one("update")
  })),
  ...destroys.map((ns) => ({
    name: `${ns}.destroy`,
    input: Inputs.DestroyInput,
    method: m(ns, "destroy"),
    wire: `${ns}/set`,
    args: SetDestroy
  })),
  {
    name: "Chat.typing",
    input: Inputs.TypingInput,
    method: m("Chat", "typing"),
    wire: "Chat/typing",
    args: TypingRequest
  },
  {
    name: "Space.join",
    input: Inputs.SpaceJoinInput,
    method: m("Space", "join"),
    wire: "Space/join",
    args: JoinRequest
  },
  {
    name: "Blob.lookup",
    input: Inputs.BlobLookupInput,
    method: m("Blob", "lookup"),
    wire: "Blob/lookup",
    args: LookupRequest
  },
  {
    name: "Blob.convert",
    input: Inputs.BlobConvertInput,
    method: m("Blob", "convert"),
    wire: "Blob/convert",
    args: ConvertRequest
  },
  {
    name: "PushSubscription.get",
    input: Inputs.GetInput,
    method: m("PushSubscription", "get"),
    wire: "PushSubscription/get",
    args: StandardMethods.GetRequest,
    accountless: true
  },
  {
    name: "PushSubscription.create",
    input: Inputs.PushSubscriptionCreateInput,
    method: m("PushSubscription", "create"),
    wire: "PushSubscription/set",
    args: SetCreate,
    raw: one("create"),
    accountless: true
  },
  {
    name: "PushSubscription.update",
    input: Inputs.UpdateInput(Patches.PushSubscriptionPatch),
    method: m("PushSubscription", "update"),
    wire: "PushSubscription/set",
    args: SetUpdate,
    raw: one("update"),
    accountless: true
  },
  {
    name: "PushSubscription.destroy",
    input: Inputs.DestroyInput,
    method: m("PushSubscription", "destroy"),
    wire: "PushSubscription/set",
    args: SetDestroy,
    accountless: true
  }
]

/** The same input with every empty string made non-empty, so that most inputs pass the guards. */
const nonEmptyStrings = (u: unknown): unknown =>
  u === ""
    ? "x"
    : Array.isArray(u)
    ? u.map(nonEmptyStrings)
    : typeof u === "object" && u !== null && Object.getPrototypeOf(u) === Object.prototype
    ? Object.fromEntries(Object.entries(u).map(([k, v]) => [k === "" ? "k" : k, nonEmptyStrings(v)]))
    : u

const toRequest = (prepared: Either.Either<Invocation.Invocation<unknown, unknown>, InvalidArgument>) => {
  const batch = new Invocation.Batch()
  batch.add(prepared)
  return batch.build("A13824")
}

/** Checks one outcome; returns whether a request was produced. */
const check = (c: Case, input: unknown): boolean => {
  const preparation = c.method(input)
  // Preparations that read the Clock (a default sentAt) are effects; all others are pure.
  const prepared: Either.Either<Invocation.Invocation<unknown, unknown>, InvalidArgument> = Either.isEither(preparation)
    ? preparation as Either.Either<Invocation.Invocation<unknown, unknown>, InvalidArgument>
    : Effect.runSync(Effect.either(preparation))
  if (Either.isLeft(prepared)) {
    expect(prepared.left).toBeInstanceOf(InvalidArgument)
    expect(prepared.left.description.length).toBeGreaterThan(0)
    return false
  }
  const built = toRequest(prepared)
  if (Either.isLeft(built)) {
    expect(built.left).toBeInstanceOf(InvalidArgument)
    expect(built.left.description).toMatch(/which is not JSON$/)
    return false
  }
  const request = built.right
  const json = JSON.parse(JSON.stringify(request))
  expect(json).toEqual(request)
  const decoded = Schema.decodeUnknownEither(JmapRequest)(json)
  expect(Either.isRight(decoded), `${c.name}: not a JMAP Request`).toBe(true)
  const [[method, args, callId]] = json.methodCalls
  expect([method, callId]).toEqual([c.wire, "r1"])
  expect(json.using[0]).toBe("urn:ietf:params:jmap:core")
  expect("accountId" in args).toBe(c.accountless !== true)
  const valid = Schema.decodeUnknownEither(c.args)(args)
  if (Either.isLeft(valid)) throw new Error(`${c.name}: ${JSON.stringify(args)}\n${valid.left.message}`)
  if (c.raw !== undefined && !c.raw(args)) throw new Error(`${c.name}: ${JSON.stringify(args)}`)
  return true
}

describe("every input type", () => {
  it("has a case per wire method", () => {
    // Every method of the Requests table has a case, and nothing else.
    const methods = Object.entries(api).flatMap(([ns, fns]) => Object.keys(fns).map((name) => `${ns}.${name}`))
    expect(cases.map((c) => c.name).sort()).toEqual(methods.sort())
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length)
  })

  for (const c of cases) {
    it(`${c.name}: generated inputs → InvalidArgument or a valid ${c.wire} invocation`, () => {
      let produced = 0
      const arbitrary = Arbitrary.make(c.input)
      fc.assert(fc.property(arbitrary, (input) => void check(c, input)), { numRuns: 100 })
      fc.assert(
        fc.property(arbitrary.map(nonEmptyStrings), (input) => {
          if (check(c, input)) produced++
        }),
        { numRuns: 100 }
      )
      expect(produced, `${c.name}: no generated input passed the guards`).toBeGreaterThan(0)
    })
  }

  it("untyped garbage is refused with InvalidArgument, never thrown", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...cases),
        fc.anything({ withNullPrototype: true, withObjectString: true }),
        (c, input) => {
          check(c, input)
        }
      ),
      { numRuns: 2000 }
    )
  })
})
