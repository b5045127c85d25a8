/**
 * The `otzovik` command's modules in this process (explain.test.ts and segments.test.ts run the
 * command as a child process, the way a user does; v8 coverage only sees this process): `main`
 * with its arguments, stdout, stderr and stdin replaced, and the formatting functions directly.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import {
  countryOption,
  type Explanation,
  explain,
  formatExplanation,
  LOOKUP_HINT,
  sourceNamed,
} from "../../src/cli/explain.js";
import { printable, readInput } from "../../src/cli/input.js";
import { formatSegments, stdinText } from "../../src/cli/segments.js";
import { USAGE, UsageError } from "../../src/cli/usage.js";
import { fixture } from "../helpers/fixtures.js";

const FIXTURES = "test/fixtures";
const IIKO_CLOSED = `${FIXTURES}/iiko/iiko-01-delivery-closed.json`;
const WHITE_SERVER = `${FIXTURES}/rkeeper/rk-10-ws-orderstatuschanged-complited.json`;
const bytes = (text: string) => new TextEncoder().encode(text);

let stdout = "";
let stderr = "";
let main: (argv: readonly string[]) => Promise<number | null>;

/** Replaces process.stdin with `text` for the next read. */
function stdin(text: string): void {
  vi.spyOn(process, "stdin", "get").mockReturnValue(
    Readable.from([Buffer.from(text)]) as unknown as typeof process.stdin,
  );
}

beforeEach(() => {
  stdout = "";
  stderr = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("main (src/cli/main.ts)", () => {
  const argv = process.argv;
  const exitCode = process.exitCode;

  beforeAll(async () => {
    // Importing main.ts runs the command its process.argv names: `otzovik --help` here.
    process.argv = [argv[0] as string, "src/cli/main.ts", "--help"];
    const write = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    try {
      ({ main } = await import("../../src/cli/main.js"));
      await vi.waitFor(() => expect(write).toHaveBeenCalledWith(USAGE), { timeout: 20_000 });
      expect(process.exitCode).toBe(0);
    } finally {
      write.mockRestore();
      process.argv = argv;
    }
  });

  afterAll(() => {
    process.exitCode = exitCode;
  });

  it("explain <source> <file>: the explanation on stdout, exit 0 when something would send", async () => {
    expect(await main(["explain", "iiko", IIKO_CLOSED])).toBe(0);
    expect(stdout).toBe(`iiko: 1 event

event 1
  type      DeliveryOrderUpdate
  id        9e3b7c1a-5f42-4d8e-b6a0-2c71f9d4e805
  status    Closed
  phone     +7916***4567
  decision  would send

something would be sent
`);
    expect(stderr).toBe("");
  });

  it("explain --json: the explanation as JSON, exit 1 when nothing would send", async () => {
    expect(await main(["explain", "rkeeper", WHITE_SERVER, "--json"])).toBe(1);
    expect(JSON.parse(stdout)).toEqual({
      source: "rkeeper",
      wouldSend: false,
      reason: null,
      description: null,
      detail: null,
      events: [
        {
          type: "OrderStatusChanged",
          id: "5e964af3-6e1d-4661-4db1-08d897c7079a",
          status: "Complited",
          phone: null,
          decision: "skip",
          reason: "no_phone",
          description: "the event carries no customer phone",
          detail: "White Server OrderStatusChanged events carry no guest phone",
          hint: LOOKUP_HINT,
        },
      ],
    });
    expect(stdout.endsWith("}\n")).toBe(true);
  });

  it("explain reads stdin without a file or with -; --country applies to its phones", async () => {
    const body =
      '[{"eventType":"DeliveryOrderUpdate","eventInfo":{"id":"u1","order":{"status":"Closed","phone":"2015550123"}}}]';
    stdin(body);
    expect(await main(["explain", "iiko", "--country", "us", "--json"])).toBe(0);
    expect(JSON.parse(stdout).events[0].phone).toBe("+1201***0123");
    stdout = "";
    stdin(fixture("amocrm", "lead-status-won-docs.txt"));
    expect(await main(["explain", "amocrm", "-"])).toBe(0);
    expect(stdout).toContain("  decision  would send after a phone lookup\n");
  });

  it("segments <text>: the count as text, or as JSON with --json", async () => {
    expect(await main(["segments", "Привет"])).toBe(0);
    expect(stdout).toBe(`encoding    UCS-2
segments    1
characters  6
used        6 UTF-16 units (70 per segment)
left        64 in the last segment
`);
    stdout = "";
    expect(await main(["segments", "--json", "Hi"])).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      encoding: "GSM-7",
      segments: 1,
      characters: 2,
      units: 2,
      perSegment: 160,
      remaining: 158,
    });
  });

  it("segments without a text reads stdin, without the line break echo adds", async () => {
    stdin("Hello\n");
    expect(await main(["segments"])).toBe(0);
    expect(stdout).toBe(`encoding    GSM-7
segments    1
characters  5
used        5 septets (160 per segment)
left        155 in the last segment
`);
  });

  it.each([
    [["--help"]],
    [["-h"]],
    [["help"]],
    [["explain", "--help"]],
    [["segments", "-h"]],
    [["serve", "--help"]],
  ])("%j: the usage on stdout, exit 0", async (args) => {
    expect(await main(args)).toBe(0);
    expect(stdout).toBe(USAGE);
    expect(stderr).toBe("");
  });

  it.each([
    [[], "no command given"],
    [["explian"], 'unknown command "explian"'],
    // Only the commands themselves: not what every object inherits.
    [["constructor"], 'unknown command "constructor"'],
    [["toString"], 'unknown command "toString"'],
    [["explain"], "explain needs a source: iiko, rkeeper, yclients, amocrm"],
    [
      ["explain", "poster\u001b[2J"],
      'unknown source "poster\\u001b[2J": use iiko, rkeeper, yclients, amocrm',
    ],
    [
      ["explain", "iiko", "a.json", "b.json"],
      "explain takes a source and at most one file (or - for stdin)",
    ],
    [
      ["explain", "iiko", "--country", "XX"],
      '--country must be an ISO 3166-1 alpha-2 country code such as RU, not "XX"',
    ],
    [["explain", "iiko", "no/such/file.json"], "cannot read no/such/file.json: no such file"],
    [["explain", "iiko", FIXTURES], `cannot read ${FIXTURES}: it is a directory`],
    [["segments", "a", "b"], 'segments takes one text: put it in quotes, otzovik segments "…"'],
    [["serve", "now"], "serve takes no arguments: it is configured by environment variables"],
  ])("%j: the message and the usage on stderr, exit 2", async (args, message) => {
    expect(await main(args)).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe(`otzovik: ${message}\n\n${USAGE}`);
  });

  it.each([
    [["explain", "iiko", "--country"], /^otzovik: Option '--country <value>' argument missing/],
    [["segments", "--verbose"], /^otzovik: Unknown option '--verbose'/],
  ])("%j: node:util's parseArgs message and the usage on stderr, exit 2", async (args, message) => {
    expect(await main(args)).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(message);
    expect(stderr.endsWith(`\n\n${USAGE}`)).toBe(true);
  });

  it("serve reads process.env: a wrong PORT there is reported, exit 1", async () => {
    vi.stubEnv("PORT", "eighty");
    try {
      expect(await main(["serve"])).toBe(1);
    } finally {
      vi.unstubAllEnvs();
    }
    expect(stdout).toBe("");
    expect(stderr).toContain("\n  PORT must be a whole number from 0 to 65535\n");
  });

  it("any other failure is not bad usage: main rejects with it (the entry point prints it, exit 1)", async () => {
    vi.spyOn(process, "stdin", "get").mockReturnValue(
      new Readable({
        read() {
          this.destroy(Object.assign(new Error("read EIO"), { code: "EIO" }));
        },
      }) as unknown as typeof process.stdin,
    );
    await expect(main(["explain", "iiko"])).rejects.toThrow("read EIO");
    expect(stdout).toBe("");
    expect(stderr).toBe("");
  });

  it("a closed pipe (EPIPE) on stdout or stderr is ignored; any other stream error is thrown", () => {
    const epipe = Object.assign(new Error("write EPIPE"), { code: "EPIPE" });
    expect(() => process.stdout.emit("error", epipe)).not.toThrow();
    expect(() => process.stderr.emit("error", epipe)).not.toThrow();
    const other = Object.assign(new Error("write EIO"), { code: "EIO" });
    expect(() => process.stdout.emit("error", other)).toThrow("write EIO");
  });
});

