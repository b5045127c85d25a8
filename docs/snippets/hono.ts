// Hono (Node.js via @hono/node-server, Bun or Deno): one route for the four sources.
import { Hono } from "hono";
import { createReviewRequester, createSmsRuClient } from "otzovik";
import { createFetchHandler } from "otzovik/fetch";

const requester = createReviewRequester({
  keys: process.env.WEBHOOK_KEY ?? "",
  business: "Кофейня «Зерно»",
  reviewUrl: "https://zerno.example/r",
  channels: [
    { type: "sms", client: createSmsRuClient({ apiKey: process.env.SMSRU_API_KEY ?? "" }) },
  ],
});
const webhook = createFetchHandler(requester);

const app = new Hono();
// The handler reads the raw body itself: give it c.req.raw, untouched (no c.req.json() before).
app.all("/api/webhook/:source", (c) => webhook(c.req.raw));

export default app;
