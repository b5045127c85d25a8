/**
 * `otzovik serve` in this process (serve.test.ts and serve-redis.test.ts run the command as a
 * child process, the way a user does; v8 coverage only sees this process): the configuration
 * read from an environment object, the channels it sets up, and `serve(env)` itself on a free
 * loopback port, its output captured and its shutdown run by calling the signal listener it
 * registers, with `process.exit` replaced.
 */
import { createServer, type Server } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { DEV_APP_SECRET, devChannels, providerChannels } from "../../src/cli/serve/channels.js";
import {
  DEV_BUSINESS,
  DEV_HASH_SECRET,
  DEV_KEY,
  DEV_REVIEW_URL,
  readServeConfig,
} from "../../src/cli/serve/config.js";
import { envFlag, envValue } from "../../src/cli/serve/env.js";
import { serve } from "../../src/cli/serve/index.js";
import { redisHost } from "../../src/cli/serve/redis.js";
import { createLogger } from "../../src/core/logger.js";
import type { ChannelSpec } from "../../src/requester/types.js";
import { fixture } from "../helpers/fixtures.js";
import { type RedisServer, startRedisServer } from "../helpers/redis-server.js";

// serve imports otzovik/bullmq by the package's name (so bullmq loads only with REDIS_URL); here
// that name means the sources, as the child-process tests' loader maps it.
vi.mock("otzovik/bullmq", () => import("../../src/schedulers/bullmq.js"));

const logger = createLogger();
const SLOW = { timeout: 60_000 };
/** For output that follows an answer: generous, for a loaded machine. */
const WAIT = { timeout: 20_000, interval: 20 };
const IIKO_CLOSED = fixture("iiko", "iiko-01-delivery-closed.json");
const ORDER_ID = "9e3b7c1a-5f42-4d8e-b6a0-2c71f9d4e805";

describe("the environment (env.ts)", () => {
  it("envValue trims and treats blank as unset; envFlag is true for true or 1 in any case", () => {
    const env = { A: "  x ", B: "   ", C: "TRUE", D: "1", E: "yes" };
    expect([envValue(env, "A"), envValue(env, "B"), envValue(env, "Z")]).toEqual([
      "x",
      undefined,
      undefined,
    ]);
    expect(["C", "D", "E", "Z"].map((name) => envFlag(env, name))).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });
});

