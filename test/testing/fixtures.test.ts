/**
 * otzovik/testing's `fixtures`: generated from test/fixtures (one source of truth), every sample
 * body shipped, each exactly its file, and each webhook's `expected` what its parser decides.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseAmocrm } from "../../src/sources/amocrm/parse.js";
import { parseIiko } from "../../src/sources/iiko.js";
import { parseRkeeper } from "../../src/sources/rkeeper.js";
import type { ParseResult } from "../../src/sources/types.js";
import { parseYclients } from "../../src/sources/yclients.js";
import { type Fixture, fixtures, type WebhookFixture } from "../../src/testing/index.js";
import { fixture, fixtureNames } from "../helpers/fixtures.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const PARSERS: Record<string, (body: unknown) => ParseResult> = {
  iiko: parseIiko,
  rkeeper: parseRkeeper,
  yclients: parseYclients,
  amocrm: parseAmocrm,
};
const WEBHOOK_GROUPS = ["iiko", "rkeeper", "yclients", "amocrm"] as const;

const all: [string, Fixture][] = Object.entries(fixtures).flatMap(([group, entries]) =>
  Object.entries(entries as Record<string, Fixture>).map(
    ([name, entry]) => [`${group}.${name}`, entry] as [string, Fixture],
  ),
);
const webhooks: [string, WebhookFixture][] = WEBHOOK_GROUPS.flatMap((group) =>
  Object.entries(fixtures[group] as unknown as Record<string, WebhookFixture>).map(
    ([name, entry]) => [`${group}.${name}`, entry] as [string, WebhookFixture],
  ),
);

describe("fixtures", () => {
  it("src/testing/fixtures.generated.ts is what `node scripts/fixtures.mjs` makes of test/fixtures", () => {
    const run = spawnSync(process.execPath, ["scripts/fixtures.mjs", "--check"], {
      cwd: root,
      encoding: "utf8",
    });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
  });

  it("ships every sample body in test/fixtures, once", () => {
    const files = ["iiko", "rkeeper", "yclients", "amocrm", "status"].flatMap((dir) =>
      fixtureNames(dir)
        .filter((name) => name !== "README.md")
        .map((name) => `test/fixtures/${dir}/${name}`),
    );
    expect(all.map(([, entry]) => entry.file).sort()).toEqual(files.sort());
    expect(all).toHaveLength(37);
  });

  it.each(all)(
    "%s: the body is its file, byte for byte, with a content type that fits it",
    (_, entry) => {
      const [, , dir, name] = entry.file.split("/");
      expect(entry.body).toBe(fixture(dir!, name!));
      if (entry.contentType === "application/json")
        expect(() => JSON.parse(entry.body)).not.toThrow();
      else expect(entry.body).toMatch(/^[\w%.+*-]+=[^&]*(&[\w%.+*-]+=[^&]*)*$/);
      expect(entry.description).not.toBe("");
      expect(entry.origin).toMatch(/https:\/\/|docs\.rkeeper\.ru/);
    },
  );

  it.each(webhooks)("%s: the parser decides what `expected` says", (_, entry) => {
    const result = PARSERS[entry.source]!(entry.body);
    expect({ shouldSend: result.shouldSend, reason: result.reason }).toEqual(entry.expected);
  });

  it("names say what happens, and the sources are the systems' own", () => {
    expect(fixtures.iiko.deliveryClosed.expected).toEqual({ shouldSend: true, reason: null });
    expect(fixtures.iiko.tableClosedNoPhone.expected).toEqual({
      shouldSend: false,
      reason: "no_phone",
    });
    expect(fixtures.rkeeper.whiteServerOrderStatusChanged.expected.reason).toBe("no_phone");
    expect(fixtures.amocrm.leadWon.contentType).toBe("application/x-www-form-urlencoded");
    expect(fixtures.amocrm.leadWon.body).toMatch(/^leads%5Bstatus%5D%5B0%5D%5Bid%5D=25399013&/);
    expect(fixtures.status.metaFailed131047.source).toBe("meta");
    expect(fixtures.status.resendBounced.source).toBe("resend");
    expect(fixtures.amocrmApi.contact.source).toBe("amocrm");
    expect(
      Object.fromEntries(
        WEBHOOK_GROUPS.map((g) => [g, Object.values(fixtures[g]).map((f) => f.source)]),
      ),
    ).toEqual({
      iiko: Array(11).fill("iiko"),
      rkeeper: Array(6).fill("rkeeper"),
      yclients: Array(6).fill("yclients"),
      amocrm: Array(7).fill("amocrm"),
    });
  });
});
