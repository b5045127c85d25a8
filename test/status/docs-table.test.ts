/**
 * The status table of docs/delivery-tracking.md against the code, so it cannot drift silently:
 * every row is sent through the real receiver of its provider (its "Read as", "Next channel" and
 * "Opt-out" columns must be what the receiver says) and through a requester with the built-in
 * clients and the msw fakes (its "Outcome" column must be what `handleStatus(…).done` resolves with
 * and what the store then says); and every status the receivers know has a row of its own. Also
 * the README's curl of a fake Meta status: its body is one Meta's receiver reads.
 */

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { classifyMetaCode } from "../../src/providers/meta-codes.js";
import { createMetaWhatsappClient } from "../../src/providers/meta-whatsapp.js";
import { createResendClient } from "../../src/providers/resend.js";
import { createSmsRuClient } from "../../src/providers/sms-ru.js";
import { smsRuMessageState } from "../../src/providers/sms-ru-states.js";
import { createReviewRequester } from "../../src/requester/requester.js";
import type {
  ChannelSpec,
  Outcome,
  SentOutcome,
  StatusOutcome,
} from "../../src/requester/types.js";
import { createMetaStatusWebhooks, META_STATUS_MEANINGS } from "../../src/status/meta.js";
import { createResendStatusWebhooks, RESEND_EVENT_MEANINGS } from "../../src/status/resend.js";
import { createSmsRuStatusWebhooks } from "../../src/status/sms-ru.js";
import type { StatusUpdate } from "../../src/status/types.js";
import {
  type FakeStatusWebhook,
  type metaStatusPayload,
  resendEventPayload,
  signMetaStatus,
  signResendEvent,
  smsRuCallbackBody,
} from "../../src/testing/index.js";
import { providerFakes } from "../helpers/provider-fakes.js";
import { statusRequest } from "../helpers/status-request.js";

const APP_SECRET = "docs-table-app-secret-0123";
const SMS_KEY = "docs-table-sms-key";
const WEBHOOK_SECRET = `whsec_${btoa("docs-table-webhook-secret-0123")}`;

/** One row of the table, its cells as written. */
interface Row {
  readonly provider: string;
  readonly status: string;
  readonly code: string;
  readonly readAs: string;
  readonly next: string;
  readonly optOut: string;
  readonly outcome: string;
  readonly line: string;
}

function tableRows(): Row[] {
  const text = readFileSync(new URL("../../docs/delivery-tracking.md", import.meta.url), "utf8");
  const start = text.indexOf("<!-- status-table:start -->");
  const end = text.indexOf("<!-- status-table:end -->");
  if (start < 0 || end < start) throw new Error("the status table's markers are missing");
  return text
    .slice(start, end)
    .split("\n")
    .filter((line) => line.startsWith("| ") && !line.startsWith("| ---"))
    .slice(1)
    .map((line) => {
      const cells = line
        .split(" | ")
        .map((cell) => cell.replace(/^\| /, "").replace(/ \|$/, "").trim());
      if (cells.length !== 8) throw new Error(`not 8 cells: ${line}`);
      const [provider, status, code, , readAs, next, optOut, outcome] = cells as [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
      ];
      return { provider, status, code, readAs, next, optOut, outcome, line };
    });
}

