import { defineConfig } from "vitest/config"
import { BaseSequencer, type TestSpecification } from "vitest/node"

/**
 * The two longest files, which mostly wait on child processes (an `npm install`, example scripts):
 * started first, so their waiting overlaps the rest of the suite instead of ending it (a fresh
 * clone has no timings for Vitest to order by). The other script-running files (test/examples/)
 * come later, so that not every child process starts at once.
 */
const slowFirst = ["test/package/install.test.ts", "examples/push-examples.test.ts"]

class SlowFirst extends BaseSequencer {
  override async sort(files: Array<TestSpecification>): Promise<Array<TestSpecification>> {
    const rank = (file: TestSpecification) => {
      const i = slowFirst.findIndex((slow) => file.moduleId.endsWith(slow))
      return i === -1 ? slowFirst.length : i
    }
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b))
  }
}

export default defineConfig({
  // `effect-jmap-chat` imports (examples/ import the package as a user does) resolve through the
  // package's own `exports` to src/ under this condition, so no build is needed (tsconfig.json
  // sets the same `customConditions`; scripts run with `tsx --conditions=@effect-jmap-chat/source`).
  // The rest is Vite's default server conditions.
  ssr: { resolve: { conditions: ["@effect-jmap-chat/source", "module", "node", "development|production"] } },
  test: {
    include: ["test/**/*.test.ts", "examples/**/*.test.ts"],
    // One module graph per worker instead of one per file: most of the suite's time was every file
    // importing the SDK and the reference server again. test/support/setup.ts resets what leaks.
    isolate: false,
    setupFiles: ["test/support/setup.ts"],
    // Vitest's default on 2 cores is 1 worker; several files mostly wait (on child processes, or on
    // sockets), so 3 keep both cores busy. As many minimum workers: with fewer, Tinypool ends idle
    // workers and, now and then, a run fails with "Terminating worker thread" after every test passed.
    maxWorkers: 3,
    minWorkers: 3,
    sequence: { sequencer: SlowFirst },
    testTimeout: 30_000,
    hookTimeout: 30_000
  }
})
