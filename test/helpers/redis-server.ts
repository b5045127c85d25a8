import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A real `redis-server` (from the OS packages; `.ci/run` installs it) on a free loopback port, in
 * a temporary directory of its own, so every test file has its own server and files run in
 * parallel without sharing state. Stopped (and its directory removed) by {@link RedisServer.stop}.
 */
export interface RedisServer {
  /** `redis://127.0.0.1:{port}`. */
  readonly url: string;
  /** The port it listens on (the same across restarts). */
  readonly port: number;
  /** Its directory (the append-only file lives there when `appendonly` is on). */
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
  appendOnly?: boolean;
}

const BINARY = process.env.REDIS_SERVER_BIN ?? "redis-server";
const READY_TIMEOUT_MS = 10_000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    let answer = "";
    socket.setTimeout(500, () => socket.destroy());
    socket.on("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk) => {
      answer += chunk.toString();
      if (answer.includes("\r\n")) socket.end();
    });
    socket.on("close", () => resolve(answer.startsWith("+PONG")));
    socket.on("error", () => resolve(false));
  });
}

async function waitUntil(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`redis-server: ${what} within ${READY_TIMEOUT_MS} ms`);
}

/**
 * Starts a `redis-server` for one test file. Fails (never skips) when the binary is missing: the
 * Redis tests are part of the suite.
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), "otzovik-redis-"));
  const port = await freePort();
  let child: ChildProcess | null = null;
  let output = "";

  const args = [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--dir",
    dir,
    "--save",
    "",
    "--appendonly",
    options.appendOnly ? "yes" : "no",
    "--appendfsync",
    "always",
    "--protected-mode",
    "yes",
    "--loglevel",
    "warning",
  ];

  async function start(): Promise<void> {
    const spawned = spawn(BINARY, args, { stdio: ["ignore", "pipe", "pipe"] });
    child = spawned;
    spawned.stdout?.on("data", (chunk) => {
      output = (output + chunk.toString()).slice(-4000);
    });
    spawned.stderr?.on("data", (chunk) => {
      output = (output + chunk.toString()).slice(-4000);
    });
    const failed = new Promise<never>((_, reject) => {
      spawned.once("error", (error) =>
        reject(new Error(`redis-server could not start (${BINARY}): ${error.message}`)),
      );
      spawned.once("exit", (code) =>
        reject(new Error(`redis-server exited with ${code} before it was ready:\n${output}`)),
      );
    });
    failed.catch(() => {});
    await Promise.race([waitUntil(() => ping(port), "was not ready"), failed]);
  }

  async function kill(): Promise<void> {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once("exit", resolve));
    running.kill("SIGKILL");
    await exited;
    await waitUntil(async () => !(await ping(port)), "did not stop");
  }

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    kill,
    start,
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
