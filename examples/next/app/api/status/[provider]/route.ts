// GET (Meta's subscription check) and POST /api/status/meta|sms.ru|resend: the providers' status
// webhooks. A message reported undelivered falls back to the next channel once.
import { after } from "next/server";
import { createFetchStatusHandler } from "otzovik/fetch";
import { requester } from "../../../../lib/requester";

// otzovik needs Node.js APIs (crypto, timers for scheduled sends): not the Edge runtime.
export const runtime = "nodejs";
// Webhooks are never cached or prerendered.
export const dynamic = "force-dynamic";

// The provider is the last path segment. Answers as soon as the statuses are recorded (a 401 for
// a bad signature changes nothing); `after` keeps a fallback send running once the answer is out.
const handle = createFetchStatusHandler(requester, { waitUntil: after });
export const GET = handle;
export const POST = handle;