const rows = tableRows();
const ticked = (cell: string) => /^`([^`]+)`$/.exec(cell)?.[1] ?? null;

/** A status a row stands for: the webhook to send about message `id`. */
interface Sample {
  readonly name: string;
  readonly webhook: (id: string) => Promise<FakeStatusWebhook>;
}

const { metaFake, smsFake, resendFake, keep } = providerFakes();

/** A Meta status without `errors[]`, as a `failed` with no code would come. */
async function metaWithoutErrors(id: string, status: string): Promise<FakeStatusWebhook> {
  // The fake's own webhook for the message (its real recipient), without `errors[]`.
  const made = await metaFake.statusWebhook(id, { status, appSecret: APP_SECRET });
  const payload = JSON.parse(made.body) as ReturnType<typeof metaStatusPayload>;
  const item = (payload.entry[0] as { changes: { value: { statuses: object[] } }[] }).changes[0]
    ?.value.statuses[0] as Record<string, unknown>;
  delete item.errors;
  const body = JSON.stringify(payload);
  return {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-hub-signature-256": await signMetaStatus(body, APP_SECRET),
    },
    body,
  };
}

function metaSamples(row: Row): Sample[] {
  const status = ticked(row.status);
  const code = ticked(row.code);
  const build = (s: string, errorCode?: number) => (id: string) =>
    metaFake.statusWebhook(id, {
      status: s,
      appSecret: APP_SECRET,
      ...(errorCode === undefined ? {} : { errorCode }),
    });
  if (status === null) {
    expect(row.status).toBe("any other status");
    return ["deleted", "warning"].map((s) => ({ name: s, webhook: build(s) }));
  }
  if (code !== null) return [{ name: `${status} ${code}`, webhook: build(status, Number(code)) }];
  if (row.code === "any other code, or none") {
    // An unknown code, codes of every category the send's table has, and none at all.
    return [
      ...[999_999, 1, 190, 131_051, 132_000, 133_010].map((c) => ({
        name: `${status} ${c}`,
        webhook: build(status, c),
      })),
      { name: `${status} without errors`, webhook: (id: string) => metaWithoutErrors(id, status) },
    ];
  }
  expect(row.code).toBe("—");
  return [{ name: status, webhook: build(status) }];
}

function smsSamples(row: Row): Sample[] {
  const code = ticked(row.status);
  if (code !== null) {
    return [{ name: code, webhook: (id) => smsFake.statusCallback(id, Number(code)) }];
  }
  if (row.status === "any other code") {
    return [0, 99, 109, 111, 200, 9999].map((c) => ({
      name: String(c),
      webhook: (id) => smsFake.statusCallback(id, c),
    }));
  }
  expect(row.status).toBe("`callcheck_status` entries");
  return [
    {
      name: "callcheck_status",
      webhook: async () => ({
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: await smsRuCallbackBody(
          ["callcheck_status\n201937-1000003\n401\n1481983900"],
          SMS_KEY,
        ),
      }),
    },
  ];
}

function resendSamples(row: Row): Sample[] {
  const type = ticked(row.status);
  const event = (t: string, bounce?: { type: string; subType: string }) => (id: string) =>
    resendFake.event(id, t, { webhookSecret: WEBHOOK_SECRET, ...(bounce ? { bounce } : {}) });
  if (type !== null) {
    const code = ticked(row.code);
    if (code !== null) {
      expect(type).toBe("email.bounced");
      return [
        { name: `${type} ${code}`, webhook: event(type, { type: code, subType: "General" }) },
      ];
    }
    expect(row.code).toBe("—");
    return [{ name: type, webhook: event(type) }];
  }
  if (row.status === "any other `email.*` event") {
    return ["email.canceled", "email.queued"].map((t) => ({ name: t, webhook: event(t) }));
  }
  expect(row.status).toBe("`contact.*`, `domain.*`");
  return ["contact.created", "domain.updated"].map((t) => ({
    name: t,
    webhook: async (id: string) => {
      const { body, headers } = await signResendEvent(
        { ...resendEventPayload({ type: t, emailId: id }), data: { id } },
        WEBHOOK_SECRET,
      );
      return { method: "POST", headers, body };
    },
  }));
}

const PROVIDERS = {
  Meta: {
    samples: metaSamples,
    receiver: () => createMetaStatusWebhooks({ appSecret: APP_SECRET }),
    route: "meta",
    optOut: "yes (phone)",
  },
  "SMS.ru": {
    samples: smsSamples,
    receiver: () => createSmsRuStatusWebhooks({ apiKey: SMS_KEY }),
    route: "sms.ru",
    optOut: null,
  },
  Resend: {
    samples: resendSamples,
    receiver: () => createResendStatusWebhooks({ webhookSecret: WEBHOOK_SECRET }),
    route: "resend",
    optOut: "yes (email address)",
  },
} as const;

function provider(row: Row) {
  const found = PROVIDERS[row.provider as keyof typeof PROVIDERS];
  if (!found) throw new Error(`unknown provider in the docs' table: ${row.line}`);
  return found;
}

