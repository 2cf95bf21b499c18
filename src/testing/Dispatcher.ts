/**
 * RFC 8620 §3 request processing: validate the Request object, check `using` and the core
 * limits, then run each method call in order — resolving result references (§3.7) and
 * `#creationId`s (§3.3) — turning every failure into the right request-level problem or
 * method-level error. Nothing a client sends can make it throw.
 *
 * @since 0.1.0
 */
import { Cause, Effect, Either, Option, Schema } from "effect"
import { isRecord, type JsonRecord, type JsonValue } from "./Json.js"
import * as JsonPointer from "./JsonPointer.js"
import type { MethodContext, MethodHandler } from "./MethodContext.js"
import { MethodFailure, RequestProblem } from "./ProtocolErrors.js"

const Invocation = Schema.Tuple(
  Schema.String,
  Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  Schema.String
)

const Request = Schema.Struct({
  using: Schema.Array(Schema.String),
  methodCalls: Schema.Array(Invocation),
  createdIds: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.String }))
})

const ResultReference = Schema.Struct({ resultOf: Schema.String, name: Schema.String, path: Schema.String })

/** What the dispatcher needs from the server. */
export interface DispatchEnvironment {
  readonly methods: ReadonlyMap<string, MethodHandler>
  readonly capabilities: ReadonlySet<string>
  readonly maxCallsInRequest: number
  /** Builds the method context of one request around its `createdIds`. */
  readonly context: (createdIds: Map<string, string>) => MethodContext
}

type Invocation = readonly [string, JsonRecord, string]

/** Resolves the `#name` result-reference arguments of one call (RFC 8620 §3.7). */
export const resolveResultReferences = (
  args: JsonRecord,
  responses: ReadonlyArray<Invocation>
): Either.Either<JsonRecord, MethodFailure> => {
  const out: Record<string, JsonValue> = {}
  for (const [key, value] of Object.entries(args)) {
    if (!key.startsWith("#")) {
      out[key] = value
      continue
    }
    const name = key.slice(1)
    if (Object.prototype.hasOwnProperty.call(args, name)) {
      return Either.left(MethodFailure.of("invalidArguments", `both ${name} and #${name} given`))
    }
    const ref = Schema.decodeUnknownOption(ResultReference)(value)
    if (Option.isNone(ref)) {
      return Either.left(MethodFailure.of("invalidResultReference", `#${name} is not a ResultReference`))
    }
    const source = responses.find((r) => r[2] === ref.value.resultOf)
    if (source === undefined || source[0] !== ref.value.name) {
      return Either.left(
        MethodFailure.of("invalidResultReference", `no ${ref.value.name} response with call id ${ref.value.resultOf}`)
      )
    }
    const resolved = JsonPointer.evaluate(source[1], ref.value.path)
    if (Option.isNone(resolved)) {
      return Either.left(MethodFailure.of("invalidResultReference", `path ${ref.value.path} does not resolve`))
    }
    out[name] = resolved.value
  }
  return Either.right(out)
}

const runCall = (
  env: DispatchEnvironment,
  ctx: MethodContext,
  using: ReadonlySet<string>,
  name: string,
  rawArgs: JsonRecord,
  responses: ReadonlyArray<Invocation>
): Effect.Effect<JsonRecord, MethodFailure> =>
  Effect.gen(function*() {
    const handler = env.methods.get(name)
    if (handler === undefined || !using.has(handler.capability)) {
      return yield* MethodFailure.of("unknownMethod", `unknown method ${name}`)
    }
    const args = yield* resolveResultReferences(rawArgs, responses)
    return yield* handler.run(ctx, args)
  }).pipe(
    Effect.catchAllDefect((defect) =>
      Effect.fail(MethodFailure.of("serverFail", `internal error: ${Cause.pretty(Cause.die(defect)).split("\n")[0]}`))
    ),
    Effect.ensuring(Effect.sync(() => ctx.commit()))
  )

/** Processes a decoded JSON body as an RFC 8620 Request; the result lacks only `sessionState`. */
export const processRequest = (env: DispatchEnvironment, body: unknown): Effect.Effect<JsonRecord, RequestProblem> =>
  Effect.gen(function*() {
    if (!isRecord(body)) return yield* RequestProblem.notRequest("the request body is not a JSON object")
    const decoded = Schema.decodeUnknownEither(Request)(body)
    if (Either.isLeft(decoded)) {
      return yield* RequestProblem.notRequest(
        "the body is not a Request object: it needs using (String[]) and methodCalls ([String, Object, String][])"
      )
    }
    const request = decoded.right
    const unknown = request.using.find((uri) => !env.capabilities.has(uri))
    if (unknown !== undefined) return yield* RequestProblem.unknownCapability(unknown)
    if (request.methodCalls.length > env.maxCallsInRequest) {
      return yield* RequestProblem.limit(
        "maxCallsInRequest",
        `the request has ${request.methodCalls.length} method calls; the limit is ${env.maxCallsInRequest}`
      )
    }
    const using = new Set(request.using)
    const createdIds = new Map(Object.entries(request.createdIds ?? {}))
    const ctx = env.context(createdIds)
    const responses: Array<Invocation> = []
    for (const [name, args, callId] of request.methodCalls) {
      const result = yield* Effect.either(runCall(env, ctx, using, name, args as JsonRecord, responses))
      responses.push(
        Either.isRight(result) ? [name, result.right, callId] : ["error", result.left.body, callId]
      )
    }
    return {
      methodResponses: responses.map(([n, a, c]) => [n, a, c]),
      ...(request.createdIds === undefined ? {} : { createdIds: Object.fromEntries(createdIds) })
    }
  })
