/**
 * The runtime matrix's scenario: one module, Web APIs only (fetch, Request, Response, URL,
 * URLSearchParams, TextEncoder, crypto), run unchanged on Node, Bun, Deno and workerd. It builds a
 * requester whose providers (SMS.ru, amoCRM) are fake `fetch` functions, sends a real iiko and a
 * real amoCRM webhook through the Fetch handler, calls the parsers directly, and checks every
 * result itself. `build.mjs` bundles it with the fixtures embedded (`?raw` imports), so no runtime
 * needs file or network access.
 */
import { createFetchHandler, type FetchContext } from "../../src/adapters/fetch.js";
import {
  createAmocrmClient,
  createReviewRequester,
  createSmsRuClient,
  type Logger,
  parseAmocrm,
  parseIiko,
  type ReviewRequester,
} from "../../src/index.js";
import { fixtures } from "../../src/testing/fixtures.generated.js";
import { webhookRequest } from "../../src/testing/request.js";
import { amocrmLeadStatus, iikoDeliveryOrderUpdate } from "../../src/testing/webhooks.js";
import amocrmContact from "../fixtures/amocrm/api-v4-contact-10971465.json?raw";
import amocrmLead from "../fixtures/amocrm/api-v4-lead-3912171-with-contacts.json?raw";
import amocrmWebhook from "../fixtures/amocrm/lead-status-won-docs.txt?raw";
import iikoWebhook from "../fixtures/iiko/iiko-01-delivery-closed.json?raw";
import { checkStatusRoute } from "./status-route.js";
import { checkStatusWebhooks } from "./status-webhooks.js";

/** The webhook key the requester accepts. */
export const WEBHOOK_KEY = "runtime-matrix-webhook-key";
const SMS_RU_KEY = "runtime-matrix-smsru-key";
const AMOCRM_TOKEN = "runtime-matrix-amocrm-token";
const BUSINESS = "Кофейня «Зерно»";
const REVIEW_URL = "https://example.com/review/zerno";

/** What each webhook must lead to. */
export const EXPECTED = {
  iiko: { id: "9e3b7c1a-5f42-4d8e-b6a0-2c71f9d4e805", phone: "+79161234567", smsTo: "79161234567" },
  amocrm: { id: "25399013", phone: "+79000000004", smsTo: "79000000004", contactId: "10971465" },
} as const;

/** The two sources the matrix sends. */
export type MatrixSource = keyof typeof EXPECTED;
/** The sources, in the order they are sent. */
export const SOURCES: readonly MatrixSource[] = ["iiko", "amocrm"];

/** A request a fake provider received. */
export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly authorization: string | null;
  readonly contentType: string | null;
  readonly body: string;
}

/** An SMS the fake SMS.ru accepted. */
export interface SeenSms {
  readonly to: string;
  readonly msg: string;
  readonly apiKeyOk: boolean;
}

/** A requester wired to fake providers, plus what those fakes saw. */
export interface World {
  readonly requester: ReviewRequester;
  readonly sms: SeenSms[];
  readonly smsRequests: SeenRequest[];
  readonly amocrmRequests: SeenRequest[];
  readonly logs: string[];
}

/** The runtime the code runs on, as seen from inside. */
export function detectRuntime(): { name: string; version: string } {
  const g = globalThis as any;
  if (g.Bun?.version) return { name: "bun", version: String(g.Bun.version) };
  if (g.Deno?.version?.deno) return { name: "deno", version: String(g.Deno.version.deno) };
  if (g.navigator?.userAgent === "Cloudflare-Workers") return { name: "workerd", version: "?" };
  if (g.process?.versions?.node) return { name: "node", version: String(g.process.versions.node) };
  return { name: "unknown", version: "?" };
}

/** A `fetch` that records each request and answers with `answer`, never touching the network. */
function fakeFetch(
  seen: SeenRequest[],
  answer: (request: Request, body: string) => Response,
): typeof fetch {
  const fake = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const body = request.method === "GET" ? "" : await request.text();
    seen.push({
      method: request.method,
      url: request.url,
      authorization: request.headers.get("authorization"),
      contentType: request.headers.get("content-type"),
      body,
    });
    return answer(request, body);
  };
  return fake as typeof fetch;
}

