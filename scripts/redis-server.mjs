// A real `redis-server` (from the OS packages; `.ci/run` installs it) on a free loopback port, in
// a temporary directory of its own: what the Redis tests (through test/helpers/redis-server.ts,
// one server per test file) and the Redis benches (bench/store.mjs, bench/redis-memory.mjs) run
// against. Types: redis-server.d.mts.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const BINARY = process.env.REDIS_SERVER_BIN ?? "redis-server";
const READY_TIMEOUT_MS = 10_000;

function freePort() {
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

/** `true` when a Redis answers PING on the port. */
function ping(port) {
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

async function waitUntil(check, what) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`redis-server: ${what} within ${READY_TIMEOUT_MS} ms`);
}

/**
 * Starts a `redis-server`. Fails (never skips) when the binary is missing. See redis-server.d.mts.
 *
 * @param {import("./redis-server.d.mts").RedisServerOptions} [options]
 * @returns {Promise<import("./redis-server.d.mts").RedisServer>}
 */
export async function startRedisServer(options = {}) {
  const dir = mkdtempSync(join(tmpdir(), "otzovik-redis-"));
  const port = await freePort();
  let child = null;
  let output = "";
  const args = [
    ...["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", ""],
    ...["--appendonly", options.appendOnly ? "yes" : "no", "--appendfsync", "always"],
    ...["--protected-mode", "yes", "--loglevel", "warning"],
    ...(options.args ?? []),
  ];
  // A process that exits without stop() (a bench that throws) takes its server with it.
  const killOnExit = () => child?.kill("SIGKILL");
  process.once("exit", killOnExit);

  async function start() {
    const spawned = spawn(BINARY, args, { stdio: ["ignore", "pipe", "pipe"] });
    child = spawned;
    const keep = (chunk) => {
      output = (output + chunk.toString()).slice(-4000);
    };
    spawned.stdout?.on("data", keep);
    spawned.stderr?.on("data", keep);
    const failed = new Promise((_, reject) => {
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

  async function kill() {
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
      process.removeListener("exit", killOnExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
