import * as z from "zod/mini";
import type { CountryCode } from "../core/phone.js";
import { decide, invalidEvent, label, parseJsonEvents, type Skip, skip } from "./event.js";
import { countrySchema, describeIssue, optionsResolver } from "./options.js";
import { fullName, int, isObj, own, text } from "./read.js";
import { anything, isTrue, optFlag, optId, optText } from "./schema.js";
import { defineSource } from "./source.js";
import type { BaseParseOptions, ParsedEvent, ParseResult } from "./types.js";

/** Options for {@link parseYclients}. */
export interface YclientsParseOptions extends BaseParseOptions {
  /**
   * `attendance` values that count as a finished visit. Default `[1]` (the client came).
   * YCLIENTS: 2 = confirmed, 1 = came, 0 = waiting, −1 = did not come.
   */
  readonly finalStatuses?: readonly number[];
}

/** Default {@link YclientsParseOptions.finalStatuses}: `1`, the client came. */
export const YCLIENTS_FINAL_STATUSES = [1] as const;

const ATTENDANCE: Record<string, string> = {
  "2": "confirmed",
  "1": "came",
  "0": "waiting",
  "-1": "did not come",
};

const yclientsOptions = optionsResolver(
  "yclients",
  z.object({ defaultCountry: countrySchema, finalStatuses: z.optional(z.array(z.int())) }),
  (o) => ({
    country: (o.defaultCountry ?? "RU") as CountryCode,
    final: new Set<number>(o.finalStatuses ?? YCLIENTS_FINAL_STATUSES),
  }),
);
type Resolved = ReturnType<typeof yclientsOptions.resolve>;

const attendance = z.nullish(z.union([z.number(), z.string()]));
/** A YCLIENTS client; PHP sends an empty one as `[]`. */
const client = z.nullish(
  z.union([
    z.object({ name: optText, surname: optText, phone: anything, email: optText }),
    z.array(z.unknown()),
  ]),
);
const recordSchema = z.object({
  id: optId,
  company_id: optId,
  attendance,
  visit_attendance: attendance,
  deleted: optFlag,
  client,
});
type YclientsRecord = z.infer<typeof recordSchema>;

function whyNot(
  record: YclientsRecord,
  webhookStatus: string | null,
  final: ReadonlySet<number>,
): Skip | null {
  if (webhookStatus === "delete") return skip("deleted", "the record was deleted");
  if (isTrue(record.deleted)) return skip("deleted", "the record is deleted");
  const value = int(record.attendance ?? record.visit_attendance);
  if (value === null) return skip("status_not_final", "the record has no attendance");
  if (!final.has(value)) {
    return skip(
      "status_not_final",
      `attendance ${value} (${ATTENDANCE[value] ?? "unknown"}) is not final`,
    );
  }
  return null;
}

/** The record in any accepted envelope: `data` (real), `resource` object or `record` (legacy shapes), or the body. */
function findRecord(body: Record<string, unknown>): unknown {
  const resource = own(body, "resource");
  if (isObj(resource)) return resource;
  if (typeof resource === "string") return own(body, "data");
  const record = own(body, "record") ?? own(body, "data");
  if (isObj(record)) return record;
  const looksLikeRecord = ["attendance", "visit_attendance", "client"].some(
    (k) => own(body, k) !== undefined,
  );
  return looksLikeRecord ? body : undefined;
}

function parseEvent(body: Record<string, unknown>, o: Resolved): ParsedEvent {
  const resource = own(body, "resource");
  const webhookStatus = text(own(body, "status"));
  const type =
    typeof resource === "string"
      ? `${resource}.${webhookStatus ?? "unknown"}`
      : (text(own(body, "webhook_type")) ?? "record");
  const companyId = text(own(body, "company_id"));

  if (typeof resource === "string" && resource !== "record") {
    const data = own(body, "data");
    return decide(
      "yclients",
      {
        type,
        id: text(own(body, "resource_id")) ?? text(own(data, "id")),
        status: webhookStatus,
        customerName:
          resource === "client" ? fullName(own(data, "name"), own(data, "surname")) : null,
        accountId: companyId,
        raw: body,
      },
      skip("ignored_event", `YCLIENTS ${label(resource)} events never trigger a review`),
      resource === "client" ? own(data, "phone") : null,
      o.country,
    );
  }

  const found = findRecord(body);
  const parsed = recordSchema.safeParse(found);
  if (!parsed.success) {
    const detail =
      found === undefined
        ? "not a YCLIENTS webhook: expected `resource` and `data`"
        : `YCLIENTS record ${describeIssue(parsed.error)}`;
    return invalidEvent("yclients", body, detail, type);
  }
  const record = parsed.data;
  const person = Array.isArray(record.client) ? null : record.client;
  const status = record.attendance ?? record.visit_attendance;
  return decide(
    "yclients",
    {
      type,
      id: text(record.id) ?? text(own(body, "resource_id")),
      status: status === null || status === undefined ? null : String(status),
      customerName: fullName(person?.name, person?.surname),
      email: text(person?.email),
      accountId: companyId ?? text(record.company_id),
      raw: body,
    },
    whyNot(record, webhookStatus, o.final),
    person?.phone ?? own(body, "phone"),
    o.country,
  );
}

/**
 * Reads a YCLIENTS (or Altegio) webhook.
 *
 * YCLIENTS posts one event per request: `{ company_id, resource, resource_id, status, data }`. An
 * event sends when `resource` is `"record"`, `status` is not `"delete"`, the record is not
 * deleted, and its `attendance` is 1 (client came; `visit_attendance` is used when `attendance`
 * is absent). YCLIENTS repeats `attendance: 1` on every edit of the record: deduplicate by record
 * id (the requester does). The phone is `data.client.phone`. The legacy
 * `{ resource: { …record… }, webhook_type }` shape of earlier otzovik docs is accepted too.
 *
 * Never throws for any body; invalid `options` throw a {@link ConfigError}.
 *
 * @param body - The request body: JSON text, bytes, or the value `express.json()` produced.
 * @param options - Final attendance values and the default phone country.
 */
export function parseYclients(body: unknown, options?: YclientsParseOptions): ParseResult {
  const resolved = yclientsOptions.resolve(options);
  return parseJsonEvents("yclients", body, (raw) =>
    isObj(raw)
      ? parseEvent(raw, resolved)
      : invalidEvent("yclients", raw, "a YCLIENTS event must be a JSON object"),
  );
}

/** The YCLIENTS source: {@link parseYclients} and the check of its options. */
export const yclientsSource = /* @__PURE__ */ defineSource({
  name: "yclients",
  parse: parseYclients,
  checkOptions: yclientsOptions.check,
});