const channels = {
  whatsapp: (): ChannelSpec => ({
    type: "whatsapp",
    client: createMetaWhatsappClient({
      accessToken: "meta-token",
      phoneNumberId: "106540352242922",
      appSecret: APP_SECRET,
      retry: false,
    }),
  }),
  sms: (): ChannelSpec => ({
    type: "sms",
    client: createSmsRuClient({ apiKey: SMS_KEY, statusCallback: true, retry: false }),
  }),
  email: (): ChannelSpec => ({
    type: "email",
    client: createResendClient({
      apiKey: "re_test_key",
      from: "Zerno <hello@zerno.example>",
      webhookSecret: WEBHOOK_SECRET,
      retry: false,
    }),
  }),
};
/** The chain each provider's rows are tried in: its channel, then another. */
const CHAINS = {
  Meta: () => [channels.whatsapp(), channels.sms()],
  "SMS.ru": () => [channels.sms(), channels.email()],
  Resend: () => [channels.email(), channels.sms()],
} as const;

describe("docs/delivery-tracking.md: the status table", () => {
  it("has rows for all three providers, each row's cells from the documented vocabulary", () => {
    expect(new Set(rows.map((r) => r.provider))).toEqual(new Set(["Meta", "SMS.ru", "Resend"]));
    for (const row of rows) {
      expect(["progress", "delivered", "undelivered", "info", "ignored"], row.line).toContain(
        row.readAs,
      );
      expect(["yes", "no"], row.line).toContain(row.next);
      expect(["no", provider(row).optOut], row.line).toContain(row.optOut);
    }
  });

  it("names every status the receivers know, each in a row of its own", () => {
    const statuses = (name: string) =>
      rows.filter((r) => r.provider === name).map((r) => ticked(r.status));
    for (const status of Object.keys(META_STATUS_MEANINGS))
      expect(statuses("Meta"), `Meta ${status}`).toContain(status);
    for (const event of Object.keys(RESEND_EVENT_MEANINGS))
      expect(statuses("Resend"), `Resend ${event}`).toContain(event);
    // Every SMS.ru code otzovik knows (its sms/status and callback table).
    for (let code = -1; code < 10_000; code++) {
      if (smsRuMessageState(code) !== null)
        expect(statuses("SMS.ru"), `SMS.ru ${code}`).toContain(String(code));
    }
  });

  it("Meta: 131050 is the only code that opts out (so 'any other code' may say it does not)", () => {
    const optingOut: number[] = [];
    for (let code = 0; code < 200_000; code++)
      if (classifyMetaCode(code, 200) === "opted_out") optingOut.push(code);
    expect(optingOut).toEqual([131_050]);
    expect(
      rows.filter((r) => r.provider === "Meta" && r.optOut !== "no").map((r) => r.code),
    ).toEqual(["`131050`"]);
  });

  for (const row of rows) {
    it(`${row.provider} ${row.status} ${row.code}: read as the row says`, async () => {
      const { samples, receiver } = provider(row);
      for (const sample of samples(row)) {
        // An id of a message the fake accepted: the fakes report only on those.
        const id = await acceptedId(row.provider);
        const webhook = await sample.webhook(id);
        const reading = await receiver().read(statusRequest(webhook));
        expect(reading.ok, sample.name).toBe(true);
        const updates = reading.ok === true ? reading.updates : [];
        if (row.readAs === "ignored") {
          expect(updates, sample.name).toEqual([]);
          continue;
        }
        expect(updates, sample.name).toHaveLength(1);
        expect(pick(updates[0] as StatusUpdate), sample.name).toEqual({
          messageId: id,
          meaning: row.readAs,
          fallback: row.next === "yes",
          optOut: row.optOut !== "no",
        });
      }
    });

    it(`${row.provider} ${row.status} ${row.code}: the outcome is "${row.outcome}"`, async () => {
      const { samples, route } = provider(row);
      for (const [i, sample] of samples(row).entries()) {
        const requester = createReviewRequester({
          keys: "docs-table-key-0123456789",
          business: "Кофейня «Зерно»",
          reviewUrl: "https://yandex.ru/maps/org/zerno/1/reviews",
          channels: CHAINS[row.provider as keyof typeof CHAINS](),
          quietHours: false,
          frequencyCapMs: false,
          hashSecret: "docs-table-hash-secret-0123",
          logger: { warn: () => {}, error: () => {} },
        });
        keep(requester);
        const phone = `+7916123${String(4000 + i).padStart(4, "0")}`;
        const email = `guest${i}@mail.example`;
        const sent = await requester.request({ phone, email, orderId: `order-${i}` });
        const first = sent.outcomes[0] as SentOutcome;
        expect(first.status, sample.name).toBe("sent");
        const handled = await requester.handleStatus(
          route,
          statusRequest(await sample.webhook(first.messageId)),
        );
        expect(handled.answer.status, sample.name).toBe(200);
        const outcomes = await handled.done;
        expect(summary(outcomes), sample.name).toEqual(expected(row, first));
        if (row.outcome.endsWith("the phone is opted out"))
          expect(await requester.isOptedOut(phone), sample.name).toBe(true);
        if (row.outcome.endsWith("the address is opted out")) {
          const again = await requester.request({ email, orderId: `again-${i}` });
          expect(again.outcomes, sample.name).toMatchObject([
            { status: "skipped", reason: "opted_out" },
          ]);
        }
      }
    });
  }
});

