// Deno 2: `deno add npm:otzovik`, then `deno run --allow-net --allow-env server.ts`.
import { createReviewRequester, createSmsRuClient } from "otzovik";
import { createFetchHandler } from "otzovik/fetch";

const requester = createReviewRequester({
  keys: Deno.env.get("WEBHOOK_KEY") ?? "",
  business: "Кофейня «Зерно»",
  reviewUrl: "https://zerno.example/r",
  channels: [
    { type: "sms", client: createSmsRuClient({ apiKey: Deno.env.get("SMSRU_API_KEY") ?? "" }) },
  ],
});
const webhook = createFetchHandler(requester);

Deno.serve({ hostname: "127.0.0.1", port: 3000 }, (request) => {
  const { pathname } = new URL(request.url);
  if (pathname.startsWith("/api/webhook/")) return webhook(request); // the source is the last segment
  return new Response("not found", { status: 404 });
});
