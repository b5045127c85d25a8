// POST /api/webhook/iiko|rkeeper|yclients|amocrm?key=…
import { after } from "next/server";
import { createFetchHandler } from "otzovik/fetch";
import { requester } from "../../../../lib/requester";

// otzovik needs Node.js APIs (crypto, timers for scheduled sends): not the Edge runtime.
export const runtime = "nodejs";
// Webhooks are never cached or prerendered.
export const dynamic = "force-dynamic";

// Answers as soon as the events are authenticated, parsed and claimed (amoCRM gives up after
// 2 seconds); `after` keeps the sends running once the response has gone.
export const POST = createFetchHandler(requester, { waitUntil: after });
