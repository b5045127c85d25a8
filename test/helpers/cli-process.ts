/**
 * Runs the `otzovik` command as a separate Node process, the way a user runs it, but from the
 * TypeScript sources (`node --import tsx … src/cli/main.ts`), with otzovik's own subpaths mapped to
 * src/ (see otzovik-from-src.mjs): no build needed, and a stale dist/ cannot be tested.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** Variables that would change what the CLI does (provider keys, Redis, dev options). */
const CLI_ENV =
  /^(SMSRU|META|EXOLVE|RESEND|AMOCRM)_|^(REDIS_URL|HASH_SECRET|OTZOVIK_\w+|DEV_WHATSAPP|DEBUG|HOST|PORT|WEBHOOK_KEY|BUSINESS_NAME|REVIEW_URL|DELAY_MINUTES)$/;

function cliEnv(extra: Readonly<Record<string, string>>): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of Object.keys(env)) if (CLI_ENV.test(name)) delete env[name];
  delete env.NODE_OPTIONS;
  delete env.NODE_ENV;
  return Object.assign(env, { NO_COLOR: "1" }, extra);
}

function spawnCli(args: readonly string[], env: Readonly<Record<string, string>>): ChildProcess {
  return spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "--import",
      "./test/helpers/otzovik-from-src-register.mjs",
      "src/cli/main.ts",
      ...args,
    ],
    { cwd: root, env: cliEnv(env), stdio: ["pipe", "pipe", "pipe"] },
  );
}

/** How a CLI run ended. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `otzovik ...args` to its end, with `stdin` as its input (empty when not given). */
export async function runCli(
  args: readonly string[],
  options: { readonly stdin?: string | Uint8Array; readonly env?: Record<string, string> } = {},
): Promise<CliRun> {
  const child = spawnCli(args, options.env ?? {});
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  child.stdin!.on("error", () => {}); // the CLI may exit (bad usage) without reading stdin
  child.stdin!.end(options.stdin ?? "");
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/**
 * Runs `otzovik ...args` with its stdout closed from the start (`otzovik explain … | head -0`):
 * its writes fail with EPIPE. Resolves with the exit code and stderr.
 */
export async function runCliClosedStdout(
  args: readonly string[],
): Promise<{ code: number | null; stderr: string }> {
  const child = spawnCli(args, {});
  child.stdout!.destroy();
  child.stdin!.end();
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  clearTimeout(timer);
  return { code, stderr };
}

/** A running `otzovik serve`. */
export interface ServeProcess {
  /** What it printed to stdout so far. */
  stdout(): string;
  /** What it printed to stderr so far. */
  stderr(): string;
  /** Resolves with the first match of `pattern` in stdout (rejects after `timeoutMs` or on exit). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Sends `signal`; resolves with the exit code (SIGKILL after 10 s). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `otzovik serve` with `env` (PORT=0 unless given). */
export function startServe(env: Record<string, string> = {}): ServeProcess {
  const child = spawnCli(["serve"], { PORT: "0", ...env });
  child.stdin!.end();
  let out = "";
  let err = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
  });
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    err += chunk;
  });
  let running = true;
  const exited = new Promise<number | null>((resolve) =>
    child.on("close", (code) => {
      running = false;
      resolve(code);
    }),
  );
  return {
    stdout: () => out,
    stderr: () => err,
    async waitFor(pattern, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = pattern.exec(out);
        if (match) return match;
        if (!running || Date.now() > deadline)
          throw new Error(
            `${pattern} not printed (${running ? "timed out" : "exited"})\n--- stdout ---\n${out}\n--- stderr ---\n${err}`,
          );
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async stop(signal = "SIGTERM") {
      if (running) child.kill(signal);
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
