/**
 * Issue 14's link routes beyond the done-when: the chooser page over real HTTP (escaped names and
 * business, one link per stored destination), HEAD without a body, 503 when the store fails, and
 * a Fetch handler's report through `ctx.waitUntil`.
 */
import { createServer } from "node:http";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import { linkHandler } from "../../src/adapters/express.js";
import { createFetchLinkHandler } from "../../src/adapters/fetch.js";
import { ConfigError } from "../../src/core/errors.js";
import type { ReviewRequester } from "../../src/requester/types.js";
import { memoryStore } from "../../src/stores/memory.js";
import type { Store } from "../../src/stores/types.js";
import { listen, type RunningServer, startFetchServer } from "../helpers/http.js";
import { GOOGLE, IPHONE, linksRequester, PHONE, TWOGIS, tokenOf, YANDEX } from "./world.js";

const servers: RunningServer[] = [];
const requesters: ReviewRequester[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  await Promise.all(requesters.splice(0).map((r) => r.close({ timeoutMs: 1_000 })));
});

const routes = [
  {
    name: "express",
    start: (requester: ReviewRequester) => {
      const app = express();
      app.get("/r/:token", linkHandler(requester, { logger: { error: () => {} } }));
      return listen(createServer(app));
    },
  },
  {
    name: "fetch",
    start: (requester: ReviewRequester) =>
      startFetchServer(createFetchLinkHandler(requester, { logger: { error: () => {} } })),
  },
];

describe.each(routes)("link route: $name", (route) => {
  async function world(store?: Store, extra = {}) {
    const made = linksRequester({ store, extra });
    requesters.push(made.requester);
    const running = await route.start(made.requester);
    servers.push(running);
    const get = (path: string, init: RequestInit = {}) =>
      fetch(`${running.origin}${path}`, {
        redirect: "manual",
        ...init,
        headers: { "user-agent": IPHONE, ...(init.headers as object) },
      });
    return { ...made, get };
  }

  it("shows the chooser page of several destinations, names and business escaped; the view is the click", async () => {
    const { requester, sms, reports, get } = await world(undefined, {
      business: `Кафе <b>"Зерно"</b> & Co`,
      reviewUrls: [TWOGIS, GOOGLE],
    });
    await requester.request({ phone: PHONE, orderId: "A-1" });
    const token = tokenOf(sms.sent[0]?.text as string);
    const response = await get(`/r/${token}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    const html = await response.text();
    expect(html).toContain("<h1>Кафе &#60;b&#62;&#34;Зерно&#34;&#60;/b&#62; &#38; Co</h1>");
    expect(
      [...html.matchAll(/<a class="d" href="([^"]+)"[^>]*>([^<]+)<\/a>/g)].map((m) => [m[1], m[2]]),
    ).toEqual([
      [YANDEX, "Яндекс Карты"],
      [TWOGIS, "2ГИС"],
      [GOOGLE, "Google"],
    ]);
    await requester.close();
    expect(reports.clicked).toHaveLength(1);
  });

  it("answers HEAD with the status and headers and no body", async () => {
    const { requester, sms, get } = await world();
    await requester.request({ phone: PHONE, orderId: "A-1" });
    const token = tokenOf(sms.sent[0]?.text as string);
    const found = await get(`/r/${token}`, { method: "HEAD" });
    expect(found.status).toBe(302);
    expect(found.headers.get("location")).toBe(YANDEX);
    expect(await found.text()).toBe("");
    const missing = await get("/r/AbCd12_-", { method: "HEAD" });
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe("");
  });

  it("answers 503 when the store fails, never a redirect", async () => {
    const inner = memoryStore();
    let broken = false;
    const store: Store = {
      ...inner,
      name: "flaky",
      inProcess: false,
      get: (key) => (broken ? Promise.reject(new Error("connection lost")) : inner.get(key)),
    };
    const { requester, sms, get } = await world(store);
    await requester.request({ phone: PHONE, orderId: "A-1" });
    const token = tokenOf(sms.sent[0]?.text as string);
    broken = true;
    const response = await get(`/r/${token}`);
    expect(response.status).toBe(503);
    expect(response.headers.get("location")).toBeNull();
    expect(response.headers.get("retry-after")).toBe("5");
    expect(await response.text()).toBe("Service Unavailable: retry later");
  });
});

describe("createFetchLinkHandler", () => {
  it("hands the click's report to ctx.waitUntil", async () => {
    const made = linksRequester();
    requesters.push(made.requester);
    await made.requester.request({ phone: PHONE, orderId: "A-1" });
    const token = tokenOf(made.sms.sent[0]?.text as string);
    const handle = createFetchLinkHandler(made.requester);
    const waited: Promise<unknown>[] = [];
    const response = await handle(
      new Request(`https://cafe.ru/r/${token}`, { headers: { "user-agent": IPHONE } }),
      { waitUntil: (p: Promise<unknown>) => waited.push(p) },
    );
    expect(response.status).toBe(302);
    expect(waited).toHaveLength(1);
    await expect(waited[0]).resolves.toMatchObject({ status: "clicked", token });
  });

  it("refuses a waitUntil that is not a function", () => {
    expect(() =>
      createFetchLinkHandler(linksRequester().requester, { waitUntil: 1 as never }),
    ).toThrow(ConfigError);
  });
});
