import * as z from "zod/mini";
import type { CountryCode } from "../core/phone.js";
import { decide, invalidEvent, label, parseJsonEvents, type Skip, skip } from "./event.js";
import { countrySchema, optionsResolver } from "./options.js";
import { fullName, int, isObj, own, ownAny, ownIgnoreCase, text } from "./read.js";
import { defineSource } from "./source.js";
import type { BaseParseOptions, ParsedEvent, ParseResult } from "./types.js";

/** Options for {@link parseRkeeper}. */
export interface RkeeperParseOptions extends BaseParseOptions {
  /**
   * Statuses that count as finished. `ids` decide whenever the body has `orderStatusId`
   * (a restaurant can rename a status, not change its id); `names` (compared case-insensitively,
   * `ё` = `е`) decide otherwise. Defaults: ids `[11, 13]` (Выполнен, Доставлен), names
   * `["Выполнен", "Доставлен"]`.
   */
  readonly finalStatuses?: {
    /** Final `orderStatusId`s; they decide whenever the body has a status id. */
    readonly ids?: readonly number[];
    /** Final status names, for bodies without a status id. */
    readonly names?: readonly string[];
  };
}

/** Default {@link RkeeperParseOptions.finalStatuses}. */
export const RKEEPER_FINAL_STATUSES = {
  /** 11 Выполнен (done), 13 Доставлен (delivered). */
  ids: [11, 13],
  /** The same statuses by their default names. */
  names: ["Выполнен", "Доставлен"],
} as const satisfies RkeeperParseOptions["finalStatuses"];

/** r_k Delivery status id of a cancelled order. */
const CANCELLED_ID = 12;
const CANCELLED_NAMES = new Set(["отменен", "canceled", "cancelled"]);

/** Lower case, `ё` → `е`, trimmed: how status names are compared. */
function foldName(name: string): string {
  return name.trim().toLowerCase().replaceAll("ё", "е");
}

const rkeeperOptions = optionsResolver(
  "rkeeper",
  z.object({
    defaultCountry: countrySchema,
    finalStatuses: z.optional(
      z.object({ ids: z.optional(z.array(z.int())), names: z.optional(z.array(z.string())) }),
    ),
  }),
  (o) => ({
    country: (o.defaultCountry ?? "RU") as CountryCode,
    ids: new Set<number>(o.finalStatuses?.ids ?? RKEEPER_FINAL_STATUSES.ids),
    names: new Set((o.finalStatuses?.names ?? RKEEPER_FINAL_STATUSES.names).map(foldName)),
  }),
);
type Resolved = ReturnType<typeof rkeeperOptions.resolve>;

function statusDecision(
  statusId: number | null,
  statusName: string | null,
  o: Resolved,
): Skip | null {
  const shown =
    statusName === null ? (statusId === null ? "(none)" : `#${statusId}`) : label(statusName);
  if (statusId !== null) {
    if (o.ids.has(statusId)) return null;
    if (statusId === CANCELLED_ID) return skip("cancelled", "the order is cancelled");
    return skip("status_not_final", `status ${shown} (id ${statusId}) is not final`);
  }
  if (statusName === null) return skip("status_not_final", "the order has no status");
  const folded = foldName(statusName);
  if (o.names.has(folded)) return null;
  if (CANCELLED_NAMES.has(folded)) return skip("cancelled", "the order is cancelled");
  return skip("status_not_final", `status ${shown} is not final`);
}

/** The documented r_k Delivery order model (`orderId`, `orderStatusId`, `guest.phone`, …). */
function parseDeliveryOrder(
  order: Record<string, unknown>,
  raw: unknown,
  o: Resolved,
): ParsedEvent {
  const guest = own(order, "guest");
  const statusId = int(ownIgnoreCase(order, "orderStatusId"));
  const statusName = text(ownIgnoreCase(order, "orderStatusName"));
  return decide(
    "rkeeper",
    {
      type: "order",
      id: text(ownIgnoreCase(order, "orderId")) ?? text(own(order, "id")),
      status: statusName ?? (statusId === null ? null : String(statusId)),
      customerName: fullName(own(guest, "firstName"), own(guest, "lastName")),
      email: text(own(guest, "email")),
      accountId: text(ownIgnoreCase(order, "restaurantId")),
      raw,
    },
    statusDecision(statusId, statusName, o),
    own(guest, "phone"),
    o.country,
  );
}

