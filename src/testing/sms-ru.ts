import { SMS_RU_BASE_URL } from "../providers/sms-ru.js";
import {
  commonAnswer,
  createScenarioQueue,
  e164,
  endpoint,
  type FakeOptions,
  type FakeRequest,
  type FakeSender,
  type FakeStatusWebhook,
  rawJson,
  recordRequest,
  unknownMessage,
} from "./fake.js";
import { loadMsw } from "./msw.js";
import { smsRuCallbackBody } from "./status/sms-ru.js";

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

/** Options of {@link FakeSmsRu.statusCallback}. */
export interface FakeSmsRuCallbackOptions {
  /**
   * The `api_id` that keys the callback's `hash`. Default: the `api_id` the message was sent with,
   * as SMS.ru signs with the account's key. Give another to test that a forged callback is refused.
   */
  readonly apiKey?: string;
  /** When the status happened: a `Date`, or UNIX seconds. Default now. */
  readonly at?: Date | number;
}

/** One status of a {@link FakeSmsRu.statusCallback} carrying several. */
export interface FakeSmsRuCallbackStatus {
  /** The SMS id this fake answered a send with (`000000-10000001`). */
  readonly smsId: string;
  /** The status code: 100–102 on the way, 103 delivered, 104–108 and 150 not delivered, 110 read. */
  readonly status: number;
  /** When it happened: a `Date`, or UNIX seconds. Default the options' `at`, or now. */
  readonly at?: Date | number;
}

/** The fake SMS.ru of {@link createFakeSmsRu}. */
export interface FakeSmsRu extends FakeSender<SmsRuScenario> {
  /**
   * The status callback SMS.ru would POST about messages this fake accepted: a form body of
   * `data[0]`, `data[1]`, … (`sms_status`, the SMS id, the status code, the UNIX time) and `hash`,
   * the SHA-256 of the `api_id` followed by the entries. Give one SMS id and its status, or
   * several statuses for one callback (SMS.ru batches them).
   *
   * @param smsId - The SMS id this fake answered a send with.
   * @param status - The status code (103 delivered, 104 expired, …).
   * @param options - The `api_id` to sign with (default the one the send used) and the time.
   * @returns The signed request: `{ method: "POST", headers, body }`. Your route must answer it
   *   with the plain text `100`.
   * @throws {TypeError} (the promise rejects) when this fake accepted no message with that id
   *   since it was created or last reset, it was a `test=1` send, the status is not an integer,
   *   or the messages were sent with different `api_id`s and no `apiKey` is given.
   *
   * @example
   * const smsRu = createFakeSmsRu()
   * const server = setupServer(...smsRu.handlers)
   * const sent = await sms.sendSms("+79161234567", "Оцените визит")
   * const callback = await smsRu.statusCallback(sent.messageId, 104) // not delivered: expired
   * const response = await fetch("http://localhost:3000/api/status/sms.ru", callback)
   * expect(await response.text()).toBe("100")
   */
  statusCallback(
    smsId: string,
    status: number,
    options?: FakeSmsRuCallbackOptions,
  ): Promise<FakeStatusWebhook>;
  /**
   * One callback carrying several statuses, in order.
   *
   * @example
   * await smsRu.statusCallback([
   *   { smsId: first.messageId, status: 103 },
   *   { smsId: second.messageId, status: 104 },
   * ])
   */
  statusCallback(
    statuses: readonly FakeSmsRuCallbackStatus[],
    options?: FakeSmsRuCallbackOptions,
  ): Promise<FakeStatusWebhook>;
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
  return Response.json({ status: "ERROR", status_code: code, status_text: text });
}

