import { META_GRAPH_BASE_URL } from "../providers/meta-whatsapp.js";
import {
  commonAnswer,
  createScenarioQueue,
  e164,
  endpoint,
  type FakeOptions,
  type FakeRequest,
  type FakeSender,
  type FakeStatusWebhook,
  recordRequest,
  unknownMessage,
} from "./fake.js";
import { loadMsw } from "./msw.js";
import { metaStatusPayload, signMetaStatus } from "./status/meta.js";

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

/** What {@link FakeMetaWhatsapp.statusWebhook} reports of a message. */
export interface FakeMetaStatusOptions {
  /** The status: `sent`, `delivered`, `read`, `failed` (or any other Meta may add). */
  readonly status: "sent" | "delivered" | "read" | "failed" | (string & {});
  /**
   * The app secret that signs it (`X-Hub-Signature-256`): the `appSecret` the client under test
   * was given. Sign with another to test that a forged webhook is refused.
   */
  readonly appSecret: string;
  /** For `failed`: the error code (131047, 131026, 131049, 131050, …). Default 131000. */
  readonly errorCode?: number;
  /** When it happened: a `Date`, or UNIX seconds. Default now. */
  readonly timestamp?: Date | number;
}

/** The fake WhatsApp Cloud API of {@link createFakeMetaWhatsapp}. */
export interface FakeMetaWhatsapp extends FakeSender<MetaScenario> {
  /**
   * The status webhook Meta would send about a message this fake accepted: one entry, one
   * `messages` change, one `statuses[]` item with the message's `wamid`, its recipient's digits as
   * `recipient_id`, the phone number id it was sent from as `metadata.phone_number_id`, its
   * `biz_opaque_callback_data` if the send had one, and for `failed` an `errors[]` as Meta sends
   * it asynchronously; signed with `appSecret`.
   *
   * @param messageId - The `wamid.…` this fake answered a send with.
   * @param options - The status, the app secret, and optionally the error code and time.
   * @returns The signed request: `{ method: "POST", headers, body }`.
   * @throws {TypeError} (the promise rejects) when this fake accepted no message with that id
   *   since it was created or last reset, or `appSecret` is empty.
   *
   * @example
   * const meta = createFakeMetaWhatsapp()
   * const server = setupServer(...meta.handlers)
   * const sent = await whatsapp.sendWhatsapp("+79161234567", "Оцените визит")
   * // Meta took it (HTTP 200), then reports it failed: outside the 24-hour window.
   * const webhook = await meta.statusWebhook(sent.messageId, {
   *   status: "failed",
   *   errorCode: 131047,
   *   appSecret: "app-secret",
   * })
   * const response = await fetch("http://localhost:3000/api/status/meta", webhook)
   */
  statusWebhook(messageId: string, options: FakeMetaStatusOptions): Promise<FakeStatusWebhook>;
}

/** What the fake keeps of a message it accepted, to report on it. */
interface AcceptedMessage {
  readonly to: string;
  readonly phoneNumberId: string;
  readonly bizOpaqueCallbackData: string | undefined;
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
  return Response.json(
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

/** A parameter's value as a reader sees it: its text, a button's payload, or else its type. */
function parameterText(parameter: unknown): string {
  const p = (parameter ?? {}) as { type?: unknown; text?: unknown; payload?: unknown };
  if (typeof p.text === "string") return p.text;
  if (typeof p.payload === "string") return p.payload;
  const typed = (p as Record<string, unknown>)[String(p.type)] as { fallback_value?: unknown };
  if (typeof typed?.fallback_value === "string") return typed.fallback_value;
  return `[${String(p.type)}]`;
}

/**
 * What the recipient reads, for {@link FakeSender.sent}: a text message's body; a template's name
 * and its parameters' values in component order (`"review_request: Анна | https://…"`).
 */
function readable(body: unknown): string {
  const sent = (body ?? {}) as {
    text?: { body?: unknown };
    template?: { name?: unknown; components?: { parameters?: unknown[] }[] };
  };
  if (sent.template) {
    const name = String(sent.template.name ?? "");
    const values = (sent.template.components ?? []).flatMap((c) =>
      (c?.parameters ?? []).map(parameterText),
    );
    return values.length > 0 ? `${name}: ${values.join(" | ")}` : name;
  }
  return typeof sent.text?.body === "string" ? sent.text.body : "";
}

/**
 * A fake WhatsApp Cloud API (`POST /{version}/{phone-number-id}/messages`) for msw. Accepts any
 * `vNN.N` version, checks the Bearer token, the `messaging_product`, and that `to` is digits only
 * (131009 otherwise), and answers with a `wamid.…` id. It remembers each message it accepted, so
 * {@link FakeMetaWhatsapp.statusWebhook} can report on it as Meta would, later.
 *
 * @example
 * const meta = createFakeMetaWhatsapp({ accessToken: "test-token" })
 * const server = setupServer(...meta.handlers)
 * meta.enqueue("outside_window") // the next send gets 131047 at once (HTTP 400)
 */
export function createFakeMetaWhatsapp(options: FakeMetaWhatsappOptions = {}): FakeMetaWhatsapp {
  const { http } = loadMsw();
  const base = options.baseUrl ?? META_GRAPH_BASE_URL;
  const retryAfter = options.retryAfterSeconds ?? 1;
  let counter = 0;
  const accepted = new Map<string, AcceptedMessage>();
  const queue = createScenarioQueue<MetaScenario>(() => {
    counter = 0;
    accepted.clear();
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
        return Response.json({ messaging_product: "whatsapp", contacts: [{ input: to }] });
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
      const sent = req.json as { type?: string; biz_opaque_callback_data?: unknown };
      const id = `wamid.HBgL${btoa(to).replace(/=+$/, "")}FQIAERgS${String(counter).padStart(6, "0")}`;
      accepted.set(id, {
        to,
        phoneNumberId: String(params.phoneNumberId),
        bizOpaqueCallbackData:
          typeof sent.biz_opaque_callback_data === "string"
            ? sent.biz_opaque_callback_data
            : undefined,
      });
      queue.accept({ channel: "whatsapp", to: e164(to), text: readable(req.json) });
      return Response.json({
        messaging_product: "whatsapp",
        contacts: [{ input: to, wa_id: to }],
        messages: [{ id, ...(sent.type === "template" ? { message_status: "accepted" } : {}) }],
      });
    },
  );

  async function statusWebhook(
    messageId: string,
    status: FakeMetaStatusOptions,
  ): Promise<FakeStatusWebhook> {
    const message = typeof messageId === "string" ? accepted.get(messageId) : undefined;
    if (!message) throw unknownMessage("statusWebhook", messageId, accepted.size);
    if (typeof status?.appSecret !== "string" || status.appSecret === "")
      throw new TypeError(
        "statusWebhook: appSecret must be the non-empty app secret the client under test was given",
      );
    const body = JSON.stringify(
      metaStatusPayload({
        messageId,
        status: status.status,
        recipient: message.to,
        phoneNumberId: message.phoneNumberId,
        ...(status.errorCode === undefined ? {} : { errorCode: status.errorCode }),
        ...(status.timestamp === undefined ? {} : { timestamp: status.timestamp }),
        ...(message.bizOpaqueCallbackData === undefined
          ? {}
          : { bizOpaqueCallbackData: message.bizOpaqueCallbackData }),
      }),
    );
    return {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-hub-signature-256": await signMetaStatus(body, status.appSecret),
      },
      body,
    };
  }

  return Object.assign(queue.senderControls([handler]), { statusWebhook });
}
