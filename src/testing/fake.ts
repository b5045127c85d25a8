import type { HttpHandler } from "msw";
import type { Channel } from "../providers/types.js";

/** One request a fake provider received, for assertions. */
export interface FakeRequest {
  /** HTTP method, upper case. */
  readonly method: string;
  /** The full URL. */
  readonly url: URL;
  /** The URL path (`/sms/send`). */
  readonly path: string;
  /** Request headers, names lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** The raw body. */
  readonly body: string;
  /** Form fields, for `application/x-www-form-urlencoded` bodies (SMS.ru). */
  readonly form: Readonly<Record<string, string>> | null;
  /** Parsed JSON body, for JSON requests (Meta, Exolve, Resend). */
  readonly json: unknown;
}

/**
 * Scenarios every fake understands:
 *
 * - `"success"`: the provider accepts the message.
 * - `"timeout"`: no answer ever (the client's timeout fires).
 * - `"reset"`: the connection is reset mid-request (`ECONNRESET`).
 * - `"refused"`: the connection is refused (`ECONNREFUSED`): nothing reached the provider.
 * - `"non_json"`: an HTML 502 page from a proxy.
 * - `"proxy_429"`: an HTML 429 page from a proxy, with `Retry-After`.
 * - `"no_id"`: HTTP 200 with a JSON body that has no message id.
 */
export type CommonScenario =
  | "success"
  | "timeout"
  | "reset"
  | "refused"
  | "non_json"
  | "proxy_429"
  | "no_id";

/** A scenario name, or a function that answers the request itself. */
export type Scenario<Name extends string> =
  | Name
  | CommonScenario
  | ((request: FakeRequest) => Response | Promise<Response>);

/** A fake provider: msw handlers plus controls for scenarios and recorded requests. */
export interface FakeProvider<Name extends string> {
  /** msw handlers to pass to `setupServer(...)` or `server.use(...)`. */
  readonly handlers: HttpHandler[];
  /** Every request received, in order. */
  readonly requests: FakeRequest[];
  /**
   * Queues scenarios: each request takes the next one; when the queue is empty, the default
   * scenario (`"success"` unless changed with {@link FakeProvider.setDefault}) answers.
   */
  enqueue(...scenarios: Scenario<Name>[]): FakeProvider<Name>;
  /** Sets the scenario used when the queue is empty. */
  setDefault(scenario: Scenario<Name>): FakeProvider<Name>;
  /** Clears the queue, the recorded requests and any state (idempotency keys), default back to success. */
  reset(): void;
}

/**
 * A message a fake provider accepted, in the terms of your test rather than the provider's fields.
 */
export interface SentMessage {
  /** `"sms"`, `"whatsapp"` or `"email"`. */
  readonly channel: Channel;
  /** The recipient: a phone in E.164 (`"+79161234567"`), or for email the address (`"anna@mail.ru"`). */
  readonly to: string;
  /**
   * What the recipient reads: an SMS's or WhatsApp text message's text; for a WhatsApp template,
   * its name followed by its parameters' values in order (`"review_request: Анна | https://…"`,
   * just the name when it has none); for an email, its `text` part, or its HTML with the tags
   * removed and whitespace collapsed when it has no text part.
   */
  readonly text: string;
}

/** A fake provider that delivers messages: a {@link FakeProvider} that also lists what it accepted. */
export interface FakeSender<Name extends string> extends FakeProvider<Name> {
  /**
   * The messages this fake accepted (answered with a message id) since it was created or last
   * `reset()`, in order, one per recipient: what a customer would receive. Refused sends, the
   * failure scenarios and SMS.ru `test=1` sends (never delivered) are not in it.
   *
   * @example
   * expect(smsRu.sent()).toEqual([{ channel: "sms", to: "+79161234567", text: "Спасибо!" }])
   */
  sent(): SentMessage[];
}

/**
 * A status webhook as a fake provider builds it for a message it accepted: the request the provider
 * would send to your status route, signed. It is a `RequestInit`, so `fetch(url, webhook)` and
 * `new Request(url, webhook)` take it as it is; with supertest,
 * `.post(path).set(webhook.headers).send(webhook.body)`.
 */
export interface FakeStatusWebhook {
  /** Always `"POST"`. */
  readonly method: "POST";
  /** The headers the provider sends: `content-type` and the signature's (names lower case). */
  readonly headers: Readonly<Record<string, string>>;
  /** The body, exactly as signed: send it byte for byte. */
  readonly body: string;
}

