import { Cluster, Redis } from "ioredis";
import { createClient } from "redis";
import { describe, expectTypeOf, it } from "vitest";
import type { Store } from "../../src/index.js";
import { type RedisStore, redisStore } from "../../src/stores/redis.js";

describe("otzovik/redis types", () => {
  it("takes an ioredis client and a node-redis client (RESP2 or RESP3) as they are", () => {
    expectTypeOf(redisStore).toBeCallableWith({ client: new Redis() });
    expectTypeOf(redisStore).toBeCallableWith({ client: new Cluster([]), prefix: "{otzovik}" });
    expectTypeOf(redisStore).toBeCallableWith({ client: createClient() });
    expectTypeOf(redisStore).toBeCallableWith({
      client: createClient({ RESP: 3 }),
      timeoutMs: false,
    });
  });

  it("refuses anything else", () => {
    // @ts-expect-error: a URL is not a client
    redisStore({ client: "redis://localhost" });
    // @ts-expect-error: the client is required
    redisStore({ prefix: "otzovik" });
    // @ts-expect-error: timeoutMs is a number or false
    redisStore({ client: new Redis(), timeoutMs: true });
  });

  it("returns a Store with batch and close", () => {
    expectTypeOf(redisStore({ client: new Redis() })).toEqualTypeOf<RedisStore>();
    expectTypeOf<RedisStore>().toExtend<Store>();
    expectTypeOf<RedisStore["batch"]>().toEqualTypeOf<NonNullable<Store["batch"]>>();
  });
});
