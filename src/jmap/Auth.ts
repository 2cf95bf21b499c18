/**
 * How requests authenticate (RFC 8620 §1.6 leaves the scheme to the server): none, Bearer
 * (RFC 6750), Basic (RFC 7617), or a custom effectful provider such as an OAuth token that
 * refreshes. Secrets are `Redacted` and never appear in errors, logs or `inspect` output.
 *
 * @since 0.1.0
 */
import { Data, Effect, Encoding, Option, Redacted } from "effect"
import { type AuthFailed, InvalidArgument, InvalidHeaderValue } from "./Errors.js"

/** One authentication header; the value stays redacted until it is written on the wire. */
export interface AuthHeader {
  readonly name: string
  readonly value: Redacted.Redacted<string>
}

/** The authentication schemes a transport can use. Build them with the constructors below. */
export type Auth = Data.TaggedEnum<{
  None: {}
  Bearer: { readonly token: Redacted.Redacted<string> }
  Basic: { readonly username: Redacted.Redacted<string>; readonly password: Redacted.Redacted<string> }
  Custom: {
    /** Called before every request (and every push connection), so a provider can refresh tokens. */
    readonly header: Effect.Effect<Option.Option<AuthHeader>, AuthFailed>
  }
}>

const { Basic, Bearer, Custom, None, $is } = Data.taggedEnum<Auth>()

/** No authentication header (e.g. a server that authenticates by client certificate or network). */
export const none: Auth = None()

/**
 * RFC 6750 Bearer token. Validated when the transport is built: a missing token (`undefined`, e.g.
 * an unset environment variable) is an `InvalidArgument` there, never a throw here.
 */
export const bearer = (token: string | Redacted.Redacted<string>): Auth =>
  Bearer({ token: Redacted.isRedacted(token) ? token : Redacted.make(token) })

/**
 * RFC 7617 Basic credentials, sent as base64 of their UTF-8 bytes (the `charset="UTF-8"` of
 * RFC 7617 §2.1), so any Unicode user name or password works. Validated when the transport is
 * built; a missing part is an `InvalidArgument` there.
 */
export const basic = (username: string, password: string | Redacted.Redacted<string>): Auth =>
  Basic({
    username: Redacted.make(username),
    password: Redacted.isRedacted(password) ? password : Redacted.make(password)
  })

/** A custom provider, evaluated before every request: fetch or refresh a token, sign, etc. */
export const custom = (header: Effect.Effect<Option.Option<AuthHeader>, AuthFailed>): Auth => Custom({ header })

/** True for a `Bearer` auth. */
export const isBearer = $is("Bearer")

const tokenChars = /^[\x21-\x7e]+$/
const headerNameChars = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
const headerValueChars = /^[\t\x20-\x7e\x80-\xff]*$/

/** True when `value` is a legal HTTP field value (RFC 9110 §5.5): no control characters and no DEL. */
export const isHeaderValue = (value: string): boolean => headerValueChars.test(value)

/** True when `name` is a legal HTTP field name (RFC 9110 §5.1 token). */
export const isHeaderName = (name: string): boolean => headerNameChars.test(name)

/** A credential part that is not a string (`undefined` from an unset variable, a number from JavaScript). */
const missing = (what: string, value: unknown): InvalidArgument | undefined =>
  typeof value === "string"
    ? undefined
    : new InvalidArgument({ description: `${what} is missing: got ${value === null ? "null" : typeof value}` })

// RFC 5234 CTL: U+0000–U+001F and U+007F.
// eslint-disable-next-line no-control-regex
const controlChars = /[\x00-\x1f\x7f]/

/**
 * Checks credentials before any I/O: every part must be a string; a Bearer token must be non-empty
 * visible ASCII without whitespace (RFC 6750 §2.1); a Basic user name may not contain `:` and
 * neither part a control character (RFC 7617 §2). Basic credentials are otherwise free: the header
 * carries base64 of their UTF-8 bytes, which is always a legal header value, so characters outside
 * Latin-1 are fine. Errors never echo the secret.
 */
export const validate = (auth: Auth): Effect.Effect<void, InvalidArgument | InvalidHeaderValue> => {
  switch (auth._tag) {
    case "None":
    case "Custom":
      return Effect.void
    case "Bearer": {
      const token: unknown = Redacted.value(auth.token)
      const absent = missing("Bearer token", token)
      if (absent !== undefined) return Effect.fail(absent)
      if ((token as string).length === 0 || /[\s]/.test(token as string)) {
        return Effect.fail(
          new InvalidArgument({
            description: "Bearer token may not be empty or contain whitespace (RFC 6750 §2.1)"
          })
        )
      }
      return tokenChars.test(token as string)
        ? Effect.void
        : Effect.fail(
          new InvalidHeaderValue({ description: "Bearer token contains a character not allowed in a header" })
        )
    }
    case "Basic": {
      const username: unknown = Redacted.value(auth.username)
      const password: unknown = Redacted.value(auth.password)
      const absent = missing("Basic auth username", username) ?? missing("Basic auth password", password)
      if (absent !== undefined) return Effect.fail(absent)
      if ((username as string).includes(":")) {
        return Effect.fail(
          new InvalidArgument({ description: "Basic auth username may not contain ':' (RFC 7617 §2)" })
        )
      }
      if (controlChars.test(username as string) || controlChars.test(password as string)) {
        return Effect.fail(
          new InvalidArgument({
            description: "Basic auth username or password contains a control character (RFC 7617 §2)"
          })
        )
      }
      return Effect.void
    }
  }
}

const textEncoder = new TextEncoder()

/** The header to send for `auth`, if any. A custom provider's header is validated on every call. */
export const header = (auth: Auth): Effect.Effect<Option.Option<AuthHeader>, AuthFailed | InvalidHeaderValue> => {
  switch (auth._tag) {
    case "None":
      return Effect.succeedNone
    case "Bearer":
      return Effect.succeed(
        Option.some({ name: "authorization", value: Redacted.make(`Bearer ${Redacted.value(auth.token)}`) })
      )
    case "Basic": {
      const pair = `${Redacted.value(auth.username)}:${Redacted.value(auth.password)}`
      // base64 is always a legal header value, whatever characters the credentials hold.
      const value = `Basic ${Encoding.encodeBase64(textEncoder.encode(pair))}`
      return Effect.succeed(Option.some({ name: "authorization", value: Redacted.make(value) }))
    }
    case "Custom":
      return Effect.flatMap(auth.header, (h): Effect.Effect<Option.Option<AuthHeader>, InvalidHeaderValue> => {
        if (Option.isNone(h)) return Effect.succeed(h)
        const { name, value } = h.value
        return isHeaderName(name) && isHeaderValue(Redacted.value(value))
          ? Effect.succeed(h)
          : Effect.fail(new InvalidHeaderValue({ description: "custom auth provider returned an illegal header" }))
      })
  }
}
