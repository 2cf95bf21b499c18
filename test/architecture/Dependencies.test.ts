/**
 * The floors of the package (docs/ARCHITECTURE.md): `src/jmap` (RFC 8620/8887, knows no data
 * model) → `src/chat` (the JMAP Chat extension) → `src/node` / `src/browser` (platform layers) →
 * `src/testing` (reference server, mock layers). A file imports only from its own floor or the
 * floors below it, `node` and `browser` never import each other, and no import cycle exists
 * anywhere under `src/` (type-only imports count: they couple the modules all the same).
 *
 * The graph is read with TypeScript's `preProcessFile` (no type checking, no bundling): every
 * static import, `export … from` and dynamic `import()` of a relative specifier.
 */
import * as Fs from "node:fs"
import * as Path from "node:path"
import ts from "typescript"
import { describe, expect, it } from "vitest"

const root = Path.resolve(import.meta.dirname, "../..")

/** Module → the modules it imports, as paths relative to the repository root (`src/jmap/Wire.ts`). */
type Graph = ReadonlyMap<string, ReadonlyArray<string>>

const sourceFiles = (dir: string): Array<string> =>
  Fs.readdirSync(Path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`
    if (entry.isDirectory()) return sourceFiles(path)
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [path] : []
  })

/** The file a relative specifier names (`./Wire.js` → `./Wire.ts`, `./push` → `./push/index.ts`), if it exists. */
const resolve = (from: string, specifier: string): string | undefined => {
  const base = Path.posix.join(Path.posix.dirname(from), specifier)
  const candidates = [base.replace(/\.js$/, ".ts"), base.replace(/\.js$/, ".tsx"), `${base}.ts`, `${base}/index.ts`]
  return candidates.find((candidate) => Fs.existsSync(Path.join(root, candidate)))
}

/** The import graph of every source file under `dir`; relative specifiers that resolve to no file are reported. */
const importGraph = (dir: string): { readonly graph: Graph; readonly unresolved: ReadonlyArray<string> } => {
  const graph = new Map<string, Array<string>>()
  const unresolved: Array<string> = []
  for (const file of sourceFiles(dir)) {
    const info = ts.preProcessFile(Fs.readFileSync(Path.join(root, file), "utf8"), true, true)
    const imports: Array<string> = []
    for (const { fileName } of info.importedFiles) {
      if (!fileName.startsWith(".")) continue
      const target = resolve(file, fileName)
      if (target === undefined) unresolved.push(`${file} imports ${fileName}`)
      else imports.push(target)
    }
    graph.set(file, imports)
  }
  return { graph, unresolved }
}

/** The floors, lowest first; a file outside them (`src/index.ts`) may import any. */
const floors: ReadonlyArray<{ readonly dir: string; readonly rank: number }> = [
  { dir: "src/jmap/", rank: 0 },
  { dir: "src/chat/", rank: 1 },
  { dir: "src/node/", rank: 2 },
  { dir: "src/browser/", rank: 2 },
  { dir: "src/testing/", rank: 3 }
]

const floorOf = (file: string) => floors.find((floor) => file.startsWith(floor.dir))

/** Every import that reaches up a floor, or across to a sibling floor. */
export const floorViolations = (graph: Graph): Array<string> => {
  const found: Array<string> = []
  for (const [file, imports] of graph) {
    const from = floorOf(file)
    if (from === undefined) continue
    for (const target of imports) {
      const to = floorOf(target)
      if (to === undefined || to.dir === from.dir) continue
      if (to.rank >= from.rank) found.push(`${file} → ${target}`)
    }
  }
  return found
}

/** Every import cycle (Tarjan's strongly connected components of more than one module, or a self-import). */
export const importCycles = (graph: Graph): Array<Array<string>> => {
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const onStack = new Set<string>()
  const stack: Array<string> = []
  const cycles: Array<Array<string>> = []
  let next = 0
  const visit = (node: string): void => {
    index.set(node, next)
    low.set(node, next++)
    stack.push(node)
    onStack.add(node)
    for (const target of graph.get(node) ?? []) {
      if (!index.has(target)) {
        visit(target)
        low.set(node, Math.min(low.get(node)!, low.get(target)!))
      } else if (onStack.has(target)) {
        low.set(node, Math.min(low.get(node)!, index.get(target)!))
      }
    }
    if (low.get(node) !== index.get(node)) return
    const component: Array<string> = []
    for (;;) {
      const member = stack.pop()!
      onStack.delete(member)
      component.push(member)
      if (member === node) break
    }
    if (component.length > 1 || (graph.get(node) ?? []).includes(node)) cycles.push(component.sort())
  }
  for (const node of graph.keys()) if (!index.has(node)) visit(node)
  return cycles
}

describe("the floors of src/", () => {
  const { graph, unresolved } = importGraph("src")

  it("reads every module and resolves every relative import", () => {
    expect(graph.size).toBeGreaterThan(100)
    expect(graph.get("src/chat/ChatClient.ts")).toContain("src/jmap/Invocation.ts")
    expect(unresolved).toEqual([])
  })

  it("nothing imports from a floor above its own (jmap → chat → node | browser → testing)", () => {
    expect(floorViolations(graph)).toEqual([])
  })

  it("has no import cycle", () => {
    expect(importCycles(graph)).toEqual([])
  })

  it("the checks find a broken rule", () => {
    const broken: Graph = new Map([
      ["src/jmap/push/WebSocketSession.ts", ["src/chat/push/ChatWsFrame.ts", "src/jmap/Errors.ts"]],
      ["src/jmap/Batching.ts", ["src/jmap/SessionService.ts"]],
      ["src/jmap/SessionService.ts", ["src/jmap/Batching.ts"]],
      ["src/jmap/Errors.ts", ["src/testing/ChatServer.ts"]],
      ["src/node/NodeChat.ts", ["src/browser/BrowserChat.ts", "src/chat/ChatClient.ts"]],
      ["src/chat/ChatClient.ts", ["src/chat/ChatClient.ts"]],
      ["src/index.ts", ["src/testing/ChatServer.ts"]]
    ])
    expect(floorViolations(broken)).toEqual([
      "src/jmap/push/WebSocketSession.ts → src/chat/push/ChatWsFrame.ts",
      "src/jmap/Errors.ts → src/testing/ChatServer.ts",
      "src/node/NodeChat.ts → src/browser/BrowserChat.ts"
    ])
    expect(importCycles(broken)).toEqual([
      ["src/jmap/Batching.ts", "src/jmap/SessionService.ts"],
      ["src/chat/ChatClient.ts"]
    ])
  })
})
