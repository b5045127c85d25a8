import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli-process.js";

const SLOW = { timeout: 30_000 };

describe("otzovik segments", () => {
  it("Cyrillic: UCS-2, 70 per single SMS", SLOW, async () => {
    expect(await runCli(["segments", "Спасибо за заказ!"])).toEqual({
      code: 0,
      stderr: "",
      stdout: `encoding    UCS-2
segments    1
characters  17
used        17 UTF-16 units (70 per segment)
left        53 in the last segment
`,
    });
  });

  it(
    "from stdin (without echo's line break); GSM-7 over 160 splits into 153-septet segments",
    SLOW,
    async () => {
      const run = await runCli(["segments"], { stdin: `${"a".repeat(161)}\n` });
      expect(run).toEqual({
        code: 0,
        stderr: "",
        stdout: `encoding    GSM-7
segments    2
characters  161
used        161 septets (153 per segment)
left        145 in the last segment
`,
      });
    },
  );

  it("--json", SLOW, async () => {
    const run = await runCli(["segments", "--json", "€"]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      encoding: "GSM-7",
      segments: 1,
      characters: 1,
      units: 2,
      perSegment: 160,
      remaining: 158,
    });
  });

  it("two texts: bad usage, exit 2", SLOW, async () => {
    const run = await runCli(["segments", "Спасибо", "за", "заказ"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'otzovik: segments takes one text: put it in quotes, otzovik segments "…"',
    );
  });
});
