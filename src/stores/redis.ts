/**
 * `otzovik/redis`: a {@link Store} on Redis, for several processes (or serverless functions)
 * sharing claims, frequency caps and opt-outs. It takes the ioredis or node-redis client you
 * already have; neither is a dependency of otzovik, and this entry point imports neither.
 *
 * @packageDocumentation
 */
import * as z from "zod/mini";
import { OtzovikError } from "../core/errors.js";
import { guard, optionsObject, parseOptions } from "../core/options.js";
import {
  type Connection,
  clientType,
  connect,
  type IoredisClientLike,
  type NodeRedisClientLike,
  type RedisClientLike,
  type RedisClientType,
} from "./redis/client.js";
import {
  clientClosed,
  PROVIDER,
  replyCode,
  storeClosed,
  storeError,
  timedOut,
} from "./redis/errors.js";
import { DEFAULT_PREFIX, redisKeyOf } from "./redis/keys.js";
import { BATCH_SCRIPT, BATCH_SHA, decodeBatch, encodeBatch, replyString } from "./redis/script.js";
import type { BatchReceipt, BatchResult, Store, StoreStep } from "./types.js";
import { checkKey, checkReceipt, checkSteps, checkTtl, checkValue } from "./validate.js";

export type {
  AbsentStep,
  BatchReceipt,
  BatchResult,
  ClaimStep,
  DeleteStep,
  ExpectStep,
  GetStep,
  SetStep,
  Store,
  StoreStep,
} from "./types.js";
export type { IoredisClientLike, NodeRedisClientLike, RedisClientLike, RedisClientType };

/** Default {@link RedisStoreOptions.timeoutMs}: how long one store call waits for Redis. */
export const DEFAULT_REDIS_TIMEOUT_MS = 2_000;

/** Default {@link RedisStoreOptions.prefix}. */
export const DEFAULT_REDIS_PREFIX = DEFAULT_PREFIX;

/** Options accepted by {@link redisStore}. */
export interface RedisStoreOptions {
  /**
   * The Redis client: an ioredis client (`new Redis(url)`, ioredis 5 or later) or a node-redis
   * client (`createClient({ url })` of `redis` 4 or later, connected with `await
   * client.connect()`). The store only sends commands through it: you own it, so you connect it
   * and close it (after the requester's `close()`); {@link RedisStore.close} leaves it open.
   *
   * A node-redis client with no `error` listener crashes the process when the connection drops
   * (Node's rule for `error` events): add `client.on("error", …)`. Cluster clients are not
   * tested; a batch touches several keys, so in a cluster they need one hash slot (a prefix
   * with a hash tag, such as `"{otzovik}"`).
   */
  client: RedisClientLike;
  /**
   * The first part of every Redis key. Default `"otzovik"`. The requester's keys start with
   * `otzovik:`; that part becomes `{prefix}:` (so with the default they keep their names), and any
   * other key `k` lives at `{prefix}::k`. See {@link redisStore} for the whole layout. A non-empty
   * string of at most 100 characters, not ending with `:`.
   */
  prefix?: string;
  /**
   * How long one store call waits for Redis, ms, waiting for a reconnecting client included;
   * then it rejects with a retryable {@link OtzovikError} (code `"store_timeout"`). A command
   * that already left may still run after that. A positive integer, or `false` for no bound of
   * the store's own: calls then wait for a reconnecting client without limit, and a sent command
   * as long as the client lets it (ioredis `commandTimeout`). Default `2_000`.
   */
  timeoutMs?: number | false;
}

/** The {@link Store} returned by {@link redisStore}. */
export interface RedisStore extends Store {
  /** Always `"redis"`. */
  readonly name: "redis";
  /** Which client library the store was given. */
  readonly clientType: RedisClientType;
  /** The configured {@link RedisStoreOptions.prefix}. */
  readonly prefix: string;
  /** The Redis key a store key lives at (see {@link redisStore}); for inspecting Redis by hand. */
  redisKey(key: string): string;
  /**
   * Runs batch steps as one Lua script: one round trip, atomic, the receipt saved in the same
   * script; see {@link Store.batch}.
   */
  batch(steps: readonly StoreStep[], receipt?: BatchReceipt): Promise<BatchResult>;
  /**
   * Stops the store: any later call rejects with an {@link OtzovikError} (`"store_closed"`). The
   * client is **not** closed: it is yours (call `quit()`/`close()` on it yourself).
   */
  close(): Promise<void>;
}