/** The legacy shape of earlier otzovik docs: `{ order: { status, customer | client: { phone } } }`. */
function parseNotesOrder(body: Record<string, unknown>, o: Resolved): ParsedEvent {
  const order = own(body, "order");
  const person = ownAny(order, ["customer", "client"]) ?? ownAny(body, ["customer", "client"]);
  const status = own(order, "status");
  const statusId = typeof status === "number" ? int(status) : int(ownIgnoreCase(order, "statusId"));
  const statusName = typeof status === "number" ? null : text(status);
  return decide(
    "rkeeper",
    {
      type: "order",
      id: text(ownIgnoreCase(order, "orderId")) ?? text(ownIgnoreCase(order, "id")),
      status: statusName ?? (statusId === null ? null : String(statusId)),
      customerName:
        text(own(person, "name")) ?? fullName(own(person, "firstName"), own(person, "lastName")),
      email: text(own(person, "email")),
      accountId: text(ownIgnoreCase(order, "restaurantId")),
      raw: body,
    },
    statusDecision(statusId, statusName, o),
    own(person, "phone") ?? own(order, "phone") ?? own(body, "phone"),
    o.country,
  );
}

/** White Server `OrderStatusChanged`: has a status but never a phone. */
function parseWhiteServerEvent(body: Record<string, unknown>, o: Resolved): ParsedEvent {
  const common = own(body, "responseEventCommon");
  const response = own(body, "response");
  const status = text(own(own(response, "status"), "value"));
  const folded = status ? foldName(status) : "";
  const why = CANCELLED_NAMES.has(folded)
    ? skip("cancelled", "the order is cancelled")
    : folded === "complited" || folded === "completed"
      ? skip("no_phone", "White Server OrderStatusChanged events carry no guest phone")
      : skip("status_not_final", `status ${label(status)} is not final`);
  return decide(
    "rkeeper",
    {
      type: text(own(common, "eventType")) ?? "OrderStatusChanged",
      id: text(own(response, "orderGuid")),
      status,
      accountId: text(own(common, "objectId")),
      raw: body,
    },
    why,
    null,
    o.country,
  );
}

function parseOne(raw: unknown, o: Resolved): ParsedEvent {
  if (!isObj(raw)) return invalidEvent("rkeeper", raw, "an R-Keeper event must be a JSON object");
  const result = own(raw, "result");
  if (isObj(result)) return parseDeliveryOrder(result, raw, o);
  if (isObj(own(raw, "responseEventCommon")) || isObj(own(raw, "response")))
    return parseWhiteServerEvent(raw, o);
  if (isObj(own(raw, "order"))) return parseNotesOrder(raw, o);
  if (
    ownIgnoreCase(raw, "orderStatusId") !== undefined ||
    ownIgnoreCase(raw, "orderId") !== undefined ||
    isObj(own(raw, "guest"))
  ) {
    return parseDeliveryOrder(raw, raw, o);
  }
  if (ownAny(raw, ["customer", "client", "phone"]) !== undefined) return parseNotesOrder(raw, o);
  return invalidEvent(
    "rkeeper",
    raw,
    "not an R-Keeper order: expected `result`, `orderId`/`orderStatusId`, `order` or `response`",
  );
}

/**
 * Reads an R-Keeper (r_k Delivery) push notification.
 *
 * The push body is not published by UCS, so every documented order shape is accepted: the r_k
 * Delivery order model (`{ result: { orderId, orderStatusId, orderStatusName, guest: { phone } } }`
 * or unwrapped, `Id`/`ID` key casing alike), the legacy `{ order: { status,
 * customer | client: { phone } } }`, and White Server `OrderStatusChanged` events (which carry no
 * phone and so never send). A status is final by id where the body has one (11 Выполнен,
 * 13 Доставлен), by name otherwise. A JSON array of such orders gives one event each.
 *
 * Never throws for any body; invalid `options` throw a {@link ConfigError}.
 *
 * @param body - The request body: JSON text, bytes, or the value `express.json()` produced.
 * @param options - Final statuses and the default phone country.
 */
export function parseRkeeper(body: unknown, options?: RkeeperParseOptions): ParseResult {
  const resolved = rkeeperOptions.resolve(options);
  return parseJsonEvents("rkeeper", body, (raw) => parseOne(raw, resolved));
}

/** The R-Keeper (r_k Delivery) source: {@link parseRkeeper} and the check of its options. */
export const rkeeperSource = /* @__PURE__ */ defineSource({
  name: "rkeeper",
  parse: parseRkeeper,
  checkOptions: rkeeperOptions.check,
});