describe("readServeConfig (config.ts)", () => {
  const sms: ChannelSpec[] = providerChannels({ SMSRU_API_KEY: "k" }, logger);

  it("no provider keys, not production: dev mode with the public demo settings", () => {
    expect(readServeConfig({}, [])).toEqual({
      devMode: true,
      devWhatsapp: false,
      webhookKey: DEV_KEY,
      business: DEV_BUSINESS,
      reviewUrl: DEV_REVIEW_URL,
      port: 3000,
      host: "127.0.0.1",
      delayMs: 0,
      logLevel: "info",
      redis: null,
      amocrm: null,
    });
  });

  it("every variable read: dev mode with Redis (the dev hash secret), amoCRM, WhatsApp, a delay", () => {
    expect(
      readServeConfig(
        {
          DEV_WHATSAPP: "1",
          PORT: "8080",
          HOST: "0.0.0.0",
          DELAY_MINUTES: "90",
          DEBUG: "true",
          REDIS_URL: "redis://127.0.0.1:6390",
          OTZOVIK_WORKER: "0",
          AMOCRM_SUBDOMAIN: "shop",
          AMOCRM_ACCESS_TOKEN: "token",
        },
        [],
      ),
    ).toEqual({
      devMode: true,
      devWhatsapp: true,
      webhookKey: DEV_KEY,
      business: DEV_BUSINESS,
      reviewUrl: DEV_REVIEW_URL,
      port: 8080,
      host: "0.0.0.0",
      delayMs: 5_400_000,
      logLevel: "debug",
      redis: { url: "redis://127.0.0.1:6390", hashSecret: DEV_HASH_SECRET, worker: false },
      amocrm: { subdomain: "shop", accessToken: "token" },
    });
  });

  it("provider keys: not dev mode (no DEV_WHATSAPP, no demo settings); OTZOVIK_WORKER=TRUE runs jobs", () => {
    const config = readServeConfig(
      {
        WEBHOOK_KEY: "key",
        BUSINESS_NAME: "Cafe",
        REVIEW_URL: "https://r.example/1",
        DEV_WHATSAPP: "true",
        REDIS_URL: "redis://h:1",
        HASH_SECRET: "0123456789abcdef",
        OTZOVIK_WORKER: "TRUE",
        OTZOVIK_LOG_LEVEL: "WARN",
        AMOCRM_SUBDOMAIN: "shop",
      },
      sms,
    );
    expect(config).toMatchObject({
      devMode: false,
      devWhatsapp: false,
      webhookKey: "key",
      logLevel: "warn",
      redis: { url: "redis://h:1", hashSecret: "0123456789abcdef", worker: true },
      amocrm: null,
    });
  });

  it.each([
    [
      "production without keys",
      { NODE_ENV: "production" },
      [],
      {
        heading:
          "NODE_ENV=production: not starting in dev mode (it would answer 200 and send nothing). Set:",
        problems: [
          "WEBHOOK_KEY",
          "BUSINESS_NAME",
          "REVIEW_URL",
          "the keys of at least one provider: SMSRU_API_KEY, or META_WHATSAPP_ACCESS_TOKEN and META_WHATSAPP_PHONE_NUMBER_ID, or EXOLVE_WHATSAPP_API_KEY and EXOLVE_WHATSAPP_SENDER_ID, or RESEND_API_KEY and RESEND_FROM",
        ],
      },
    ],
    [
      "provider keys, Redis without a hash secret",
      { REDIS_URL: "redis://h:1", WEBHOOK_KEY: "k", BUSINESS_NAME: "b", REVIEW_URL: "u" },
      "sms",
      {
        heading: "Provider keys are set, so this is not dev mode. Set:",
        problems: [
          "HASH_SECRET (REDIS_URL is set: 16+ random characters, the same on every instance, e.g. `openssl rand -hex 32`)",
        ],
      },
    ],
    [
      "dev mode, every value wrong",
      {
        REDIS_URL: "redis://h:1",
        HASH_SECRET: "short",
        OTZOVIK_WORKER: "maybe",
        OTZOVIK_LOG_LEVEL: "loud",
        PORT: "65536",
        DELAY_MINUTES: "-5",
      },
      [],
      {
        heading: "Set:",
        problems: [
          "HASH_SECRET must be at least 16 characters, the same on every instance",
          "OTZOVIK_WORKER must be true or false",
          "OTZOVIK_LOG_LEVEL must be one of debug, info, warn, error",
          "PORT must be a whole number from 0 to 65535",
          "DELAY_MINUTES must be a whole number from 0 to 43200",
        ],
      },
    ],
  ])("%s: a heading and one line per problem", (_, env, channels, expected) => {
    expect(readServeConfig(env, channels === "sms" ? sms : [])).toEqual(expected);
  });
});