/**
 * Creates a {@link Store} on Redis, over an ioredis or node-redis client.
 *
 * **Commands.** `claim` is one `SET key value PX ttl NX`; `get` is `GET`; `set` is `SET key value
 * [PX ttl]` (without a TTL the key is kept until deleted, and a TTL it had is dropped); `delete`
 * is `DEL`. `batch` is one Lua script (`EVALSHA`, and `EVAL` once when Redis does not have it
 * cached: after a restart or `SCRIPT FLUSH`), so the requester needs one round trip to claim an
 * event (order, opt-out and frequency cap together) and one to record its send.
 *
 * **Key layout** (default prefix `otzovik`; parts URI-encoded; phones and emails only as
 * HMAC-SHA-256 hashes keyed with the requester's `hashSecret`, never as text):
 *
 * | Redis key | what | TTL |
 * |---|---|---|
 * | `{prefix}:dedupe:{tenant}:{source}:{order id}` (or `…:h:{hash}`) | an order's claim and state | `dedupeTtlMs` (90 days) |
 * | `{prefix}:cap:{tenant}:{contact hash}` | a contact's frequency cap | `frequencyCapMs` (30 days) |
 * | `{prefix}:optout:{tenant}:{phone hash}` | an opt-out | none (kept until deleted) |
 * | `{prefix}:receipt:{random id}` | what an order's claim answered (a batch's receipt) | 15 minutes |
 * | `{prefix}:link:{token}` | a short link (the requester's `links`): tenant, order hash, channel, review URLs | `links.ttlMs` (90 days) |
 * | `{prefix}:click:{token}`, `{prefix}:clicks:{token}` | a link's first click (time, browser class) and its click count | until the link expires |
 * | `{prefix}:stats:{tenant}:{YYYY-MM-DD}:{counter}` | a tenant's funnel counter of a UTC day (`links`) | 400 days |
 * | `{prefix}::{key}` | any other key (your own calls of the store) | as set |
 *
 * Every key with a TTL expires on its own; only opt-outs stay. Give Redis `maxmemory-policy
 * noeviction` (any evicting policy, `volatile-*` included, may drop an order's claim before its TTL,
 * and a replayed webhook would then message the customer twice) and persistence (AOF or RDB), so
 * claims and opt-outs survive a restart.
 *
 * **Failures.** When Redis cannot be reached, answers with an error or does not answer within
 * `timeoutMs`, the call rejects with an {@link OtzovikError} whose `category` is `"retryable"`
 * (codes `"store_unavailable"`, `"store_error"`, `"store_timeout"`), with the client's error as
 * `cause`; no message holds a key or a value. While the client reconnects, calls wait for it (up
 * to `timeoutMs`) instead of queueing commands in it, so a claim refused now is not made later
 * behind the requester's back. A command that left before the connection dropped or the time ran
 * out may still have run (ioredis re-sends such commands after reconnecting unless
 * `autoResendUnfulfilledCommands` is `false`): an order claimed that way stays claimed until its
 * TTL, and is not sent twice.
 *
 * @param options - The client, the key prefix and the time bound; see {@link RedisStoreOptions}.
 * @returns A {@link RedisStore}.
 * @throws `ConfigError` (from `otzovik`) naming `client`, `prefix` or `timeoutMs` when it is not valid.
 *
 * @example
 * import { Redis } from "ioredis";
 * import { createReviewRequester } from "otzovik";
 * import { redisStore } from "otzovik/redis";
 *
 * const redis = new Redis(process.env.REDIS_URL);
 * const requester = createReviewRequester({
 *   ...options,
 *   store: redisStore({ client: redis }),
 *   hashSecret: process.env.HASH_SECRET,
 * });
 * // on shutdown: await requester.close(); await redis.quit();
 */