function json(body: unknown, status = 200, contentType = "application/json"): Response {
  return new Response(typeof body === "string" ? body : JSON.stringify(body), {
    status,
    headers: { "content-type": contentType },
  });
}

/** SMS.ru's `sms/send`: HTTP 200 JSON, errors by `status_code`, as the real API answers. */
function smsRuAnswer(world: { sms: SeenSms[] }) {
  return (request: Request, body: string): Response => {
    const url = new URL(request.url);
    if (
      request.method !== "POST" ||
      url.origin !== "https://sms.ru" ||
      url.pathname !== "/sms/send"
    )
      return json({ status: "ERROR", status_code: 211, status_text: "Метод не найден" });
    const form = new URLSearchParams(body);
    const apiKeyOk = form.get("api_id") === SMS_RU_KEY;
    if (!apiKeyOk)
      return json({ status: "ERROR", status_code: 200, status_text: "Неправильный api_id" });
    const to = form.get("to") ?? "";
    world.sms.push({ to, msg: form.get("msg") ?? "", apiKeyOk });
    const id = `000000-${10000000 + world.sms.length}`;
    return json(
      `{"status":"OK","status_code":100,"sms":{${JSON.stringify(to)}:{"status":"OK","status_code":100,"sms_id":"${id}"}},"balance":4122.56}`,
    );
  };
}

/** amoCRM API v4: the won lead of the webhook (the docs' lead 3912171 renumbered) and its contact. */
function amocrmAnswer(request: Request): Response {
  const url = new URL(request.url);
  const problem = (status: number, title: string) =>
    json({ title, status, detail: title }, status, "application/problem+json");
  if (url.origin !== "https://test.amocrm.ru") return problem(404, "Not Found");
  if (request.headers.get("authorization") !== `Bearer ${AMOCRM_TOKEN}`)
    return problem(401, "Unauthorized");
  if (url.pathname === `/api/v4/leads/${EXPECTED.amocrm.id}`) {
    const lead = JSON.parse(amocrmLead) as Record<string, unknown>;
    lead.id = Number(EXPECTED.amocrm.id);
    if (url.searchParams.get("with") !== "contacts") delete lead._embedded;
    return json(lead, 200, "application/hal+json");
  }
  if (url.pathname === `/api/v4/contacts/${EXPECTED.amocrm.contactId}`)
    return json(amocrmContact, 200, "application/hal+json");
  return problem(404, "Not Found");
}

/** A requester with fake SMS.ru and amoCRM, no quiet hours, no delay. */
export function createWorld(): World {
  const world: World = {
    requester: undefined as unknown as ReviewRequester,
    sms: [],
    smsRequests: [],
    amocrmRequests: [],
    logs: [],
  };
  const log =
    (level: string) =>
    (message: string): void => {
      world.logs.push(`${level}: ${message}`);
    };
  const logger: Logger = {
    debug: log("debug"),
    info: log("info"),
    warn: log("warn"),
    error: log("error"),
  };
  const sms = createSmsRuClient({
    apiKey: SMS_RU_KEY,
    fetch: fakeFetch(world.smsRequests, smsRuAnswer(world)),
    logger,
  });
  const amocrm = createAmocrmClient({
    subdomain: "test",
    accessToken: AMOCRM_TOKEN,
    fetch: fakeFetch(world.amocrmRequests, amocrmAnswer),
    logger,
  });
  return Object.assign(world, {
    requester: createReviewRequester({
      keys: WEBHOOK_KEY,
      business: BUSINESS,
      reviewUrl: REVIEW_URL,
      channels: [{ type: "sms", client: sms }],
      quietHours: false,
      amocrm,
      logger,
    }),
  });
}

/** The request a POS/CRM sends: iiko JSON with its raw `Authorization` key, amoCRM form with `?key=`. */
export function webhookInit(source: MatrixSource): {
  path: string;
  init: { method: string; headers: Record<string, string>; body: string };
} {
  if (source === "iiko")
    return {
      path: "/api/webhook/iiko",
      init: {
        method: "POST",
        headers: { "content-type": "application/json; charset=utf-8", authorization: WEBHOOK_KEY },
        body: iikoWebhook,
      },
    };
  return {
    path: `/api/webhook/amocrm?key=${encodeURIComponent(WEBHOOK_KEY)}`,
    init: {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: amocrmWebhook,
    },
  };
}

