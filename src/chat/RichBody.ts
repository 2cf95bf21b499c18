/**
 * The `application/jmap-chat-rich` body format (draft-atwood-jmap-chat-00 §Rich Body Format): a
 * list of styled spans, carried as a JSON *string* in `Message.body`.
 *
 * @since 0.1.0
 */
import { Either, Schema } from "effect"
import { ParseError } from "../jmap/Errors.js"
import { OpenStruct } from "../jmap/Primitives.js"
import { ContactId } from "./ChatContact.js"
import { BroadcastScope, SpanType } from "./Enums.js"
import { optionalNullable } from "./internal/schema.js"

/** The `bodyType` of a rich body. */
export const richBodyType = "application/jmap-chat-rich"

/**
 * One styled run of text (core draft §Span Object). `text` is always present; the other fields
 * belong to one span type each: `lang` (`codeblock`), `userId` (`mention`), `scope` (`broadcast`),
 * `uri` (`link`, untrusted). A client MUST render a span whose `type` it does not know as its
 * `text`, so unknown types decode and round-trip.
 */
export const Span = OpenStruct({
  type: SpanType,
  text: Schema.String,
  lang: optionalNullable(Schema.String),
  userId: optionalNullable(ContactId),
  scope: optionalNullable(BroadcastScope),
  uri: optionalNullable(Schema.String)
}, "Span")
/** @see {@link Span} */
export type Span = typeof Span.Type

/**
 * The parsed value of a rich `Message.body`: `{ "spans": Span[] }` (core draft §Rich Body Format).
 * A rich Message's `mentions` and `broadcastMentions` MUST be empty; mentions live in the spans.
 */
export const RichBody = OpenStruct({
  spans: Schema.Array(Span)
}, "RichBody")
/** @see {@link RichBody} */
export type RichBody = typeof RichBody.Type

/** {@link RichBody} as it travels in `Message.body`: a string holding its JSON. */
export const RichBodyFromString = Schema.parseJson(RichBody).annotations({ identifier: "RichBodyFromString" })

const decodeFromString = Schema.decodeUnknownEither(RichBodyFromString)
const encodeToString = Schema.encodeEither(RichBodyFromString)

/**
 * Parses the rich body of a Message. Fails with a `ParseError` when `bodyType` is not
 * `application/jmap-chat-rich`, or when `body` is not a JSON string holding a {@link RichBody}
 * (the `path` is then relative to the parsed body). Callers can fall back to showing `body` as text.
 */
export const decodeRichBody = (
  message: { readonly body: unknown; readonly bodyType: string }
): Either.Either<RichBody, ParseError> =>
  message.bodyType !== richBodyType
    ? Either.left(
      new ParseError({
        subject: "Message.body",
        path: "bodyType",
        description: `expected bodyType "${richBodyType}", got ${JSON.stringify(message.bodyType)}`
      })
    )
    : Either.mapLeft(decodeFromString(message.body), (e) => ParseError.fromSchema("Message.body (rich)", e))

/** Serialises a {@link RichBody} into the string to put in `Message.body`. */
export const encodeRichBody = (body: RichBody): Either.Either<string, ParseError> =>
  Either.mapLeft(encodeToString(body), (e) => ParseError.fromSchema("RichBody", e))
