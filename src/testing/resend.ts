import { RESEND_BASE_URL } from "../providers/resend.js";
import { resendSigningKey } from "../status/resend.js";
import {
  commonAnswer,
  createScenarioQueue,
  endpoint,
  type FakeOptions,
  type FakeRequest,
  type FakeSender,
  type FakeStatusWebhook,
  recordRequest,
  unknownMessage,
} from "./fake.js";
import { loadMsw } from "./msw.js";
import { type ResendEventOptions, resendEventPayload, signResendEvent } from "./status/resend.js";

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

/** Options of {@link FakeResend.event}. */
export interface FakeResendEventOptions {
  /**
   * The signing secret (`whsec_…`) that signs it: the `webhookSecret` the client under test was
   * given. Sign with another to test that a forged webhook is refused.
   */
  readonly webhookSecret: string;
  /** The delivery's `svix-id`. Default a fresh `msg_…`; give the same one again to test a replay. */
  readonly svixId?: string;
  /** The `svix-timestamp`: a `Date`, or UNIX seconds. Default now (older than 5 minutes is refused). */
  readonly timestamp?: Date | number;
  /** When the event happened (`created_at`). Default now. */
  readonly createdAt?: Date;
  /** For `email.bounced`: the bounce. Default a permanent one (`Permanent`, `General`). */
  readonly bounce?: ResendEventOptions["bounce"];
}

/** The fake Resend of {@link createFakeResend}. */
export interface FakeResend extends FakeSender<ResendScenario> {
  /**
   * The webhook Resend would send about an email this fake accepted: `{ type, created_at, data }`
   * with the email's `email_id`, `from`, `to` and `subject` as it was sent (and `data.bounce` for
   * `email.bounced`), signed the Svix way with `webhookSecret` (`svix-id`, `svix-timestamp`,
   * `svix-signature`).
   *
   * @param emailId - The `id` this fake answered `POST /emails` with.
   * @param type - The event: `email.delivered`, `email.bounced`, `email.complained`,
   *   `email.delivery_delayed`, `email.opened`, …
   * @param options - The signing secret, and optionally the `svix-id`, times and bounce.
   * @returns The signed request: `{ method: "POST", headers, body }`.
   * @throws {TypeError} (the promise rejects) when this fake accepted no email with that id since
   *   it was created or last reset, or `webhookSecret` is not a `whsec_…` secret.
   *
   * @example
   * const resend = createFakeResend()
   * const server = setupServer(...resend.handlers)
   * const sent = await mail.sendEmail({ to: "anna@mail.ru", subject: "Оцените визит", html })
   * const bounce = await resend.event(sent.messageId, "email.bounced", { webhookSecret })
   * await fetch("http://localhost:3000/api/status/resend", bounce)
   * // The same delivery again (a replay) must change nothing:
   * await fetch("http://localhost:3000/api/status/resend", bounce)
   */
  event(emailId: string, type: string, options: FakeResendEventOptions): Promise<FakeStatusWebhook>;
}

/** What the fake keeps of an email it accepted, to report on it. */
interface AcceptedEmail {
  readonly from: string | undefined;
  readonly to: string | readonly string[] | undefined;
  readonly subject: string | undefined;
}

function resendError(status: number, name: string, message: string, headers = {}): Response {
  return Response.json({ statusCode: status, name, message }, { status, headers });
}

/** The address of a recipient written `Anna <anna@mail.ru>` or plain. */
function emailAddress(recipient: string): string {
  const angle = /<([^<>]+)>\s*$/.exec(recipient);
  return (angle?.[1] ?? recipient).trim();
}

/** An email's text part, or its HTML without tags, whitespace collapsed. */
function emailText(email: { text?: unknown; html?: unknown }): string {
  if (typeof email.text === "string") return email.text;
  if (typeof email.html !== "string") return "";
  return email.html
    .replace(/<[^>]*>/g, " ")
    .replace(/&nbsp;/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .trim();
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

/**
 * A fake Resend (`POST /emails`) for msw. It remembers each email it accepted, so
 * {@link FakeResend.event} can report on it as Resend's webhooks would, later.
 *
 * @example
 * const resend = createFakeResend({ apiKey: "re_test" })
 * const server = setupServer(...resend.handlers)
 * resend.enqueue("rate_limited") // the next send gets 429 with Retry-After
 */
export function createFakeResend(options: FakeResendOptions = {}): FakeResend {
  const { http } = loadMsw();
  const base = options.baseUrl ?? RESEND_BASE_URL;
  const retryAfter = options.retryAfterSeconds ?? 1;
  const keys = new Map<string, { body: string; id: string }>();
  const accepted = new Map<string, AcceptedEmail>();
  let counter = 0;
  const queue = createScenarioQueue<ResendScenario>(() => {
    keys.clear();
    accepted.clear();
    counter = 0;
  });

  function checks(req: FakeRequest): Response | null {
    if (!req.headers["user-agent"])
      return new Response("error code: 1010", {
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
    if (scenario === "no_id") return Response.json({});
    const key = req.headers["idempotency-key"];
    const seen = key ? keys.get(key) : undefined;
    if (seen) {
      if (seen.body !== req.body)
        return resendError(
          409,
          "invalid_idempotent_request",
          "Same idempotency key used with a different request payload.",
        );
      return Response.json({ id: seen.id });
    }
    counter += 1;
    const id = `49a3999c-0ce1-4ea6-ab68-${String(counter).padStart(12, "0")}`;
    if (key) keys.set(key, { body: req.body, id });
    const sent = req.json as { from?: unknown; to?: unknown; subject?: unknown };
    accepted.set(id, {
      from: typeof sent.from === "string" ? sent.from : undefined,
      to:
        typeof sent.to === "string" || Array.isArray(sent.to)
          ? (sent.to as string | string[])
          : undefined,
      subject: typeof sent.subject === "string" ? sent.subject : undefined,
    });
    const text = emailText(sent as { text?: unknown; html?: unknown });
    for (const address of Array.isArray(sent.to) ? sent.to : [sent.to])
      queue.accept({ channel: "email", to: emailAddress(String(address)), text });
    return Response.json(
      { id },
      { headers: { "ratelimit-limit": "2", "ratelimit-remaining": "1" } },
    );
  });

  async function event(
    emailId: string,
    type: string,
    given: FakeResendEventOptions,
  ): Promise<FakeStatusWebhook> {
    const email = typeof emailId === "string" ? accepted.get(emailId) : undefined;
    if (!email) throw unknownMessage("event", emailId, accepted.size);
    if (typeof type !== "string" || type === "")
      throw new TypeError('event: type must be an event name such as "email.bounced"');
    if (typeof given?.webhookSecret !== "string" || resendSigningKey(given.webhookSecret) === null)
      throw new TypeError(
        'event: webhookSecret must be the "whsec_…" signing secret the client under test was given',
      );
    const payload = resendEventPayload({
      type,
      emailId,
      ...(email.to === undefined ? {} : { to: email.to }),
      ...(email.from === undefined ? {} : { from: email.from }),
      ...(email.subject === undefined ? {} : { subject: email.subject }),
      ...(given.createdAt === undefined ? {} : { createdAt: given.createdAt }),
      ...(given.bounce === undefined ? {} : { bounce: given.bounce }),
    });
    const signed = await signResendEvent(payload, given.webhookSecret, {
      ...(given.svixId === undefined ? {} : { id: given.svixId }),
      ...(given.timestamp === undefined ? {} : { timestamp: given.timestamp }),
    });
    return { method: "POST", headers: { ...signed.headers }, body: signed.body };
  }

  return Object.assign(queue.senderControls([handler]), { event });
}
