/**
 * msw is an optional peer: importing otzovik/testing (fixtures, builders, signers) must not load
 * it. No module otzovik/testing imports has a value import of msw; the fakes load it through
 * src/testing/msw.ts when one is created. (examples/testing/run.mjs checks the packed package in
 * a project without msw.)
 */
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadMsw } from "../../src/testing/msw.js";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** Every source file `entry` imports, transitively, with its text. */
function importGraph(entry: string): Map<string, string> {
  const seen = new Map<string, string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    const text = readFileSync(file, "utf8");
    seen.set(file, text);
    for (const [, spec] of text.matchAll(/^(?:import|export)\s[^;]*?from\s+"(\.[^"]+)"/gm)) {
      visit(resolve(dirname(file), spec!.replace(/\.js$/, ".ts")));
    }
  };
  visit(join(root, entry));
  return seen;
}

describe("otzovik/testing without msw", () => {
  it("no module it imports has a value import of msw", () => {
    const graph = importGraph("src/testing/index.ts");
    expect(graph.size).toBeGreaterThan(20);
    const valueImports = [...graph]
      .filter(([, text]) => /^import\s+(?!type\b)[^;]*from\s+"msw(\/[^"]*)?"/m.test(text))
      .map(([file]) => file.slice(root.length));
    expect(valueImports).toEqual([]);
    expect(graph.get(join(root, "src/testing/msw.ts"))).toMatch(
      /^import type \* as Msw from "msw";$/m,
    );
  });

  it("loadMsw() gives the installed msw, once", () => {
    const msw = loadMsw();
    expect(typeof msw.http.post).toBe("function");
    expect(loadMsw()).toBe(msw);
  });
});
