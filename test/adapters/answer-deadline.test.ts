/**
 * Issue 9 item 5, "the answer can be late", over real HTTP on loopback: whatever the mode, the
 * handler answers within `answerTimeoutMs` of having the body — 200 once every event is claimed
 * (the sends go on after the answer), 503 with `Retry-After` when claiming did not finish; what is
 * claimed after that 503 is still sent, and the POS's retry finds it a duplicate: exactly once.
 * Timing bounds are generous (the deadline plus 2 s): the machine may be loaded.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { ReviewRequester } from "../../src/requester/types.js";
import { memoryStore } from "../../src/stores/memory.js";
import type { Store } from "../../src/stores/types.js";
import type { RunningServer } from "../helpers/http.js";
import {
  allTargets,
  bodies,
  deferred,
  fetchPlain,
  gatedSms,
  KEY,
  makeRequester,
  post,
  settle,
  smsPhones,
  smsSent,
  UNAVAILABLE,
  until,
  useFakes,
} from "./world.js";

useFakes();

const IIKO_ID = "9e3b7c1a-5f42-4d8e-b6a0-2c71f9d4e805";
const ACCEPTED = { ok: true, events: [{ id: IIKO_ID, status: "accepted", reason: null }] };
const DUPLICATE = {
  ok: true,
  events: [
    {
      id: IIKO_ID,
      status: "skipped",
      reason: "duplicate",
      detail: "a review request for this order was already handled",
    },
  ],
};
const SLACK_MS = 2_000;

/**
 * A memory store (base methods only) whose first `claim` waits until `release()`: before it
 * reaches the data, or (`after`) once it has written the claim — a store whose answer is late.
 */
function hangingStore(when: "before" | "after" = "before") {
  const inner = memoryStore();
  const gate = deferred();
  const entered = deferred();
  const state = { claims: 0, deletes: 0 };
  const store: Store = {
    name: "hanging",
    async claim(key, value, ttl) {
      state.claims += 1;
      if (state.claims !== 1) return inner.claim(key, value, ttl);
      entered.resolve();
      if (when === "before") await gate.promise;
      const won = await inner.claim(key, value, ttl);
      if (when === "after") await gate.promise;
      return won;
    },
    get: (key) => inner.get(key),
    set: (key, value, ttl) => inner.set(key, value, ttl),
    async delete(key) {
      state.deletes += 1;
      return inner.delete(key);
    },
  };
  return { store, state, release: () => gate.resolve(), entered: entered.promise };
}

/** `post()` and how long it took. */
async function timedPost(server: RunningServer, body: string) {
  const started = Date.now();
  const res = await post(server, "iiko", body);
  return { res, ms: Date.now() - started };
}

describe.each(allTargets)("answerTimeoutMs: $name", (target) => {
  let server: RunningServer | null = null;
  let requester: ReviewRequester | null = null;
  afterEach(async () => {
    await server?.close();
    await requester?.close({ timeoutMs: 2_000 });
    server = null;
    requester = null;
  });

  it("a store that hangs on claim → 503 with Retry-After by the deadline; the retry sends exactly once", {
    timeout: 15_000,
  }, async () => {
    const hanging = hangingStore();
    const logged: string[] = [];
    requester = makeRequester({ store: hanging.store });
    server = await target.start(requester, {
      answerTimeoutMs: 300,
      logger: { warn: (m) => logged.push(m), error: (m) => logged.push(m) },
    });
    const { res, ms } = await timedPost(server, bodies.iiko);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("30");
    expect(res.json).toEqual(UNAVAILABLE);
    expect(ms).toBeLessThan(300 + SLACK_MS);
    expect(logged).toEqual([
      "the events were not claimed within answerTimeoutMs (300 ms); answered 503 so the sender retries",
    ]);

    // The claim goes through after the 503: accept() sends it all the same (never gives it back).
    hanging.release();
    await until(() => smsSent().length === 1);
    const retry = await post(server, "iiko", bodies.iiko);
    expect(retry.status).toBe(200);
    expect(retry.json).toEqual(DUPLICATE);
    await settle();
    expect(smsPhones()).toEqual(["79161234567"]);
    expect(hanging.state.deletes).toBe(0);
  });

  it("a claim written but answered late (a Redis restart): 503, the retry finds a duplicate, and the order is still sent once", {
    timeout: 15_000,
  }, async () => {
    const hanging = hangingStore("after");
    requester = makeRequester({ store: hanging.store });
    server = await target.start(requester, { answerTimeoutMs: 300, logger: {} });
    const { res } = await timedPost(server, bodies.iiko);
    expect(res.status).toBe(503);
    // The POS retries while the first claim's answer is still on its way: a duplicate, so it
    // stops retrying. Giving the claim back afterwards would lose the order.
    const retry = await post(server, "iiko", bodies.iiko);
    expect(retry.status).toBe(200);
    expect(retry.json).toEqual(DUPLICATE);
    hanging.release();
    await until(() => smsSent().length === 1);
    await settle();
    expect(smsPhones()).toEqual(["79161234567"]);
  });

  it('respond: "sent" with a hung provider → 200 with the claimed events by the deadline; the send completes later', {
    timeout: 15_000,
  }, async () => {
    const gated = gatedSms();
    requester = makeRequester({ channels: [{ type: "sms", client: gated.client }] });
    server = await target.start(requester, { respond: "sent", answerTimeoutMs: 300 });
    const { res, ms } = await timedPost(server, bodies.iiko);
    expect(res.status).toBe(200);
    expect(res.json).toEqual(ACCEPTED);
    expect(ms).toBeLessThan(300 + SLACK_MS);
    await gated.started;
    expect(smsSent()).toHaveLength(0);
    gated.release();
    await until(() => smsSent().length === 1);
    expect(smsPhones()).toEqual(["79161234567"]);
  });

  it("a resolveTenant that hangs → 503 by the deadline, before the body is read", {
    timeout: 15_000,
  }, async () => {
    const never = new Promise<null>(() => {});
    requester = makeRequester({
      keys: undefined,
      business: undefined,
      reviewUrl: undefined,
      amocrm: undefined,
      resolveTenant: () => never,
    });
    server = await target.start(requester, { answerTimeoutMs: 300, logger: { warn() {} } });
    const { res, ms } = await timedPost(server, bodies.iiko);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("30");
    expect(ms).toBeLessThan(300 + SLACK_MS);
  });
});

