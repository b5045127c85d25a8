/**
 * Issue #9 item 18: a property test with 1,500 unseeded runs took longer than vitest's 5 s default
 * on a loaded 2-core machine and failed CI. Every fast-check property in the tests must therefore
 * be seeded (the same runs every time), bounded (`numRuns`) and inside a test with its own
 * `timeout` sized for a loaded machine. Checked on the syntax tree of every test file.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));

function testSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : testSources(path);
    return /\.(ts|mts)$/.test(entry.name) ? [path] : [];
  });
}

/** The names of an object literal's properties. */
function propertyNames(node: ts.Node | undefined): string[] {
  if (!node || !ts.isObjectLiteralExpression(node)) return [];
  return node.properties.flatMap((p) => (p.name && ts.isIdentifier(p.name) ? [p.name.text] : []));
}

/** `true` for a call of `it` or `test`, directly or through a modifier (not `it.each(…)` itself). */
function isTestCall(node: ts.Node): node is ts.CallExpression {
  if (!ts.isCallExpression(node)) return false;
  const callee = node.expression;
  const base = ts.isPropertyAccessExpression(callee) ? callee.expression : callee;
  return ts.isIdentifier(base) && (base.text === "it" || base.text === "test");
}

/** Every `fc.assert(…)` in the test files, with what is wrong with it. */
function propertyBudgets(): { where: string; problems: string[] }[] {
  const found: { where: string; problems: string[] }[] = [];
  for (const path of testSources(join(root, "test"))) {
    const text = readFileSync(path, "utf8");
    if (!text.includes("fast-check")) continue;
    const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (
        ts.isCallExpression(node) &&
        ts.isPropertyAccessExpression(node.expression) &&
        node.expression.getText(source) === "fc.assert"
      ) {
        const problems: string[] = [];
        const options = propertyNames(node.arguments[1]);
        if (!options.includes("seed")) problems.push("no seed");
        if (!options.includes("numRuns")) problems.push("no numRuns");
        let test: ts.Node | undefined = node.parent;
        while (test && !isTestCall(test)) test = test.parent;
        const timeout =
          test !== undefined &&
          (test as ts.CallExpression).arguments.some(
            (arg) => propertyNames(arg).includes("timeout") || ts.isNumericLiteral(arg),
          );
        if (!timeout) problems.push("its test has no timeout");
        const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
        found.push({ where: `${relative(root, path)}:${line + 1}`, problems });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

describe("fast-check properties", () => {
  it("are all seeded, bounded and inside a test with its own timeout", { timeout: 30_000 }, () => {
    const budgets = propertyBudgets();
    expect(budgets.length).toBeGreaterThan(15);
    expect(budgets.filter((b) => b.problems.length > 0)).toEqual([]);
  });
});