describe("the channels (channels.ts)", () => {
  it("every provider's keys: WhatsApp (Meta, then Exolve), SMS, email, in that order", () => {
    const channels = providerChannels(
      {
        META_WHATSAPP_ACCESS_TOKEN: "t",
        META_WHATSAPP_PHONE_NUMBER_ID: "1",
        META_WHATSAPP_TEMPLATE: "review",
        EXOLVE_WHATSAPP_API_KEY: "e",
        EXOLVE_WHATSAPP_SENDER_ID: "2",
        SMSRU_API_KEY: "s",
        RESEND_API_KEY: "r",
        RESEND_FROM: "Cafe <hi@cafe.example>",
      },
      logger,
    );
    expect(channels.map((c) => `${c.type}/${c.client.provider}`)).toEqual([
      "whatsapp/meta",
      "whatsapp/exolve",
      "sms/sms.ru",
      "email/resend",
    ]);
    expect(channels[0]).toMatchObject({
      template: { name: "review", language: "ru", parameters: ["{business}", "{reviewUrl}"] },
    });
    expect(channels[1]).not.toHaveProperty("template");
  });

  it("half a provider's keys set no channel; a template language can be chosen", () => {
    expect(
      providerChannels(
        { META_WHATSAPP_ACCESS_TOKEN: "t", EXOLVE_WHATSAPP_SENDER_ID: "2", RESEND_FROM: "a@b.c" },
        logger,
      ),
    ).toEqual([]);
    const [meta] = providerChannels(
      {
        META_WHATSAPP_ACCESS_TOKEN: "t",
        META_WHATSAPP_PHONE_NUMBER_ID: "1",
        META_WHATSAPP_TEMPLATE: "review",
        META_WHATSAPP_TEMPLATE_LANGUAGE: "kk",
      },
      logger,
    );
    expect(meta).toMatchObject({ template: { name: "review", language: "kk" } });
  });

  it("dev mode: the SMS channel prints the message, phone masked, and sends nothing", async () => {
    const lines: string[] = [];
    const channels = devChannels({}, false, logger, (line) => lines.push(line));
    expect(channels.map((c) => `${c.type}/${c.client.provider}`)).toEqual(["sms/sms.ru"]);
    const client = channels[0]?.client as {
      sendSms(phone: string, text: string): Promise<unknown>;
    };
    expect(await client.sendSms("+79161234567", "Спасибо!")).toMatchObject({
      provider: "sms.ru",
      channel: "sms",
      dryRun: true,
    });
    expect(lines).toEqual(["dev   SMS to +7916***4567 (not sent, dev mode): Спасибо!"]);
  });

  it("DEV_WHATSAPP: the real Meta client first, its API answered locally, each message printed", async () => {
    const lines: string[] = [];
    const channels = devChannels({}, true, logger, (line) => lines.push(line));
    expect(channels.map((c) => `${c.type}/${c.client.provider}`)).toEqual([
      "whatsapp/meta",
      "sms/sms.ru",
    ]);
    const client = channels[0]?.client as {
      sendWhatsapp(phone: string, text: string): Promise<{ messageId: string; dryRun: boolean }>;
    };
    expect(await client.sendWhatsapp("+79161234567", "Привет")).toMatchObject({
      messageId: "wamid.DEV-1",
      dryRun: false,
    });
    expect(await client.sendWhatsapp("+79161234568", "Ещё")).toMatchObject({
      messageId: "wamid.DEV-2",
    });
    expect(lines).toEqual([
      "dev   WhatsApp to +7916***4567 (not sent, simulated Meta) wamid.DEV-1: Привет",
      "dev   WhatsApp to +7916***4568 (not sent, simulated Meta) wamid.DEV-2: Ещё",
    ]);
  });
});

describe("redisHost (redis.ts)", () => {
  it("host:port of the URL, never its password; REDIS_URL when there is none", () => {
    expect(redisHost("redis://user:secret@cache.internal:6380/2")).toBe("cache.internal:6380");
    expect(redisHost("not a url")).toBe("REDIS_URL");
    expect(redisHost("unix:/run/redis.sock")).toBe("REDIS_URL");
  });
});

