/**
 * The README's "Testing your integration" example is examples/testing/review.test.ts, word for
 * word (CI runs that file against the packed package: examples/testing/run.mjs), and it
 * type-checks against the package's types under the project's strict settings.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const exampleFile = join(root, "examples/testing/review.test.ts");

/** The first ```ts block under `## Testing your integration` in README.md. */
function readmeExample(): string {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const start = readme.indexOf("\n## Testing your integration\n");
  if (start === -1) throw new Error("README.md has no ## Testing your integration section");
  const section = readme.slice(start, readme.indexOf("\n## ", start + 1));
  const block = /^```ts\n([\s\S]*?)^```$/m.exec(section);
  if (!block) throw new Error("no ```ts block under ## Testing your integration");
  return block[1]!;
}

describe("the README's testing example", () => {
  it("is examples/testing/review.test.ts, which CI runs against the packed package", () => {
    expect(readmeExample()).toBe(readFileSync(exampleFile, "utf8"));
    const ci = readFileSync(join(root, ".ci/run"), "utf8");
    expect(ci).toContain("npm ci --prefix examples/testing");
    expect(ci).toContain("node examples/testing/run.mjs");
  });

  it("type-checks against otzovik's types", { timeout: 60_000 }, () => {
    const config = ts.readConfigFile(join(root, "tsconfig.json"), ts.sys.readFile);
    const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
    const program = ts.createProgram([exampleFile], {
      ...options,
      paths: {
        otzovik: [join(root, "src/index.ts")],
        "otzovik/fetch": [join(root, "src/adapters/fetch.ts")],
        "otzovik/testing": [join(root, "src/testing/index.ts")],
        // The example's own msw (examples/testing/node_modules, once CI installed it) would be a
        // second copy beside the one otzovik's sources see: one msw, the root's.
        msw: [join(root, "node_modules/msw")],
        "msw/*": [join(root, "node_modules/msw/*")],
        vitest: [join(root, "node_modules/vitest")],
      },
    });
    const problems = ts
      .getPreEmitDiagnostics(program, program.getSourceFile(exampleFile))
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    expect(problems).toEqual([]);
  });
});
