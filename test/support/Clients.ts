/**
 * A `ChatClient` for one of the reference server's users, over real HTTP (`HttpTransport` +
 * `SessionService`), built in the test's scope. Needs an `HttpClient` (e.g. `NodeHttpClient.layerUndici`).
 */
import { Context, Effect, Layer } from "effect"
import { ChatClient } from "../../src/chat/ChatClient.js"
import * as Auth from "../../src/jmap/Auth.js"
import * as HttpTransport from "../../src/jmap/HttpTransport.js"
import * as SessionService from "../../src/jmap/SessionService.js"
import type { ChatServer } from "../../src/testing/index.js"

export const clientFor = (server: ChatServer.Service, name: string) =>
  Layer.build(
    ChatClient.layer.pipe(
      Layer.provide(SessionService.layer),
      Layer.provide(HttpTransport.layer({ url: server.url, auth: Auth.bearer(server.user(name).token) }))
    )
  ).pipe(Effect.map(Context.get(ChatClient)))