export function redisStore(options: RedisStoreOptions): RedisStore {
  const valid = parseOptions(optionsSchema, options, { provider: PROVIDER });
  const connection = connect(valid.client);
  const prefix = valid.prefix ?? DEFAULT_PREFIX;
  const timeoutMs = valid.timeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS;
  const redisKey = redisKeyOf(prefix);
  let closed = false;

  /**
   * Sends one command once the client is ready (waiting while it connects), within `timeoutMs`.
   * `run` gets `expired`, to send nothing more once the caller has been answered.
   */
  function call(run: (expired: () => boolean) => Promise<unknown>): Promise<unknown> {
    if (closed) return Promise.reject(storeClosed());
    if (timeoutMs === false) return run(() => false).catch(rethrow);
    return new Promise((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        reject(timedOut(timeoutMs));
      }, timeoutMs);
      (timer as { unref?: () => void }).unref?.();
      run(() => settled).then(
        (reply) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve(reply);
        },
        (error: unknown) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          reject(storeError(error));
        },
      );
    });
  }

  /** Sends `command` when the client is ready, unless the call has been answered meanwhile. */
  async function send(command: string, args: string[], expired: () => boolean): Promise<unknown> {
    await ready(connection, expired);
    return connection.send(command, args);
  }

  const command = (name: string, args: string[]) => call((expired) => send(name, args, expired));

  const store: RedisStore = {
    name: PROVIDER,
    clientType: connection.type,
    prefix,
    redisKey,

    async claim(key, value, ttlMs) {
      checkKey(key, PROVIDER);
      checkValue(value, PROVIDER);
      checkTtl(ttlMs, PROVIDER);
      const reply = await command("SET", [redisKey(key), value, "PX", String(ttlMs), "NX"]);
      return reply !== null && reply !== undefined;
    },

    async get(key) {
      checkKey(key, PROVIDER);
      return replyString(await command("GET", [redisKey(key)]));
    },

    async set(key, value, ttlMs) {
      checkKey(key, PROVIDER);
      checkValue(value, PROVIDER);
      if (ttlMs !== undefined) checkTtl(ttlMs, PROVIDER);
      const args = [redisKey(key), value];
      if (ttlMs !== undefined) args.push("PX", String(ttlMs));
      await command("SET", args);
    },

    async delete(key) {
      checkKey(key, PROVIDER);
      await command("DEL", [redisKey(key)]);
    },

    async batch(steps, receipt) {
      if (closed) throw storeClosed();
      checkSteps(steps, PROVIDER);
      checkReceipt(receipt, PROVIDER);
      if (steps.length === 0) return { values: [], failedAt: -1 };
      const args = encodeBatch(steps, redisKey, receipt);
      const reply = await call(async (expired) => {
        try {
          return await send("EVALSHA", [BATCH_SHA, ...args], expired);
        } catch (error) {
          // Not cached (a restarted Redis, SCRIPT FLUSH): EVAL runs it and caches it again.
          if (replyCode(error) !== "NOSCRIPT" || expired()) throw error;
          return send("EVAL", [BATCH_SCRIPT, ...args], expired);
        }
      });
      return decodeBatch(reply, steps.length);
    },

    async close() {
      closed = true;
    },
  };
  return store;
}

/** Waits until the client can take a command; rejects when it is closed or the call expired. */
async function ready(connection: Connection, expired: () => boolean): Promise<void> {
  for (;;) {
    const state = connection.state();
    if (state === "ready") return;
    if (state === "closed") throw clientClosed();
    await connection.changed();
    // The caller already has its timeout error; this only stops the command from being sent.
    if (expired()) throw new OtzovikError("expired", { code: "store_timeout" });
  }
}

function rethrow(error: unknown): never {
  throw storeError(error);
}

/** What {@link redisStore} accepts. */
const optionsSchema = optionsObject(
  {
    client: guard<RedisClientLike>(
      (v) => clientType(v) !== null,
      "must be an ioredis client (`new Redis(…)`) or a node-redis client (`createClient(…)`)",
    ),
    prefix: z.optional(
      guard<string>(
        (v) => typeof v === "string" && v.length > 0 && v.length <= 100 && !v.endsWith(":"),
        "must be a non-empty string of at most 100 characters, not ending with `:`",
      ),
    ),
    timeoutMs: z.optional(
      guard<number | false>(
        (v) =>
          v === false ||
          (typeof v === "number" && Number.isSafeInteger(v) && v > 0 && v <= 2 ** 31 - 1),
        "must be a positive integer number of milliseconds, or false",
      ),
    ),
  },
  "Redis store options must be an object with a `client`",
);