describe("explain (src/cli/explain.ts)", () => {
  it("sourceNamed: a built-in source, or a usage error listing them", () => {
    expect(sourceNamed("yclients")).toBe("yclients");
    expect(() => sourceNamed(undefined)).toThrow(
      new UsageError("explain needs a source: iiko, rkeeper, yclients, amocrm"),
    );
    expect(() => sourceNamed("hasOwnProperty")).toThrow(
      new UsageError('unknown source "hasOwnProperty": use iiko, rkeeper, yclients, amocrm'),
    );
  });

  it("countryOption: RU by default, any case, checked", () => {
    expect(countryOption(undefined)).toBe("RU");
    expect(countryOption("kz")).toBe("KZ");
    expect(() => countryOption("")).toThrow(
      new UsageError('--country must be an ISO 3166-1 alpha-2 country code such as RU, not ""'),
    );
    expect(() => countryOption("r\u202eu")).toThrow(
      new UsageError(
        '--country must be an ISO 3166-1 alpha-2 country code such as RU, not "r\\u202eu"',
      ),
    );
  });

  it("a body that is not JSON: one invalid event with the parser's detail", () => {
    const explanation = explain("iiko", bytes("not json"), "RU");
    expect(explanation).toEqual({
      source: "iiko",
      wouldSend: false,
      reason: null,
      description: null,
      detail: null,
      events: [
        {
          type: null,
          id: null,
          status: null,
          phone: null,
          decision: "skip",
          reason: "invalid_payload",
          description: "the body (or this event) is not in a format this source sends",
          detail: "the body is not valid JSON",
          hint: null,
        },
      ],
    });
    expect(formatExplanation(explanation)).toBe(`iiko: 1 event

event 1
  type      -
  id        -
  status    -
  phone     none
  decision  skip
  reason    invalid_payload: the body (or this event) is not in a format this source sends
  detail    the body is not valid JSON

nothing would be sent
`);
  });

  it("two events: one sends, one has a bad phone (its detail is its description: printed once)", () => {
    const body = JSON.stringify([
      {
        eventType: "DeliveryOrderUpdate",
        eventInfo: { id: "a1", order: { status: "Closed", phone: "+79161234567" } },
      },
      {
        eventType: "DeliveryOrderUpdate",
        eventInfo: { id: "a2", order: { status: "Closed", phone: "12" } },
      },
    ]);
    const explanation = explain("iiko", bytes(body), "RU");
    expect(explanation.wouldSend).toBe(true);
    expect(formatExplanation(explanation)).toBe(`iiko: 2 events

event 1
  type      DeliveryOrderUpdate
  id        a1
  status    Closed
  phone     +7916***4567
  decision  would send

event 2
  type      DeliveryOrderUpdate
  id        a2
  status    Closed
  phone     none
  decision  skip
  reason    invalid_phone: the customer phone is not a valid phone number

something would be sent
`);
  });

  it("control and bidi characters from the body are shown escaped, never written raw", () => {
    const body = JSON.stringify([
      {
        eventType: "DeliveryOrderUpdate\u202e",
        eventInfo: { id: "b1", order: { status: "Clo\u001b[2Jsed", phone: "+79161234567" } },
      },
    ]);
    const text = formatExplanation(explain("iiko", bytes(body), "RU"));
    expect(text).toContain("  type      DeliveryOrderUpdate\\u202e\n");
    expect(text).toContain("  status    Clo\\u001b[2Jsed\n");
    expect(text).toContain("  detail    iiko event (unexpected value) never triggers a review\n");
    expect(text.includes("\u001b") || text.includes("\u202e")).toBe(false);
  });

  it("no events: the body's reason, and its detail when it says more than the reason", () => {
    const empty = explain("iiko", bytes("[]"), "RU");
    expect(empty).toEqual({
      source: "iiko",
      wouldSend: false,
      reason: "no_events",
      description: "the body holds no events",
      detail: "the body holds no events",
      events: [],
    });
    expect(formatExplanation(empty)).toBe(
      "iiko: 0 events\n  reason    no_events: the body holds no events\n\nnothing would be sent\n",
    );
    const detailed: Explanation = { ...empty, detail: "the array is empty\u0007" };
    expect(formatExplanation(detailed)).toBe(
      "iiko: 0 events\n  reason    no_events: the body holds no events\n  detail    the array is empty\\u0007\n\nnothing would be sent\n",
    );
    const unexplained: Explanation = { ...empty, reason: null, description: null, detail: null };
    expect(formatExplanation(unexplained)).toBe(
      "iiko: 0 events\n  reason    -: -\n\nnothing would be sent\n",
    );
  });
});

