import { defineConfig } from "vitest/config";

/**
 * `npm run test:soak`: the floods and soaks (files named `*.soak.test.ts` under test/soak), kept
 * out of `npm test`. Each has a bounded count and its own time limit. One file at a time, so one
 * soak's load does not slow another's and memory figures are the file's own. No type tests here:
 * `npm test` and `npm run typecheck` cover the whole project, soak files included.
 */
export default defineConfig({
  test: {
    include: ["test/soak/**/*.soak.test.ts"],
    environment: "node",
    fileParallelism: false,
    typecheck: { enabled: false },
  },
});
