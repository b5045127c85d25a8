/**
 * Issue 9 item 18: "MaxListenersExceededWarning: 11 close listeners added to [Socket]" printed by
 * the adapter tests. It came from the test client (`openRaw().write()` added a `close` listener
 * per write and never removed it; `unfinished()` writes hundreds of chunks on one connection), not
 * from the adapters. Pinned both ways: the client keeps one set of listeners however many writes,
 * and a keep-alive connection serving many requests (answered, refused, lingered) does not gain
 * listeners on the server's socket.
 */
import { Agent, request } from "node:http";
import { type AddressInfo, createServer as createNetServer, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { SmsSender } from "../../src/providers/types.js";
import type { ReviewRequester } from "../../src/requester/types.js";
import { openRaw, type RunningServer } from "../helpers/http.js";
import { allTargets, bodies, KEY, makeRequester } from "./world.js";

/** An SMS client that answers at once, without HTTP (this file installs no msw). */
const instantSms: SmsSender = {
  provider: "sms.ru",
  async sendSms(phone) {
    return { provider: "sms.ru", channel: "sms", messageId: "1", to: phone, dryRun: false };
  },
};

const EVENTS = ["close", "data", "end", "error", "drain", "timeout", "finish"] as const;

function listenerCounts(socket: Socket): Record<string, number> {
  return Object.fromEntries(EVENTS.map((event) => [event, socket.listenerCount(event)]));
}

/** POSTs `body` over `agent` (one keep-alive socket); resolves with the status. */
function post(agent: Agent, port: number, path: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: "127.0.0.1",
        port,
        path,
        method: "POST",
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

describe("the test client: no listener piles up on its socket", () => {
  it("20 writes on one raw connection leave its socket with the listeners it started with", async () => {
    const sink = createNetServer((socket) => socket.resume());
    await new Promise<void>((resolve) => sink.listen(0, "127.0.0.1", resolve));
    const raw = openRaw((sink.address() as AddressInfo).port);
    // While connecting, Node itself holds a `close` listener on the socket.
    await new Promise((resolve) => raw.socket.once("connect", resolve));
    await raw.write("x");
    const before = listenerCounts(raw.socket);
    for (let i = 0; i < 20; i++) await raw.write("x".repeat(1000));
    expect(listenerCounts(raw.socket)).toEqual(before);
    raw.socket.destroy();
    await new Promise((resolve) => sink.close(resolve));
  });
});

describe.each(allTargets)("a keep-alive connection to $name", (target) => {
  let server: RunningServer | null = null;
  let requester: ReviewRequester | null = null;
  afterEach(async () => {
    await server?.close();
    await requester?.close();
    server = null;
    requester = null;
  });

  // Express keeps the connection after a refused body (it reads and discards the rest); the
  // Fetch bridge closes a connection whose body was not read, so it gets accepted webhooks only.
  const refused = target.kind === "express";
  it(`20 ${refused ? "accepted and 20 refused (wrong key, unread body)" : "accepted"} webhooks on one socket: its listeners do not grow`, async () => {
    requester = makeRequester({ channels: [{ type: "sms", client: instantSms }] });
    server = await target.start(requester, { logger: { error: () => {} } });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const counts: Record<string, number>[] = [];
    const statuses: number[] = [];
    const sockets = new Set<Socket>();
    for (let i = 0; i < 20; i++) {
      statuses.push(await post(agent, server.port, `/api/webhook/iiko?key=${KEY}`, bodies.iiko));
      if (refused)
        statuses.push(await post(agent, server.port, "/api/webhook/iiko?key=wrong", bodies.iiko));
      expect(server.openSockets()).toBe(1);
      const socket = server.serverSockets()[0] as Socket;
      sockets.add(socket);
      counts.push(listenerCounts(socket));
    }
    agent.destroy();
    // One socket carried them all, so its listeners are the ones to watch.
    expect(sockets.size).toBe(1);
    expect(statuses).toEqual(
      Array.from({ length: 20 }, () => (refused ? [200, 401] : [200])).flat(),
    );
    expect(counts.at(-1)).toEqual(counts[0]);
  });
});
