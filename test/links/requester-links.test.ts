/**
 * Issue 14 at the requester: `links` turns `{reviewUrl}` into a short link made once per order
 * (kept in the job, so retries and another process's run use the same one), `followLink()`
 * resolves it (counting the first real click once), `stats()` sums the funnel per UTC day, and
 * without `links` nothing changes.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, ProviderError } from "../../src/core/errors.js";
import type { SmsSender } from "../../src/providers/types.js";
import { createReviewRequester } from "../../src/requester/requester.js";
import type { FollowedLink, LinkFound, ReviewRequester } from "../../src/requester/types.js";
import type { ScheduledJob } from "../../src/schedulers/types.js";
import { memoryStore } from "../../src/stores/memory.js";
import type { Store } from "../../src/stores/types.js";
import { manualScheduler } from "../helpers/manual-scheduler.js";
import {
  clock,
  GOOGLE,
  HASH_SECRET,
  IPHONE,
  KEY,
  linksRequester,
  NOON,
  PHONE,
  TELEGRAM_BOT,
  TWOGIS,
  textSms,
  tokenOf,
  YANDEX,
} from "./world.js";

const open: ReviewRequester[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((r) => r.close({ timeoutMs: 1_000 })));
});
function keep<T extends { requester: ReviewRequester }>(made: T): T {
  open.push(made.requester);
  return made;
}

function found(link: FollowedLink): LinkFound {
  if (!link.found) throw new Error("link not found");
  return link;
}

/** A store that records every key and value written. */
function recordingStore(inner: Store = memoryStore()) {
  const written: string[] = [];
  const store: Store = {
    name: "recording",
    claim: (k, v, t) => {
      written.push(k, v);
      return inner.claim(k, v, t);
    },
    get: (k) => inner.get(k),
    set: (k, v, t) => {
      written.push(k, v);
      return inner.set(k, v, t);
    },
    delete: (k) => inner.delete(k),
    batch: (steps, receipt) => {
      for (const s of steps) written.push(s.key, "value" in s ? s.value : "");
      return (inner.batch as NonNullable<Store["batch"]>)(steps, receipt);
    },
  };
  return { store, written };
}

describe("without links", () => {
  it("sends the message byte for byte as before and writes no link, click or stats key", async () => {
    const { store, written } = recordingStore();
    const sms = textSms();
    const requester = createReviewRequester({
      keys: KEY,
      business: "Кофейня «Зерно»",
      reviewUrl: YANDEX,
      reviewUrls: [TWOGIS],
      channels: [{ type: "sms", client: sms.client }],
      store,
      hashSecret: HASH_SECRET,
      quietHours: false,
      now: () => NOON,
      logger: { warn: () => {} },
    });
    open.push(requester);
    const result = await requester.request({ phone: PHONE, orderId: "A-1" });
    expect(result.outcomes[0]).toEqual({
      status: "sent",
      tenantId: "default",
      source: "direct",
      orderId: "A-1",
      phone: PHONE,
      channel: "sms",
      provider: "sms.ru",
      messageId: "m1",
      dryRun: false,
    });
    expect(result.outcomes[0]).not.toHaveProperty("link");
    expect(sms.sent.map((s) => s.text)).toEqual([
      `Кофейня «Зерно»: спасибо! Оставьте отзыв: ${YANDEX}`,
    ]);
    const keys = written.filter((_, i) => i % 2 === 0);
    expect(keys.filter((k) => /:(link|click|clicks|stats):/.test(k))).toEqual([]);
    await expect(requester.stats({ since: NOON })).rejects.toThrow(
      "stats() needs the `links` option",
    );
    await expect(
      requester.followLink("AbCd12_-", { method: "GET", userAgent: IPHONE }),
    ).resolves.toEqual({ found: false });
  });
});

