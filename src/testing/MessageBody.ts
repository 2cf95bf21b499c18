/**
 * Server-side validation of a message body and its mentions (draft-atwood-jmap-chat-00
 * §Message, §Mention, §BroadcastMention, §Rich Body Format), shared by Message/set create and
 * edit. Returns the SetError the drafts (and compliance tests 4.1–4.7) ask for.
 *
 * @since 0.1.0
 */
import { Either } from "effect"
import { isRecord, type JsonRecord, utf8Length } from "./Json.js"
import { SetFailure } from "./ProtocolErrors.js"
import { supportedBodyTypes } from "./ServerConfig.js"

/** The broadcast scopes of BroadcastMention and rich `broadcast` spans. */
export const broadcastScopes: ReadonlyArray<string> = ["everyone", "here", "admins"]

const spanTypes = [
  "text",
  "bold",
  "italic",
  "bold-italic",
  "code",
  "codeblock",
  "blockquote",
  "mention",
  "broadcast",
  "link"
]

/** A body to validate. */
export interface BodyInput {
  readonly body: string
  readonly bodyType: string
  readonly mentions: ReadonlyArray<{ readonly id: string; readonly offset: number; readonly length: number }>
  readonly broadcastMentions: ReadonlyArray<
    { readonly scope: string; readonly offset: number; readonly length: number }
  >
}

/** What a valid body tells the caller. */
export interface BodyFacts {
  /** The body uses a broadcast mention (plain or rich); the sender needs `mention_broadcast`. */
  readonly broadcasts: boolean
  /** UserIds mentioned through rich `mention` spans. */
  readonly richMentions: ReadonlyArray<string>
}

const parseRich = (body: string): Either.Either<ReadonlyArray<JsonRecord>, SetFailure> => {
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    return Either.left(SetFailure.invalidProperties(["body"], "a rich body must be a JSON string of {spans: [...]}"))
  }
  if (!isRecord(parsed) || !Array.isArray(parsed.spans) || !parsed.spans.every(isRecord)) {
    return Either.left(SetFailure.invalidProperties(["body"], "a rich body must be {spans: [...]}"))
  }
  for (const span of parsed.spans as ReadonlyArray<JsonRecord>) {
    if (typeof span.type !== "string" || !spanTypes.includes(span.type)) {
      return Either.left(SetFailure.of("invalidArguments", `unknown span type ${String(span.type)}`))
    }
    if (typeof span.text !== "string") {
      return Either.left(SetFailure.invalidProperties(["body"], "every span needs text"))
    }
    if (span.type === "broadcast" && (typeof span.scope !== "string" || !broadcastScopes.includes(span.scope))) {
      return Either.left(SetFailure.of("invalidArguments", `invalid broadcast scope ${String(span.scope)}`))
    }
    if (span.type === "mention" && typeof span.userId !== "string") {
      return Either.left(SetFailure.invalidProperties(["body"], "a mention span needs userId"))
    }
    if (span.type === "link" && typeof span.uri !== "string") {
      return Either.left(SetFailure.invalidProperties(["body"], "a link span needs uri"))
    }
  }
  return Either.right(parsed.spans as ReadonlyArray<JsonRecord>)
}

/** Validates a body, its type and its mentions against `maxBodyBytes`. */
export const validateBody = (input: BodyInput, maxBodyBytes: number): Either.Either<BodyFacts, SetFailure> => {
  if (!supportedBodyTypes.includes(input.bodyType)) {
    return Either.left(SetFailure.invalidProperties(["bodyType"], `unsupported bodyType ${input.bodyType}`))
  }
  const bytes = utf8Length(input.body)
  if (bytes > maxBodyBytes) {
    return Either.left(SetFailure.of("tooLarge", `body is ${bytes} bytes; maxBodyBytes is ${maxBodyBytes}`))
  }
  const badScope = input.broadcastMentions.find((m) => !broadcastScopes.includes(m.scope))
  if (badScope !== undefined) {
    return Either.left(SetFailure.of("invalidArguments", `invalid broadcast scope ${badScope.scope}`))
  }
  if (input.mentions.some((m) => m.offset + m.length > bytes)) {
    return Either.left(SetFailure.invalidProperties(["mentions"], "a mention lies outside the body"))
  }
  if (input.broadcastMentions.some((m) => m.offset + m.length > bytes)) {
    return Either.left(SetFailure.invalidProperties(["broadcastMentions"], "a broadcast mention lies outside the body"))
  }
  if (input.bodyType !== "application/jmap-chat-rich") {
    return Either.right({ broadcasts: input.broadcastMentions.length > 0, richMentions: [] })
  }
  if (input.mentions.length > 0 || input.broadcastMentions.length > 0) {
    const properties = input.mentions.length > 0 ? ["mentions"] : ["broadcastMentions"]
    return Either.left(SetFailure.invalidProperties(properties, "rich bodies carry mentions in spans only"))
  }
  return Either.map(parseRich(input.body), (spans) => ({
    broadcasts: spans.some((s) => s.type === "broadcast"),
    richMentions: spans.flatMap((s) => (s.type === "mention" ? [s.userId as string] : []))
  }))
}
