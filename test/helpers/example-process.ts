/**
 * Runs one of the examples as a separate Node process, the way a user runs it, but against the
 * TypeScript sources: `node --import tsx --import ./test/helpers/otzovik-from-src-register.mjs`
 * maps `otzovik` and its subpaths (`otzovik/express`, `otzovik/bullmq`…) to src/ (see
 * otzovik-from-src.mjs), so no `npm run build` is needed and a stale dist/ cannot be tested.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));

/**
 * Variables that would change what an example (or `otzovik serve`) does: provider keys (out of dev
 * mode), Redis and BullMQ, the simulated WhatsApp, the demo's own settings. Only the tests that
 * want one pass it.
 */
const EXAMPLE_ENV =
  /^(SMSRU|META|EXOLVE|RESEND|AMOCRM)_|^(REDIS_URL|HASH_SECRET|OTZOVIK_\w+|DEV_WHATSAPP|DEBUG|WEBHOOK_KEY|BUSINESS_NAME|REVIEW_URL|DELAY_MINUTES)$/;

/**
 * How long an example process may take to start (or, run to the end, to finish) unless told
 * otherwise: long enough for a loaded 2-core CI machine, where the Redis example once took over
 * 15 s to print its listening line.
 */
const START_TIMEOUT_MS = 30_000;

/** A running example process. */
export interface ExampleProcess {
  /** The child's pid (the Node process itself, not a wrapper). */
  readonly pid: number;
  /**
   * The port from its `listening on http://<host>:<port>` line (`127.0.0.1`, `localhost`, `[::1]`…),
   * or the `port` option.
   */
  readonly port: number;
  /** Everything it printed to stdout so far. */
  stdout(): string;
  /** Everything it printed to stderr so far. */
  stderr(): string;
  /** `true` while it has not exited. */
  alive(): boolean;
  /** Resolves with the first match of `pattern` in stdout (rejects after `timeoutMs` or on exit). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Resident set size in bytes (VmRSS from /proc, or `ps` where there is no /proc). */
  rss(): number;
  /** Sends `signal` and resolves with the exit code and signal (SIGKILL after `timeoutMs`). */
  stop(
    signal?: NodeJS.Signals,
    timeoutMs?: number,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** What {@link runExample} and {@link startExample} start: the script's arguments and environment. */
export interface SpawnOptions {
  /** Extra environment; provider variables are removed from the inherited one first. */
  readonly env?: Readonly<Record<string, string>>;
  /** Arguments after the script (`["serve"]` for `src/cli/main.ts`). */
  readonly args?: readonly string[];
}

/** Options for {@link startExample}. */
export interface ExampleOptions extends SpawnOptions {
  /** How long to wait for the listening line. */
  readonly timeoutMs?: number;
  /**
   * For a script that prints no listening line: pass this port as `PORT` (see {@link freePort})
   * and wait until it accepts connections instead.
   */
  readonly port?: number;
  /**
   * For a script that serves no HTTP at all (a queue worker): wait for this line in its stdout
   * instead; {@link ExampleProcess.port} is then `0`.
   */
  readonly ready?: RegExp;
}

/** What {@link runExample} saw: how the process ended and everything it printed. */
export interface ExampleRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The child's environment: the test's, minus provider variables, Redis settings, loaders,
 * NODE_ENV and HOST, plus `extra`.
 */
function exampleEnv(
  extra: Readonly<Record<string, string>> = {},
): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of Object.keys(env)) if (EXAMPLE_ENV.test(name)) delete env[name];
  // Loaders or flags the test runner was started with are not the example's, nor is its
  // NODE_ENV (vitest sets "test"; "production" would turn dev mode off): tests pass their own.
  delete env.NODE_OPTIONS;
  delete env.NODE_ENV;
  // The examples listen on HOST (default 127.0.0.1): a shell's HOST is not the test's choice.
  delete env.HOST;
  return Object.assign(env, { PORT: "0", NO_COLOR: "1" }, extra);
}

/**
 * Spawns `script` from the sources with `args`, in the example environment plus `env`; its stdin
 * is a pipe (to write, or to end) when `stdin` is `true`, else ignored.
 */
export function spawnExample(
  script: string,
  options: SpawnOptions & { readonly stdin?: boolean } = {},
): ChildProcess {
  return spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "--import",
      "./test/helpers/otzovik-from-src-register.mjs",
      script,
      ...(options.args ?? []),
    ],
    {
      cwd: root,
      env: exampleEnv(options.env),
      stdio: [options.stdin ? "pipe" : "ignore", "pipe", "pipe"],
    },
  );
}

