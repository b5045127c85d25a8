/**
 * The Cloudflare Workers module (run by workerd through miniflare):
 * - `POST /api/webhook/{source}`: the Fetch handler with `respond: "sent"`;
 * - `POST /accepted/api/webhook/{source}`: the default handler, sends finished via `ctx.waitUntil`;
 * - `GET /seen`: what the fake providers of both received;
 * - `GET /scenario`: the whole scenario run inside the isolate (500 when it finds a problem).
 * Requesters are made on the first request: Workers forbid timers and I/O in global scope.
 */
import { createFetchHandler, type FetchContext } from "../../src/adapters/fetch.js";
import { createWorld, detectRuntime, runScenario, type World } from "./scenario.js";

let worlds: { sent: World; accepted: World } | null = null;

function getWorlds() {
  worlds ??= { sent: createWorld(), accepted: createWorld() };
  return worlds;
}

export default {
  async fetch(request: Request, _env: unknown, ctx: FetchContext): Promise<Response> {
    const url = new URL(request.url);
    const { sent, accepted } = getWorlds();
    if (url.pathname === "/scenario") {
      const report = await runScenario();
      return Response.json(report, { status: report.ok ? 200 : 500 });
    }
    if (url.pathname === "/seen") {
      const view = (w: World) => ({
        sms: w.sms,
        amocrmRequests: w.amocrmRequests,
        logs: w.logs,
      });
      return Response.json({
        runtime: detectRuntime(),
        sent: view(sent),
        accepted: view(accepted),
      });
    }
    if (url.pathname.startsWith("/accepted/"))
      return createFetchHandler(accepted.requester)(request, ctx);
    return createFetchHandler(sent.requester, { respond: "sent" })(request, ctx);
  },
};
