import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runCli, runCliClosedStdout } from "../helpers/cli-process.js";

const FIXTURES = "test/fixtures";
const WHITE_SERVER = `${FIXTURES}/rkeeper/rk-10-ws-orderstatuschanged-complited.json`;

// Each run starts a Node process with tsx: allow for a loaded machine.
const SLOW = { timeout: 30_000 };

describe("otzovik explain", () => {
  it("R-Keeper White Server body: no phone, so skip (exit 1)", SLOW, async () => {
    const run = await runCli(["explain", "rkeeper", WHITE_SERVER]);
    expect(run).toEqual({
      code: 1,
      stderr: "",
      stdout: `rkeeper: 1 event

event 1
  type      OrderStatusChanged
  id        5e964af3-6e1d-4661-4db1-08d897c7079a
  status    Complited
  phone     none
  decision  skip
  reason    no_phone: the event carries no customer phone
  detail    White Server OrderStatusChanged events carry no guest phone
  hint      a requester with a lookupPhone hook looks the phone up by this id and sends (docs/setup/rkeeper.md)

nothing would be sent
`,
    });
  });

  it("iiko closed delivery: would send, phone masked (exit 0)", SLOW, async () => {
    const run = await runCli(["explain", "iiko", `${FIXTURES}/iiko/iiko-01-delivery-closed.json`]);
    expect(run).toEqual({
      code: 0,
      stderr: "",
      stdout: `iiko: 1 event

event 1
  type      DeliveryOrderUpdate
  id        9e3b7c1a-5f42-4d8e-b6a0-2c71f9d4e805
  status    Closed
  phone     +7916***4567
  decision  would send

something would be sent
`,
    });
    expect(run.stdout).not.toContain("+79161234567");
  });

  it("iiko on the way: skip with the parser's detail (exit 1)", SLOW, async () => {
    const run = await runCli(["explain", "iiko", `${FIXTURES}/iiko/iiko-03-delivery-onway.json`]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      "  decision  skip\n  reason    status_not_final: the order is not finished yet, or did not end in a visit or a sale\n  detail    status OnWay is not a final delivery status\n",
    );
  });

  it(
    "amoCRM won lead from stdin (form-encoded): would send after a phone lookup (exit 0)",
    SLOW,
    async () => {
      const body = readFileSync(`${FIXTURES}/amocrm/lead-status-won-docs.txt`);
      const run = await runCli(["explain", "amocrm"], { stdin: body });
      expect(run).toEqual({
        code: 0,
        stderr: "",
        stdout: `amocrm: 1 event

event 1
  type      leads.status
  id        25399013
  status    142
  phone     none
  decision  would send after a phone lookup

something would be sent
`,
      });
    },
  );

  it('"-" reads stdin; an empty body array holds no events (exit 1)', SLOW, async () => {
    const run = await runCli(["explain", "iiko", "-"], { stdin: "[]" });
    expect(run).toEqual({
      code: 1,
      stderr: "",
      stdout: `iiko: 0 events
  reason    no_events: the body holds no events

nothing would be sent
`,
    });
  });

  it("--json: the same, machine-readable", SLOW, async () => {
    const run = await runCli(["explain", "rkeeper", WHITE_SERVER, "--json"]);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toEqual({
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
          hint: "a requester with a lookupPhone hook looks the phone up by this id and sends (docs/setup/rkeeper.md)",
        },
      ],
    });
  });

  it("--country reads phones without a country code in that country", SLOW, async () => {
    const body =
      '[{"eventType":"DeliveryOrderUpdate","eventInfo":{"id":"k1","order":{"status":"Closed","phone":"7012345678"}}}]';
    const ru = await runCli(["explain", "iiko", "--json"], { stdin: body });
    const kz = await runCli(["explain", "iiko", "--country", "KZ", "--json"], { stdin: body });
    expect(JSON.parse(ru.stdout).events[0].phone).toBe("+7701***5678");
    expect(JSON.parse(kz.stdout).events[0].phone).toBe("+7701***5678");
    const us = await runCli(["explain", "iiko", "--country", "us", "--json"], {
      stdin: body.replace("7012345678", "2015550123"),
    });
    expect(us.code).toBe(0);
    expect(JSON.parse(us.stdout).events[0].phone).toBe("+1201***0123");
  });

  it.each([
    [["explain"], "explain needs a source: iiko, rkeeper, yclients, amocrm"],
    [
      ["explain", "poster", WHITE_SERVER],
      'unknown source "poster": use iiko, rkeeper, yclients, amocrm',
    ],
    [["explain", "iiko", "no/such/file.json"], "cannot read no/such/file.json: no such file"],
    [["explain", "iiko", FIXTURES], `cannot read ${FIXTURES}: it is a directory`],
    [
      ["explain", "iiko", "a.json", "b.json"],
      "explain takes a source and at most one file (or - for stdin)",
    ],
    [
      ["explain", "iiko", "--country", "XX"],
      '--country must be an ISO 3166-1 alpha-2 country code such as RU, not "XX"',
    ],
    [["explain", "iiko", "--verbose"], "Unknown option '--verbose'"],
    [[], "no command given"],
    [["explian", "iiko"], 'unknown command "explian"'],
  ])("bad usage %j: the message and the usage on stderr, exit 2", SLOW, async (args, message) => {
    const run = await runCli(args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr.split("\n")[0]).toContain(`otzovik: ${message}`);
    expect(run.stderr).toContain("Usage: otzovik <command> [options]");
  });

  it(
    "a closed stdout (piped to head) loses the output, not the exit code: no EPIPE crash",
    SLOW,
    async () => {
      const run = await runCliClosedStdout(["explain", "rkeeper", WHITE_SERVER]);
      expect(run).toEqual({ code: 1, stderr: "" });
    },
  );

  it("--help: the usage on stdout, exit 0", SLOW, async () => {
    for (const args of [["--help"], ["explain", "--help"]]) {
      const run = await runCli(args);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^Usage: otzovik <command> \[options\]\n/);
      expect(run.stdout).toContain("explain <iiko|rkeeper|yclients|amocrm> [file|-]");
    }
  });
});
