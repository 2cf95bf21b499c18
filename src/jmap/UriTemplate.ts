/**
 * RFC 6570 level-1 URI template expansion for the Session's `downloadUrl`, `uploadUrl` and
 * `eventSourceUrl` (RFC 8620 §2). Written by hand: neither Effect nor the platform packages ship
 * an RFC 6570 expander (`@effect/platform/Template` is string interpolation without encoding).
 *
 * @since 0.1.0
 */
import { Either } from "effect"
import { InvalidSession } from "./Errors.js"

/** Percent-encodes every octet of `value`'s UTF-8 except RFC 3986 unreserved characters, with uppercase hex. */
export const encodeTemplateValue = (value: string): string =>
  // Lone surrogates become U+FFFD (encodeURIComponent would throw on them); encodeURIComponent
  // leaves !'()* unescaped, which RFC 6570 simple expansion does not.
  encodeURIComponent(value.toWellFormed()).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

/** The variable names a template uses, in order of appearance. */
export const templateVariables = (template: string): ReadonlyArray<string> =>
  Array.from(template.matchAll(/\{([^}]*)\}/g), (m) => m[1] ?? "")

/**
 * Expands `{name}` variables (RFC 6570 level 1). A variable missing from `vars`, or an unmatched
 * `{`, is an `InvalidSession`; unused entries of `vars` are ignored; a lone `}` is kept literally.
 */
export const expandTemplate = (
  template: string,
  vars: Readonly<Record<string, string>>
): Either.Either<string, InvalidSession> => {
  let out = ""
  let i = 0
  while (i < template.length) {
    const open = template.indexOf("{", i)
    if (open === -1) {
      out += template.slice(i)
      break
    }
    const close = template.indexOf("}", open + 1)
    if (close === -1) return Either.left(new InvalidSession({ description: "URL template has unmatched '{'" }))
    const name = template.slice(open + 1, close)
    const value = Object.prototype.hasOwnProperty.call(vars, name) ? vars[name] : undefined
    if (value === undefined) {
      return Either.left(new InvalidSession({ description: `URL template variable not supplied: ${name}` }))
    }
    out += template.slice(i, open) + encodeTemplateValue(value)
    i = close + 1
  }
  return Either.right(out)
}

/**
 * Resolves a possibly relative URL template against `base` without percent-encoding its `{…}`
 * placeholders (the WHATWG URL parser would turn them into `%7B…%7D`).
 */
export const resolveTemplate = (template: string, base: string): Either.Either<string, InvalidSession> => {
  const names: Array<string> = []
  const masked = template.replace(/\{([^}]*)\}/g, (_, name: string) => {
    names.push(name)
    return `__jmapvar${names.length - 1}__`
  })
  let resolved: string
  try {
    resolved = new URL(masked, base).href
  } catch {
    return Either.left(new InvalidSession({ description: "session URL is not a valid URL reference" }))
  }
  return Either.right(resolved.replace(/__jmapvar(\d+)__/g, (_, n: string) => `{${names[Number(n)]}}`))
}
