import { decodeJsonBody } from "../core/body.js";
import { type CountryCode, type NormalizedPhone, normalizePhone } from "../core/phone.js";
import type { ParsedEvent, ParseResult, PhoneLookup, SkipReason } from "./types.js";

/** What a parser has read from one event, before the send decision. */
export interface EventFields {
  readonly type: string | null;
  readonly id: string | null;
  readonly status: string | null;
  readonly customerName?: string | null;
  readonly email?: string | null;
  readonly accountId?: string | null;
  readonly raw: unknown;
}

/** A reason not to send that is known before looking at the phone. */
export interface Skip {
  readonly reason: SkipReason;
  readonly detail: string;
}

/** Values that are safe to quote in a `detail`: words, no digits (a phone cannot hide in one). */
const SAFE_LABEL = /^[\p{L}\p{M}_ .-]{1,40}$/u;

/**
 * A value from the body, for a `detail` message: quoted as-is when it looks like a status or an
 * event name, replaced otherwise — details end up in logs and must never carry a phone.
 */
export function label(value: string | null | undefined, none = "(none)"): string {
  if (value === null || value === undefined || value === "") return none;
  return SAFE_LABEL.test(value) ? value : "(unexpected value)";
}

/** Shorthand for a {@link Skip}. */
export function skip(reason: SkipReason, detail: string): Skip {
  return { reason, detail };
}

const PHONE_DETAIL: Record<"no_phone" | "invalid_phone", string> = {
  no_phone: "the event has no customer phone",
  invalid_phone: "the customer phone is not a valid phone number",
};

/**
 * Builds a {@link ParsedEvent}: the phone is always normalised and reported; the event sends when
 * there is no `skip` and the phone is valid.
 */
export function decide(
  source: string,
  fields: EventFields,
  why: Skip | null,
  rawPhone: unknown,
  country: CountryCode,
): ParsedEvent {
  return decideWith(source, fields, why, normalizePhone(rawPhone, country));
}

/** Longest event id (order, record, lead id) a source may report; longer → `invalid_payload`. */
export const MAX_EVENT_ID_CHARS = 200;

/** Why an event whose id is longer than {@link MAX_EVENT_ID_CHARS} is `invalid_payload`. */
export const ID_TOO_LONG = `the event id is longer than ${MAX_EVENT_ID_CHARS} characters`;

/**
 * Characters removed from ids before they are reported (logged, echoed in HTTP answers, put in
 * store keys): C0 and C1 controls with DEL (`\n`, `\r`, `\t`, ESC of ANSI colour codes…), line and
 * paragraph separators, and the Unicode bidi controls (marks, embeddings, overrides, isolates),
 * any of which can forge or disguise a log line.
 */
const UNSAFE_IN_ID = /[\p{Cc}\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;
/** Every one of those characters (global): removed from ids here, escaped by the CLI. */
export const UNSAFE_IN_ID_ALL = new RegExp(UNSAFE_IN_ID.source, "gu");

/**
 * An id from a body as it may be reported: `undefined` when it is longer than
 * {@link MAX_EVENT_ID_CHARS} (checked before anything else, so a huge id costs nothing more),
 * otherwise without control, line-separator and bidi characters or surrounding spaces; `null` when
 * nothing is left.
 */
export function reportableId(id: string | null): string | null | undefined {
  if (id === null) return null;
  if (id.length > MAX_EVENT_ID_CHARS) return undefined;
  if (!UNSAFE_IN_ID.test(id)) return id;
  const safe = id.replace(UNSAFE_IN_ID_ALL, "").trim();
  return safe === "" ? null : safe;
}

/**
 * An event as it may be reported: its id through {@link reportableId}, and an
 * `invalid_payload` event (that does not quote the id) when the id is too long. Returns `event`
 * itself when its id is fine. Every built-in event passes here ({@link decideWith}); the
 * requester can pass the events of custom sources, which build their own.
 */
export function reportableEvent(event: ParsedEvent): ParsedEvent {
  const id = reportableId(event.id);
  if (id === event.id) return event;
  if (id === undefined) return invalidEvent(event.source, event.raw, ID_TOO_LONG, event.type);
  return { ...event, id };
}

/**
 * {@link decide} for a phone that is already normalised. An id longer than
 * {@link MAX_EVENT_ID_CHARS} makes the event `invalid_payload`; control and bidi characters are
 * removed from the id ({@link reportableId}). With a `lookup` (and no `why`), the event sends
 * once its phone is looked up: a missing phone is then no reason not to.
 */
export function decideWith(
  source: string,
  fields: EventFields,
  why: Skip | null,
  { phone, problem }: NormalizedPhone,
  lookup: PhoneLookup | null = null,
): ParsedEvent {
  const id = reportableId(fields.id);
  if (id === undefined) return invalidEvent(source, fields.raw, ID_TOO_LONG, fields.type);
  const reason = why?.reason ?? (lookup === null ? problem : null);
  return {
    source,
    type: fields.type,
    id,
    status: fields.status,
    phone,
    shouldSend: reason === null,
    reason,
    detail: why?.detail ?? (problem && lookup === null ? PHONE_DETAIL[problem] : null),
    customerName: fields.customerName ?? null,
    email: fields.email ?? null,
    accountId: fields.accountId ?? null,
    lookup: why === null ? lookup : null,
    raw: fields.raw,
  };
}

/** An event (or a whole body) that is not in any format the source sends. */
export function invalidEvent(
  source: string,
  raw: unknown,
  detail: string,
  type: string | null = null,
): ParsedEvent {
  return {
    source,
    type,
    id: null,
    status: null,
    phone: null,
    shouldSend: false,
    reason: "invalid_payload",
    detail,
    customerName: null,
    email: null,
    accountId: null,
    lookup: null,
    raw,
  };
}

/** Summarises events into a {@link ParseResult}. */
export function toResult(events: readonly ParsedEvent[]): ParseResult {
  const sending = events.find((e) => e.shouldSend);
  if (sending)
    return { shouldSend: true, phone: sending.phone, events, reason: null, detail: null };
  const first = events[0];
  if (!first)
    return {
      shouldSend: false,
      phone: null,
      events,
      reason: "no_events",
      detail: "the body holds no events",
    };
  return { shouldSend: false, phone: null, events, reason: first.reason, detail: first.detail };
}

/** A result for a body that could not be decoded at all. */
export function invalidBody(source: string, raw: unknown, detail: string): ParseResult {
  return toResult([invalidEvent(source, raw, detail)]);
}

/**
 * Decodes a JSON body holding one event object or an array of them, and reads each with `each`.
 */
export function parseJsonEvents(
  source: string,
  body: unknown,
  each: (raw: unknown) => ParsedEvent,
): ParseResult {
  const decoded = decodeJsonBody(body);
  if (!decoded.ok) return invalidBody(source, body, decoded.detail);
  const list = Array.isArray(decoded.value) ? decoded.value : [decoded.value];
  // Array.from, not map: a sparse array from a caller must not leave holes in `events`.
  return toResult(Array.from(list, each));
}