describe("with links", () => {
  it("puts an 8-character token on the base URL in the default message and reports the link", async () => {
    const { requester, reports, sms } = keep(linksRequester());
    const result = await requester.request({ phone: PHONE, orderId: "A-1" });
    const text = sms.sent[0]?.text as string;
    const token = tokenOf(text);
    expect(text).toBe(`Кофейня «Зерно»: спасибо! Отзыв: https://cafe.ru/r/${token}`);
    expect(result.outcomes[0]).toMatchObject({
      status: "sent",
      link: `https://cafe.ru/r/${token}`,
    });
    expect(reports.sent[0]?.link).toBe(`https://cafe.ru/r/${token}`);
  });

  it("makes a new random token per order, and none for a duplicate", async () => {
    const { requester, sms } = keep(linksRequester());
    await requester.request({ phone: PHONE, orderId: "A-1" });
    await requester.request({ phone: "+79161234568", orderId: "A-2" });
    const again = await requester.request({ phone: "+79161234568", orderId: "A-2" });
    expect(again.outcomes[0]).toMatchObject({ status: "skipped", reason: "duplicate" });
    expect(sms.sent).toHaveLength(2);
    const [a, b] = sms.sent.map((s) => tokenOf(s.text));
    expect(a).not.toBe(b);
  });

  it("stores no phone, order id or tenant in the link's key, and no phone or order id in its value", async () => {
    const { store, written } = recordingStore();
    const { requester, sms } = keep(linksRequester({ store, extra: { tenantId: "cafe-42" } }));
    await requester.request({ phone: PHONE, orderId: "ORDER-777" });
    const token = tokenOf(sms.sent[0]?.text as string);
    const linkKey = written.find((w) => w.startsWith("otzovik:link:"));
    expect(linkKey).toBe(`otzovik:link:${token}`);
    const value = JSON.parse(written[written.indexOf(linkKey as string) + 1] as string);
    expect(Object.keys(value).sort()).toEqual(
      ["at", "business", "channel", "exp", "order", "tenant", "urls"].sort(),
    );
    expect(value).toMatchObject({
      tenant: "cafe-42",
      channel: null,
      urls: [YANDEX],
      at: NOON,
      exp: NOON + 90 * 86_400_000,
    });
    expect(value.order).toMatch(/^[0-9a-f]{32}$/);
    const everything = written.join("\n");
    expect(everything).not.toContain("9161234567");
    for (const w of written.filter((x) => /:(link|click|clicks|stats):/.test(x)))
      expect(w).not.toContain("ORDER-777");
    // After the send the link knows its channel.
    const link = found(await requester.followLink(token, { method: "HEAD", userAgent: null }));
    expect(link.location).toBe(YANDEX);
  });

  it("redirects a GET to the stored URL, reporting `clicked` once; later clicks count without a report", async () => {
    const time = clock();
    const { requester, reports, sms } = keep(linksRequester({ now: time.now }));
    await requester.request({ phone: PHONE, orderId: "A-1" });
    const token = tokenOf(sms.sent[0]?.text as string);
    time.advance(3_600_000);
    const first = found(await requester.followLink(token, { method: "GET", userAgent: IPHONE }));
    expect(first).toMatchObject({
      found: true,
      location: YANDEX,
      destinations: [{ name: "Яндекс Карты", url: YANDEX }],
      business: "Кофейня «Зерно»",
      counted: true,
    });
    const clicked = await first.done;
    expect(clicked).toEqual({
      status: "clicked",
      tenantId: "default",
      token,
      order: expect.stringMatching(/^[0-9a-f]{32}$/),
      channel: "sms",
      userAgent: "mobile",
      at: new Date(NOON + 3_600_000).toISOString(),
      sentAt: new Date(NOON).toISOString(),
    });
    const second = found(await requester.followLink(token, { method: "GET", userAgent: IPHONE }));
    expect(second.counted).toBe(true);
    await expect(second.done).resolves.toBeNull();
    expect(reports.clicked).toEqual([clicked]);
    const line = reports.lines.filter((l) => l.startsWith("info review link clicked"));
    expect(line).toEqual([
      `info review link clicked ${JSON.stringify({ tenant: "default", channel: "sms", userAgent: "mobile", order: clicked?.order })}`,
    ]);
    await expect(requester.stats({ since: NOON })).resolves.toEqual({
      tenantId: "default",
      since: "2026-03-14T00:00:00.000Z",
      days: 1,
      sent: 1,
      delivered: 0,
      clicked: 1,
      clicks: 2,
    });
  });

  it("answers HEAD and preview bots without counting", async () => {
    const { requester, reports, sms } = keep(linksRequester());
    await requester.request({ phone: PHONE, orderId: "A-1" });
    const token = tokenOf(sms.sent[0]?.text as string);
    for (const visit of [
      { method: "HEAD", userAgent: IPHONE },
      { method: "GET", userAgent: TELEGRAM_BOT },
      { method: "GET", userAgent: "WhatsApp/2.23.20.0 A" },
      { method: "GET", userAgent: "facebookexternalhit/1.1 Facebot Twitterbot/1.0" },
    ]) {
      const link = found(await requester.followLink(token, visit));
      expect(link.location, visit.userAgent).toBe(YANDEX);
      expect(link.counted, visit.userAgent).toBe(false);
      await expect(link.done).resolves.toBeNull();
    }
    expect(reports.clicked).toEqual([]);
    await expect(requester.stats({ since: NOON })).resolves.toMatchObject({
      clicked: 0,
      clicks: 0,
    });
  });

  it("finds nothing for malformed tokens without reading the store, and for unknown ones", async () => {
    const gets: string[] = [];
    const inner = memoryStore();
    const store: Store = {
      ...inner,
      name: "spy",
      get: (k) => {
        gets.push(k);
        return inner.get(k);
      },
    };
    const { requester } = keep(linksRequester({ store }));
    for (const bad of [
      "",
      "abc",
      "AbCd12_-9",
      "AbCd12_=",
      "AbCd%2F2",
      "../../x",
      "x".repeat(10_000),
    ])
      await expect(
        requester.followLink(bad, { method: "GET", userAgent: IPHONE }),
      ).resolves.toEqual({
        found: false,
      });
    expect(gets).toEqual([]);
    await expect(
      requester.followLink("AbCd12_-", { method: "GET", userAgent: IPHONE }),
    ).resolves.toEqual({ found: false });
    expect(gets).toEqual(["otzovik:link:AbCd12_-"]);
  });

  it("stops working after links.ttlMs (default 90 days)", async () => {
    const time = clock();
    const store = memoryStore({ now: time.now });
    const { requester, sms } = keep(linksRequester({ store, now: time.now }));
    await requester.request({ phone: PHONE, orderId: "A-1" });
    const token = tokenOf(sms.sent[0]?.text as string);
    time.advance(90 * 86_400_000 - 1);
    expect((await requester.followLink(token, { method: "GET", userAgent: IPHONE })).found).toBe(
      true,
    );
    time.advance(1);
    await expect(
      requester.followLink(token, { method: "GET", userAgent: IPHONE }),
    ).resolves.toEqual({ found: false });
  });

  it("keeps the token through a retry: one order, one link", async () => {
    const { scheduler, jobs, run } = manualScheduler();
    let calls = 0;
    const texts: string[] = [];
    const flaky: SmsSender = {
      provider: "sms.ru",
      async sendSms(to, text) {
        texts.push(text);
        if (++calls === 1)
          throw new ProviderError("SMS.ru is down", {
            provider: "sms.ru",
            code: "http_503",
            category: "retryable",
          });
        return { provider: "sms.ru", channel: "sms", messageId: "m1", to, dryRun: false };
      },
    };
    const { requester } = keep(linksRequester({ sms: flaky, extra: { scheduler } }));
    const first = await requester.request({ phone: PHONE, orderId: "A-1" });
    expect(first.outcomes[0]).toMatchObject({ status: "failed", willRetry: true });
    expect(jobs).toHaveLength(1);
    await run(jobs[0] as ScheduledJob);
    expect(texts).toHaveLength(2);
    expect(tokenOf(texts[1] as string)).toBe(tokenOf(texts[0] as string));
  });

  it("makes the token when the order is claimed: a job scheduled here and run by another process sends that link", async () => {
    const shared = memoryStore();
    const here = manualScheduler({ runsJobs: false });
    const there = manualScheduler();
    const a = keep(
      linksRequester({ store: shared, extra: { scheduler: here.scheduler, delayMs: 3_600_000 } }),
    );
    const b = keep(linksRequester({ store: shared, extra: { scheduler: there.scheduler } }));
    const scheduled = await a.requester.request({ phone: PHONE, orderId: "A-1" });
    expect(scheduled.outcomes[0]).toMatchObject({ status: "scheduled" });
    const job = JSON.parse(JSON.stringify(here.jobs[0])) as ScheduledJob;
    const token = (job.data as { link?: string }).link as string;
    expect(token).toMatch(/^[A-Za-z0-9_-]{8}$/);
    await there.run(job);
    expect(b.sms.sent.map((s) => s.text)).toEqual([
      `Кофейня «Зерно»: спасибо! Отзыв: https://cafe.ru/r/${token}`,
    ]);
    // The first process resolves the link the second one sent: the store is the only thing shared.
    expect(
      found(await a.requester.followLink(token, { method: "GET", userAgent: IPHONE })).location,
    ).toBe(YANDEX);
  });

  it("reports the first click exactly once when two processes are clicked at once", async () => {
    const shared = memoryStore();
    const a = keep(linksRequester({ store: shared }));
    const b = keep(linksRequester({ store: shared }));
    await a.requester.request({ phone: PHONE, orderId: "A-1" });
    const token = tokenOf(a.sms.sent[0]?.text as string);
    const visits = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? a : b).requester.followLink(token, { method: "GET", userAgent: IPHONE }),
      ),
    );
    const outcomes = await Promise.all(visits.map((v) => (v.found ? v.done : null)));
    expect(outcomes.filter((o) => o !== null)).toHaveLength(1);
    expect(a.reports.clicked.length + b.reports.clicked.length).toBe(1);
    await expect(a.requester.stats({ since: NOON })).resolves.toMatchObject({
      clicked: 1,
      clicks: 20,
    });
  });

  it("shows a chooser of the tenant's reviewUrls, named by site; the page view is the click", async () => {
    const { requester, reports, sms } = keep(
      linksRequester({ extra: { reviewUrls: [TWOGIS, GOOGLE, YANDEX] } }),
    );
    await requester.request({ phone: PHONE, orderId: "A-1" });
    const token = tokenOf(sms.sent[0]?.text as string);
    const link = found(await requester.followLink(token, { method: "GET", userAgent: IPHONE }));
    expect(link.location).toBeNull();
    expect(link.destinations).toEqual([
      { name: "Яндекс Карты", url: YANDEX },
      { name: "2ГИС", url: TWOGIS },
      { name: "Google", url: GOOGLE },
    ]);
    await link.done;
    expect(reports.clicked).toHaveLength(1);
  });

  it("uses a resolveTenant tenant's reviewUrls and refuses a non-http(s) one, naming it", async () => {
    const sms = textSms();
    const tenants: Record<string, object> = {
      good: { id: "good", business: "Салон", reviewUrl: YANDEX, reviewUrls: [TWOGIS] },
      bad: { id: "bad", business: "Салон", reviewUrl: YANDEX, reviewUrls: ["javascript:alert(1)"] },
    };
    const requester = createReviewRequester({
      resolveTenant: (key) => (tenants[key] as never) ?? null,
      channels: [{ type: "sms", client: sms.client }],
      links: { baseUrl: "https://salon.ru/r/" },
      quietHours: false,
      logger: { info: () => {}, error: () => {} },
    });
    open.push(requester);
    await requester.request({ key: "good", phone: PHONE, orderId: "1" });
    const text = sms.sent[0]?.text as string;
    expect(text).toMatch(/^Салон: спасибо! Отзыв: https:\/\/salon\.ru\/r\/[A-Za-z0-9_-]{8}$/);
    const token = text.slice(-8);
    const link = found(await requester.followLink(token, { method: "GET", userAgent: IPHONE }));
    expect(link.destinations.map((d) => d.url)).toEqual([YANDEX, TWOGIS]);
    await expect(
      requester.stats({ key: "good", since: NOON - 86_400_000 * 500 }),
    ).resolves.toMatchObject({
      tenantId: "good",
      sent: 1,
    });
    const failed = await requester.request({ key: "bad", phone: "+79161234569", orderId: "2" });
    expect(failed.outcomes[0]).toMatchObject({ status: "failed" });
    const error = (failed.outcomes[0] as { error: Error }).error;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe(
      "[otzovik] Invalid option `tenant.reviewUrls.0`: with `links`, a review URL must be an absolute http(s) URL (the short link redirects there).",
    );
  });

  it("sums stats per UTC day from `since`, per tenant", async () => {
    const time = clock(Date.parse("2026-03-14T23:30:00Z"));
    const store = memoryStore({ now: time.now });
    const { requester, sms } = keep(linksRequester({ store, now: time.now }));
    await requester.request({ phone: PHONE, orderId: "A-1" });
    time.advance(3_600_000); // 2026-03-15T00:30Z: the next UTC day
    await requester.request({ phone: "+79161234568", orderId: "A-2" });
    const token = tokenOf(sms.sent[0]?.text as string);
    await found(await requester.followLink(token, { method: "GET", userAgent: IPHONE })).done;
    const whole = { tenantId: "default", sent: 2, delivered: 0, clicked: 1, clicks: 1 };
    await expect(requester.stats({ since: "2026-03-14T23:59:00Z" })).resolves.toEqual({
      ...whole,
      since: "2026-03-14T00:00:00.000Z",
      days: 2,
    });
    await expect(requester.stats({ since: new Date("2026-03-15T00:00:00Z") })).resolves.toEqual({
      tenantId: "default",
      since: "2026-03-15T00:00:00.000Z",
      days: 1,
      sent: 1,
      delivered: 0,
      clicked: 1,
      clicks: 1,
    });
    await expect(requester.stats({ tenantId: "other", since: 0 })).resolves.toMatchObject({
      tenantId: "other",
      days: 400,
      sent: 0,
    });
    await expect(requester.stats({ since: "yesterday" })).rejects.toThrow(
      "stats() needs `since`: a Date, a number of ms since the epoch or an ISO date string.",
    );
  });

  it("falls back to the review URL itself when the token is another order's (a collision)", async () => {
    const store = memoryStore();
    const { requester, sms, reports } = keep(linksRequester({ store }));
    const original = crypto.getRandomValues.bind(crypto);
    // Every token the same: the second order's collides with the first's.
    crypto.getRandomValues = (<T extends ArrayBufferView | null>(array: T): T => {
      if (array instanceof Uint8Array && array.length === 6) array.fill(7);
      else original(array as never);
      return array;
    }) as typeof crypto.getRandomValues;
    try {
      await requester.request({ phone: PHONE, orderId: "A-1" });
      await requester.request({ phone: "+79161234568", orderId: "A-2" });
    } finally {
      crypto.getRandomValues = original;
    }
    expect(sms.sent[0]?.text).toBe("Кофейня «Зерно»: спасибо! Отзыв: https://cafe.ru/r/BwcHBwcH");
    expect(sms.sent[1]?.text).toBe(`Кофейня «Зерно»: спасибо! Отзыв: ${YANDEX}`);
    expect(reports.sent[1]).not.toHaveProperty("link");
    expect(reports.lines.filter((l) => l.includes("collision"))).toHaveLength(1);
  });
});
