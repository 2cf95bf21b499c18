// Prints what an editor shows when hovering over common ChatClient calls (TypeScript's quickinfo),
// to check that public types read well: `node scripts/hovers.mjs`. Expect named types, e.g.
// `Effect<Message, ChatClient.HttpCallError | SetFailed | UnexpectedResponse, never>`.
import fs from "node:fs"
import path from "node:path"
import ts from "typescript"

const root = path.resolve(import.meta.dirname, "..")
const probe = path.join(root, "examples", "__hovers__.ts")
const source = `import { Effect } from "effect"
import { ChatClient, ChatPush } from "effect-jmap-chat"
export const program = Effect.gen(function*() {
  const client = yield* ChatClient.ChatClient
  const push = yield* ChatPush.ChatPush
  const createOne = client.Chat.createOne({ kind: "direct", contactId: "x" })
  const send = client.Message.send({ chatId: "c", body: "x" })
  const list = client.Message.list({ filter: { chatId: "c" } })
  const get = client.Message.get({ ids: ["x"] })
  const create = client.Message.create({ chatId: "c", body: "x" })
  const updateOne = client.Message.updateOne({ id: "x", patch: {} })
  const sync = client.Message.sync({ sinceState: "x" })
  const batch = client.batch((b) => ({ chats: b.Chat.get() }))
  const events = push.events()
  return [createOne, send, list, get, create, updateOne, sync, batch, events]
})
`
const config = ts.readConfigFile(path.join(root, "tsconfig.json"), ts.sys.readFile).config
const { options } = ts.parseJsonConfigFileContent(config, ts.sys, root)
const host = {
  getScriptFileNames: () => [probe],
  getScriptVersion: () => "1",
  getScriptSnapshot: (f) =>
    f === probe
      ? ts.ScriptSnapshot.fromString(source)
      : fs.existsSync(f)
      ? ts.ScriptSnapshot.fromString(fs.readFileSync(f, "utf8"))
      : undefined,
  getCurrentDirectory: () => root,
  getCompilationSettings: () => options,
  getDefaultLibFileName: ts.getDefaultLibFilePath,
  fileExists: (f) => f === probe || ts.sys.fileExists(f),
  readFile: (f) => f === probe ? source : ts.sys.readFile(f),
  readDirectory: ts.sys.readDirectory,
  directoryExists: ts.sys.directoryExists,
  getDirectories: ts.sys.getDirectories
}
const service = ts.createLanguageService(host)
for (const match of source.matchAll(/const (\w+) = (?!Effect)/g)) {
  const info = service.getQuickInfoAtPosition(probe, match.index + 6)
  console.log(ts.displayPartsToString(info?.displayParts).replace(/\s+/g, " "))
}
