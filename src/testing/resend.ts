import { HttpResponse, http } from "msw";
import { RESEND_BASE_URL } from "../providers/resend.js";
import {
  commonAnswer,
  createScenarioQueue,
  endpoint,
  type FakeOptions,
  type FakeProvider,
  type FakeRequest,
  recordRequest,
} from "./fake.js";

/**
 * Resend scenarios: `auth` (403 `invalid_api_key`), `missing_api_key` (401), `rate_limited` (429
 * `rate_limit_exceeded` with `retry-after` and `ratelimit-*` headers), `daily_quota` (429
 * `daily_quota_exceeded`), `validation_error` (422), `unverified_domain` (403
 * `validation_error`), `server_error` (500 `application_error`), `unavailable` (503
 * `service_unavailable`), `concurrent_idempotent` (409 `concurrent_idempotent_requests`). Plus the
 * common scenarios.
 *
 * Always on: no `User-Agent` → 403; a wrong key → 403; recipients at `@example.com` or
 * `@test.com` → 422; the same `Idempotency-Key` with the same body → the same `id` (not sent
 * again), with a different body → 409 `invalid_idempotent_request`.
 */
export type ResendScenario =
  | "auth"
  | "missing_api_key"
  | "rate_limited"
  | "daily_quota"
  | "validation_error"
  | "unverified_domain"
  | "server_error"
  | "unavailable"
  | "concurrent_idempotent";

/** Options of {@link createFakeResend}. */
export interface FakeResendOptions extends FakeOptions {
  /** The API key the fake accepts. Default: any Bearer token. */
  readonly apiKey?: string;
}

function resendError(status: number, name: string, message: string, headers = {}): Response {
  return HttpResponse.json({ statusCode: status, name, message }, { status, headers });
}

const ERRORS: Record<string, [number, string, string]> = {
  auth: [403, "invalid_api_key", "API key is invalid"],
  missing_api_key: [401, "missing_api_key", "Missing API key in the authorization header."],
  daily_quota: [429, "daily_quota_exceeded", "You have reached your daily email sending quota."],
  validation_error: [422, "validation_error", "Invalid `to` field."],
  unverified_domain: [
    403,
    "validation_error",
    "You can only send testing emails to your own email address. To send emails to other recipients, please verify a domain.",
  ],
  server_error: [500, "application_error", "An unexpected error occurred."],
  unavailable: [503, "service_unavailable", "The API is temporarily unavailable."],
  concurrent_idempotent: [
    409,
    "concurrent_idempotent_requests",
    "Same idempotency key used while original request is still in progress.",
  ],
};

/** A fake Resend (`POST /emails`) for msw. */
export function createFakeResend(options: FakeResendOptions = {}): FakeProvider<ResendScenario> {
  const base = options.baseUrl ?? RESEND_BASE_URL;
  const retryAfter = options.retryAfterSeconds ?? 1;
  const keys = new Map<string, { body: string; id: string }>();
  let counter = 0;
  const queue = createScenarioQueue<ResendScenario>(() => {
    keys.clear();
    counter = 0;
  });

  function checks(req: FakeRequest): Response | null {
    if (!req.headers["user-agent"])
      return new HttpResponse("error code: 1010", {
        status: 403,
        headers: { "content-type": "text/plain" },
      });
    const auth = req.headers.authorization ?? "";
    if (!auth.startsWith("Bearer "))
      return resendError(401, "missing_api_key", "Missing API key in the authorization header.");
    if (options.apiKey !== undefined && auth.slice(7) !== options.apiKey)
      return resendError(403, "invalid_api_key", "API key is invalid");
    const body = req.json as { from?: unknown; to?: unknown; subject?: unknown } | undefined;
    if (!body?.from) return resendError(422, "missing_required_field", "Missing `from` field.");
    if (!body.subject)
      return resendError(422, "missing_required_field", "Missing `subject` field.");
    const to = Array.isArray(body.to) ? body.to : [body.to];
    if (to.some((t) => typeof t !== "string" || /@(example|test)\.com>?$/i.test(t)))
      return resendError(
        422,
        "validation_error",
        "Invalid `to` field: example.com and test.com are not allowed.",
      );
    return null;
  }

  const handler = http.post(endpoint(base, "emails"), async ({ request }) => {
    const req = await recordRequest(request);
    queue.requests.push(req);
    const scenario = queue.next();
    if (typeof scenario === "function") return scenario(req);
    const common = await commonAnswer(scenario, retryAfter);
    if (common) return common;
    if (scenario === "rate_limited") {
      return resendError(
        429,
        "rate_limit_exceeded",
        "Too many requests. You can only make 2 requests per second.",
        {
          "retry-after": String(retryAfter),
          "ratelimit-limit": "2",
          "ratelimit-remaining": "0",
          "ratelimit-reset": String(retryAfter),
        },
      );
    }
    const spec = ERRORS[scenario];
    if (spec) return resendError(...spec);
    const failed = checks(req);
    if (failed) return failed;
    if (scenario === "no_id") return HttpResponse.json({});
    const key = req.headers["idempotency-key"];
    const seen = key ? keys.get(key) : undefined;
    if (seen) {
      if (seen.body !== req.body)
        return resendError(
          409,
          "invalid_idempotent_request",
          "Same idempotency key used with a different request payload.",
        );
      return HttpResponse.json({ id: seen.id });
    }
    counter += 1;
    const id = `49a3999c-0ce1-4ea6-ab68-${String(counter).padStart(12, "0")}`;
    if (key) keys.set(key, { body: req.body, id });
    return HttpResponse.json(
      { id },
      { headers: { "ratelimit-limit": "2", "ratelimit-remaining": "1" } },
    );
  });
  return queue.controls([handler]);
}
