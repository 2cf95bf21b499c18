import { defineConfig } from "vitest/config"

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
    testTimeout: 30_000,
    hookTimeout: 30_000
  }
})
