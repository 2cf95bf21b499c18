/**
 * Runs before every test file. The suite runs with `isolate: false` (one module graph per worker,
 * see vitest.config.ts), so state that a test file leaves in a shared module must be reset here.
 *
 * `@effect/vitest` 0.30's `layer()` assigns its layer-bound `effect`/`scoped`/`prop`/`flakyTest`/
 * `layer` onto Vitest's shared `it` object (fixed in effect-smol#2177 for Effect 4); without a
 * reset, a later file's `it.effect` would run inside an earlier file's layer, TestClock included.
 */
import { it } from "@effect/vitest"

const key = Symbol.for("effect-jmap-chat/test/pristine-it")
const store = globalThis as { [key]?: Partial<typeof it> }
const { effect, flakyTest, layer, prop, scoped } = it
store[key] ??= { effect, flakyTest, layer, prop, scoped }
Object.assign(it, store[key])