/** Options every fake takes. */
export interface FakeOptions {
  /** API root the fake answers on. Defaults to the provider's public URL. */
  readonly baseUrl?: string;
  /** `Retry-After` seconds in rate-limit scenarios. Default `1`. */
  readonly retryAfterSeconds?: number;
}

/** A Node-style system error, as undici reports connection failures. */
function systemError(code: string, errno: number, syscall: string): Error {
  return Object.assign(new Error(`${syscall} ${code}`), { code, errno, syscall });
}

/** Answers a common scenario, or returns `null` when `name` is not one. */
export async function commonAnswer(
  name: string,
  retryAfterSeconds: number,
): Promise<Response | null> {
  switch (name) {
    case "timeout":
      await new Promise<never>(() => {});
      return null;
    case "reset":
      throw systemError("ECONNRESET", -104, "read");
    case "refused":
      throw systemError("ECONNREFUSED", -111, "connect");
    case "non_json":
      return new Response("<html><body><h1>502 Bad Gateway</h1></body></html>", {
        status: 502,
        headers: { "content-type": "text/html" },
      });
    case "proxy_429":
      return new Response("<html><body>Too Many Requests</body></html>", {
        status: 429,
        headers: { "content-type": "text/html", "retry-after": String(retryAfterSeconds) },
      });
    default:
      return null;
  }
}

/** Reads a request into a {@link FakeRequest}. */
export async function recordRequest(request: Request): Promise<FakeRequest> {
  const url = new URL(request.url);
  const body = await request.clone().text();
  const headers: Record<string, string> = {};
  request.headers.forEach((value, key) => {
    headers[key] = value;
  });
  const type = headers["content-type"] ?? "";
  let form: Record<string, string> | null = null;
  let json: unknown;
  if (type.includes("application/x-www-form-urlencoded")) {
    form = Object.fromEntries(new URLSearchParams(body));
  } else if (body !== "") {
    try {
      json = JSON.parse(body);
    } catch {
      json = undefined;
    }
  }
  return { method: request.method, url, path: url.pathname, headers, body, form, json };
}

/** The scenario queue shared by all fakes. */
export function createScenarioQueue<Name extends string>(onReset: () => void = () => {}) {
  const queue: Scenario<Name>[] = [];
  const requests: FakeRequest[] = [];
  const sent: SentMessage[] = [];
  let fallback: Scenario<Name> = "success";
  function controls(handlers: HttpHandler[]): FakeProvider<Name> {
    const fake: FakeProvider<Name> = {
      handlers,
      requests,
      enqueue(...scenarios) {
        queue.push(...scenarios);
        return fake;
      },
      setDefault(scenario) {
        fallback = scenario;
        return fake;
      },
      reset() {
        queue.length = 0;
        requests.length = 0;
        sent.length = 0;
        fallback = "success";
        onReset();
      },
    };
    return fake;
  }
  return {
    requests,
    /** Records a message the fake accepted, for {@link FakeSender.sent}. */
    accept(message: SentMessage): void {
      sent.push(message);
    },
    next(): Scenario<Name> {
      return queue.shift() ?? fallback;
    },
    controls,
    /** {@link controls} plus {@link FakeSender.sent}. */
    senderControls(handlers: HttpHandler[]): FakeSender<Name> {
      return Object.assign(controls(handlers), { sent: () => sent.map((m) => ({ ...m })) });
    },
  };
}

/** A phone as the providers take it (digits, maybe a `+`) in E.164. */
export function e164(digits: string): string {
  return digits.startsWith("+") ? digits : `+${digits}`;
}

/** Joins a base URL and a path for an msw handler. */
export function endpoint(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
}

/** A JSON answer with a body given as raw text (to send unquoted 18-digit numbers). */
export function rawJson(
  text: string,
  status = 200,
  headers: Record<string, string> = {},
): Response {
  return new Response(text, {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

/**
 * The error for a status webhook asked of a message the fake never accepted: a typo, a message
 * sent before `reset()`, or one another fake (another test's server) accepted.
 */
export function unknownMessage(method: string, id: unknown, accepted: number): TypeError {
  const shown = typeof id === "string" ? JSON.stringify(id.slice(0, 80)) : String(id);
  return new TypeError(
    `${method}: this fake accepted no message with id ${shown} (it accepted ${accepted} since it was created or last reset()); pass the messageId of a send it answered`,
  );
}
