import { inspect } from "node:util";
import fc from "fast-check";
import { Redis } from "ioredis";
import { createClient } from "redis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ConfigError, OtzovikError } from "../../src/core/errors.js";
import { memoryStore } from "../../src/stores/memory.js";
import { BATCH_SHA } from "../../src/stores/redis/script.js";
import {
  DEFAULT_REDIS_PREFIX,
  DEFAULT_REDIS_TIMEOUT_MS,
  type RedisClientLike,
  redisStore,
} from "../../src/stores/redis.js";
import type { StoreStep } from "../../src/stores/types.js";
import { type RedisServer, startRedisServer } from "../helpers/redis-server.js";

/**
 * The Redis store's own behaviour (the Store contract itself is in redis.test.ts): key layout,
 * one command per call and one EVALSHA per batch, NOSCRIPT recovery, errors without keys or
 * values, the time bound, close(), options. Each client gets its own database.
 */
let server: RedisServer;
/** A separate connection that inspects the server (commandstats, TTLs, pauses). */
let admin: Redis;
let io: Redis;
let node: ReturnType<typeof createClient>;

beforeAll(async () => {
  server = await startRedisServer();
  admin = new Redis(server.url);
  io = new Redis(server.url, { db: 1 });
  node = createClient({ url: server.url, database: 2 });
  node.on("error", () => {});
  await node.connect();
});

afterAll(async () => {
  admin.disconnect();
  io.disconnect();
  await node.close();
  await server.stop();
});

/**
 * Runs `work` and returns the commands clients sent meanwhile (not those a script ran), as `MONITOR`
 * on a third connection sees them: `{ evalsha: 1 }`. The admin connection's own commands are left out.
 */
async function counted(work: () => Promise<unknown>): Promise<Record<string, number>> {
  const monitor = await admin.monitor();
  const marker = `marker-${Math.random()}`;
  const calls: Record<string, number> = {};
  let seen: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    seen = resolve;
  });
  monitor.on("monitor", (_time: string, args: string[], source: string) => {
    if (args[0]?.toLowerCase() === "echo" && args[1] === marker) seen();
    else if (
      source !== "lua" &&
      !["select", "flushdb", "echo"].includes(args[0]?.toLowerCase() ?? "")
    ) {
      const name = args[0]?.toLowerCase() ?? "?";
      calls[name] = (calls[name] ?? 0) + 1;
    }
  });
  try {
    await work();
    await admin.echo(marker);
    await done;
  } finally {
    monitor.disconnect();
  }
  return calls;
}

/** Text no error may show: a key or value of the test (a fake phone and an order id). */
const SECRET_KEY = "otzovik:dedupe:default:iiko:order-SECRET-79161234567";
const SECRET_VALUE = "value-SECRET-4242";

