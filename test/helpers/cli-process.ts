/**
 * Runs the `otzovik` command as a separate Node process, the way a user runs it, but from the
 * TypeScript sources (`src/cli/main.ts` through example-process.ts's loader, with otzovik's own
 * subpaths mapped to src/): no build needed, and a stale dist/ cannot be tested.
 */
import {
  type ExampleProcess,
  type ExampleRun,
  runExample,
  spawnExample,
  startExample,
} from "./example-process.js";

const CLI = "src/cli/main.ts";

/** How a CLI run ended. */
export type CliRun = Pick<ExampleRun, "code" | "stdout" | "stderr">;

/** Runs `otzovik ...args` to its end, with `stdin` as its input (empty when not given). */
export async function runCli(
  args: readonly string[],
  options: { readonly stdin?: string | Uint8Array; readonly env?: Record<string, string> } = {},
): Promise<CliRun> {
  const { code, stdout, stderr } = await runExample(CLI, {
    args,
    env: options.env,
    stdin: options.stdin ?? "",
    timeoutMs: 20_000,
  });
  return { code, stdout, stderr };
}

/**
 * Runs `otzovik ...args` with its stdout closed from the start (`otzovik explain … | head -0`):
 * its writes fail with EPIPE. Resolves with the exit code and stderr.
 */
export async function runCliClosedStdout(
  args: readonly string[],
): Promise<{ code: number | null; stderr: string }> {
  const child = spawnExample(CLI, { args, stdin: true });
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

/** Starts `otzovik serve` with `env` (PORT=0 unless given) and waits for its listening line. */
export function startServe(env: Record<string, string> = {}): Promise<ExampleProcess> {
  return startExample(CLI, { args: ["serve"], env, timeoutMs: 30_000 });
}