/** A port that was free a moment ago on 127.0.0.1 (for scripts that cannot listen on port 0). */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", resolve);
  });
  const address = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  if (!address || typeof address === "string") throw new Error("no TCP address");
  return address.port;
}

/** Resolves once `port` on 127.0.0.1 accepts a connection (rejects after `timeoutMs`). */
async function accepting(port: number, timeoutMs: number, running: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (ok) return;
    if (!running() || Date.now() > deadline)
      throw new Error(`port ${port} ${running() ? "not accepting in time" : "closed: exited"}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * Runs `script` to its end (for scripts expected to exit by themselves, e.g. on bad
 * configuration) and returns its exit code and output; SIGKILL after `timeoutMs`.
 */
export async function runExample(
  script: string,
  options: SpawnOptions & {
    readonly timeoutMs?: number;
    /** What it reads on stdin (ended at once); without it, stdin is ignored. */
    readonly stdin?: string | Uint8Array;
  } = {},
): Promise<ExampleRun> {
  const child = spawnExample(script, { ...options, stdin: options.stdin !== undefined });
  if (options.stdin !== undefined) {
    child.stdin!.on("error", () => {}); // it may exit (bad usage) without reading stdin
    child.stdin!.end(options.stdin);
  }
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? START_TIMEOUT_MS);
  // `close`, not `exit`: after it every byte of stdout and stderr has been read.
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on("close", (c, s) => resolve([c, s])),
  );
  clearTimeout(timer);
  return { code, signal, stdout, stderr };
}

/**
 * Spawns `script` (relative to the repository root) with `PORT=0`, waits for its listening line
 * (or, with the `port` option, for that port to accept connections; with `ready`, for that line)
 * and returns a handle.
 * Rejects, with the output so far, if it exits or does not listen in time.
 */
export async function startExample(
  script: string,
  options: ExampleOptions = {},
): Promise<ExampleProcess> {
  const child = spawnExample(script, {
    args: options.args,
    env: { ...(options.port === undefined ? {} : { PORT: String(options.port) }), ...options.env },
  });
  let out = "";
  let err = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
  });
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    err += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    // `close`, not `exit`: after it every byte of stdout and stderr has been read.
    child.on("close", (code, signal) => resolve({ code, signal }));
  });
  let running = true;
  void exited.then(() => {
    running = false;
  });

  async function waitFor(pattern: RegExp, timeoutMs = 5000): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = pattern.exec(out);
      if (match) return match;
      if (!running || Date.now() > deadline) {
        throw new Error(
          `${pattern} not printed by ${script} (${running ? "timed out" : "exited"})\n--- stdout ---\n${out}\n--- stderr ---\n${err}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  const pid = child.pid!;
  try {
    let port: number;
    if (options.ready) {
      await waitFor(options.ready, options.timeoutMs ?? START_TIMEOUT_MS);
      port = 0;
    } else if (options.port === undefined) {
      const listening = await waitFor(
        /listening on http:\/\/(?:\[[^\]\s]+\]|[^\s:/]+):(\d+)/,
        options.timeoutMs ?? START_TIMEOUT_MS,
      );
      port = Number(listening[1]);
    } else {
      await accepting(options.port, options.timeoutMs ?? START_TIMEOUT_MS, () => running).catch(
        (error) => {
          throw new Error(
            `${script}: ${error.message}\n--- stdout ---\n${out}\n--- stderr ---\n${err}`,
          );
        },
      );
      port = options.port;
    }
    return {
      pid,
      port,
      stdout: () => out,
      stderr: () => err,
      alive: () => running,
      waitFor,
      rss: () => rssOf(pid),
      async stop(signal = "SIGTERM", timeoutMs = 10_000) {
        if (running) child.kill(signal);
        const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
        try {
          return await exited;
        } finally {
          clearTimeout(timer);
        }
      },
    };
  } catch (error) {
    child.kill("SIGKILL");
    await exited;
    throw error;
  }
}

/** Resident set size of `pid` in bytes. */
export function rssOf(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    if (kb) return Number(kb[1]) * 1024;
  } catch {
    // No /proc (macOS): ask ps below.
  }
  return Number(execFileSync("ps", ["-o", "rss=", "-p", String(pid)], { encoding: "utf8" })) * 1024;
}
