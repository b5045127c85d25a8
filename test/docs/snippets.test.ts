/**
 * Code shown in the docs is code that compiles: every ```ts block preceded by
 * `<!-- snippet: path -->` in README.md, docs/ and the examples' READMEs must equal that file, byte
 * for byte, and docs/snippets/*.ts (Hono, Bun, Deno, Cloudflare Workers: docs/frameworks.md) are
 * type-checked with docs/snippets/tsconfig.json, as `npm run typecheck` does (issue 12).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** Markdown files that may show snippets: README.md, docs/**, examples/*\/README.md. */
function markdownFiles(): string[] {
  const found = ["README.md"];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== "node_modules" && entry.name !== "api") walk(path);
      else if (entry.isFile() && entry.name.endsWith(".md")) found.push(path);
    }
  };
  walk("docs");
  walk("examples");
  return found;
}

interface Shown {
  readonly doc: string;
  readonly path: string;
  readonly code: string;
}

/** Every `<!-- snippet: path -->` marker and the fenced block right after it. */
function shownSnippets(): Shown[] {
  const shown: Shown[] = [];
  for (const doc of markdownFiles()) {
    const text = readFileSync(join(root, doc), "utf8");
    for (const match of text.matchAll(/^<!-- snippet: (\S+) -->\n```[a-z]*\n([\s\S]*?)^```$/gm)) {
      shown.push({ doc, path: match[1]!, code: match[2]! });
    }
    const markers = text.match(/^<!-- snippet: /gm)?.length ?? 0;
    const matched = shown.filter((s) => s.doc === doc).length;
    if (markers !== matched) throw new Error(`${doc}: a snippet marker not followed by a block`);
  }
  return shown;
}

const snippetDir = join(root, "docs/snippets");
const snippetFiles = readdirSync(snippetDir)
  .filter((name) => name.endsWith(".ts") && !name.endsWith(".d.ts"))
  .map((name) => `docs/snippets/${name}`);

describe("snippets shown in the docs", () => {
  const shown = shownSnippets();

  it("the framework snippets are there: Hono, Bun, Deno, Cloudflare Workers", () => {
    expect(snippetFiles.sort()).toEqual([
      "docs/snippets/bun.ts",
      "docs/snippets/deno.ts",
      "docs/snippets/hono.ts",
      "docs/snippets/workers.ts",
    ]);
  });

  it("every file of docs/snippets is shown in docs/frameworks.md", () => {
    const onFrameworks = shown.filter((s) => s.doc === "docs/frameworks.md").map((s) => s.path);
    expect(onFrameworks.sort()).toEqual(snippetFiles);
  });

  it("the Next.js example's README shows both route files", () => {
    const next = shown.filter((s) => s.doc === "examples/next/README.md").map((s) => s.path);
    expect(next).toEqual([
      "examples/next/app/api/webhook/[source]/route.ts",
      "examples/next/app/api/status/[provider]/route.ts",
    ]);
  });

  it("each block is the file it names, exactly", () => {
    expect(shown.length).toBeGreaterThanOrEqual(6);
    for (const { doc, path, code } of shown) {
      expect(existsSync(join(root, path)), `${doc} names ${path}`).toBe(true);
      expect(code, `${doc}: the block for ${path}`).toBe(readFileSync(join(root, path), "utf8"));
    }
  });

  it("docs/snippets type-check (strict, against the sources)", { timeout: 120_000 }, () => {
    const configPath = join(snippetDir, "tsconfig.json");
    const config = ts.readConfigFile(configPath, ts.sys.readFile);
    const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, dirname(configPath));
    expect(parsed.fileNames.map((f) => relative(root, f)).sort()).toEqual([
      "docs/snippets/bun.ts",
      "docs/snippets/deno.ts",
      "docs/snippets/hono.ts",
      "docs/snippets/types/hono.d.ts",
      "docs/snippets/types/runtimes.d.ts",
      "docs/snippets/workers.ts",
    ]);
    const program = ts.createProgram(parsed.fileNames, parsed.options);
    const problems = ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file
        ? `${relative(root, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}`
        : "";
      return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
    });
    expect(problems).toEqual([]);
  });
});
