import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Floods and soaks are long-running: `npm run test:soak` runs them (vitest.soak.config.ts).
    exclude: [...configDefaults.exclude, "test/soak/**"],
    environment: "node",
    // `vitest run` also type-checks the project (tsc) and runs the type tests in test/types.
    typecheck: {
      enabled: true,
      include: ["test/**/*.test-d.ts"],
    },
  },
});