describe("serve(env) (index.ts, server.ts, shutdown.ts)", () => {
  let stdout = "";
  let stderr = "";
  let logs = "";
  let exit: ReturnType<typeof vi.fn>;
  const signalListeners = new Map<string, NodeJS.SignalsListener[]>();

  beforeEach(() => {
    stdout = "";
    stderr = "";
    logs = "";
    for (const signal of ["SIGINT", "SIGTERM"] as const)
      signalListeners.set(signal, process.listeners(signal));
    vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      stdout += String(chunk);
      return true;
    });
    vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
      stderr += String(chunk);
      return true;
    });
    for (const level of ["debug", "info", "warn", "error"] as const)
      vi.spyOn(console, level).mockImplementation((line: string) => {
        logs += `${line}\n`;
      });
    exit = vi.fn();
    vi.spyOn(process, "exit").mockImplementation(exit as never);
  });

  afterEach(() => {
    // The listeners a serve() registered (when it did not shut down in the test).
    for (const [signal, before] of signalListeners)
      for (const listener of process.listeners(signal as NodeJS.Signals))
        if (!before.includes(listener)) process.off(signal, listener);
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  /** The address from the listening line: serve(env) resolved with `null` (listening). */
  let url = "";
  async function start(env: Record<string, string>): Promise<void> {
    expect(await serve(env)).toBeNull();
    const match = /^otzovik listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(stdout);
    if (!match) throw new Error(`no listening line in:\n${stdout}`);
    url = match[1] as string;
  }

  /**
   * Runs the shutdown the way a signal does and resolves once it called process.exit. Its 9 s
   * and 5 s safety timers (exit 1, close the connections in flight) are created on fake timers
   * and dropped: none is due in a test, and the first must not fire after process.exit is back.
   */
  async function shutDown(signal: "SIGINT" | "SIGTERM"): Promise<void> {
    const added = process
      .listeners(signal)
      .filter((listener) => !signalListeners.get(signal)?.includes(listener));
    expect(added).toHaveLength(1);
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    (added[0] as () => void)();
    vi.useRealTimers();
    await vi.waitFor(() => expect(exit).toHaveBeenCalled(), WAIT);
    expect(exit.mock.calls).toEqual([[0]]);
  }

  async function post(path: string, body: string, type = "application/json") {
    const response = await fetch(`${url}${path}`, {
      method: "POST",
      headers: { "content-type": type },
      body,
    });
    return { status: response.status, body: await response.json() };
  }

  it("a wrong environment: the heading and each problem on stderr, exit 1, nothing listening", async () => {
    expect(await serve({ PORT: "eighty", OTZOVIK_LOG_LEVEL: "loud" })).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toBe(
      "Set:\n  OTZOVIK_LOG_LEVEL must be one of debug, info, warn, error\n  PORT must be a whole number from 0 to 65535\n",
    );
  });

  it(
    "dev mode: the banner, a webhook sent to the printed SMS, / and a 404; SIGTERM closes, exit 0",
    SLOW,
    async () => {
      await start({ PORT: "0" });
      expect(stdout).toBe(`otzovik listening on ${url}
dev mode: nothing is sent; each message is printed, the phone masked
dev mode: quiet hours and the per-phone frequency cap are off, sends go out now
dev mode: webhook key "dev-key" (set WEBHOOK_KEY)
try:
  curl -X POST "${url}/api/webhook/iiko?key=dev-key" -H "Content-Type: application/json" -d '[{"eventType":"DeliveryOrderUpdate","eventInfo":{"id":"demo-1","order":{"status":"Closed","phone":"+79991234567"}}}]'
  npx otzovik explain iiko body.json    (why a body would or would not send)
`);
      stdout = "";
      expect(await post("/api/webhook/iiko?key=dev-key", IIKO_CLOSED)).toEqual({
        status: 200,
        body: { ok: true, events: [{ id: ORDER_ID, status: "accepted", reason: null }] },
      });
      await vi.waitFor(() => expect(logs).toContain("review request sent (dry run)"), WAIT);
      expect(stdout).toMatch(
        /^dev {3}SMS to \+7916\*\*\*4567 \(not sent, dev mode\): .*Кофейня «Зерно».*https:\/\/example\.com\/review\n$/,
      );
      expect(logs).toContain(
        "[otzovik] info  review request sent (dry run)  tenant=default source=iiko orderId=9e3b7c1a-5f42-4d8e-b6a0-2c71f9d4e805 phone=+7916***4567 channel=sms provider=sms.ru",
      );
      const wrongKey = await post("/api/webhook/iiko?key=nope", IIKO_CLOSED);
      expect(wrongKey.status).toBe(401);

      const root = await fetch(`${url}/?x=1`);
      expect(root.headers.get("content-type")).toBe("text/plain; charset=utf-8");
      expect(await root.text()).toBe(
        "otzovik serve: POST /api/webhook/:source?key=…, status webhooks /api/status/:provider\n",
      );
      for (const [method, path] of [
        ["GET", "/nope"],
        ["POST", "/"],
        ["POST", "/api/webhook/iiko/extra"],
        ["POST", "/api/webhook/"],
      ] as const) {
        const missing = await fetch(`${url}${path}`, {
          method,
          body: method === "POST" ? "x" : null,
        });
        expect([path, missing.status, await missing.json()]).toEqual([
          path,
          404,
          { ok: false, error: "not found" },
        ]);
      }

      stdout = "";
      await shutDown("SIGTERM");
      expect(stdout).toBe(
        "SIGTERM: closing (no new webhooks; requests in flight get their answer)\nno scheduled review requests pending\n",
      );
      await expect(fetch(url)).rejects.toThrow();
    },
  );

  it(
    "DEV_WHATSAPP and a WEBHOOK_KEY of your own: the key never printed; Meta's status route answers its check",
    SLOW,
    async () => {
      await start({ PORT: "0", DEV_WHATSAPP: "true", WEBHOOK_KEY: "my-own-key" });
      expect(stdout).toContain(
        `dev mode: WhatsApp first through a simulated Meta (DEV_WHATSAPP), then SMS; status webhooks at ${url}/api/status/meta signed with the app secret "${DEV_APP_SECRET}" unless META_APP_SECRET is set\n`,
      );
      expect(stdout).toContain(`curl -X POST "${url}/api/webhook/iiko?key=$WEBHOOK_KEY"`);
      expect(stdout).not.toContain("my-own-key");
      expect(stdout).not.toContain("dev mode: webhook key");
      const check = await fetch(
        `${url}/api/status/meta?hub.mode=subscribe&hub.verify_token=dev-verify-token&hub.challenge=4711`,
      );
      expect([check.status, await check.text()]).toEqual([200, "4711"]);
      const forged = await fetch(
        `${url}/api/status/meta?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=4711`,
      );
      expect(forged.status).toBe(403);

      stdout = "";
      expect(await post("/api/webhook/iiko?key=my-own-key", IIKO_CLOSED)).toMatchObject({
        status: 200,
      });
      await vi.waitFor(() => expect(stdout).toContain("wamid.DEV-1"), WAIT);
      expect(stdout).toMatch(
        /^dev {3}WhatsApp to \+7916\*\*\*4567 \(not sent, simulated Meta\) wamid\.DEV-1: /,
      );
      await shutDown("SIGINT");
      expect(stdout).toContain(
        "SIGINT: closing (no new webhooks; requests in flight get their answer)\n",
      );
    },
  );

  it(
    "dev mode, amoCRM: a won lead is sent to the demo phone after the demo lookup, which says so",
    SLOW,
    async () => {
      await start({ PORT: "0" });
      stdout = "";
      const won = await post(
        "/api/webhook/amocrm?key=dev-key",
        fixture("amocrm", "lead-status-won-docs.txt"),
        "application/x-www-form-urlencoded",
      );
      expect(won.status).toBe(200);
      await vi.waitFor(() => expect(stdout).toContain("dev   SMS to +7900***4567"), WAIT);
      expect(logs).toMatch(
        /\[otzovik\] info {2}amoCRM lookup is a DEMO: AMOCRM_SUBDOMAIN and AMOCRM_ACCESS_TOKEN not set {2}lead=25399013 account=\S+ demoPhone=\+7900\*\*\*4567\n/,
      );
      await shutDown("SIGTERM");
    },
  );

  it(
    "provider keys and DELAY_MINUTES: says how it sends, no dev lines; a send still scheduled is listed on shutdown",
    SLOW,
    async () => {
      const env = {
        PORT: "0",
        NODE_ENV: "production",
        SMSRU_API_KEY: "sms-ru-key-not-printed",
        WEBHOOK_KEY: "prod-key",
        BUSINESS_NAME: "Cafe",
        REVIEW_URL: "https://r.example/1",
        DELAY_MINUTES: "60",
        AMOCRM_SUBDOMAIN: "shop",
        AMOCRM_ACCESS_TOKEN: "amo-token",
      };
      await start(env);
      expect(stdout).toBe(`otzovik listening on ${url}\nsending through: sms/sms.ru\n`);
      expect(await post("/api/webhook/iiko?key=prod-key", IIKO_CLOSED)).toMatchObject({
        status: 200,
        body: { events: [{ id: ORDER_ID, status: "accepted" }] },
      });
      stdout = "";
      await shutDown("SIGTERM");
      const lines = stdout.split("\n");
      expect(lines.slice(0, 2)).toEqual([
        "SIGTERM: closing (no new webhooks; requests in flight get their answer)",
        "1 scheduled review request(s) not sent (in-process scheduler):",
      ]);
      expect(lines[2]).toMatch(/^ {2}\S+ due \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(lines.slice(3)).toEqual([""]);
      expect(stdout + logs).not.toMatch(/sms-ru-key-not-printed|amo-token|prod-key|9161234567/);
    },
  );

  it("the port is taken: the reason on stderr, exit 1, nothing left listening", SLOW, async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const { port } = taken.address() as { port: number };
    try {
      expect(await serve({ PORT: String(port) })).toBe(1);
      expect(stderr).toBe(
        `otzovik serve: listen EADDRINUSE: address already in use 127.0.0.1:${port}\n`,
      );
      expect(stdout).toBe("");
      expect(process.listeners("SIGTERM")).toEqual(signalListeners.get("SIGTERM"));
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  describe("REDIS_URL", () => {
    let redis: RedisServer;
    beforeAll(async () => {
      redis = await startRedisServer();
    });
    afterAll(async () => {
      await redis?.stop();
    });

    it(
      "the Redis store and BullMQ: the banner says where (never the URL), the worker sends; jobs stay in Redis on shutdown",
      SLOW,
      async () => {
        const env = { PORT: "0", REDIS_URL: redis.url, HASH_SECRET: "in-process-serve-secret-01" };
        await start(env);
        expect(stdout).toContain(
          `\nstore: Redis (otzovik/redis) at 127.0.0.1:${redis.port}\nscheduler: BullMQ (otzovik/bullmq), queue "otzovik"; this process also runs its jobs\n`,
        );
        stdout = "";
        expect((await post("/api/webhook/iiko?key=dev-key", IIKO_CLOSED)).status).toBe(200);
        await vi.waitFor(() => expect(stdout).toContain("dev   SMS to +7916***4567"), WAIT);
        stdout = "";
        await shutDown("SIGTERM");
        expect(stdout).toBe(
          "SIGTERM: closing (no new webhooks; requests in flight get their answer)\nscheduled review requests stay queued in Redis for a worker\n",
        );
      },
    );

    it("OTZOVIK_WORKER=false: enqueue only, said in the banner", SLOW, async () => {
      const env = {
        PORT: "0",
        REDIS_URL: redis.url,
        HASH_SECRET: "in-process-serve-secret-01",
        OTZOVIK_WORKER: "false",
      };
      await start(env);
      expect(stdout).toContain(
        'scheduler: BullMQ (otzovik/bullmq), queue "otzovik"; enqueue only (OTZOVIK_WORKER=false)\n',
      );
      await shutDown("SIGTERM");
    });
  });
});