describe("input (src/cli/input.ts)", () => {
  const dir = mkdtempSync(join(tmpdir(), "otzovik-cli-"));
  const file = join(dir, "body.json");
  writeFileSync(file, "[1]");

  it("reads a file's bytes", async () => {
    expect(new TextDecoder().decode(await readInput(file))).toBe("[1]");
  });

  it("an unreadable path: a usage error saying why, by the error's code", async () => {
    await expect(readInput(join(dir, "missing.json"))).rejects.toThrow(
      new UsageError(`cannot read ${join(dir, "missing.json")}: no such file`),
    );
    await expect(readInput(dir)).rejects.toThrow(
      new UsageError(`cannot read ${dir}: it is a directory`),
    );
    await expect(readInput(join(file, "inside"))).rejects.toThrow(
      new UsageError(`cannot read ${join(file, "inside")}: ENOTDIR`),
    );
  });

  it("printable: controls, line separators and bidi controls as \\u escapes, the rest as is", () => {
    expect(printable("a\u0000b\nc\u2028d\u202ee\u200ff — ок")).toBe(
      "a\\u0000b\\u000ac\\u2028d\\u202ee\\u200ff — ок",
    );
  });
});

describe("segments (src/cli/segments.ts)", () => {
  it("formatSegments counts the text itself when not given the count", () => {
    expect(formatSegments("€")).toBe(`encoding    GSM-7
segments    1
characters  1
used        2 septets (160 per segment)
left        158 in the last segment
`);
  });

  it("stdinText drops one trailing line break (LF or CRLF), no more", () => {
    expect(stdinText(bytes("hi\r\n"))).toBe("hi");
    expect(stdinText(bytes("hi\n\n"))).toBe("hi\n");
    expect(stdinText(bytes("hi"))).toBe("hi");
  });
});
