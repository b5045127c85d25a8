import { Redis } from "ioredis";
import { createClient } from "redis";
import { afterAll, beforeAll } from "vitest";
import { redisStore } from "../../src/stores/redis.js";
import { type RedisServer, startRedisServer } from "../helpers/redis-server.js";
import { describeStoreConformance } from "./conformance.js";

/**
 * The Store conformance suite against a real Redis, through both clients: ioredis on database 1,
 * node-redis on database 2 (each with its own prefix too), so the two never see each other's keys.
 */
let server: RedisServer;
let io: Redis;
let node: ReturnType<typeof createClient>;

beforeAll(async () => {
  server = await startRedisServer();
  io = new Redis(server.url, { db: 1, lazyConnect: true });
  await io.connect();
  node = createClient({ url: server.url, database: 2 });
  node.on("error", () => {});
  await node.connect();
});

afterAll(async () => {
  io.disconnect();
  await node.close();
  await server.stop();
});

describeStoreConformance("redis (ioredis)", () => redisStore({ client: io, prefix: "io" }), {
  batch: true,
});

describeStoreConformance("redis (node-redis)", () => redisStore({ client: node, prefix: "node" }), {
  batch: true,
});