/** Checks a handler answer; `mode` is the handler's `respond`. Returns the problems found. */
export function checkWebhookAnswer(
  source: MatrixSource,
  mode: "sent" | "accepted",
  status: number,
  text: string,
): string[] {
  const problems: string[] = [];
  if (status !== 200) problems.push(`${source} (${mode}): HTTP ${status}, want 200: ${text}`);
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    return [...problems, `${source} (${mode}): answer is not JSON: ${text.slice(0, 200)}`];
  }
  const want =
    mode === "sent"
      ? [{ id: EXPECTED[source].id, status: "sent" }]
      : [{ id: EXPECTED[source].id, status: "accepted", reason: null }];
  const got = JSON.stringify(body?.events);
  if (body?.ok !== true || got !== JSON.stringify(want))
    problems.push(`${source} (${mode}): answer ${text}, want events ${JSON.stringify(want)}`);
  return problems;
}

/** Checks the SMS the fake SMS.ru received: exactly the expected recipients, with the review link. */
export function checkSms(
  label: string,
  sms: readonly SeenSms[],
  want: readonly string[],
): string[] {
  const problems: string[] = [];
  const to = sms.map((s) => s.to);
  if (JSON.stringify(to) !== JSON.stringify(want))
    problems.push(`${label}: SMS sent to ${JSON.stringify(to)}, want ${JSON.stringify(want)}`);
  for (const s of sms) {
    if (!s.msg.includes(REVIEW_URL) || !s.msg.includes(BUSINESS))
      problems.push(`${label}: SMS text lacks the business or review link: ${s.msg}`);
  }
  return problems;
}