describe("answerTimeoutMs: the Fetch handler without waitUntil", () => {
  let server: RunningServer | null = null;
  let requester: ReviewRequester | null = null;
  afterEach(async () => {
    await server?.close();
    await requester?.close({ timeoutMs: 2_000 });
    server = null;
    requester = null;
  });

  it("a hung provider → 200 (accepted) by the default 1,500 ms, and the send completes later", {
    timeout: 15_000,
  }, async () => {
    const gated = gatedSms();
    requester = makeRequester({ channels: [{ type: "sms", client: gated.client }] });
    server = await fetchPlain.start(requester);
    const { res, ms } = await timedPost(server, bodies.iiko);
    expect(res.status).toBe(200);
    expect(res.json).toEqual(ACCEPTED);
    // It waited for the send (no waitUntil), but only up to the deadline.
    expect(ms).toBeGreaterThanOrEqual(1_400);
    expect(ms).toBeLessThan(1_500 + SLACK_MS);
    expect(smsSent()).toHaveLength(0);
    gated.release();
    await until(() => smsSent().length === 1);
  });

  it("a send that finishes in time is still awaited: the answer comes after it", async () => {
    requester = makeRequester();
    server = await fetchPlain.start(requester, { answerTimeoutMs: 10_000 });
    const res = await post(server, "iiko", bodies.iiko);
    expect(res.json).toEqual(ACCEPTED);
    expect(smsSent()).toHaveLength(1);
  });
});

describe("requester.accept() with a signal (what the adapters pass)", () => {
  it("aborted while claiming: throws a retryable timeout, still sends what it claimed once; a later accept is a duplicate", async () => {
    const hanging = hangingStore();
    const requester = makeRequester({ store: hanging.store });
    const abandon = new AbortController();
    const pending = requester.accept("iiko", JSON.parse(bodies.iiko), {
      key: KEY,
      signal: abandon.signal,
    });
    await hanging.entered;
    abandon.abort();
    hanging.release();
    await expect(pending).rejects.toMatchObject({
      code: "timeout",
      category: "retryable",
      retryable: true,
    });
    await until(() => smsSent().length === 1);
    expect(hanging.state.deletes).toBe(0);

    const again = await requester.accept("iiko", JSON.parse(bodies.iiko), { key: KEY });
    // accept() itself gives the reason only; the HTTP answer adds the short detail.
    expect(again.events).toEqual([{ id: IIKO_ID, status: "skipped", reason: "duplicate" }]);
    await requester.close();
    expect(smsSent()).toHaveLength(1);
  });

  it("already aborted: claims nothing", async () => {
    const hanging = hangingStore();
    hanging.release();
    const requester = makeRequester({ store: hanging.store });
    await expect(
      requester.accept("iiko", JSON.parse(bodies.iiko), { key: KEY, signal: AbortSignal.abort() }),
    ).rejects.toMatchObject({ code: "timeout" });
    expect(hanging.state.claims).toBe(0);
    await requester.close();
  });

  it("requester.authenticate(key): true for a webhook key, false (and a warning) for another or none", async () => {
    const warned: string[] = [];
    const requester = makeRequester({ logger: { warn: (m) => warned.push(m) } });
    expect(await requester.authenticate(KEY)).toBe(true);
    expect(warned).toEqual([]);
    expect(await requester.authenticate(`${KEY}x`)).toBe(false);
    expect(await requester.authenticate("")).toBe(false);
    expect(await requester.authenticate(null)).toBe(false);
    expect(warned).toEqual(
      Array.from({ length: 3 }, () => "webhook rejected: missing or unknown key"),
    );
    await requester.close();
  });
});
