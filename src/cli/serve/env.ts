/** The environment `otzovik serve` reads (process.env, or a test's own). */
export type Env = Readonly<Record<string, string | undefined>>;

/** A variable's value, trimmed; `undefined` when unset or blank. */
export function envValue(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/** `true` for `true` or `1` (any case). */
export function envFlag(env: Env, name: string): boolean {
  return ["true", "1"].includes(envValue(env, name)?.toLowerCase() ?? "");
}