/**
 * A fake SMS.ru (`sms/send`, `sms/status`, `sms/cost`, `my/balance`) for msw. Like SMS.ru it
 * answers HTTP 200 with JSON and reports errors by `status_code`: GET gets 210, a wrong `api_id`
 * 200, a missing `json=1` the legacy plain-text answer, and `test=1` ids without "sending".
 *
 * It remembers each message it accepted, so {@link FakeSmsRu.statusCallback} can report on it as
 * SMS.ru would, later (not on a `test=1` send: SMS.ru never delivers those).
 *
 * @example
 * const smsRu = createFakeSmsRu({ apiKey: "test-key" })
 * const server = setupServer(...smsRu.handlers)
 * smsRu.enqueue("unavailable") // first send gets 220, the retry succeeds
 */
export function createFakeSmsRu(options: FakeSmsRuOptions = {}): FakeSmsRu {
  const { http } = loadMsw();
  const base = options.baseUrl ?? SMS_RU_BASE_URL;
  const retryAfter = options.retryAfterSeconds ?? 1;
  const balance = options.balance ?? "4122.56";
  let counter = 0;
  /** SMS id → the `api_id` its send used, and whether it was a `test=1` send. */
  const accepted = new Map<string, { readonly apiKey: string; readonly test: boolean }>();
  const queue = createScenarioQueue<SmsRuScenario>(() => {
    counter = 0;
    accepted.clear();
  });

  function authorised(req: FakeRequest): Response | null {
    if (req.method !== "POST")
      return error(210, "Используется GET, где необходимо использовать POST");
    const key = req.form?.api_id ?? req.url.searchParams.get("api_id");
    if (!key || (options.apiKey !== undefined && key !== options.apiKey))
      return error(200, "Неправильный api_id");
    if (req.form?.json !== "1") return new Response(`200\n`, { status: 200 });
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
      accepted.set(id, {
        apiKey: form.api_id ?? req.url.searchParams.get("api_id") ?? "",
        test: form.test === "1",
      });
      if (form.test !== "1")
        queue.accept({ channel: "sms", to: e164(phone), text: form.msg ?? form.text ?? "" });
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

  async function statusCallback(
    first: string | readonly FakeSmsRuCallbackStatus[],
    second?: number | FakeSmsRuCallbackOptions,
    third?: FakeSmsRuCallbackOptions,
  ): Promise<FakeStatusWebhook> {
    const many = Array.isArray(first);
    const statuses: readonly FakeSmsRuCallbackStatus[] = many
      ? (first as readonly FakeSmsRuCallbackStatus[])
      : [{ smsId: first as string, status: second as number }];
    const given = ((many ? second : third) ?? {}) as FakeSmsRuCallbackOptions;
    if (statuses.length === 0)
      throw new TypeError("statusCallback: give at least one status to report");
    const keys = new Set<string>();
    for (const { smsId, status } of statuses) {
      const message = typeof smsId === "string" ? accepted.get(smsId) : undefined;
      if (message === undefined) throw unknownMessage("statusCallback", smsId, accepted.size);
      if (message.test)
        throw new TypeError(
          `statusCallback: ${smsId} was sent with test=1, which SMS.ru never delivers nor reports on`,
        );
      if (!Number.isInteger(status))
        throw new TypeError(
          `statusCallback: the status of ${smsId} must be an integer SMS.ru code (103 delivered, 104 expired, …)`,
        );
      keys.add(message.apiKey);
    }
    const apiKey = given.apiKey ?? (keys.size === 1 ? [...keys][0] : undefined);
    if (apiKey === undefined)
      throw new TypeError(
        "statusCallback: these messages were sent with different api_id values: pass { apiKey }",
      );
    if (typeof apiKey !== "string" || apiKey === "")
      throw new TypeError("statusCallback: apiKey must be a non-empty string");
    const body = await smsRuCallbackBody(
      statuses.map(({ smsId, status, at }) => {
        const when = at ?? given.at;
        return when === undefined ? { smsId, status } : { smsId, status, at: when };
      }),
      apiKey,
    );
    return {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body,
    };
  }

  return Object.assign(queue.senderControls(handlers), {
    statusCallback: statusCallback as FakeSmsRu["statusCallback"],
  });
}
