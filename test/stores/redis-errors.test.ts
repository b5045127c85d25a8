import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { OtzovikError } from "../../src/core/errors.js";
import { replyCode, safeCause, storeError } from "../../src/stores/redis/errors.js";

/** A client error as ioredis builds one: the command's arguments kept on `command`. */
function ioredisReplyError(message: string): Error {
  const error = new Error(message);
  error.name = "ReplyError";
  Object.assign(error, {
    command: { name: "evalsha", args: ["sha", "1", "otzovik:cap:t:SECRET"] },
  });
  return error;
}

describe("Redis store errors", () => {
  it("a server error reply: store_error with its code, the arguments gone from the cause", () => {
    const error = storeError(
      ioredisReplyError(
        "ERR unknown command 'EVALSHA', with args beginning with: 'SECRET-key' 'SECRET-value'",
      ),
    );
    expect(error).toBeInstanceOf(OtzovikError);
    expect(error).toMatchObject({
      message: "[otzovik] [redis] Redis answered with an error (ERR).",
      code: "store_error",
      provider: "redis",
      category: "retryable",
      retryable: true,
    });
    expect(error.cause).toBeInstanceOf(Error);
    expect((error.cause as Error).name).toBe("ReplyError");
    expect((error.cause as Error).message).toBe(
      "ERR unknown command '…', with args beginning with: '…' '…'",
    );
    expect(inspect(error, { depth: 10 })).not.toContain("SECRET");
    expect(error.cause).not.toHaveProperty("command");
  });

  it("hints at the fix for the errors a deployment causes", () => {
    expect(
      storeError(new Error("OOM command not allowed when used memory > 'maxmemory'.")).message,
    ).toContain("noeviction");
    expect(
      storeError(new Error("READONLY You can't write against a read only replica.")).message,
    ).toContain("primary");
    expect(
      storeError(
        new Error("NOPERM this user has no permissions to access the 'otzovik:SECRET' key"),
      ).message,
    ).not.toContain("SECRET");
    expect(
      storeError(new Error("CROSSSLOT Keys in request don't hash to the same slot")).message,
    ).toContain("{otzovik}");
  });

  it("a connection failure: store_unavailable, with a system code but no address", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 10.0.0.7:6379"), {
      code: "ECONNREFUSED",
    });
    const error = storeError(refused);
    expect(error).toMatchObject({
      message:
        "[otzovik] [redis] The connection to Redis failed or was lost (ECONNREFUSED); the command may or may not have run.",
      code: "store_unavailable",
      category: "retryable",
      retryable: true,
    });
    expect((error.cause as { code?: unknown }).code).toBe("ECONNREFUSED");
    expect(storeError(new Error("Connection is closed.")).code).toBe("store_unavailable");
    expect(storeError("a string thrown").code).toBe("store_unavailable");
  });

  it("keeps an OtzovikError as it is", () => {
    const own = new OtzovikError("x", { code: "store_timeout", category: "retryable" });
    expect(storeError(own)).toBe(own);
  });

  it("reads the code of an error reply only", () => {
    expect(replyCode(new Error("NOSCRIPT No matching script. Please use EVAL."))).toBe("NOSCRIPT");
    expect(replyCode(new Error("Connection is closed."))).toBeNull();
    expect(replyCode(new Error("connect ECONNREFUSED 127.0.0.1:1"))).toBeNull();
    expect(replyCode("NOSCRIPT")).toBeNull();
  });

  it("caps a long cause message", () => {
    expect(safeCause(new Error(`ERR ${"x".repeat(1000)}`)).message).toHaveLength(301);
  });
});
