/** A running `redis-server` on loopback, in a temporary directory of its own. */
export interface RedisServer {
  /** `redis://127.0.0.1:{port}`. */
  readonly url: string;
  /** The port it listens on (the same across restarts). */
  readonly port: number;
  /** Its directory (the append-only file lives there when `appendOnly` is on). */
  readonly dir: string;
  /** Stops the server abruptly (SIGKILL, like a crash): nothing is saved beyond the AOF. */
  kill(): Promise<void>;
  /** Starts it again on the same port and directory (after {@link RedisServer.kill}). */
  start(): Promise<void>;
  /** Stops it for good and removes its directory. */
  stop(): Promise<void>;
}

/** Options of {@link startRedisServer}. */
export interface RedisServerOptions {
  /** Keep an append-only file (fsync every write), so a restart keeps the data. Default `false`. */
  readonly appendOnly?: boolean;
  /** More `redis-server` arguments (e.g. `["--enable-debug-command", "local"]`). */
  readonly args?: readonly string[];
}

/** Starts a `redis-server` on a free loopback port; fails (never skips) when it cannot. */
export function startRedisServer(options?: RedisServerOptions): Promise<RedisServer>;
