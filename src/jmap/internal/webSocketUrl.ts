/**
 * Resolution of an RFC 8887 §4 WebSocket URL (the `url` of the `urn:ietf:params:jmap:websocket`
 * capability, or a caller's override) to an absolute `ws:`/`wss:` URL.
 *
 * Servers send host-less values such as `"wss:/jmap/ws/"` or `"/jmap/ws"`. The WHATWG URL parser
 * reads `wss:/jmap/ws/` (and `wss:///jmap/ws`) as the host `jmap`, so the host-less forms are
 * recognised here, before any URL parsing, and resolved against the base (the Session URL).
 *
 * @internal
 */
import { Either } from "effect"

const webSchemes = new Set(["ws", "wss", "http", "https"])

const toWebSocket: Record<string, string> = { "http:": "ws:", "https:": "wss:", "ws:": "ws:", "wss:": "wss:" }

/**
 * Resolves `input` to an absolute `ws:`/`wss:` URL, or says (without echoing it) why it cannot be
 * used:
 * - `ws://host/…`, `wss://host/…` are kept; `http://host/…`, `https://host/…` become `ws:`/`wss:`
 *   (as the WHATWG WebSocket constructor does);
 * - a value without a host — a path (`/jmap/ws`, `ws`), or a web scheme followed by a path
 *   (`wss:/jmap/ws/`, `wss:///jmap/ws`) — is resolved against `base`, taking its scheme, host and
 *   port with `http` → `ws` and `https` → `wss` (its own scheme only says "WebSocket": the socket
 *   is exactly as secure as the Session it came from);
 * - a scheme-relative value (`//host/ws`) takes the base's scheme, mapped the same way.
 *
 * Any other scheme, a missing host, a fragment or an unparseable value is refused. `base` must be
 * an absolute http(s) or ws(s) URL when needed.
 */
export const resolveWebSocketUrl = (input: string, base: string | undefined): Either.Either<string, string> => {
  // WHATWG parsing strips leading and trailing C0 controls and spaces; so do we, before looking.
  // eslint-disable-next-line no-control-regex -- exactly the characters WHATWG strips
  const value = input.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, "")
  if (value === "") return Either.left("the URL is empty")
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(value)
  const rest = scheme === null ? value : value.slice(scheme[0].length)
  // Special schemes treat `\` like `/`: an authority is two slashes and then something else.
  const hasAuthority = /^[/\\]{2}(?![/\\])/.test(rest)
  let resolved: URL
  if (scheme !== null && (hasAuthority || !webSchemes.has(scheme[1]!.toLowerCase()))) {
    if (!URL.canParse(value)) return Either.left("not a valid URL")
    resolved = new URL(value)
  } else {
    if (base === undefined || !URL.canParse(base)) return Either.left("a URL without a host needs a valid base URL")
    const baseUrl = new URL(base)
    if (toWebSocket[baseUrl.protocol] === undefined) return Either.left("the base URL must be http(s) or ws(s)")
    // Several leading slashes without a host (`wss:///jmap/ws`) are one absolute path.
    const reference = hasAuthority ? rest : rest.replace(/^[/\\]{2,}/, "/")
    if (reference === "") return Either.left("a scheme without a host or path")
    if (!URL.canParse(reference, baseUrl)) return Either.left("not a valid URL")
    resolved = new URL(reference, baseUrl)
  }
  const protocol = toWebSocket[resolved.protocol]
  if (protocol === undefined) {
    return Either.left(`the scheme must be ws, wss, http or https, got ${resolved.protocol.slice(0, 20)}`)
  }
  resolved.protocol = protocol
  if (resolved.hostname === "") return Either.left("missing host")
  if (resolved.hash !== "" || value.includes("#")) return Either.left("a fragment is not allowed")
  return Either.right(resolved.href)
}