/** Checks the amoCRM API calls: the lead with its contacts, then the main contact. */
export function checkAmocrmCalls(label: string, seen: readonly SeenRequest[]): string[] {
  const want = [
    `GET https://test.amocrm.ru/api/v4/leads/${EXPECTED.amocrm.id}?with=contacts`,
    `GET https://test.amocrm.ru/api/v4/contacts/${EXPECTED.amocrm.contactId}`,
  ];
  const got = seen.map((r) => `${r.method} ${r.url}`);
  const problems: string[] = [];
  if (JSON.stringify(got) !== JSON.stringify(want))
    problems.push(`${label}: amoCRM calls ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  if (seen.some((r) => r.authorization !== `Bearer ${AMOCRM_TOKEN}`))
    problems.push(`${label}: an amoCRM call lacks the Bearer token`);
  return problems;
}

/** Parser results, trimmed to what the report shows. */
function parserSummary(result: ReturnType<typeof parseIiko>) {
  return {
    shouldSend: result.shouldSend,
    phone: result.phone,
    reason: result.reason,
    events: result.events.map((e) => ({
      type: e.type,
      id: e.id,
      status: e.status,
      phone: e.phone,
      shouldSend: e.shouldSend,
      reason: e.reason,
      lookup: e.lookup ?? null,
    })),
  };
}

/**
 * otzovik/testing's shipped fixtures and builders on this runtime: the embedded iiko sample is
 * the file's text, builder bodies parse as intended, and `webhookRequest`'s Request reaches the
 * handler (a wrong key: 401, nothing read or sent).
 */
async function checkTestingKit(
  handler: (request: Request) => Promise<Response>,
): Promise<string[]> {
  const problems: string[] = [];
  if (fixtures.iiko.deliveryClosed.body !== iikoWebhook)
    problems.push("fixtures.iiko.deliveryClosed.body is not the iiko sample's text");
  if (fixtures.amocrm.leadWon.body !== amocrmWebhook)
    problems.push("fixtures.amocrm.leadWon.body is not the amoCRM sample's text");
  const iiko = parseIiko(iikoDeliveryOrderUpdate({ orderId: "kit-1", status: "Delivered" }));
  if (!iiko.shouldSend || iiko.events[0]?.id !== "kit-1" || iiko.phone !== "+79161234567")
    problems.push(`iikoDeliveryOrderUpdate: ${JSON.stringify(parserSummary(iiko))}`);
  const amo = parseAmocrm(amocrmLeadStatus({ leadId: 7, subdomain: "kit" }));
  if (!amo.shouldSend || amo.events[0]?.lookup?.baseUrl !== "https://kit.amocrm.ru")
    problems.push(`amocrmLeadStatus: ${JSON.stringify(parserSummary(amo))}`);
  const request = webhookRequest("amocrm", amocrmLeadStatus(), { key: "wrong", baseUrl: ORIGIN });
  if (request.headers.get("content-type") !== "application/x-www-form-urlencoded")
    problems.push(`webhookRequest: content type ${request.headers.get("content-type")}`);
  const refused = await handler(request);
  if (refused.status !== 401) problems.push(`webhookRequest, wrong key: HTTP ${refused.status}`);
  return problems;
}

/** What {@link runScenario} found. */
export interface ScenarioReport {
  readonly runtime: { name: string; version: string };
  readonly ok: boolean;
  readonly problems: string[];
  readonly ms: number;
  readonly summary: Record<MatrixSource, string>;
  readonly parsers: Record<MatrixSource, unknown>;
  readonly webhooks: Record<string, { status: number; body: unknown }>;
  readonly sms: SeenSms[];
  readonly amocrmCalls: string[];
  readonly realFetchCalls: number;
}

function parseOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Base URL of the requests the scenario makes up (the handler only reads the path). */
const ORIGIN = "https://otzovik.test";

/**
 * Runs the scenario: the parsers on both fixtures; both webhooks through a `respond: "sent"`
 * handler; both through a default (`"accepted"`) handler whose sends finish via `waitUntil`; a
 * wrong key (401); a signed status webhook of each provider (and the same one byte changed); the
 * status route (a WhatsApp undelivered → one SMS). The global `fetch` is swapped for a tripwire meanwhile: the SDK must only use
 * the fake `fetch` it was given. Never throws; `ok` and `problems` say how it went.
 */
export async function runScenario(): Promise<ScenarioReport> {
  const started = Date.now();
  const problems: string[] = [];
  const webhooks: ScenarioReport["webhooks"] = {};
  const summary = { iiko: "not run", amocrm: "not run" } as Record<MatrixSource, string>;
  const parsers = {} as Record<MatrixSource, unknown>;
  const sent = createWorld();
  const accepted = createWorld();
  const realFetch = globalThis.fetch;
  let realFetchCalls = 0;
  try {
    globalThis.fetch = (async () => {
      realFetchCalls++;
      throw new Error("the real fetch was called: providers must be faked");
    }) as typeof fetch;
  } catch {
    // A runtime whose global fetch is read-only: the tripwire is skipped, the fakes still record.
  }
  try {
    // 1. The parsers, called directly on the raw bodies.
    const iiko = parseIiko(iikoWebhook);
    const amo = parseAmocrm(amocrmWebhook);
    parsers.iiko = parserSummary(iiko);
    parsers.amocrm = parserSummary(amo);
    const [iikoEvent] = iiko.events;
    if (
      !iiko.shouldSend ||
      iiko.events.length !== 1 ||
      iikoEvent?.id !== EXPECTED.iiko.id ||
      iikoEvent.phone !== EXPECTED.iiko.phone ||
      iikoEvent.status !== "Closed"
    )
      problems.push(`parseIiko: ${JSON.stringify(parsers.iiko)}`);
    const [amoEvent] = amo.events;
    const lookup = amoEvent?.lookup;
    if (
      !amo.shouldSend ||
      amo.events.length !== 1 ||
      amoEvent?.id !== EXPECTED.amocrm.id ||
      amoEvent.phone !== null ||
      amoEvent.status !== "142" ||
      lookup?.kind !== "amocrm_lead" ||
      lookup.leadId !== EXPECTED.amocrm.id ||
      lookup.subdomain !== "test" ||
      lookup.baseUrl !== "https://test.amocrm.ru"
    )
      problems.push(`parseAmocrm: ${JSON.stringify(parsers.amocrm)}`);

    // 2. Both webhooks through a handler that answers after sending.
    const handler = createFetchHandler(sent.requester, { respond: "sent" });
    for (const source of SOURCES) {
      const { path, init } = webhookInit(source);
      const response = await handler(new Request(`${ORIGIN}${path}`, init));
      const text = await response.text();
      webhooks[`${source} (sent)`] = { status: response.status, body: parseOrText(text) };
      const found = checkWebhookAnswer(source, "sent", response.status, text);
      problems.push(...found);
      const sms = sent.sms.at(-1);
      summary[source] =
        found.length > 0
          ? `FAILED (HTTP ${response.status})`
          : sms?.to === EXPECTED[source].smsTo
            ? `sent → +${sms.to}`
            : `FAILED (SMS to ${sms ? `+${sms.to}` : "nobody"})`;
    }
    problems.push(
      ...checkSms(
        "sent",
        sent.sms,
        SOURCES.map((s) => EXPECTED[s].smsTo),
      ),
    );
    problems.push(...checkAmocrmCalls("sent", sent.amocrmRequests));

    // 3. The default mode: answer once claimed, send in the background through waitUntil.
    const background: Promise<unknown>[] = [];
    const context: FetchContext = { waitUntil: (promise) => background.push(promise) };
    const early = createFetchHandler(accepted.requester);
    for (const source of SOURCES) {
      const { path, init } = webhookInit(source);
      const response = await early(new Request(`${ORIGIN}${path}`, init), context);
      const text = await response.text();
      webhooks[`${source} (accepted)`] = { status: response.status, body: parseOrText(text) };
      problems.push(...checkWebhookAnswer(source, "accepted", response.status, text));
    }
    if (background.length !== SOURCES.length)
      problems.push(`waitUntil got ${background.length} promises, want ${SOURCES.length}`);
    await Promise.all(background);
    problems.push(
      ...checkSms(
        "accepted + waitUntil",
        accepted.sms,
        SOURCES.map((s) => EXPECTED[s].smsTo),
      ),
    );
    problems.push(...checkAmocrmCalls("accepted + waitUntil", accepted.amocrmRequests));

    // 4. A wrong key is refused before anything is read or sent.
    const { path, init } = webhookInit("iiko");
    const refused = await handler(
      new Request(`${ORIGIN}${path}`, {
        ...init,
        headers: { ...init.headers, authorization: "wrong" },
      }),
    );
    webhooks["iiko (wrong key)"] = {
      status: refused.status,
      body: parseOrText(await refused.text()),
    };
    if (refused.status !== 401) problems.push(`wrong key: HTTP ${refused.status}, want 401`);

    // 5. otzovik/testing's fixtures and builders: no file, no msw, only Web APIs.
    problems.push(...(await checkTestingKit(handler)));

    // 6. Status webhooks signed the providers' ways, read through the clients, one byte changed.
    const status = await checkStatusWebhooks();
    for (const [label, answer] of Object.entries(status.readings))
      webhooks[`status ${label}`] = answer;
    problems.push(...status.problems);

    // 7. The status route: createFetchStatusHandler, a WhatsApp undelivered → one SMS.
    const route = await checkStatusRoute();
    for (const [label, answer] of Object.entries(route.readings))
      webhooks[`status route ${label}`] = answer;
    problems.push(...route.problems);

    await sent.requester.close();
    await accepted.requester.close();
  } catch (error) {
    problems.push(
      `threw: ${error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ""}` : String(error)}`,
    );
  } finally {
    try {
      globalThis.fetch = realFetch;
    } catch {
      // Read-only global fetch: nothing was replaced.
    }
  }
  if (realFetchCalls > 0) problems.push(`the real fetch was called ${realFetchCalls} time(s)`);
  const errors = [...sent.logs, ...accepted.logs].filter((line) => line.startsWith("error"));
  if (errors.length > 0) problems.push(`logged errors: ${errors.join("; ")}`);
  return {
    runtime: detectRuntime(),
    ok: problems.length === 0,
    problems,
    ms: Date.now() - started,
    summary,
    parsers,
    webhooks,
    sms: sent.sms,
    amocrmCalls: sent.amocrmRequests.map((r) => `${r.method} ${r.url}`),
    realFetchCalls,
  };
}
