/**
 * The harness of issue 10's proofs (test/soak/redis-*.soak.test.ts): real processes on a real
 * redis-server, all on loopback.
 *
 * - {@link startApp}: the app (./app.ts) as its own Node process, web, worker or both;
 * - {@link startFakeSmsRu}: SMS.ru as a loopback HTTP server in the test process, counting every
 *   message per order, refusing a seeded share of them with SMS.ru's "service temporarily
 *   unavailable" (code 220, retryable), optionally slow;
 * - {@link Pos}: the POS side, posting iiko webhooks with bounded concurrency, retrying on
 *   anything but 200 as a POS does;
 * - {@link tally}: what the app processes reported, per order;
 * - {@link proofSetup}: a proof's redis-server, fake SMS.ru and POS, started and stopped with it.
 */
import { createServer, Agent as HttpAgent, request } from "node:http";
import type { AddressInfo } from "node:net";
import { Queue } from "bullmq";
import { afterAll, beforeAll } from "vitest";
import { type ExampleProcess, startExample } from "../../helpers/example-process.js";
import { fixtureJson } from "../../helpers/fixtures.js";
import { type RedisServer, startRedisServer } from "../../helpers/redis-server.js";

export const WEBHOOK_KEY = "proof-webhook-key-0123456789";
const APP = "test/soak/redis/app.ts";

