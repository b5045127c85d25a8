/**
 * examples/express/server.mjs takes the providers' status webhooks at /api/status/:provider
 * (issue 11): with DEV_WHATSAPP an order goes to WhatsApp through a simulated Meta; a status
 * webhook built and signed by `otzovik/testing` the way Meta does (131047) is answered 200 and
 * printed as one line, phone masked, and the SMS fallback goes out once, also for a copy; a bad
 * signature gets 401; Meta's GET check answers the challenge. Against the sources (see
 * test/helpers/example-process.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { metaStatusPayload, signMetaStatus } from "../../src/testing/status/meta.js";
import { type ExampleProcess, startExample } from "../helpers/example-process.js";
import { rawRequest } from "../helpers/http.js";

const JSON_TYPE = { "content-type": "application/json" };

describe("the Express example's status route (DEV_WHATSAPP)", { timeout: 30_000 }, () => {
  let example: ExampleProcess;
  beforeAll(async () => {
    example = await startExample("examples/express/server.mjs", {
      env: { DEV_WHATSAPP: "true" },
    });
  }, 30_000);
  afterAll(async () => {
    if (example?.alive()) expect(await example.stop("SIGTERM")).toEqual({ code: 0, signal: null });
  });

  const smsLines = () =>
    example
      .stdout()
      .split("\n")
      .filter((line) => line.startsWith("dev   SMS to +7916***4567 "));

  it("a WhatsApp sent, then Meta's 131047: 200, one undelivered line, one SMS, for two copies; a forged one 401", async () => {
    const order = await rawRequest(example.port, {
      path: "/api/webhook/rkeeper?key=dev-key",
      headers: JSON_TYPE,
      body: JSON.stringify({
        order: { id: "W-1", status: "Выполнен", customer: { phone: "+79161234567" } },
      }),
    });
    expect(order.status).toBe(200);
    const [, messageId] = await example.waitFor(
      /^dev {3}WhatsApp to \+7916\*\*\*4567 \(not sent, simulated Meta\) (wamid\.DEV-\d+): /m,
    );
    // The simulated Meta prints its line before it answers: the status may only be posted once
    // the send is recorded, as Meta's own webhook follows its answer.
    await example.waitFor(/^info {2}review request sent {2}.*orderId=W-1 .*channel=whatsapp/m);
    const body = JSON.stringify(
      metaStatusPayload({
        messageId: messageId as string,
        status: "failed",
        errorCode: 131047,
        recipient: "+79161234567",
      }),
    );
    const forged = await rawRequest(example.port, {
      path: "/api/status/meta",
      headers: { ...JSON_TYPE, "x-hub-signature-256": await signMetaStatus(body, "wrong") },
      body,
    });
    expect(forged.status).toBe(401);
    const signature = await signMetaStatus(body, "dev-app-secret");
    for (const path of ["/api/status/meta", "/api/status/whatsapp"]) {
      const answer = await rawRequest(example.port, {
        path,
        headers: { ...JSON_TYPE, "x-hub-signature-256": signature },
        body,
      });
      expect(answer.status).toBe(200);
    }
    await example.waitFor(/^dev {3}SMS to \+7916\*\*\*4567 /m);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const undelivered = example
      .stdout()
      .split("\n")
      .filter((line) => line.startsWith("warn  review request undelivered"));
    expect(undelivered).toHaveLength(1);
    expect(undelivered[0]).toMatch(
      /^warn {2}review request undelivered {2}tenant=default source=rkeeper orderId=W-1 phone=\+7916\*\*\*4567 channel=whatsapp provider=meta code=131047 .*fallback=true$/,
    );
    expect(smsLines()).toHaveLength(1);
    expect(example.stdout()).not.toMatch(/79161234567/);
  });

  it("Meta's GET subscription check answers the challenge with the dev verify token, 403 otherwise", async () => {
    const check = (token: string) =>
      rawRequest(example.port, {
        method: "GET",
        path: `/api/status/meta?hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=987`,
      });
    const ok = await check("dev-verify-token");
    expect([ok.status, ok.body]).toEqual([200, "987"]);
    expect((await check("nope")).status).toBe(403);
  });
});