/** Sends one message through the row's provider's fake, for an id it accepted. */
async function acceptedId(name: string): Promise<string> {
  const spec =
    name === "Meta" ? channels.whatsapp() : name === "SMS.ru" ? channels.sms() : channels.email();
  if (spec.type === "whatsapp")
    return (await spec.client.sendWhatsapp("+79161234567", "Отзыв")).messageId;
  if (spec.type === "sms") return (await spec.client.sendSms("+79161234567", "Отзыв")).messageId;
  return (await spec.client.sendEmail({ to: "anna@mail.ru", subject: "Отзыв", text: "…" }))
    .messageId;
}

function pick(update: StatusUpdate) {
  return {
    messageId: update.messageId,
    meaning: update.meaning,
    fallback: update.fallback,
    optOut: update.optOut,
  };
}

/** What the outcomes are, in the table's terms. */
function summary(outcomes: readonly (Outcome | StatusOutcome)[]) {
  return outcomes.map((o) =>
    o.status === "undelivered"
      ? { status: o.status, fallback: o.fallback }
      : o.status === "sent"
        ? { status: o.status, channel: o.channel }
        : { status: o.status },
  );
}

/** The outcomes the row's Outcome cell says, for a message first sent as `first`. */
function expected(row: Row, first: SentOutcome) {
  const next = CHAINS[row.provider as keyof typeof CHAINS]()[1]?.type;
  switch (row.outcome) {
    case "—":
    case "—; the address is opted out":
      return [];
    case "`delivered`":
      return [{ status: "delivered" }];
    case "`undelivered`, then the next channel's own outcome":
      expect(next).not.toBe(first.channel);
      return [
        { status: "undelivered", fallback: true },
        { status: "sent", channel: next },
      ];
    case "`undelivered` (`fallback: false`)":
    case "`undelivered` (`fallback: false`); the phone is opted out":
      return [{ status: "undelivered", fallback: false }];
    default:
      throw new Error(`an Outcome this test does not know: ${row.line}`);
  }
}

describe("README: the curl of a fake Meta status", () => {
  it("posts a body Meta's receiver reads as a failed 131047, signed with the secret it names", async () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const body = /^BODY='(.+)'$/m.exec(readme)?.[1];
    const secret = /openssl dgst -sha256 -hmac "([^"]+)"/.exec(readme)?.[1];
    expect(body).toBeDefined();
    expect(secret).toBe("dev-app-secret");
    expect(readme).toContain("DEV_WHATSAPP=true npm start");
    expect(readme).toContain("http://localhost:3000/api/status/meta");
    const signed = await signMetaStatus(body as string, secret as string);
    const reading = await createMetaStatusWebhooks({ appSecret: secret as string }).read(
      statusRequest({ headers: { "x-hub-signature-256": signed }, body: body as string }),
    );
    expect(reading).toMatchObject({
      ok: true,
      answer: { status: 200 },
      updates: [{ event: "failed", code: "131047", meaning: "undelivered", fallback: true }],
    });
    const altered = (body as string).replace("131047", "131048");
    expect(
      await createMetaStatusWebhooks({ appSecret: secret as string }).read(
        statusRequest({ headers: { "x-hub-signature-256": signed }, body: altered }),
      ),
    ).toMatchObject({ ok: false, answer: { status: 401 } });
  });
});