// --- waiting ------------------------------------------------------------------------------------

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 20 ms until it is true; throws `what` after `timeoutMs`. */
export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what()}`);
    await sleep(20);
  }
}

/** Runs `work` over `items`, `concurrency` at a time, in order of `items`. */
export async function pool<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const index = next++;
        await work(items[index] as T, index);
      }
    }),
  );
}

/** A seeded PRNG (mulberry32). */
export function random(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seeded shuffle (Fisher–Yates), in place. */
export function shuffle<T>(items: T[], seed: number): T[] {
  const next = random(seed);
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

// --- orders -------------------------------------------------------------------------------------

/** One order of a proof: its iiko webhook body, and the id and phone it carries. */
export interface Order {
  readonly id: string;
  /** The phone as SMS.ru's `to` gets it: digits, no plus. */
  readonly digits: string;
  readonly body: string;
}

/** `count` distinct iiko orders (test/fixtures/iiko/iiko-01-delivery-closed.json), ids `{prefix}-{i}`. */
export function orders(prefix: string, count: number): Order[] {
  return Array.from({ length: count }, (_, i) => {
    const events = fixtureJson<Record<string, any>[]>("iiko", "iiko-01-delivery-closed.json");
    const event = events[0] as Record<string, any>;
    const id = `${prefix}-${i}`;
    const digits = `7916${String(1_000_000 + i)}`;
    event.eventInfo.id = id;
    event.eventInfo.order.phone = `+${digits}`;
    return { id, digits, body: JSON.stringify(events) };
  });
}

// --- the app processes --------------------------------------------------------------------------

/** What an app process printed about one outcome (see ./app.ts). */
export interface AppOutcome {
  readonly pid: number;
  readonly role: string;
  readonly status: "sent" | "scheduled" | "skipped" | "failed" | "delivered" | "undelivered";
  readonly channel?: string;
  readonly fallback?: boolean;
  readonly tenant: string;
  readonly orderId: string;
  readonly messageId?: string;
  readonly reason?: string;
  readonly code?: string;
  readonly category?: string;
  readonly unknownOutcome?: boolean;
  readonly willRetry?: boolean;
  readonly attempt?: number;
}

/** A running app process. */
export interface App extends ExampleProcess {
  readonly role: "web" | "worker" | "both";
  /** The outcomes it printed so far. */
  outcomes(): AppOutcome[];
}

/** How an app process is configured (see ./app.ts). */
export interface AppSettings {
  readonly redisUrl: string;
  readonly smsRuUrl: string;
  readonly delaysMs?: readonly number[];
  readonly retryDelaysMs?: readonly number[];
  readonly lockMs?: number;
  readonly stalledMs?: number;
  readonly concurrency?: number;
  /** The fake Meta's URL: WhatsApp first (its status webhooks read), then SMS. */
  readonly metaUrl?: string;
}

/** Every app process started, so {@link stopApps} leaves none behind. */
const running = new Set<App>();

/**
 * Starts ./app.ts as its own Node process (`node --import tsx`, see
 * test/helpers/example-process.ts) and waits until it listens (web, both) or is ready (worker).
 */
export async function startApp(role: App["role"], settings: AppSettings): Promise<App> {
  const child = await startExample(APP, {
    timeoutMs: 60_000,
    ...(role === "worker" ? { ready: /^worker ready$/m } : {}),
    env: {
      ROLE: role,
      REDIS_URL: settings.redisUrl,
      SMSRU_URL: settings.smsRuUrl,
      WEBHOOK_KEY,
      DELAYS_MS: (settings.delaysMs ?? [0]).join(","),
      RETRY_DELAYS_MS: (settings.retryDelaysMs ?? []).join(","),
      LOCK_MS: String(settings.lockMs ?? 1000),
      STALLED_MS: String(settings.stalledMs ?? 500),
      CONCURRENCY: String(settings.concurrency ?? 10),
      ...(settings.metaUrl ? { META_URL: settings.metaUrl, META_APP_SECRET } : {}),
    },
  });
  let parsed: AppOutcome[] = [];
  let read = 0;
  const app: App = {
    ...child,
    role,
    outcomes() {
      const out = child.stdout();
      const end = out.lastIndexOf("\n") + 1;
      if (end > read) {
        const fresh = out
          .slice(read, end)
          .split("\n")
          .filter((line) => line.startsWith("outcome "))
          .map((line) => JSON.parse(line.slice("outcome ".length)) as AppOutcome);
        parsed = parsed.concat(fresh);
        read = end;
      }
      return parsed;
    },
  };
  running.add(app);
  return app;
}

/** SIGKILLs every app process still running (the tests' `afterAll`). */
export async function stopApps(): Promise<void> {
  await Promise.all([...running].map((app) => app.stop("SIGKILL")));
  running.clear();
}

/** Lines of an app's stderr that tell of a crash (uncaught errors, stack traces). */
export function crashLines(app: App): string[] {
  return app
    .stderr()
    .split("\n")
    .filter(
      (line) =>
        line !== "" &&
        !line.startsWith("log ") &&
        /Uncaught|unhandled|Error:|^\s+at .+:\d+:\d+\)?$/i.test(line),
    );
}

// --- outcomes -----------------------------------------------------------------------------------

/** The outcomes of many processes, per order id. */
export function tally(apps: readonly App[]): Map<string, AppOutcome[]> {
  const byOrder = new Map<string, AppOutcome[]>();
  for (const app of apps)
    for (const outcome of app.outcomes()) {
      const list = byOrder.get(outcome.orderId) ?? [];
      list.push(outcome);
      byOrder.set(outcome.orderId, list);
    }
  return byOrder;
}

/** How many outcomes of each kind: `sent`, `failed:unknown`, `failed:retry`, `skipped:duplicate`… */
export function outcomeCounts(apps: readonly App[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const app of apps)
    for (const o of app.outcomes()) {
      const kind =
        o.status === "failed"
          ? `failed:${o.unknownOutcome ? "unknown" : o.willRetry ? "retry" : "final"}`
          : o.status === "skipped"
            ? `skipped:${o.reason}`
            : o.status;
      counts[kind] = (counts[kind] ?? 0) + 1;
    }
  return counts;
}

/** BullMQ's job counts of the app's queue (`otzovik`, the scheduler's default). */
export async function queueCounts(redisUrl: string): Promise<Record<string, number>> {
  const queue = new Queue("otzovik", { connection: { url: redisUrl } });
  try {
    return await queue.getJobCounts("waiting", "delayed", "active", "failed", "completed");
  } finally {
    await queue.close();
  }
}

// --- the fake SMS.ru ----------------------------------------------------------------------------

/** Options of {@link startFakeSmsRu}. */
export interface FakeSmsRuOptions {
  /** Share of `sms/send` calls refused with code 220 (retryable). Default `0`. */
  readonly refuseRate?: number;
  /** Seed of the refusals: the n-th call for an order is refused or not whatever the timing. */
  readonly seed?: number;
  /** Wait this long before answering, ms (a send in flight for a moment). Default `0`. */
  readonly latencyMs?: number;
}

/** The fake SMS.ru: counts per order. */
export interface FakeSmsRu {
  /** The base URL for the SMS.ru client's `baseUrl`. */
  readonly url: string;
  /** Messages accepted (answered OK) per order id. */
  readonly sent: Map<string, number>;
  /** `sms/send` calls per order id, refused ones included. */
  readonly calls: Map<string, number>;
  /** Total messages accepted. */
  accepted(): number;
  /** Total calls refused with 220. */
  refused(): number;
  /** Orders accepted more than once (must stay empty). */
  duplicates(): string[];
  /** Whether the `n`-th call (1-based) for `orderId` is refused: the seeded decision. */
  refuses(orderId: string, n: number): boolean;
  close(): Promise<void>;
}

/** FNV-1a of a string, for seeding per order and call. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * SMS.ru's `sms/send` on 127.0.0.1 (form body with `api_id`, `to`, `msg`, `json=1`), answering as
 * SMS.ru does: HTTP 200 with `{"status":"OK",…,"sms":{"<to>":{"status":"OK","sms_id":…}}}`, or
 * for a refused call `{"status":"ERROR","status_code":220,…}` (the client reports it as a
 * retryable `ProviderError`; nothing was sent). The order is read from the text
 * (`… order <id>, …`, the app's message).
 */
export async function startFakeSmsRu(options: FakeSmsRuOptions = {}): Promise<FakeSmsRu> {
  const rate = options.refuseRate ?? 0;
  const seed = options.seed ?? 1;
  const sent = new Map<string, number>();
  const calls = new Map<string, number>();
  let accepted = 0;
  let refused = 0;
  const refuses = (orderId: string, n: number) =>
    rate > 0 && random(fnv1a(`${seed}:${orderId}:${n}`))() < rate;

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
      const to = form.get("to") ?? "";
      const orderId = /order (\S+),/.exec(form.get("msg") ?? "")?.[1];
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      };
      if (req.url !== "/sms/send" || form.get("json") !== "1" || !form.get("api_id") || !orderId) {
        json(200, { status: "ERROR", status_code: 211, status_text: "Метод не найден" });
        return;
      }
      const answer = () => {
        const n = (calls.get(orderId) ?? 0) + 1;
        calls.set(orderId, n);
        if (refuses(orderId, n)) {
          refused++;
          json(200, {
            status: "ERROR",
            status_code: 220,
            status_text: "Сервис временно недоступен, попробуйте чуть позже",
          });
          return;
        }
        accepted++;
        sent.set(orderId, (sent.get(orderId) ?? 0) + 1);
        json(200, {
          status: "OK",
          status_code: 100,
          sms: {
            [to]: { status: "OK", status_code: 100, sms_id: `000000-${10_000_000 + accepted}` },
          },
          balance: 4122.56,
        });
      };
      if (options.latencyMs) setTimeout(answer, options.latencyMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    sent,
    calls,
    accepted: () => accepted,
    refused: () => refused,
    duplicates: () => [...sent].filter(([, n]) => n > 1).map(([id]) => id),
    refuses,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The app secret of the proofs' Meta client: the app reads Meta's status webhooks with it. */
export const META_APP_SECRET = "proof-meta-app-secret";

/** A fake Meta WhatsApp Cloud API on 127.0.0.1: see {@link startFakeMeta}. */
export interface FakeMeta {
  /** The base URL for the Meta client's `baseUrl`. */
  readonly url: string;
  /** Messages accepted per order id. */
  readonly sent: Map<string, number>;
  /** The `wamid` given to each order's message. */
  readonly messageIds: Map<string, string>;
  close(): Promise<void>;
}

/**
 * Meta's `POST /{version}/{phone-number-id}/messages` on 127.0.0.1 (JSON `{ to, type: "text",
 * text: { body } }`), answering as Meta does with a `wamid.…` id; the order is read from the text
 * (`… order <id>, …`, the app's message). Every message is accepted: its failure comes later, in
 * a status webhook.
 */
export async function startFakeMeta(): Promise<FakeMeta> {
  const sent = new Map<string, number>();
  const messageIds = new Map<string, string>();
  let counter = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      let body: { to?: string; text?: { body?: string } } = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {}
      const orderId = /order (\S+),/.exec(body.text?.body ?? "")?.[1];
      res.setHeader("content-type", "application/json");
      if (req.method !== "POST" || !/\/messages$/.test(req.url ?? "") || !orderId || !body.to) {
        res.statusCode = 400;
        res.end(JSON.stringify({ error: { message: "Invalid parameter", code: 100 } }));
        return;
      }
      const id = `wamid.PROOF${String(++counter).padStart(8, "0")}`;
      sent.set(orderId, (sent.get(orderId) ?? 0) + 1);
      messageIds.set(orderId, id);
      res.end(
        JSON.stringify({
          messaging_product: "whatsapp",
          contacts: [{ input: body.to, wa_id: body.to.replace(/\D/g, "") }],
          messages: [{ id }],
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    sent,
    messageIds,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

// --- the POS ------------------------------------------------------------------------------------

/** An answer to a webhook: the status (`0`: no answer, the connection failed) and its events. */
export interface WebhookAnswer {
  readonly status: number;
  readonly events: readonly { id: string; status: string; reason: string | null }[];
}

/** The POS side: posts iiko webhooks over keep-alive connections. */
export class Pos {
  private readonly agent = new HttpAgent({ keepAlive: true, maxSockets: 64 });
  /** Answers by status, every attempt counted. */
  readonly statuses = new Map<number, number>();

  /** Posts one webhook to an app process (`key`: the webhook key, default {@link WEBHOOK_KEY}). */
  post(port: number, body: string, key = WEBHOOK_KEY): Promise<WebhookAnswer> {
    return new Promise((resolve) => {
      const done = (answer: WebhookAnswer) => {
        this.statuses.set(answer.status, (this.statuses.get(answer.status) ?? 0) + 1);
        resolve(answer);
      };
      const req = request(
        {
          host: "127.0.0.1",
          port,
          method: "POST",
          path: `/api/webhook/iiko?key=${encodeURIComponent(key)}`,
          headers: { "content-type": "application/json" },
          agent: this.agent,
          timeout: 15_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => {
            const status = res.statusCode ?? 0;
            let events: WebhookAnswer["events"] = [];
            if (status === 200) events = JSON.parse(Buffer.concat(chunks).toString()).events;
            done({ status, events });
          });
          res.on("error", () => done({ status: 0, events: [] }));
        },
      );
      req.on("timeout", () => req.destroy(new Error("timeout")));
      req.on("error", () => done({ status: 0, events: [] }));
      req.end(body);
    });
  }

  /**
   * Posts one webhook until it is answered 200, as a POS retries (waiting `backoffMs` between
   * tries); throws after `maxTries`. Resolves with the 200 answer and the tries it took.
   */
  async deliver(
    port: number,
    body: string,
    { key = WEBHOOK_KEY, backoffMs = 250, maxTries = 120 } = {},
  ): Promise<{ answer: WebhookAnswer; tries: number }> {
    for (let tries = 1; ; tries++) {
      const answer = await this.post(port, body, key);
      if (answer.status === 200) return { answer, tries };
      if (tries >= maxTries)
        throw new Error(`webhook not accepted after ${tries} tries (last: ${answer.status})`);
      await sleep(backoffMs);
    }
  }

  /** How many answers had `status`. */
  count(status: number): number {
    return this.statuses.get(status) ?? 0;
  }

  close(): void {
    this.agent.destroy();
  }
}

/** `ms` as seconds with one decimal, for the printed figures. */
export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** What {@link proofSetup} starts for a proof: set before its tests run. */
export interface ProofEnvironment {
  readonly redis: RedisServer;
  readonly sms: FakeSmsRu;
  readonly pos: Pos;
}

/**
 * Registers a proof's `beforeAll` and `afterAll`: a redis-server (with an append-only file when
 * asked) and the fake SMS.ru before the tests; after them the POS's connections, every app
 * process, the fake and the server stopped. Read the returned object inside the tests.
 */
export function proofSetup(
  options: { readonly appendOnly?: boolean; readonly sms?: FakeSmsRuOptions } = {},
): ProofEnvironment {
  const env = { pos: new Pos() } as { redis: RedisServer; sms: FakeSmsRu; pos: Pos };
  beforeAll(async () => {
    env.redis = await startRedisServer({ appendOnly: options.appendOnly ?? false });
    env.sms = await startFakeSmsRu(options.sms);
  }, 30_000);
  afterAll(async () => {
    env.pos.close();
    await stopApps();
    await env.sms?.close();
    await env.redis?.stop();
  }, 30_000);
  return env;
}
