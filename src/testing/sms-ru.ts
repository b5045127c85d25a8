import { HttpResponse, http } from "msw";
import { SMS_RU_BASE_URL } from "../providers/sms-ru.js";
import {
  commonAnswer,
  createScenarioQueue,
  endpoint,
  type FakeOptions,
  type FakeProvider,
  type FakeRequest,
  rawJson,
  recordRequest,
} from "./fake.js";

/**
 * SMS.ru scenarios (all answered with HTTP 200, as SMS.ru does):
 * `auth` (200 invalid api_id), `no_funds` (201), `sender_not_approved` (204), `bad_number` (202
 * for the recipient under a top-level OK), `no_route` (207 likewise), `unavailable` (220),
 * `server_error` (500), `rate_limited` (508 too many calls), `duplicate` (231),
 * `daily_limit` (206). Plus the common scenarios.
 */
export type SmsRuScenario =
  | "auth"
  | "no_funds"
  | "sender_not_approved"
  | "bad_number"
  | "no_route"
  | "unavailable"
  | "server_error"
  | "rate_limited"
  | "duplicate"
  | "daily_limit";

/** Options of {@link createFakeSmsRu}. */
export interface FakeSmsRuOptions extends FakeOptions {
  /** The `api_id` the fake accepts; any other gets code 200. Default: any non-empty key. */
  readonly apiKey?: string;
  /** Balance reported by `my/balance` and `sms/send`, as JSON number text. Default `"4122.56"`. */
  readonly balance?: string;
}

const TOP_LEVEL: Record<string, [number, string]> = {
  auth: [200, "Неправильный api_id"],
  no_funds: [201, "Не хватает средств на лицевом счету"],
  sender_not_approved: [204, "Имя отправителя не согласовано с администрацией"],
  unavailable: [220, "Сервис временно недоступен, попробуйте чуть позже"],
  server_error: [500, "Ошибка на сервере. Повторите запрос."],
  rate_limited: [508, "Превышен лимит запросов"],
  daily_limit: [206, "Будет превышен или уже превышен дневной лимит на отправку сообщений"],
};
const PER_RECIPIENT: Record<string, [number, string]> = {
  bad_number: [202, "Неправильно указан номер телефона получателя, либо на него нет маршрута"],
  no_route: [207, "На этот номер нет маршрута для доставки сообщений"],
  duplicate: [231, "Превышен лимит одинаковых сообщений на этот номер в минуту"],
};

function error(code: number, text: string): Response {
  return HttpResponse.json({ status: "ERROR", status_code: code, status_text: text });
}

/**
 * A fake SMS.ru (`sms/send`, `sms/status`, `sms/cost`, `my/balance`) for msw. Like SMS.ru it
 * answers HTTP 200 with JSON and reports errors by `status_code`: GET gets 210, a wrong `api_id`
 * 200, a missing `json=1` the legacy plain-text answer, and `test=1` ids without "sending".
 *
 * @example
 * const smsRu = createFakeSmsRu({ apiKey: "test-key" })
 * const server = setupServer(...smsRu.handlers)
 * smsRu.enqueue("unavailable") // first send gets 220, the retry succeeds
 */
export function createFakeSmsRu(options: FakeSmsRuOptions = {}): FakeProvider<SmsRuScenario> {
  const base = options.baseUrl ?? SMS_RU_BASE_URL;
  const retryAfter = options.retryAfterSeconds ?? 1;
  const balance = options.balance ?? "4122.56";
  let counter = 0;
  const queue = createScenarioQueue<SmsRuScenario>(() => {
    counter = 0;
  });

  function authorised(req: FakeRequest): Response | null {
    if (req.method !== "POST")
      return error(210, "Используется GET, где необходимо использовать POST");
    const key = req.form?.api_id ?? req.url.searchParams.get("api_id");
    if (!key || (options.apiKey !== undefined && key !== options.apiKey))
      return error(200, "Неправильный api_id");
    if (req.form?.json !== "1") return new HttpResponse(`200\n`, { status: 200 });
    return null;
  }

  async function answer(request: Request, kind: "send" | "status" | "cost" | "balance") {
    const req = await recordRequest(request);
    queue.requests.push(req);
    const scenario = queue.next();
    if (typeof scenario === "function") return scenario(req);
    const common = await commonAnswer(scenario, retryAfter);
    if (common) return common;
    const denied = authorised(req);
    if (denied) return denied;
    const top = TOP_LEVEL[scenario];
    if (top) return error(top[0], top[1]);
    const form = req.form ?? {};
    if (kind === "balance")
      return rawJson(`{"status":"OK","status_code":100,"balance":${balance}}`);
    if (kind === "status") {
      const entries = (form.sms_id ?? "")
        .split(",")
        .map((id) =>
          id.startsWith("000000-")
            ? `"${id}":{"status":"OK","status_code":103,"cost":0.50,"status_text":"Сообщение доставлено"}`
            : `"${id}":{"status":"ERROR","status_code":-1,"status_text":"Сообщение не найдено"}`,
        );
      return rawJson(`{"status":"OK","status_code":100,"sms":{${entries.join(",")}}}`);
    }
    const phones = (form.to ?? "").split(",").filter(Boolean);
    if (phones.length === 0 || (!form.msg && !form.text)) return error(203, "Нет текста сообщения");
    const perRecipient = PER_RECIPIENT[scenario];
    const entries = phones.map((phone) => {
      if (perRecipient || !/^\d{10,15}$/.test(phone)) {
        const [code, text] = perRecipient ?? [202, "Неправильно указан номер телефона получателя"];
        return `${JSON.stringify(phone)}:{"status":"ERROR","status_code":${code},"status_text":${JSON.stringify(text)}}`;
      }
      if (kind === "cost")
        return `"${phone}":{"status":"OK","status_code":100,"cost":2.45,"sms":1}`;
      if (scenario === "no_id") return `"${phone}":{"status":"OK","status_code":100}`;
      counter += 1;
      const id = `000000-${String(10000000 + counter)}`;
      return `"${phone}":{"status":"OK","status_code":100,"sms_id":"${id}"}`;
    });
    const tail = kind === "cost" ? `"total_cost":2.45,"total_sms":1` : `"balance":${balance}`;
    return rawJson(`{"status":"OK","status_code":100,"sms":{${entries.join(",")}},${tail}}`);
  }

  const paths = { send: "sms/send", status: "sms/status", cost: "sms/cost", balance: "my/balance" };
  const handlers = Object.entries(paths).map(([kind, path]) =>
    http.all(endpoint(base, path), ({ request }) =>
      answer(request, kind as "send" | "status" | "cost" | "balance"),
    ),
  );
  return queue.controls(handlers);
}
