/**
 * Issue 14's "done when", over real HTTP on 127.0.0.1, for both link routes (`linkHandler` in
 * Express, `createFetchLinkHandler` behind node:http) and both stores (the memory store, and a
 * real redis-server with two requesters that share nothing but Redis, as two processes would):
 * a request with `links` sends an SMS whose text holds a token of at most 8 characters on the base
 * URL and fits one segment; a GET on the link redirects to the tenant's review URL and reports
 * `clicked` once; a second GET counts without a report; a preview bot's GET does not count; an
 * unknown token gets 404; nothing in the request changes the redirect target.
 */
import { createServer } from "node:http";
import express from "express";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { linkHandler } from "../../src/adapters/express.js";
import { createFetchLinkHandler } from "../../src/adapters/fetch.js";
import { smsSegments } from "../../src/core/sms-segments.js";
import type { ReviewRequester } from "../../src/requester/types.js";
import { memoryStore } from "../../src/stores/memory.js";
import { redisStore } from "../../src/stores/redis.js";
import type { Store } from "../../src/stores/types.js";
import { listen, type RunningServer, startFetchServer } from "../helpers/http.js";
import { type RedisServer, startRedisServer } from "../helpers/redis-server.js";
import { IPHONE, linksRequester, NOON, PHONE, TELEGRAM_BOT, tokenOf, YANDEX } from "./world.js";

let redis: RedisServer;
const clients: Redis[] = [];
const servers: RunningServer[] = [];
const requesters: ReviewRequester[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  await Promise.all(requesters.splice(0).map((r) => r.close({ timeoutMs: 1_000 })));
  for (const client of clients.splice(0)) client.disconnect();
});
afterAll(async () => {
  await redis.stop();
});

/** Two stores over one state: one memory store twice, or two Redis clients (two processes). */
const stores: { name: string; pair: () => [Store, Store] }[] = [
  {
    name: "memory store",
    pair: () => {
      const store = memoryStore();
      return [store, store];
    },
  },
  {
    name: "Redis (two clients)",
    pair: () => {
      const prefix = `links${Math.random().toString(36).slice(2, 8)}`;
      const store = (): Store => {
        const client = new Redis(redis.url);
        clients.push(client);
        return redisStore({ client, prefix });
      };
      return [store(), store()];
    },
  },
];

const routes: { name: string; start: (requester: ReviewRequester) => Promise<RunningServer> }[] = [
  {
    name: "otzovik/express linkHandler",
    start: (requester) => {
      const app = express();
      app.get("/r/:token", linkHandler(requester));
      app.all("/r/:token", linkHandler(requester));
      app.get("/r/", linkHandler(requester));
      return listen(createServer(app));
    },
  },
  {
    name: "otzovik/fetch createFetchLinkHandler",
    start: (requester) => startFetchServer(createFetchLinkHandler(requester)),
  },
];

const cases = stores.flatMap((store) => routes.map((route) => ({ store, route })));

