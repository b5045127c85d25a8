/**
 * Reads an environment variable at call time. Returns `undefined` when it is unset or blank, and in
 * runtimes without `process` (browsers, Cloudflare Workers) or where reading it is forbidden (Deno
 * without `--allow-env`).
 *
 * @param name - Variable name, e.g. `SMSRU_API_KEY`.
 */
export function readEnv(name: string): string | undefined {
  try {
    const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
      ?.env;
    const value = env?.[name]?.trim();
    return value ? value : undefined;
  } catch {
    return undefined;
  }
}
