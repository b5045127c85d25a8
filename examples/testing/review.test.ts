import { setupServer } from "msw/node";
import { createReviewRequester, createSmsRuClient } from "otzovik";
import { createFetchHandler } from "otzovik/fetch";
import {
  createFakeSmsRu,
  fixtures,
  iikoDeliveryOrderUpdate,
  webhookRequest,
} from "otzovik/testing";
import { afterAll, afterEach, beforeAll, expect, it, vi } from "vitest";

// A fake SMS.ru: msw answers https://sms.ru/… as SMS.ru would, and remembers what it accepted.
const smsRu = createFakeSmsRu({ apiKey: "test-sms-key" });
const server = setupServer(...smsRu.handlers);
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => {
  smsRu.reset();
  vi.useRealTimers();
});
afterAll(() => server.close());

// Noon in Moscow. The default quiet hours (21:00–10:00, Europe/Moscow) hold requests back at
// night: without a fixed clock these tests fail when run in the evening.
const NOON = Date.parse("2026-03-14T12:00:00+03:00");
const KEY = "test-webhook-key";

/** Your app's webhook route: a requester behind otzovik/fetch's handler. */
function webhookRoute(now?: () => number) {
  const requester = createReviewRequester({
    keys: KEY,
    business: "Кофейня «Зерно»",
    reviewUrl: "https://ya.cc/t/zerno",
    message: "{business}: спасибо за заказ! Оцените нас: {reviewUrl}",
    channels: [{ type: "sms", client: createSmsRuClient({ apiKey: "test-sms-key" }) }],
    ...(now ? { now } : {}),
  });
  // respond: "sent" answers after the send, so the test can look at it right away.
  return createFetchHandler(requester, { respond: "sent" });
}

it("a closed iiko delivery sends one SMS to the guest", async () => {
  const route = webhookRoute(() => NOON);
  const body = iikoDeliveryOrderUpdate({ orderId: "order-1", phone: "+79161234567" });
  const response = await route(webhookRequest("iiko", body, { key: KEY }));

  expect(response.status).toBe(200);
  expect(smsRu.sent()).toEqual([
    {
      channel: "sms",
      to: "+79161234567",
      text: "Кофейня «Зерно»: спасибо за заказ! Оцените нас: https://ya.cc/t/zerno",
    },
  ]);
});

it("the same order closed twice sends once; a delivery on its way sends nothing", async () => {
  const route = webhookRoute(() => NOON);
  const closed = iikoDeliveryOrderUpdate({ orderId: "order-2" });
  await route(webhookRequest("iiko", closed, { key: KEY }));
  await route(webhookRequest("iiko", closed, { key: KEY }));
  const onWay = iikoDeliveryOrderUpdate({ orderId: "order-3", status: "OnWay" });
  await route(webhookRequest("iiko", onWay, { key: KEY }));

  expect(smsRu.sent()).toHaveLength(1);
});

it("a real R-Keeper White Server body carries no phone: nothing is sent", async () => {
  const route = webhookRoute(() => NOON);
  const { body, contentType } = fixtures.rkeeper.whiteServerOrderStatusChanged;
  const response = await route(webhookRequest("rkeeper", body, { key: KEY, contentType }));

  expect(response.status).toBe(200);
  expect(smsRu.sent()).toEqual([]);
});

it("or freeze the clock with vitest's fake timers (create the requester after)", async () => {
  vi.useFakeTimers({ now: NOON, toFake: ["Date"] });
  const route = webhookRoute();
  await route(webhookRequest("iiko", iikoDeliveryOrderUpdate(), { key: KEY }));

  expect(smsRu.sent()).toEqual([expect.objectContaining({ to: "+79161234567" })]);
});
