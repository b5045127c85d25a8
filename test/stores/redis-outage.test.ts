import { Redis } from "ioredis";
import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OtzovikError } from "../../src/core/errors.js";
import { type RedisClientLike, type RedisStore, redisStore } from "../../src/stores/redis.js";
import { type RedisServer, startRedisServer } from "../helpers/redis-server.js";

/**
 * A Redis killed mid-run (SIGKILL, like a crash): every call rejects promptly with a retryable
 * error instead of hanging, the store works again once Redis is back, and a claim refused during
 * the outage is not made later (the store does not leave it queued in the client).
 */
let server: RedisServer;

beforeAll(async () => {
  server = await startRedisServer();
});

afterAll(async () => {
  await server.stop();
});

const TIMEOUT_MS = 300;
/** Generous bound for "promptly" on a loaded machine: far below "forever", far above the timeout. */
const PROMPT_MS = 5_000;

/** Polls `check` until it resolves true (a reconnecting client), for up to 20 s. */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error("never came back");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function expectPromptRetryable(call: Promise<unknown>): Promise<void> {
  const started = Date.now();
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  );
  expect(Date.now() - started).toBeLessThan(PROMPT_MS);
  expect(error).toBeInstanceOf(OtzovikError);
  expect(error).toMatchObject({ provider: "redis", category: "retryable", retryable: true });
  expect(["store_unavailable", "store_timeout"]).toContain((error as OtzovikError).code);
}

describe.each([
  [
    "ioredis",
    async () => {
      const client = new Redis(server.url, { lazyConnect: true });
      client.on("error", () => {});
      await client.connect();
      return { client: client as RedisClientLike, close: async () => client.disconnect() };
    },
  ],
  [
    "node-redis",
    async () => {
      const client = createClient({ url: server.url });
      client.on("error", () => {});
      await client.connect();
      return { client: client as RedisClientLike, close: () => client.destroy() };
    },
  ],
])("redisStore over %s, Redis killed mid-run", (_type, open) => {
  it("rejects promptly while Redis is down, works again after it is back, and never makes a refused claim later", async () => {
    const { client, close } = await open();
    try {
      const store: RedisStore = redisStore({ client, timeoutMs: TIMEOUT_MS });
      await expect(store.claim("otzovik:dedupe:before", "x", 60_000)).resolves.toBe(true);

      await server.kill();
      await expectPromptRetryable(store.claim("otzovik:dedupe:during", "x", 60_000));
      await expectPromptRetryable(store.get("otzovik:dedupe:before"));
      await expectPromptRetryable(store.set("otzovik:optout:p", "1"));
      await expectPromptRetryable(store.delete("otzovik:dedupe:before"));
      await expectPromptRetryable(
        store.batch([
          { op: "claim", key: "otzovik:dedupe:batch", value: "x", ttlMs: 60_000 },
          { op: "absent", key: "otzovik:optout:p" },
        ]),
      );
      // Many at once: each rejects on its own, within the bound.
      await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          expectPromptRetryable(store.claim(`otzovik:dedupe:many-${i}`, "x", 60_000)),
        ),
      );

      await server.start();
      await eventually(async () => (await store.get("otzovik:dedupe:x")) === null);
      // Nothing sent during the outage ran after the reconnection (Redis restarted empty).
      await new Promise((resolve) => setTimeout(resolve, 200));
      await expect(store.get("otzovik:dedupe:during")).resolves.toBeNull();
      await expect(store.get("otzovik:optout:p")).resolves.toBeNull();
      await expect(store.get("otzovik:dedupe:many-7")).resolves.toBeNull();
      await expect(store.claim("otzovik:dedupe:during", "x", 60_000)).resolves.toBe(true);
      await expect(
        store.batch([{ op: "claim", key: "otzovik:dedupe:batch", value: "x", ttlMs: 60_000 }]),
      ).resolves.toEqual({ values: [null], failedAt: -1 });
    } finally {
      await close();
    }
  }, 60_000);
});
