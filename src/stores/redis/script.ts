import { createHash } from "node:crypto";
import type { BatchReceipt, BatchResult, StoreStep } from "../types.js";
import { unexpectedReply } from "./errors.js";

/**
 * A batch as one Lua script: one `EVALSHA` (one round trip), atomic like any script. The steps are
 * encoded compactly: `KEYS` are the steps' Redis keys, in order, then the receipt's key when there
 * is one; `ARGV[1]` holds one letter per step (`c`laim, `a`bsent, `e`xpect, `g`et, `s`et,
 * `d`elete, `i`ncr), `ARGV[2]` the receipt's TTL (`""`: no receipt), and the arguments follow in step
 * order: a claim's value and TTL, a set's value and TTL (`""`: none), an expect's count and
 * values, an incr's amount and TTL. The script answers `{failedAt, values}`, a `false` (nil) value being an absent key.
 *
 * With a receipt, a result saved under its key is answered as it is (the steps do not run), and
 * a result the steps produce is saved there (JSON `[failedAt, values]`, absent keys `null`: the
 * format of `savedResult`) before the script answers.
 *
 * The semantics are those of `runBatch` and the memory store's `batch`: values before each step,
 * stop at the first failed condition.
 */
export const BATCH_SCRIPT = `local ops = ARGV[1]
local receipt = KEYS[#ops + 1]
if receipt then
  local saved = redis.call("GET", receipt)
  if saved then
    local result = cjson.decode(saved)
    local held = {}
    for i, value in ipairs(result[2]) do
      if value == cjson.null then held[i] = false else held[i] = value end
    end
    return {result[1], held}
  end
end
local arg = 3
local values = {}
local function finish(failedAt)
  if receipt then
    local saved = {}
    for i = 1, #values do
      if values[i] then saved[i] = values[i] else saved[i] = cjson.null end
    end
    redis.call("SET", receipt, cjson.encode({failedAt, saved}), "PX", ARGV[2])
  end
  return {failedAt, values}
end
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
  elseif op == 105 then
    local current = redis.call("GET", key)
    local n = 0
    if current and string.match(current, "^%-?%d+$") then
      local digits = string.len(current)
      if string.sub(current, 1, 1) == "-" then digits = digits - 1 end
      if digits <= 15 then n = tonumber(current) end
    end
    local value = string.format("%d", n + tonumber(ARGV[arg]))
    redis.call("SET", key, value, "PX", ARGV[arg + 1])
    arg = arg + 2
    values[i] = value
  else
    local current = redis.call("GET", key)
    values[i] = current
    if op == 99 then
      if current then return finish(i - 1) end
      redis.call("SET", key, ARGV[arg], "PX", ARGV[arg + 1])
      arg = arg + 2
    elseif op == 97 then
      if current then return finish(i - 1) end
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
        if not found then return finish(i - 1) end
      end
      arg = last + 1
    end
  end
end
return finish(-1)
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
  incr: "i",
};

/**
 * The arguments of `EVALSHA`/`EVAL` after the script: the key count, the keys, then `ARGV`.
 * `steps` (and `receipt`) must be valid (checked before).
 */
export function encodeBatch(
  steps: readonly StoreStep[],
  redisKey: (key: string) => string,
  receipt?: BatchReceipt,
): string[] {
  const keys: string[] = [String(steps.length + (receipt ? 1 : 0))];
  const argv: string[] = [];
  let ops = "";
  for (const step of steps) {
    keys.push(redisKey(step.key));
    ops += LETTER[step.op];
    if (step.op === "claim") argv.push(step.value, String(step.ttlMs));
    else if (step.op === "set")
      argv.push(step.value, step.ttlMs === undefined ? "" : String(step.ttlMs));
    else if (step.op === "expect") argv.push(String(step.values.length), ...step.values);
    else if (step.op === "incr") argv.push(String(step.by), String(step.ttlMs));
  }
  if (receipt) keys.push(redisKey(receipt.key));
  keys.push(ops, receipt ? String(receipt.ttlMs) : "", ...argv);
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
