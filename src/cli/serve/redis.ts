import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Logger } from "../../core/logger.js";
import type { Scheduler } from "../../schedulers/types.js";
import { redisStore } from "../../stores/redis.js";
import type { Store } from "../../stores/types.js";
import type { RedisSettings } from "./config.js";

/** The store, scheduler and hash secret shared by every instance, and how to let go of them. */
export interface SharedState {
  readonly store: Store;
  readonly scheduler: Scheduler;
  readonly hashSecret: string;
  /** Closes the store's Redis client (after the requester is closed). */
  close(): Promise<void>;
}

/** The part of an ioredis client used here. */
interface RedisClient {
  readonly status: string;
  on(event: "error", listener: (error: Error) => void): unknown;
  quit(): Promise<unknown>;
  disconnect(): void;
}

/**
 * Imports `name` as the user's project has it (resolved from the working directory), else as
 * this package sees it. ioredis and bullmq are the user's optional dependencies, not otzovik's.
 */
async function importFromProject(name: string): Promise<unknown> {
  try {
    const resolved = createRequire(join(process.cwd(), "package.json")).resolve(name);
    return await import(pathToFileURL(resolved).href);
  } catch {
    return await import(name);
  }
}

/**
 * Connects the Redis store (otzovik/redis over ioredis) and the BullMQ scheduler (otzovik/bullmq).
 * otzovik/bullmq is imported by the package's own name, so that bullmq is loaded only here, only
 * with REDIS_URL.
 *
 * @throws Error saying `npm i ioredis bullmq` when they are not installed.
 */
export async function connectRedis(settings: RedisSettings, logger: Logger): Promise<SharedState> {
  let ioredis: { Redis: new (url: string) => RedisClient };
  let bullmq: typeof import("../../schedulers/bullmq.js");
  try {
    ioredis = (await importFromProject("ioredis")) as typeof ioredis;
    const specifier = "otzovik/bullmq";
    bullmq = (await import(specifier)) as typeof bullmq;
  } catch (error) {
    throw new Error(
      `REDIS_URL is set, so serve needs ioredis and bullmq in your project: npm i ioredis bullmq (${(error as Error).message})`,
    );
  }
  const client = new ioredis.Redis(settings.url);
  // Connection trouble is logged, not thrown (an `error` event with no listener would crash).
  client.on("error", (error) => logger.error("Redis connection error", { error: error.message }));
  return {
    store: redisStore({ client: client as never }),
    // BullMQ opens (and closes) its own connections from the URL.
    scheduler: bullmq.bullmqScheduler({
      connection: { url: settings.url } as never,
      worker: settings.worker,
      logger,
    }),
    hashSecret: settings.hashSecret,
    async close() {
      // quit() waits for the replies still due; a client that is not connected just disconnects.
      if (client.status === "ready") await client.quit().catch(() => client.disconnect());
      else client.disconnect();
    },
  };
}

/** `host:port` of a Redis URL, without the user name or password it may hold. */
export function redisHost(url: string): string {
  try {
    return new URL(url).host || "REDIS_URL";
  } catch {
    return "REDIS_URL";
  }
}
