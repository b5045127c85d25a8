// Bun: Bun.serve with the Fetch handler. A long-running process: the sends go on after the answer.
import { createReviewRequester, createSmsRuClient } from "otzovik";
import { createFetchHandler } from "otzovik/fetch";

const requester = createReviewRequester({
  keys: Bun.env.WEBHOOK_KEY ?? "",
  business: "Кофейня «Зерно»",
  reviewUrl: "https://zerno.example/r",
  channels: [{ type: "sms", client: createSmsRuClient({ apiKey: Bun.env.SMSRU_API_KEY ?? "" }) }],
});
const webhook = createFetchHandler(requester);

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: Number(Bun.env.PORT ?? 3000),
  fetch(request) {
    const { pathname } = new URL(request.url);
    if (pathname.startsWith("/api/webhook/")) return webhook(request); // the source is the last segment
    return new Response("not found", { status: 404 });
  },
});
console.log(`listening on http://${server.hostname}:${server.port}`);
