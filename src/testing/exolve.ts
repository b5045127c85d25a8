import {
  EXOLVE_BASE_URL,
  EXOLVE_DEFAULT_WHATSAPP_PATH,
  EXOLVE_SMS_PATH,
} from "../providers/exolve.js";
import {
  commonAnswer,
  createScenarioQueue,
  e164,
  endpoint,
  type FakeOptions,
  type FakeRequest,
  type FakeSender,
  rawJson,
  recordRequest,
} from "./fake.js";
import { loadMsw } from "./msw.js";

/**
 * Exolve scenarios. `success` answers `message_id` as an **unquoted** 18-digit number (to catch
 * precision bugs), `success_quoted` as a string. Errors (the shapes are undocumented; both seen
 * shapes are emulated): `bad_destination` (400, gRPC-gateway `{code:3,message,details}`),
 * `error_nested` (400, `{error:{message}}`), `auth` (401), `rate_limited` (429 with
 * `Retry-After`), `unavailable` (503 gRPC UNAVAILABLE with `Retry-After`: refused for now, so
 * retried), `server_error` (500). Plus the common scenarios.
 */
export type ExolveScenario =
  | "success_quoted"
  | "bad_destination"
  | "error_nested"
  | "auth"
  | "rate_limited"
  | "unavailable"
  | "server_error";

/** Options of {@link createFakeExolve}. */
export interface FakeExolveOptions extends FakeOptions {
  /** The API key the fake accepts; any other gets 401. Default: any Bearer token. */
  readonly apiKey?: string;
  /** Path of the (undocumented) WhatsApp method. Default: the client's default. */
  readonly whatsappPath?: string;
  /** First `message_id` handed out; increments per message. Default `"575976245313935471"`. */
  readonly firstMessageId?: string;
}

const DESTINATION_ERROR =
  'invalid SendRequest.Destination: value does not match regex pattern "^[0-9]{11}$"';

function grpcError(status: number, code: number, message: string, headers = {}): Response {
  return Response.json({ code, message, details: [] }, { status, headers });
}

/**
 * A fake MTS Exolve messaging API for msw: `POST /messaging/v1/SendSMS` (documented) and the
 * configured WhatsApp path (undocumented). Checks the Bearer key and that `destination` is 11
 * digits (400 with Exolve's regex message otherwise).
 */
export function createFakeExolve(options: FakeExolveOptions = {}): FakeSender<ExolveScenario> {
  const { http } = loadMsw();
  const base = options.baseUrl ?? EXOLVE_BASE_URL;
  const retryAfter = options.retryAfterSeconds ?? 1;
  const first = BigInt(options.firstMessageId ?? "575976245313935471");
  let counter = 0n;
  const queue = createScenarioQueue<ExolveScenario>(() => {
    counter = 0n;
  });

  function checks(req: FakeRequest): Response | null {
    const auth = req.headers.authorization ?? "";
    const token = auth.startsWith("Bearer ") ? auth.slice(7) : "";
    if (!token || (options.apiKey !== undefined && token !== options.apiKey))
      return grpcError(401, 16, "unauthenticated");
    if (req.json === undefined)
      return new Response("proto: syntax error (line 1:1): unexpected token", { status: 400 });
    const destination = (req.json as { destination?: unknown }).destination;
    if (typeof destination !== "string" || !/^\d{11}$/.test(destination))
      return grpcError(400, 3, DESTINATION_ERROR);
    return null;
  }

  async function answer(request: Request, channel: "sms" | "whatsapp"): Promise<Response> {
    const req = await recordRequest(request);
    queue.requests.push(req);
    const scenario = queue.next();
    if (typeof scenario === "function") return scenario(req);
    const common = await commonAnswer(scenario, retryAfter);
    if (common) return common;
    switch (scenario) {
      case "auth":
        return grpcError(401, 16, "unauthenticated");
      case "bad_destination":
        return grpcError(400, 3, DESTINATION_ERROR);
      case "error_nested":
        return Response.json({ error: { message: "Number does not exist" } }, { status: 400 });
      case "rate_limited":
        return grpcError(429, 8, "too many requests", { "retry-after": String(retryAfter) });
      case "unavailable":
        return grpcError(503, 14, "service unavailable", { "retry-after": String(retryAfter) });
      case "server_error":
        return grpcError(500, 13, "internal error");
    }
    const failed = checks(req);
    if (failed) return failed;
    if (scenario === "no_id") return rawJson("{}");
    const sent = req.json as { destination: string; text?: unknown };
    queue.accept({
      channel,
      to: e164(sent.destination),
      text: typeof sent.text === "string" ? sent.text : "",
    });
    const id = (first + counter).toString();
    counter += 1n;
    return rawJson(
      scenario === "success_quoted" ? `{"message_id":"${id}"}` : `{"message_id":${id}}`,
    );
  }

  return queue.senderControls([
    http.post(endpoint(base, EXOLVE_SMS_PATH), ({ request }) => answer(request, "sms")),
    http.post(endpoint(base, options.whatsappPath ?? EXOLVE_DEFAULT_WHATSAPP_PATH), ({ request }) =>
      answer(request, "whatsapp"),
    ),
  ]);
}
