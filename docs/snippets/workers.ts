// Cloudflare Workers: the requester is made on the first request (a Worker has its secrets in
// `env`, and forbids timers and I/O at module level); `ctx` keeps the sends alive after the answer.
import { createReviewRequester, createSmsRuClient, type ReviewRequester } from "otzovik";
import { createFetchHandler } from "otzovik/fetch";

interface Env {
  readonly WEBHOOK_KEY: string;
  readonly SMSRU_API_KEY: string;
}

let webhook: ReturnType<typeof createFetchHandler> | undefined;

function handlerFor(env: Env): ReturnType<typeof createFetchHandler> {
  const requester: ReviewRequester = createReviewRequester({
    keys: env.WEBHOOK_KEY,
    business: "Кофейня «Зерно»",
    reviewUrl: "https://zerno.example/r",
    channels: [{ type: "sms", client: createSmsRuClient({ apiKey: env.SMSRU_API_KEY }) }],
  });
  return createFetchHandler(requester);
}

export default {
  async fetch(request, env, ctx) {
    webhook ??= handlerFor(env);
    const { pathname } = new URL(request.url);
    if (pathname.startsWith("/api/webhook/")) return webhook(request, ctx); // ctx.waitUntil: sends
    return new Response("not found", { status: 404 });
  },
} satisfies ExportedHandler<Env>;