/** Checks an error is the store's retryable error and shows no key or value anywhere. */
function expectSafeRetryable(error: unknown, code: string): void {
  expect(error).toBeInstanceOf(OtzovikError);
  const err = error as OtzovikError;
  expect(err).toMatchObject({ code, provider: "redis", category: "retryable", retryable: true });
  for (const text of [
    err.message,
    String(err.cause),
    inspect(err, { depth: 10 }),
    JSON.stringify(err),
    JSON.stringify(err.cause ?? null),
  ]) {
    expect(text).not.toContain("SECRET");
    expect(text).not.toContain("79161234567");
  }
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

const clients: [
  string,
  () => RedisClientLike,
  () => Redis | ReturnType<typeof createClient>,
  number,
][] = [
  ["ioredis", () => io, () => io, 1],
  ["node-redis", () => node, () => node, 2],
];

describe.each(clients)("redisStore over %s", (type, client, _raw, db) => {
  beforeEach(async () => {
    await admin.select(db);
    await admin.flushdb();
  });

  it("tells the client apart and uses the documented defaults", () => {
    const store = redisStore({ client: client() });
    expect(store.name).toBe("redis");
    expect(store.clientType).toBe(type);
    expect(store.prefix).toBe("otzovik");
    expect(DEFAULT_REDIS_PREFIX).toBe("otzovik");
    expect(DEFAULT_REDIS_TIMEOUT_MS).toBe(2_000);
  });

  it("keeps the requester's keys under the prefix without doubling it, other keys under `{prefix}::`", async () => {
    const store = redisStore({ client: client() });
    await store.set("otzovik:optout:default:abc", "1");
    await store.set("my-own-key", "2");
    await store.set("otzovik::odd", "3");
    await store.set("", "4");
    const shop = redisStore({ client: client(), prefix: "shop1" });
    await shop.set("otzovik:cap:default:abc", "5", 60_000);
    expect((await admin.keys("*")).sort()).toEqual(
      [
        "otzovik:optout:default:abc",
        "otzovik::my-own-key",
        "otzovik::otzovik::odd",
        "otzovik::",
        "shop1:cap:default:abc",
      ].sort(),
    );
    expect(store.redisKey("otzovik:dedupe:t:iiko:1")).toBe("otzovik:dedupe:t:iiko:1");
    expect(shop.redisKey("otzovik:dedupe:t:iiko:1")).toBe("shop1:dedupe:t:iiko:1");
    await expect(shop.get("otzovik:cap:default:abc")).resolves.toBe("5");
    await expect(store.get("otzovik:cap:default:abc")).resolves.toBeNull();
  });

  it("claims with one SET NX PX, gives set() a TTL with PX and drops it without one", async () => {
    const store = redisStore({ client: client() });
    expect(await counted(() => store.claim("otzovik:dedupe:a", "x", 60_000))).toEqual({ set: 1 });
    const pttl = await admin.pttl("otzovik:dedupe:a");
    expect(pttl).toBeGreaterThan(50_000);
    expect(pttl).toBeLessThanOrEqual(60_000);
    await store.set("otzovik:dedupe:a", "forever");
    expect(await admin.pttl("otzovik:dedupe:a")).toBe(-1);
    await store.set("otzovik:dedupe:a", "again", 30_000);
    expect(await admin.pttl("otzovik:dedupe:a")).toBeGreaterThan(20_000);
    expect(await counted(() => store.get("otzovik:dedupe:a"))).toEqual({ get: 1 });
    expect(await counted(() => store.delete("otzovik:dedupe:a"))).toEqual({ del: 1 });
  });

  it("runs a batch as one EVALSHA (one round trip), with TTLs as given", async () => {
    const store = redisStore({ client: client() });
    await store.batch([{ op: "get", key: "warm" }]); // the script is cached from here on
    const calls = await counted(async () => {
      const result = await store.batch([
        { op: "claim", key: "otzovik:dedupe:o", value: "claimed", ttlMs: 60_000 },
        { op: "absent", key: "otzovik:optout:p" },
        { op: "claim", key: "otzovik:cap:p", value: "capped", ttlMs: 30_000 },
        { op: "expect", key: "otzovik:dedupe:o", values: ["claimed"] },
        { op: "set", key: "otzovik:dedupe:o", value: "sending", ttlMs: 60_000 },
        { op: "set", key: "otzovik:optout:q", value: "forever" },
        { op: "get", key: "otzovik:cap:p" },
        { op: "delete", key: "otzovik:cap:p" },
      ]);
      expect(result).toEqual({
        values: [null, null, null, "claimed", null, null, "capped", null],
        failedAt: -1,
      });
    });
    expect(calls).toEqual({ evalsha: 1 });
    expect(await admin.get("otzovik:dedupe:o")).toBe("sending");
    expect(await admin.pttl("otzovik:dedupe:o")).toBeGreaterThan(50_000);
    expect(await admin.pttl("otzovik:optout:q")).toBe(-1);
    expect(await admin.exists("otzovik:cap:p")).toBe(0);
  });

  it("recovers from NOSCRIPT (SCRIPT FLUSH, a restarted Redis) with one EVAL, then EVALSHA again", async () => {
    const store = redisStore({ client: client() });
    await admin.script("FLUSH");
    expect(await admin.script("EXISTS", BATCH_SHA)).toEqual([0]);
    const first = await counted(() =>
      expect(store.batch([{ op: "claim", key: "k", value: "v", ttlMs: 60_000 }])).resolves.toEqual({
        values: [null],
        failedAt: -1,
      }),
    );
    expect(first).toEqual({ evalsha: 1, eval: 1 });
    const second = await counted(() =>
      expect(store.batch([{ op: "claim", key: "k", value: "w", ttlMs: 60_000 }])).resolves.toEqual({
        values: ["v"],
        failedAt: 0,
      }),
    );
    expect(second).toEqual({ evalsha: 1 });
  });

  it("gives the memory store's answers to random batches, and leaves the same values", {
    timeout: 60_000,
  }, async () => {
    const keys = ["otzovik:dedupe:a", "otzovik:cap:b", "c", ""];
    const values = ["v1", "v2", "", "nul\u0000é"];
    const key = fc.constantFrom(...keys);
    const value = fc.constantFrom(...values);
    const ttl = fc.option(fc.constant(60_000), { nil: undefined });
    const step: fc.Arbitrary<StoreStep> = fc.oneof(
      fc.record({ op: fc.constant("claim" as const), key, value, ttlMs: fc.constant(60_000) }),
      fc.record({ op: fc.constant("absent" as const), key }),
      fc.record({ op: fc.constant("expect" as const), key, values: fc.subarray(values) }),
      fc.record({ op: fc.constant("get" as const), key }),
      fc.record({ op: fc.constant("set" as const), key, value, ttlMs: ttl }),
      fc.record({ op: fc.constant("delete" as const), key }),
    );
    const store = redisStore({ client: client() });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(step, { maxLength: 6 }), { maxLength: 4 }),
        async (batches) => {
          await admin.flushdb();
          const memory = memoryStore();
          for (const steps of batches) {
            expect(await store.batch(steps)).toEqual(await memory.batch(steps));
          }
          for (const k of keys) expect(await store.get(k)).toBe(await memory.get(k));
        },
      ),
      { seed: 20_260_315, numRuns: 150 },
    );
  });

  it("validates every step before sending anything", async () => {
    const store = redisStore({ client: client() });
    const calls = await counted(async () => {
      await expect(
        store.batch([
          { op: "claim", key: "a", value: "v", ttlMs: 60_000 },
          { op: "set", key: "b", value: "v", ttlMs: 0 },
        ]),
      ).rejects.toThrow(/ttlMs/);
      await expect(
        store.batch([{ op: "frobnicate", key: "a" } as unknown as { op: "get"; key: string }]),
      ).rejects.toThrow(/op/);
      await expect(store.batch("nope" as never)).rejects.toThrow(/steps/);
      await expect(store.batch([{ op: "expect", key: "a", values: [1] as never }])).rejects.toThrow(
        /values/,
      );
      await expect(store.claim(42 as never, "v", 1000)).rejects.toThrow(/key/);
      await expect(store.set("a", null as never)).rejects.toThrow(/value/);
    });
    expect(calls).toEqual({});
    expect(await admin.dbsize()).toBe(0);
  });

  it("an empty batch sends nothing", async () => {
    const store = redisStore({ client: client() });
    expect(
      await counted(() => expect(store.batch([])).resolves.toEqual({ values: [], failedAt: -1 })),
    ).toEqual({});
  });

  it("a Redis error reply is a retryable store_error without the key or value", async () => {
    const store = redisStore({ client: client() });
    await admin.rpush(store.redisKey(SECRET_KEY), "a list, not a string");
    expectSafeRetryable(await rejection(store.get(SECRET_KEY)), "store_error");
    // SET NX finds the key taken, whatever its type: no error there.
    await expect(store.claim(SECRET_KEY, SECRET_VALUE, 60_000)).resolves.toBe(false);
    const error = await rejection(
      store.batch([{ op: "expect", key: SECRET_KEY, values: [SECRET_VALUE] }]),
    );
    expectSafeRetryable(error, "store_error");
    expect((error as OtzovikError).message).toBe(
      "[otzovik] [redis] Redis answered with an error (WRONGTYPE).",
    );
    expect(inspect(error)).toContain("WRONGTYPE Operation against a key");
  });

  it("a Redis that does not answer rejects within timeoutMs with a retryable store_timeout", async () => {
    const store = redisStore({ client: client(), timeoutMs: 200 });
    await store.set("before", "1");
    // Writes (SET, and scripts) wait until UNPAUSE; the admin connection's UNPAUSE does not.
    await admin.call("CLIENT", "PAUSE", "20000", "WRITE");
    try {
      const started = Date.now();
      const errors = await Promise.all([
        rejection(store.claim(SECRET_KEY, SECRET_VALUE, 60_000)),
        rejection(store.set(SECRET_KEY, SECRET_VALUE)),
        rejection(store.batch([{ op: "set", key: SECRET_KEY, value: SECRET_VALUE }])),
      ]);
      // Far below the pause: the store did not wait for Redis (generous for a loaded machine).
      expect(Date.now() - started).toBeLessThan(10_000);
      for (const error of errors) {
        expectSafeRetryable(error, "store_timeout");
        expect((error as OtzovikError).message).toBe(
          "[otzovik] [redis] Redis did not answer within 200 ms (`timeoutMs`); the command may still run.",
        );
      }
    } finally {
      await admin.call("CLIENT", "UNPAUSE");
    }
    await expect(store.get("before")).resolves.toBe("1");
    await expect(store.claim("after", "x", 60_000)).resolves.toBe(true);
  });

  it("close() stops the store and leaves the client open (the caller owns it)", async () => {
    const store = redisStore({ client: client() });
    await store.set("k", "v");
    await store.close();
    await store.close();
    for (const call of [
      store.get("k"),
      store.claim("k", "v", 1000),
      store.set("k", "v"),
      store.delete("k"),
      store.batch([{ op: "get", key: "k" }]),
    ]) {
      await expect(call).rejects.toMatchObject({ code: "store_closed", provider: "redis" });
    }
    await expect(redisStore({ client: client() }).get("k")).resolves.toBe("v");
  });

  it("rejects invalid options with a ConfigError naming the option", () => {
    const make = (options: unknown) => () => redisStore(options as never);
    expect(make(undefined)).toThrow(ConfigError);
    expect(make({})).toThrow(/`client`/);
    for (const prefix of ["", "app:", 42, "x".repeat(101), null]) {
      expect(make({ client: client(), prefix })).toThrow(ConfigError);
      expect(make({ client: client(), prefix })).toThrow(/`prefix`/);
    }
    for (const timeoutMs of [0, -1, 1.5, "100", true, null, Number.NaN, 2 ** 31]) {
      expect(make({ client: client(), timeoutMs })).toThrow(/`timeoutMs`/);
    }
    expect(redisStore({ client: client(), timeoutMs: false }).name).toBe("redis");
    expect(redisStore({ client: client(), prefix: "{otzovik}" }).prefix).toBe("{otzovik}");
  });
});

