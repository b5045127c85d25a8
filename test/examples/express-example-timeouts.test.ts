/**
 * examples/express/server.mjs sets server timeouts (issue 9, item 17): a client that never
 * finishes its request head is answered 408 and disconnected after `headersTimeout` (10 s, checked
 * every second), not held for Node's default 60 s (checked every 30 s). Its own file: it waits
 * about 11 s, and runs beside the other test files rather than after them.
 */
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ExampleProcess, startExample } from "../helpers/example-process.js";

describe("the Express example's server timeouts", () => {
  let example: ExampleProcess;

  beforeAll(async () => {
    example = await startExample("examples/express/server.mjs", {
      env: { WEBHOOK_KEY: "timeouts-test-key" },
    });
  }, 30_000);
  afterAll(async () => {
    if (example?.alive()) await example.stop("SIGTERM");
  });

  it("a head trickled one header a second: 408 and closed within 25 s (Node's default: 60–90 s)", {
    timeout: 40_000,
  }, async () => {
    const socket = connect(example.port, "127.0.0.1");
    let received = "";
    socket.on("data", (chunk: Buffer) => {
      received += chunk.toString("latin1");
    });
    socket.on("error", () => {});
    const started = Date.now();
    socket.write("POST /api/webhook/iiko HTTP/1.1\r\nHost: x\r\n");
    const trickle = setInterval(() => {
      if (socket.writable) socket.write("X-Slow: 1\r\n");
    }, 1000);
    const closed = await new Promise<boolean>((resolve) => {
      const giveUp = setTimeout(() => resolve(false), 25_000);
      socket.on("close", () => {
        clearTimeout(giveUp);
        resolve(true);
      });
    });
    clearInterval(trickle);
    socket.destroy();
    const seconds = (Date.now() - started) / 1000;
    expect({ closed, received }).toEqual({
      closed: true,
      received: "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n",
    });
    // Not before the 10 s the example allows.
    expect(seconds).toBeGreaterThanOrEqual(9.5);
    expect(example.alive()).toBe(true);
  });
});
