/**
 * What a method implementation sees while the reference server processes one method call
 * (RFC 8620 §3.3): the caller's account, the canonical state, the request's `createdIds`, and
 * helpers for the argument checks every method shares (`accountNotFound`, `invalidArguments`).
 *
 * @since 0.1.0
 */
import { Effect, Either, ParseResult, Schema } from "effect"
import type { JsonRecord } from "./Json.js"
import { MethodFailure, SetFailure } from "./ProtocolErrors.js"
import type { ServerLimits } from "./ServerConfig.js"
import type { Account, World } from "./World.js"

/** The context of one method call. */
export interface MethodContext {
  readonly world: World
  /** The authenticated user's account. */
  readonly account: Account
  /** Creation id → server id, for `#creationId` references (RFC 8620 §3.3, §5.3). */
  readonly createdIds: Map<string, string>
  readonly limits: ServerLimits
  readonly directChatDuplicate: "updated" | "alreadyExists"
  /** Re-projects every touched record into its account store (advancing states). */
  readonly commit: () => void
}

/** A method implementation: arguments in, response arguments out, or a method-level error. */
export interface MethodHandler {
  /** The capability that must be in `using` (RFC 8620 §3.6.2 `unknownMethod` otherwise). */
  readonly capability: string
  readonly run: (ctx: MethodContext, args: JsonRecord) => Effect.Effect<JsonRecord, MethodFailure>
}

const describe = (error: ParseResult.ParseError): string => {
  const issues = ParseResult.ArrayFormatter.formatErrorSync(error)
  return issues
    .slice(0, 3)
    .map((issue) => (issue.path.length === 0 ? issue.message : `${issue.path.join(".")}: ${issue.message}`))
    .join("; ")
}

/** Decodes method arguments; failures become `invalidArguments` (RFC 8620 §3.6.2). */
export const decodeArgs = <A, I>(schema: Schema.Schema<A, I>, args: JsonRecord): Effect.Effect<A, MethodFailure> =>
  Either.match(Schema.decodeUnknownEither(schema, { errors: "all" })(args), {
    onLeft: (error) => Effect.fail(MethodFailure.of("invalidArguments", describe(error))),
    onRight: Effect.succeed
  })

/**
 * Decodes one record of a `/set` create or a changed property; failures become `invalidProperties`
 * naming the offending top-level properties. Unknown properties are rejected too.
 */
export const decodeProperties = <A, I>(schema: Schema.Schema<A, I>, value: unknown): Either.Either<A, SetFailure> =>
  Either.mapLeft(
    Schema.decodeUnknownEither(schema, { errors: "all", onExcessProperty: "error" })(value),
    (error) => {
      const properties = new Set<string>()
      for (const issue of ParseResult.ArrayFormatter.formatErrorSync(error)) {
        const head = issue.path[0]
        if (head !== undefined) properties.add(String(head))
      }
      return SetFailure.invalidProperties(Array.from(properties), describe(error))
    }
  )

/** Fails with `accountNotFound` unless `accountId` is the caller's account. */
export const requireAccount = (ctx: MethodContext, accountId: string): Effect.Effect<void, MethodFailure> =>
  accountId === ctx.account.user.accountId
    ? Effect.void
    : Effect.fail(MethodFailure.of("accountNotFound", `no account ${accountId} for this user`))

/** Resolves `#creationId` to the id created earlier in the request; other strings pass through. */
export const resolveId = (ctx: MethodContext, id: string): string =>
  id.startsWith("#") ? (ctx.createdIds.get(id.slice(1)) ?? id) : id
