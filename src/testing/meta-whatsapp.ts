import { HttpResponse, http } from "msw";
import { META_GRAPH_BASE_URL } from "../providers/meta-whatsapp.js";
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
 * Meta WhatsApp Cloud API scenarios:
 * `outside_window` (131047, HTTP 400), `outside_window_async` (HTTP 200 accepted; the failure
 * would come later in a status webhook), `template_missing` (132001), `template_params` (132000),
 * `pair_rate_limit` / `pair_rate_limit_429` (131056 as HTTP 400 / 429), `rate_limited` /
 * `rate_limited_429` (130429 as HTTP 400 / 429, with `Retry-After`), `auth` (190, HTTP 401),
 * `not_allowed` (131030 sandbox), `undeliverable` (131026), `opted_out` (131050),
 * `unavailable` (2, HTTP 503). Plus the common scenarios.
 */
export type MetaScenario =
  | "outside_window"
  | "outside_window_async"
  | "template_missing"
  | "template_params"
  | "pair_rate_limit"
  | "pair_rate_limit_429"
  | "rate_limited"
  | "rate_limited_429"
  | "auth"
  | "not_allowed"
  | "undeliverable"
  | "opted_out"
  | "unavailable";

/** Options of {@link createFakeMetaWhatsapp}. */
export interface FakeMetaWhatsappOptions extends FakeOptions {
  /** The token the fake accepts; any other gets 190. Default: any Bearer token. */
  readonly accessToken?: string;
}

const ERRORS: Record<string, [number, number, string, string]> = {
  outside_window: [
    400,
    131047,
    "Re-engagement message",
    "More than 24 hours have passed since the recipient last replied to the sender number.",
  ],
  template_missing: [
    404,
    132001,
    "Template name does not exist in the translation",
    "template name (review_request) does not exist in ru",
  ],
  template_params: [
    400,
    132000,
    "Number of parameters does not match the expected number of params",
    "body: number of localizable_params (0) does not match the expected number of params (1)",
  ],
  pair_rate_limit: [
    400,
    131056,
    "(Business Account, Consumer Account) pair rate limit hit",
    "Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.",
  ],
  rate_limited: [400, 130429, "Rate limit hit", "Cloud API message throughput has been reached."],
  auth: [
    401,
    190,
    "Error validating access token: Session has expired",
    "The access token has expired.",
  ],
  not_allowed: [
    400,
    131030,
    "Recipient phone number not in allowed list",
    "Recipient phone number not in allowed list: Add recipient phone number to recipient list and try again.",
  ],
  undeliverable: [400, 131026, "Message Undeliverable.", "Message Undeliverable."],
  opted_out: [400, 131050, "Unable to deliver the message", "User stopped marketing messages."],
  unavailable: [503, 2, "Service temporarily unavailable", "Temporary downtime."],
};

function metaError(status: number, code: number, message: string, details: string, headers = {}) {
  return HttpResponse.json(
    {
      error: {
        message: `(#${code}) ${message}`,
        type: "OAuthException",
        code,
        error_data: { messaging_product: "whatsapp", details },
        fbtrace_id: "AbCdEfGhIjKlMnOp",
      },
    },
    { status, headers },
  );
}

/**
 * A fake WhatsApp Cloud API (`POST /{version}/{phone-number-id}/messages`) for msw. Accepts any
 * `vNN.N` version, checks the Bearer token, the `messaging_product`, and that `to` is digits only
 * (131009 otherwise), and answers with a `wamid.…` id.
 */
export function createFakeMetaWhatsapp(
  options: FakeMetaWhatsappOptions = {},
): FakeProvider<MetaScenario> {
  const base = options.baseUrl ?? META_GRAPH_BASE_URL;
  const retryAfter = options.retryAfterSeconds ?? 1;
  let counter = 0;
  const queue = createScenarioQueue<MetaScenario>(() => {
    counter = 0;
  });

  function checks(req: FakeRequest, version: string): Response | null {
    if (!/^v\d+\.\d+$/.test(version))
      return metaError(400, 2500, "Unknown path components", `Unknown version ${version}`);
    const auth = req.headers.authorization ?? "";
    const token = auth.startsWith("Bearer ") ? auth.slice(7) : "";
    if (!token || (options.accessToken !== undefined && token !== options.accessToken)) {
      const [status, code, message, details] = ERRORS.auth as [number, number, string, string];
      return metaError(status, code, message, details);
    }
    const body = req.json as Record<string, unknown> | undefined;
    if (body?.messaging_product !== "whatsapp")
      return metaError(400, 100, "Invalid parameter", "messaging_product is required");
    if (typeof body.to !== "string" || !/^\d{8,15}$/.test(body.to))
      return metaError(400, 131009, "Parameter value is not valid", "Invalid 'to' phone number");
    return null;
  }

  const handler = http.post(
    endpoint(base, ":version/:phoneNumberId/messages"),
    async ({ request, params }) => {
      const req = await recordRequest(request);
      queue.requests.push(req);
      const scenario = queue.next();
      if (typeof scenario === "function") return scenario(req);
      const common = await commonAnswer(scenario, retryAfter);
      if (common) return common;
      const failed = checks(req, String(params.version));
      if (failed) return failed;
      const to = (req.json as { to: string }).to;
      if (scenario === "no_id") {
        return HttpResponse.json({ messaging_product: "whatsapp", contacts: [{ input: to }] });
      }
      const throttled = /^(pair_rate_limit|rate_limited)(_429)?$/.exec(scenario);
      const key = throttled ? (throttled[1] as string) : scenario;
      const spec = ERRORS[key];
      if (spec && scenario !== "success") {
        const status = throttled?.[2] ? 429 : spec[0];
        const headers = key === "rate_limited" ? { "retry-after": String(retryAfter) } : {};
        return metaError(status, spec[1], spec[2], spec[3], headers);
      }
      counter += 1;
      const template = (req.json as { type?: string }).type === "template";
      return HttpResponse.json({
        messaging_product: "whatsapp",
        contacts: [{ input: to, wa_id: to }],
        messages: [
          {
            id: `wamid.HBgL${btoa(to).replace(/=+$/, "")}FQIAERgS${String(counter).padStart(6, "0")}`,
            ...(template ? { message_status: "accepted" } : {}),
          },
        ],
      });
    },
  );
  return queue.controls([handler]);
}
