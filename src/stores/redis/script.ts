import { createHash } from "node:crypto";
import type { BatchResult, StoreStep } from "../types.js";
import { unexpectedReply } from "./errors.js";

/**
 * A batch as one Lua script: one `EVALSHA` (one round trip), atomic like any script. The steps are
 * encoded compactly: `KEYS` are the steps' Redis keys, in order; `ARGV[1]` holds one letter per
 * step (`c`laim, `a`bsent, `e`xpect, `g`et, `s`et, `d`elete), and the arguments follow in step
 * order: a claim's value and TTL, a set's value and TTL (`""`: none), an expect's count and
 * values. The script answers `{failedAt, values}`, a `false` (nil) value being an absent key.
 *
 * The semantics are those of `runBatch` and the memory store's `batch`: values before each step,
 * stop at the first failed condition.
 */
export const BATCH_SCRIPT = `local ops = ARGV[1]
local arg = 2
local values = {}
for i = 1, #ops do
  local op = string.byte(ops, i)
  local key = KEYS[i]
  if op == 115 then
    if ARGV[arg + 1] == "" then
      redis.call("SET", key, ARGV[arg])
    else
      redis.call("SET", key, ARGV[arg], "PX", ARGV[arg + 1])
    end
    arg = arg + 2
    values[i] = false
  elseif op == 100 then
    redis.call("DEL", key)
    values[i] = false
  else
    local current = redis.call("GET", key)
    values[i] = current
    if op == 99 then
      if current then return {i - 1, values} end
      redis.call("SET", key, ARGV[arg], "PX", ARGV[arg + 1])
      arg = arg + 2
    elseif op == 97 then
      if current then return {i - 1, values} end
    elseif op == 101 then
      local last = arg + tonumber(ARGV[arg])
      if current then
        local found = false
        for j = arg + 1, last do
          if ARGV[j] == current then
            found = true
            break
          end
        end
        if not found then return {i - 1, values} end
      end
      arg = last + 1
    end
  end
end
return {-1, values}
`;

/** The SHA-1 Redis caches {@link BATCH_SCRIPT} under (`EVALSHA`). */
export const BATCH_SHA = createHash("sha1").update(BATCH_SCRIPT).digest("hex");

const LETTER: Readonly<Record<StoreStep["op"], string>> = {
  claim: "c",
  absent: "a",
  expect: "e",
  get: "g",
  set: "s",
  delete: "d",
};

/**
 * The arguments of `EVALSHA`/`EVAL` after the script: the key count, the keys, then `ARGV`.
 * `steps` must be valid (checked before).
 */
export function encodeBatch(
  steps: readonly StoreStep[],
  redisKey: (key: string) => string,
): string[] {
  const keys: string[] = [String(steps.length)];
  const argv: string[] = [];
  let ops = "";
  for (const step of steps) {
    keys.push(redisKey(step.key));
    ops += LETTER[step.op];
    if (step.op === "claim") argv.push(step.value, String(step.ttlMs));
    else if (step.op === "set")
      argv.push(step.value, step.ttlMs === undefined ? "" : String(step.ttlMs));
    else if (step.op === "expect") argv.push(String(step.values.length), ...step.values);
  }
  keys.push(ops, ...argv);
  return keys;
}

const decoder = new TextDecoder();

/** A reply string: a string, or bytes (a client set to answer with buffers), decoded as UTF-8. */
export function replyString(reply: unknown): string | null {
  if (reply === null || reply === undefined) return null;
  if (typeof reply === "string") return reply;
  if (reply instanceof Uint8Array) return decoder.decode(reply);
  throw unexpectedReply();
}

/** The script's answer as a {@link BatchResult}. */
export function decodeBatch(reply: unknown, steps: number): BatchResult {
  if (!Array.isArray(reply) || reply.length !== 2 || !Array.isArray(reply[1]))
    throw unexpectedReply();
  const failedAt = Number(reply[0]);
  const values = (reply[1] as unknown[]).map(replyString);
  const expected = failedAt === -1 ? steps : failedAt + 1;
  if (!Number.isInteger(failedAt) || values.length !== expected) throw unexpectedReply();
  return { values, failedAt };
}