describe("redisStore: clients it does not take", () => {
  it.each([
    ["nothing", undefined],
    ["a URL", "redis://127.0.0.1:6379"],
    ["an empty object", {}],
    ["a Map", new Map()],
    ["an object with get/set only", { get() {}, set() {}, on() {}, off() {} }],
    ["a half ioredis (no call)", { status: "ready", evalsha() {}, on() {}, off() {} }],
  ])("%s: ConfigError naming `client`", (_label, client) => {
    expect(() => redisStore({ client } as never)).toThrow(ConfigError);
    expect(() => redisStore({ client } as never)).toThrow(
      "[otzovik] [redis] Option `client` must be an ioredis client (`new Redis(…)`) or a node-redis client (`createClient(…)`).",
    );
  });

  it("a node-redis client never connected: calls reject at once with store_unavailable", async () => {
    const unconnected = createClient({ url: server.url });
    const store = redisStore({ client: unconnected, timeoutMs: 60_000 });
    const started = Date.now();
    const error = await rejection(store.get(SECRET_KEY));
    expect(Date.now() - started).toBeLessThan(10_000); // not the 60 s timeout
    expectSafeRetryable(error, "store_unavailable");
    expect((error as OtzovikError).message).toContain("connect()");
  });

  it("an ioredis client that was quit: calls reject at once with store_unavailable", async () => {
    const quit = new Redis(server.url);
    await quit.ping();
    await quit.quit();
    const store = redisStore({ client: quit, timeoutMs: 60_000 });
    expectSafeRetryable(await rejection(store.get(SECRET_KEY)), "store_unavailable");
  });
});
