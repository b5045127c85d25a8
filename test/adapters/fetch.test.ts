import { afterEach, describe, expect, it } from "vitest";
import { createFetchHandler } from "../../src/adapters/fetch.js";
import type { ReviewRequester } from "../../src/requester/types.js";
import { type RunningServer, startFetch } from "../helpers/http.js";
import { adapterContract } from "./contract.js";
import {
  bodies,
  deferred,
  fetchPlain,
  fetchWaitUntil,
  gatedSms,
  JSON_TYPE,
  KEY,
  makeRequester,
  post,
  settle,
  smsSent,
  useFakes,
} from "./world.js";

useFakes();

const IIKO_EVENT = { id: "9e3b7c1a-5f42-4d8e-b6a0-2c71f9d4e805", status: "accepted", reason: null };

describe("otzovik/fetch over real HTTP", () => {
  adapterContract(fetchPlain);
  adapterContract(fetchWaitUntil);

  describe("Fetch specifics: when the sends run", () => {
    let server: RunningServer | null = null;
    let requester: ReviewRequester | null = null;
    afterEach(async () => {
      await server?.close();
      await requester?.close();
      server = null;
      requester = null;
    });

    it("without waitUntil: awaits the sends before answering", async () => {
      const gated = gatedSms();
      requester = makeRequester({ channels: [{ type: "sms", client: gated.client }] });
      server = await startFetch(requester);
      let answered = false;
      const pending = post(server, "iiko", bodies.iiko).then((res) => {
        answered = true;
        return res;
      });
      await gated.started;
      await settle();
      expect(answered).toBe(false);
      gated.release();
      const res = await pending;
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ ok: true, events: [IIKO_EVENT] });
      // Already sent when the answer arrived.
      expect(smsSent()).toHaveLength(1);
    });

    it.each([
      ["options.waitUntil", "options"],
      ["a per-request ctx.waitUntil", "context"],
    ] as const)(
      "with %s: answers first, the send runs in the promise handed over",
      async (_name, where) => {
        const gated = gatedSms();
        const handed: Promise<unknown>[] = [];
        const waitUntil = (p: Promise<unknown>) => {
          handed.push(p);
        };
        requester = makeRequester({ channels: [{ type: "sms", client: gated.client }] });
        server = await startFetch(
          requester,
          where === "options" ? { waitUntil } : {},
          where === "context" ? () => ({ waitUntil }) : undefined,
        );
        const res = await post(server, "iiko", bodies.iiko);
        expect(res.status).toBe(200);
        expect(res.json).toEqual({ ok: true, events: [IIKO_EVENT] });
        expect(handed).toHaveLength(1);
        await gated.started;
        expect(smsSent()).toHaveLength(0);
        gated.release();
        await handed[0];
        expect(smsSent()).toHaveLength(1);
      },
    );

    it("a per-request ctx.waitUntil wins over options.waitUntil", async () => {
      requester = makeRequester();
      const fromOptions: Promise<unknown>[] = [];
      const fromContext: Promise<unknown>[] = [];
      server = await startFetch(requester, { waitUntil: (p) => fromOptions.push(p) }, () => ({
        waitUntil: (p) => fromContext.push(p),
      }));
      expect((await post(server, "iiko", bodies.iiko)).status).toBe(200);
      expect(fromOptions).toHaveLength(0);
      expect(fromContext).toHaveLength(1);
      await fromContext[0];
      expect(smsSent()).toHaveLength(1);
    });

    it("nothing is handed to waitUntil for answers without sends (401, 400, ignored events)", async () => {
      requester = makeRequester();
      const handed: Promise<unknown>[] = [];
      server = await startFetch(requester, { waitUntil: (p) => handed.push(p) });
      expect((await post(server, "iiko", bodies.iiko, { query: "?key=nope" })).status).toBe(401);
      expect(
        (await post(server, "iiko", "nope", { headers: { "content-type": "text/plain" } })).status,
      ).toBe(400);
      expect(handed).toHaveLength(0);
    });

    it("called directly with a Request (as Next.js does), source from options", async () => {
      requester = makeRequester();
      const handler = createFetchHandler(requester, { source: "yclients" });
      const response = await handler(
        new Request(`https://shop.example/api/hook?key=${KEY}`, {
          method: "POST",
          headers: JSON_TYPE,
          body: bodies.yclients,
        }),
      );
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        ok: true,
        events: [{ id: "596792980", status: "accepted", reason: null }],
      });
      expect(smsSent()).toHaveLength(1);
    });

    it("a body stream that errors mid-way (client gone) → 400, not a 5xx or a crash", async () => {
      requester = makeRequester();
      const logged: string[] = [];
      const handler = createFetchHandler(requester, {
        logger: { warn: (m) => logged.push(`warn ${m}`), error: (m) => logged.push(`error ${m}`) },
      });
      const failed = deferred();
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('[{"eventType":'));
          void failed.promise.then(() => controller.error(new Error("aborted")));
        },
      });
      const pending = handler(
        new Request(`http://127.0.0.1/api/webhook/iiko?key=${KEY}`, {
          method: "POST",
          headers: JSON_TYPE,
          body,
          duplex: "half",
        } as RequestInit),
      );
      failed.resolve();
      const response = await pending;
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        ok: false,
        error: "the body was not received completely",
      });
      expect(logged).toEqual([
        "warn the client closed the connection before sending the whole body",
      ]);
      expect(smsSent()).toHaveLength(0);
    });
  });
});
