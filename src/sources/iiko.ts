import * as z from "zod/mini";
import {
  decide,
  type EventFields,
  invalidEvent,
  label,
  parseJsonEvents,
  type Skip,
  skip,
} from "./event.js";
import { countrySchema, describeIssue, optionsResolver } from "./options.js";
import { fullName, text } from "./read.js";
import { anything, isTrue, optFlag, optId, optText } from "./schema.js";
import { defineSource } from "./source.js";
import type { BaseParseOptions, ParsedEvent, ParseResult } from "./types.js";

/** Options for {@link parseIiko}. */
export interface IikoParseOptions extends BaseParseOptions {
  /**
   * Order statuses that count as finished, per order kind. Defaults:
   * delivery `["Delivered", "Closed"]`, table `["Closed"]`. iiko sends both `Delivered` and
   * `Closed` for one delivery: deduplicate by order id (the requester does).
   */
  readonly finalStatuses?: {
    /** Final statuses of `DeliveryOrderUpdate` orders. */
    readonly delivery?: readonly string[];
    /** Final statuses of `TableOrderUpdate` orders. */
    readonly table?: readonly string[];
  };
}

/** Default {@link IikoParseOptions.finalStatuses}. */
export const IIKO_FINAL_STATUSES = {
  /** Deliveries: `Delivered` and `Closed`. */
  delivery: ["Delivered", "Closed"],
  /** Table orders: `Closed`. */
  table: ["Closed"],
} as const satisfies IikoParseOptions["finalStatuses"];

const statusList = z.optional(z.array(z.string()));
const iikoOptions = optionsResolver(
  "iiko",
  z.object({
    defaultCountry: countrySchema,
    finalStatuses: z.optional(z.object({ delivery: statusList, table: statusList })),
  }),
  (o) => ({
    country: (o.defaultCountry ?? "RU") as NonNullable<BaseParseOptions["defaultCountry"]>,
    delivery: new Set<string>(o.finalStatuses?.delivery ?? IIKO_FINAL_STATUSES.delivery),
    table: new Set<string>(o.finalStatuses?.table ?? IIKO_FINAL_STATUSES.table),
  }),
);

const customer = z.nullish(
  z.object({ name: optText, surname: optText, phone: anything, email: optText }),
);
const order = z.nullish(
  z.object({ id: optId, status: optText, phone: anything, isDeleted: optFlag, customer }),
);
const eventSchema = z.object({
  eventType: optText,
  organizationId: optText,
  eventInfo: z.nullish(
    z.object({ id: optId, organizationId: optText, creationStatus: optText, order }),
  ),
  // Legacy shapes from earlier otzovik docs, still sent by existing users.
  order,
  deliveryOrder: order,
  customer,
  phone: anything,
});
type IikoEvent = z.infer<typeof eventSchema>;

const ORDER_KIND: Record<string, "delivery" | "table"> = {
  DeliveryOrderUpdate: "delivery",
  TableOrderUpdate: "table",
};

/** Never the courier's, operator's, waiter's or a reservation's phone: only the order's own. */
function customerPhone(e: IikoEvent): unknown {
  const o = e.eventInfo?.order;
  return (
    o?.phone ??
    o?.customer?.phone ??
    e.order?.phone ??
    e.order?.customer?.phone ??
    e.deliveryOrder?.phone ??
    e.deliveryOrder?.customer?.phone ??
    e.customer?.phone ??
    e.phone
  );
}

function whyNot(
  e: IikoEvent,
  kind: "delivery" | "table" | undefined,
  final: ReadonlySet<string>,
): Skip | null {
  if (!kind)
    return skip(
      "ignored_event",
      `iiko event ${label(e.eventType, "without eventType")} never triggers a review`,
    );
  const info = e.eventInfo;
  const creation = info?.creationStatus;
  if (creation && creation !== "Success")
    return skip("not_created", `order creation status is ${label(creation)}`);
  const o = info?.order ?? e.order ?? e.deliveryOrder;
  if (!o) return skip("invalid_payload", "the event has no eventInfo.order");
  if (isTrue(o.isDeleted)) return skip("deleted", "the order is deleted");
  const status = o.status ?? null;
  if (status === "Cancelled") return skip("cancelled", "the order is cancelled");
  if (status === "Deleted") return skip("deleted", "the order is deleted");
  if (status === null || !final.has(status)) {
    return skip("status_not_final", `status ${label(status)} is not a final ${kind} status`);
  }
  return null;
}

function parseEvent(raw: unknown, options: ReturnType<typeof iikoOptions.resolve>): ParsedEvent {
  const parsed = eventSchema.safeParse(raw);
  if (!parsed.success) {
    const type =
      typeof raw === "object" && raw !== null
        ? text((raw as { eventType?: unknown }).eventType)
        : null;
    return invalidEvent("iiko", raw, `iiko event ${describeIssue(parsed.error)}`, type);
  }
  const e = parsed.data;
  if (!e.eventType && !e.eventInfo && !e.order && !e.deliveryOrder) {
    return invalidEvent("iiko", raw, "not an iiko event: expected `eventType` and `eventInfo`");
  }
  const kind = e.eventType ? ORDER_KIND[e.eventType] : undefined;
  const info = e.eventInfo;
  const o = info?.order ?? e.order ?? e.deliveryOrder;
  const fields: EventFields = {
    type: e.eventType ?? null,
    id: text(info?.id) ?? text(o?.id),
    status: o?.status ?? null,
    customerName: fullName(
      o?.customer?.name ?? e.customer?.name,
      o?.customer?.surname ?? e.customer?.surname,
    ),
    email: text(o?.customer?.email ?? e.customer?.email),
    accountId: e.organizationId ?? info?.organizationId ?? null,
    raw,
  };
  const final = kind === "table" ? options.table : options.delivery;
  return decide("iiko", fields, whyNot(e, kind, final), customerPhone(e), options.country);
}

/**
 * Reads an iiko Cloud API (iikoTransport) webhook.
 *
 * iiko posts a JSON array of events (`DeliveryOrderUpdate`, `TableOrderUpdate`, `StopListUpdate`, …).
 * An order event sends when its order was created (`creationStatus: "Success"`), is not deleted or
 * cancelled, and its status is final (`Delivered`/`Closed` for deliveries, `Closed` for tables).
 * The phone is `eventInfo.order.phone`; courier, operator, waiter and reservation phones are
 * never used. The order id is `eventInfo.id`. A single event object (the legacy shape of earlier
 * otzovik docs, with `order.customer.phone`) is accepted too.
 *
 * Never throws for any body; invalid `options` throw a {@link ConfigError}.
 *
 * @param body - The request body: JSON text, bytes, or the value `express.json()` produced.
 * @param options - Final statuses and the default phone country.
 *
 * @example
 * const result = parseIiko(req.body)
 * if (result.shouldSend) await sendSms(result.phone, "Спасибо за заказ! Оставьте отзыв: …")
 */
export function parseIiko(body: unknown, options?: IikoParseOptions): ParseResult {
  const resolved = iikoOptions.resolve(options);
  return parseJsonEvents("iiko", body, (raw) => parseEvent(raw, resolved));
}

/** The iiko source: {@link parseIiko} and the check of its options. */
export const iikoSource = /* @__PURE__ */ defineSource({
  name: "iiko",
  parse: parseIiko,
  checkOptions: iikoOptions.check,
});
