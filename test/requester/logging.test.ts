import { afterEach, describe, expect, it, vi } from "vitest";
import { ConfigError } from "../../src/core/errors.js";
import { createReviewRequester } from "../../src/requester/requester.js";
import type { RequesterOptions } from "../../src/requester/types.js";
import { fixture } from "../helpers/fixtures.js";
import { recordingSmsClient } from "../helpers/sms-clients.js";

const KEY = "logging-key-0123456789";

/** Captures what the requester writes to each console method (nothing reaches the test output). */
function captureConsole() {
  const lines = {
    debug: [] as string[],
    info: [] as string[],
    warn: [] as string[],
    error: [] as string[],
  };
  for (const level of ["debug", "info", "warn", "error"] as const)
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      lines[level].push(args.map(String).join(" "));
    });
  return lines;
}

/** A requester fed an iiko closed delivery, a White Server event and an order sent to the kitchen. */
async function run(options: Partial<RequesterOptions> = {}) {
  const sms = recordingSmsClient();
  const requester = createReviewRequester({
    keys: KEY,
    business: "B",
    reviewUrl: "https://r.example",
    quietHours: false,
    channels: [{ type: "sms", client: sms.client }],
    ...options,
  });
  for (const [source, name] of [
    ["iiko", "iiko-01-delivery-closed.json"],
    ["rkeeper", "rk-10-ws-orderstatuschanged-complited.json"],
    ["rkeeper", "rk-04-order-sent-to-kitchen.json"],
  ] as const) {
    const accepted = await requester.accept(source, fixture(source, name), { key: KEY });
    await accepted.done;
  }
  await requester.close();
  return sms.sent;
}

const SENT =
  "[otzovik] info  review request sent  tenant=default source=iiko orderId=9e3b7c1a-5f42-4d8e-b6a0-2c71f9d4e805 phone=+7916***4567 channel=sms provider=sms.ru";
const KITCHEN_PHONE = "phone=+7916***2233 ";
const KITCHEN = `[otzovik] info  review request skipped  tenant=default source=rkeeper orderId=59710 ${KITCHEN_PHONE}reason=status_not_final detail="the order is not finished yet, or did not end in a visit or a sale"`;
const WHITE_SERVER =
  '[otzovik] info  review request skipped  tenant=default source=rkeeper orderId=5e964af3-6e1d-4661-4db1-08d897c7079a reason=no_phone detail="the event carries no customer phone"';

afterEach(() => {
  vi.restoreAllMocks();
});

describe("the requester's logs", () => {
  it("without a logger: one masked info line per outcome on the console, the skipped ones with reason and a value-free detail", async () => {
    const lines = captureConsole();
    expect(await run()).toEqual(["+79161234567"]);
    expect(lines.info).toEqual([SENT, WHITE_SERVER, KITCHEN]);
    expect(lines.info.join("\n")).not.toContain("+79161234567");
    expect(lines.info.join("\n")).not.toContain("Передан");
    expect(lines.debug).toEqual([]);
  });

  it('logLevel "debug": also the parser\'s detail of every skipped event', async () => {
    const lines = captureConsole();
    await run({ logLevel: "debug" });
    expect(lines.info).toEqual([SENT, WHITE_SERVER, KITCHEN]);
    expect(lines.debug.filter((line) => line.includes("skipped"))).toEqual([
      '[otzovik] debug review request skipped: detail  tenant=default source=rkeeper orderId=5e964af3-6e1d-4661-4db1-08d897c7079a detail="White Server OrderStatusChanged events carry no guest phone"',
      `[otzovik] debug review request skipped: detail  tenant=default source=rkeeper orderId=59710 ${KITCHEN_PHONE}detail="status Передан на кухню (id 4) is not final"`,
    ]);
  });

  it('logLevel "warn": no info lines', async () => {
    const lines = captureConsole();
    await run({ logLevel: "warn" });
    expect(lines.info).toEqual([]);
    expect(lines.debug).toEqual([]);
  });

  it("with a logger: every line goes to it, skipped ones at info (and the detail at debug)", async () => {
    const lines = captureConsole();
    const info: [string, unknown][] = [];
    const debug: [string, unknown][] = [];
    await run({
      logger: {
        info: (message, meta) => info.push([message, meta]),
        debug: (message, meta) => debug.push([message, meta]),
      },
    });
    expect(info.map(([message]) => message)).toEqual([
      "review request sent",
      "review request skipped",
      "review request skipped",
    ]);
    expect(info[1]?.[1]).toEqual({
      tenant: "default",
      source: "rkeeper",
      orderId: "5e964af3-6e1d-4661-4db1-08d897c7079a",
      phone: "",
      reason: "no_phone",
      detail: "the event carries no customer phone",
    });
    expect(debug.filter(([message]) => message.includes("skipped"))).toHaveLength(2);
    expect(lines.info).toEqual([]);
  });

  it("with a logger and logLevel: lines below the level are not passed on", async () => {
    const info: string[] = [];
    await run({ logLevel: "warn", logger: { info: (message) => info.push(message) } });
    expect(info).toEqual([]);
  });

  it("an unknown logLevel fails at creation, naming the option", () => {
    expect(() =>
      createReviewRequester({
        keys: KEY,
        business: "B",
        reviewUrl: "https://r.example",
        channels: [{ type: "sms", client: recordingSmsClient().client }],
        logLevel: "verbose" as never,
      }),
    ).toThrow(ConfigError);
    expect(() =>
      createReviewRequester({
        keys: KEY,
        business: "B",
        reviewUrl: "https://r.example",
        channels: [{ type: "sms", client: recordingSmsClient().client }],
        logLevel: "verbose" as never,
      }),
    ).toThrow(/logLevel/);
  });
});