describe.each(cases)("$store.name, $route.name", ({ store, route }) => {
  async function world() {
    const [first, second] = store.pair();
    const sender = linksRequester({ store: first });
    // The link is served by another requester: only the store is shared.
    const server = linksRequester({ store: second });
    requesters.push(sender.requester, server.requester);
    const running = await route.start(server.requester);
    servers.push(running);
    const get = (path: string, init: RequestInit = {}) =>
      fetch(`${running.origin}${path}`, { redirect: "manual", ...init });
    return { sender, server, get };
  }

  it("done when: one-segment SMS with an 8-character token; 302 to the review URL; clicked once; bots and HEAD not counted; 404 for unknown", async () => {
    const { sender, server, get } = await world();
    const result = await sender.requester.request({ phone: PHONE, orderId: "A-1" });
    expect(result.outcomes[0]).toMatchObject({ status: "sent" });
    const text = sender.sms.sent[0]?.text as string;
    const match = /https:\/\/cafe\.ru\/r\/([^\s/]+)$/.exec(text);
    const token = match?.[1] as string;
    expect(token.length).toBeLessThanOrEqual(8);
    expect(token).toMatch(/^[A-Za-z0-9_-]{8}$/);
    expect(smsSegments(text).segments).toBe(1);

    const bot = await get(`/r/${token}`, { headers: { "user-agent": TELEGRAM_BOT } });
    expect(bot.status).toBe(302);
    expect(bot.headers.get("location")).toBe(YANDEX);
    const head = await get(`/r/${token}`, { method: "HEAD", headers: { "user-agent": IPHONE } });
    expect(head.status).toBe(302);
    expect(head.headers.get("location")).toBe(YANDEX);
    expect(server.reports.clicked).toEqual([]);

    const first = await get(`/r/${token}`, { headers: { "user-agent": IPHONE } });
    expect(first.status).toBe(302);
    expect(first.headers.get("location")).toBe(YANDEX);
    expect(first.headers.get("cache-control")).toBe("no-store");
    expect(first.headers.get("referrer-policy")).toBe("no-referrer");
    await until(() => server.reports.clicked.length === 1);
    expect(server.reports.clicked).toEqual([
      expect.objectContaining({ status: "clicked", token, channel: "sms", userAgent: "mobile" }),
    ]);

    const second = await get(`/r/${token}`, { headers: { "user-agent": IPHONE } });
    expect(second.status).toBe(302);
    expect(second.headers.get("location")).toBe(YANDEX);
    await expect(sender.requester.stats({ since: NOON })).resolves.toMatchObject({
      sent: 1,
      clicked: 1,
      clicks: 2,
    });
    expect(server.reports.clicked).toHaveLength(1);
    expect(sender.reports.clicked).toHaveLength(0);

    const unknown = await get("/r/AbCd12_-", { headers: { "user-agent": IPHONE } });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(unknown.headers.get("cache-control")).toBe("no-store");
    expect(await unknown.text()).toContain("Ссылка не найдена");
    expect(unknown.headers.get("location")).toBeNull();
  });

  it("the redirect target is only ever the stored URL; the token never comes from the query", async () => {
    const { sender, get } = await world();
    await sender.requester.request({ phone: PHONE, orderId: "A-1" });
    const token = tokenOf(sender.sms.sent[0]?.text ?? "");
    const hostile: [string, RequestInit][] = [
      [
        `/r/${token}?url=https://evil.example/&next=//evil.example&redirect=https://evil.example`,
        {},
      ],
      [`/r/${token}#https://evil.example`, {}],
      [`/r/${token}`, { headers: { host: "evil.example", "x-forwarded-host": "evil.example" } }],
      [`/r/${token}`, { headers: { referer: "https://evil.example/", "x-original-url": "/x" } }],
    ];
    for (const [path, init] of hostile) {
      const response = await get(path, init);
      expect(response.status, path).toBe(302);
      expect(response.headers.get("location"), path).toBe(YANDEX);
    }
    for (const path of [
      `/r/?token=${token}`,
      `/r/?t=${token}&url=https://evil.example`,
      "/r/%2F%2Fevil.example",
      "/r/https:%2F%2Fevil.example",
      `/r/${token}x`,
      `/r/${token.slice(0, 7)}`,
      `/r/${encodeURIComponent("ÄbCd12_-")}`,
    ]) {
      const response = await get(path);
      expect(response.status, path).toBe(404);
      expect(response.headers.get("location"), path).toBeNull();
    }
    for (const method of ["POST", "PUT", "DELETE", "PATCH"]) {
      const response = await get(`/r/${token}`, { method, body: method === "DELETE" ? null : "x" });
      expect(response.status, method).toBe(405);
      expect(response.headers.get("allow")).toBe("GET, HEAD");
    }
  });
});

describe("on Redis, the keys", () => {
  it("of a link, its clicks and the funnel hold no phone and no order id", async () => {
    const client = new Redis(redis.url);
    clients.push(client);
    const prefix = "layout";
    const made = linksRequester({ store: redisStore({ client, prefix }) });
    requesters.push(made.requester);
    await made.requester.request({ phone: PHONE, orderId: "ORDER-4242" });
    const token = tokenOf(made.sms.sent[0]?.text ?? "");
    const link = await made.requester.followLink(token, { method: "GET", userAgent: IPHONE });
    if (link.found) await link.done;
    const keys = (await client.keys(`${prefix}:*`)).sort();
    const day = "2026-03-14"; // the requester's clock: NOON
    const ours = keys.filter((k) => /^layout:(link|click|clicks|stats):/.test(k));
    expect(ours).toEqual(
      [
        `layout:click:${token}`,
        `layout:clicks:${token}`,
        `layout:link:${token}`,
        `layout:stats:default:${day}:clicked`,
        `layout:stats:default:${day}:clicks`,
        `layout:stats:default:${day}:sent`,
      ].sort(),
    );
    for (const key of ours) {
      const value = (await client.get(key)) ?? "";
      for (const secret of ["9161234567", "ORDER-4242"]) {
        expect(key).not.toContain(secret);
        expect(value).not.toContain(secret);
      }
    }
    expect(JSON.parse((await client.get(`layout:click:${token}`)) ?? "{}")).toEqual({
      at: expect.any(Number),
      ua: "mobile",
    });
    expect(await client.pttl(`layout:link:${token}`)).toBeGreaterThan(89 * 86_400_000);
  });
});

/** Waits until `done()` holds (a hook runs right after the answer in Express). */
async function until(done: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
