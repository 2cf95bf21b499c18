// The same app without the SDK: only the `effect` and `@effect/platform` pieces it uses (fetch
// the Session, POST a Message/set, decode both with Schema).
import { FetchHttpClient, HttpClient, HttpClientRequest, HttpClientResponse } from "@effect/platform"
import { Effect, Schema } from "effect"

const Session = Schema.Struct({
  apiUrl: Schema.String,
  primaryAccounts: Schema.Record({ key: Schema.String, value: Schema.String })
})
const SetResponse = Schema.Struct({
  methodResponses: Schema.Array(Schema.Tuple(Schema.String, Schema.Unknown, Schema.String))
})
const Created = Schema.Struct({
  created: Schema.Record({ key: Schema.String, value: Schema.Struct({ id: Schema.String }) })
})

const program = Effect.gen(function*() {
  const client = (yield* HttpClient.HttpClient).pipe(
    HttpClient.mapRequest(HttpClientRequest.bearerToken("token")),
    HttpClient.filterStatusOk
  )
  const session = yield* client.get(`${location.origin}/.well-known/jmap`).pipe(
    Effect.flatMap(HttpClientResponse.schemaBodyJson(Session))
  )
  const accountId = session.primaryAccounts["urn:ietf:params:jmap:chat"] ?? ""
  const request = yield* HttpClientRequest.post(session.apiUrl).pipe(
    HttpClientRequest.bodyJson({
      using: ["urn:ietf:params:jmap:core", "urn:ietf:params:jmap:chat"],
      methodCalls: [["Message/set", {
        accountId,
        create: { m: { chatId: "chat-1", body: "Hello from the browser", bodyType: "text/plain" } }
      }, "0"]]
    })
  )
  const response = yield* client.execute(request).pipe(Effect.flatMap(HttpClientResponse.schemaBodyJson(SetResponse)))
  const created = yield* Schema.decodeUnknown(Created)(response.methodResponses[0]?.[1])
  console.log(created.created["m"]?.id)
})

Effect.runFork(program.pipe(Effect.provide(FetchHttpClient.layer)))
