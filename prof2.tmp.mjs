import { readFileSync } from "node:fs";
import { createReviewRequester } from "./dist/index.js";
const fixture = readFileSync("test/fixtures/iiko/iiko-01-delivery-closed.json","utf8");
const orderId = "9e3b7c1a-5f42-4d8e-b6a0-2c71f9d4e805";
let sent=0;
const fakeSms = { provider: "sms.ru", async sendSms(phone) { sent++; return { provider: "sms.ru", channel: "sms", messageId: String(sent), to: phone, dryRun: false }; } };
const requester = createReviewRequester({ keys: "bench-key", business: "Кофейня «Зерно»", reviewUrl: "https://example.com/review", channels: [{ type: "sms", client: fakeSms }], quietHours: false, frequencyCapMs: false, logger: {} });
let c=0;
const N=20000;
const t=performance.now();
for (let i=0;i<N;i++){ const body = fixture.replaceAll(orderId, `bench-${String(++c).padStart(30,"0")}`); const a = await requester.accept("iiko", body, { key: "bench-key" }); await a.done; }
console.log(((performance.now()-t)/N*1000).toFixed(1), "µs per accept+done", sent);
await requester.close();
