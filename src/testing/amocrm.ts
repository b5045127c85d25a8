import {
  commonAnswer,
  createScenarioQueue,
  endpoint,
  type FakeOptions,
  type FakeProvider,
  type FakeRequest,
  recordRequest,
} from "./fake.js";
import { loadMsw } from "./msw.js";

/**
 * amoCRM API scenarios: `auth` (401), `payment_required` (402), `forbidden` (403), `not_found`
 * (404), `no_content` (204), `rate_limited` (429 with `Retry-After`), `server_error` (500). Plus
 * the common scenarios (`timeout`, `reset`, `non_json`, `proxy_429`…). `success` answers from
 * the `leads` and `contacts` maps.
 *
 * Always on: a missing or wrong Bearer token → 401; an id that is not in the maps → 404 (or 204,
 * see {@link FakeAmocrmOptions.notFoundStatus}); a lead requested without `with=contacts` comes
 * back without `_embedded.contacts`, as amoCRM does.
 */
export type AmocrmScenario =
  | "auth"
  | "payment_required"
  | "forbidden"
  | "not_found"
  | "no_content"
  | "rate_limited"
  | "server_error";

/** Options of {@link createFakeAmocrm}. */
export interface FakeAmocrmOptions extends FakeOptions {
  /** The account subdomain: the fake answers on `https://{subdomain}.amocrm.ru`. Default `"example"`. */
  readonly subdomain?: string;
  /** The long-lived token the fake accepts. Default: any Bearer token. */
  readonly accessToken?: string;
  /**
   * Leads by id, as `GET /api/v4/leads/{id}?with=contacts` returns them (with
   * `_embedded.contacts[]`). Read at request time: changes to the object show up in answers.
   */
  readonly leads?: Readonly<Record<string, unknown>>;
  /** Contacts by id, as `GET /api/v4/contacts/{id}` returns them. Read at request time. */
  readonly contacts?: Readonly<Record<string, unknown>>;
  /** Status for ids that are not in the maps. Default `404`. */
  readonly notFoundStatus?: 204 | 404;
}

/** amoCRM's error answers are RFC 7807 problem documents. */
function problem(status: number, title: string, detail: string, headers = {}): Response {
  return Response.json(
    { title, type: `https://httpstatus.es/${status}`, status, detail },
    { status, headers: { "content-type": "application/problem+json", ...headers } },
  );
}

function hal(body: unknown): Response {
  return new Response(JSON.stringify(body), {
    headers: { "content-type": "application/hal+json" },
  });
}

/**
 * A fake amoCRM REST API v4 for msw: `GET /api/v4/leads/{id}` and `GET /api/v4/contacts/{id}`
 * of one account, answering from the given maps.
 *
 * @example
 * const amo = createFakeAmocrm({ subdomain: "test", accessToken: "token",
 *   leads: { "3912171": lead }, contacts: { "10971465": contact } })
 * const server = setupServer(...amo.handlers)
 * amo.enqueue("rate_limited") // the next request gets a 429
 */
export function createFakeAmocrm(options: FakeAmocrmOptions = {}): FakeProvider<AmocrmScenario> {
  const { http } = loadMsw();
  const base = options.baseUrl ?? `https://${options.subdomain ?? "example"}.amocrm.ru`;
  const retryAfter = options.retryAfterSeconds ?? 1;
  const notFound = options.notFoundStatus ?? 404;
  const queue = createScenarioQueue<AmocrmScenario>();

  function scenarioAnswer(scenario: AmocrmScenario): Response | null {
    switch (scenario) {
      case "auth":
        return problem(401, "Unauthorized", "Unauthorized");
      case "payment_required":
        return problem(402, "Payment Required", "Account subscription has expired");
      case "forbidden":
        return problem(403, "Forbidden", "Access denied");
      case "not_found":
        return problem(404, "Not Found", "Not found");
      case "no_content":
        return new Response(null, { status: 204 });
      case "rate_limited":
        return problem(429, "Too Many Requests", "Too many requests", {
          "retry-after": String(retryAfter),
        });
      case "server_error":
        return problem(500, "Internal Server Error", "Internal Server Error");
      default:
        return null;
    }
  }

  function entity(req: FakeRequest, map: Readonly<Record<string, unknown>> | undefined) {
    const auth = req.headers.authorization ?? "";
    if (!auth.startsWith("Bearer ")) return problem(401, "Unauthorized", "Unauthorized");
    if (options.accessToken !== undefined && auth.slice(7) !== options.accessToken)
      return problem(401, "Unauthorized", "Unauthorized");
    const id = req.path.split("/").pop() ?? "";
    const found = /^\d+$/.test(id) && map && Object.hasOwn(map, id) ? map[id] : undefined;
    if (found === undefined)
      return notFound === 204
        ? new Response(null, { status: 204 })
        : problem(404, "Not Found", "Not found");
    return found;
  }

  /** A lead without `_embedded.contacts` unless the query asks `with=contacts`. */
  function leadAnswer(req: FakeRequest, lead: unknown): unknown {
    const wanted = (req.url.searchParams.get("with") ?? "").split(",").includes("contacts");
    if (wanted || typeof lead !== "object" || lead === null) return lead;
    const embedded = (lead as { _embedded?: unknown })._embedded;
    if (typeof embedded !== "object" || embedded === null) return lead;
    const { contacts: _omitted, ...rest } = embedded as Record<string, unknown>;
    return { ...lead, _embedded: rest };
  }

  function handler(kind: "leads" | "contacts") {
    return http.get(endpoint(base, `api/v4/${kind}/:id`), async ({ request }) => {
      const req = await recordRequest(request);
      queue.requests.push(req);
      const scenario = queue.next();
      if (typeof scenario === "function") return scenario(req);
      const common = await commonAnswer(scenario, retryAfter);
      if (common) return common;
      const special = scenarioAnswer(scenario as AmocrmScenario);
      if (special) return special;
      const found = entity(req, kind === "leads" ? options.leads : options.contacts);
      if (found instanceof Response) return found;
      return hal(kind === "leads" ? leadAnswer(req, found) : found);
    });
  }

  return queue.controls([handler("leads"), handler("contacts")]);
}
