import { type CountryCode, isSupportedCountry, maskPhone } from "../core/phone.js";
import { describeSkip } from "../core/skip-reasons.js";
import { findSource, type SourceName, sourceNames, sources } from "../sources/registry.js";
import type { ParsedEvent, ParseResult } from "../sources/types.js";
import { printable } from "./input.js";
import { UsageError } from "./usage.js";

/** What would happen to one event: sent, sent once its phone is looked up, or skipped. */
export type Decision = "send" | "send_after_lookup" | "skip";

/** One event as `otzovik explain` reports it. */
export interface ExplainedEvent {
  /** The source's own event type, or `null`. */
  readonly type: string | null;
  /** Order, record or lead id, or `null`. */
  readonly id: string | null;
  /** The status as the source gave it, or `null`. */
  readonly status: string | null;
  /** The customer's phone, masked (`+7916***4567`), or `null`. */
  readonly phone: string | null;
  /** What the requester would do with it. */
  readonly decision: Decision;
  /** The skip reason, or `null` when it would send. */
  readonly reason: string | null;
  /** The reason's short description from the one table of skip reasons, or `null`. */
  readonly description: string | null;
  /** The parser's own explanation (may quote a status label from the body), or `null`. */
  readonly detail: string | null;
  /** What would make it send, where otzovik knows (a `lookupPhone` hook for `no_phone`), or `null`. */
  readonly hint: string | null;
}

/**
 * The hint for an event skipped only for its missing phone: a requester with `lookupPhone` looks
 * such an event up by its id (as R-Keeper White Server events need), so it would send then.
 */
export const LOOKUP_HINT =
  "a requester with a lookupPhone hook looks the phone up by this id and sends (docs/setup/rkeeper.md)";

/** The whole explanation of one body. */
export interface Explanation {
  /** The source the body was read as. */
  readonly source: SourceName;
  /** `true` when at least one event would send (possibly after a phone lookup). */
  readonly wouldSend: boolean;
  /** The body's own reason when it holds no event (`invalid_payload`, `no_events`), or `null`. */
  readonly reason: string | null;
  /** Its description, or `null`. */
  readonly description: string | null;
  /** The parser's detail for the body, or `null`. */
  readonly detail: string | null;
  /** One entry per event, in body order. */
  readonly events: readonly ExplainedEvent[];
}

/** The source called `name`, or a usage error listing the sources. */
export function sourceNamed(name: string | undefined): SourceName {
  if (name === undefined) throw new UsageError(`explain needs a source: ${sourceNames.join(", ")}`);
  if (!findSource(sources, name))
    throw new UsageError(`unknown source "${printable(name)}": use ${sourceNames.join(", ")}`);
  return name as SourceName;
}

/** `--country`, checked. */
export function countryOption(value: string | undefined): CountryCode {
  const country = (value ?? "RU").toUpperCase();
  if (!isSupportedCountry(country))
    throw new UsageError(
      `--country must be an ISO 3166-1 alpha-2 country code such as RU, not "${printable(value ?? "")}"`,
    );
  return country;
}

function decisionOf(event: ParsedEvent): Decision {
  if (!event.shouldSend) return "skip";
  return event.phone === null && event.lookup !== null ? "send_after_lookup" : "send";
}

function explainEvent(event: ParsedEvent): ExplainedEvent {
  const decision = decisionOf(event);
  const reason = decision === "skip" ? (event.reason ?? "invalid_payload") : null;
  return {
    type: event.type,
    id: event.id,
    status: event.status,
    phone: event.phone === null ? null : maskPhone(event.phone),
    decision,
    reason,
    description: reason === null ? null : describeSkip(reason),
    detail: event.detail,
    // The same events the requester hands its lookupPhone hook (src/requester/pipeline.ts).
    hint: reason === "no_phone" && event.id !== null ? LOOKUP_HINT : null,
  };
}

/**
 * Parses `body` with the built-in parser of `source`, as the requester would, and says what would
 * happen to each event.
 *
 * @param source - A built-in source's name.
 * @param body - The raw body (JSON, or amoCRM's form-encoded text), as bytes.
 * @param defaultCountry - Country for phones without a country code.
 */
export function explain(
  source: SourceName,
  body: Uint8Array,
  defaultCountry: CountryCode,
): Explanation {
  const result: ParseResult = sources[source].parse(body, { defaultCountry });
  const events = result.events.map(explainEvent);
  const wouldSend = events.some((event) => event.decision !== "skip");
  const reason = events.length === 0 ? (result.reason ?? "no_events") : null;
  return {
    source,
    wouldSend,
    reason,
    description: reason === null ? null : describeSkip(reason),
    detail: events.length === 0 ? result.detail : null,
    events,
  };
}

const DECISIONS: Record<Decision, string> = {
  send: "would send",
  send_after_lookup: "would send after a phone lookup",
  skip: "skip",
};

/** `value` for the terminal, or `-`. */
const shown = (value: string | null) => (value === null ? "-" : printable(value));

/** The explanation as text: one block per event, then the verdict. */
export function formatExplanation(explanation: Explanation): string {
  const lines: string[] = [];
  const count = explanation.events.length;
  lines.push(`${explanation.source}: ${count} event${count === 1 ? "" : "s"}`);
  if (count === 0) {
    lines.push(`  reason    ${shown(explanation.reason)}: ${shown(explanation.description)}`);
    if (explanation.detail !== null && explanation.detail !== explanation.description)
      lines.push(`  detail    ${shown(explanation.detail)}`);
  }
  explanation.events.forEach((event, index) => {
    lines.push("");
    lines.push(`event ${index + 1}`);
    lines.push(`  type      ${shown(event.type)}`);
    lines.push(`  id        ${shown(event.id)}`);
    lines.push(`  status    ${shown(event.status)}`);
    lines.push(`  phone     ${event.phone ?? "none"}`);
    lines.push(`  decision  ${DECISIONS[event.decision]}`);
    if (event.reason !== null)
      lines.push(`  reason    ${event.reason}: ${shown(event.description)}`);
    if (event.detail !== null && event.detail !== event.description)
      lines.push(`  detail    ${shown(event.detail)}`);
    if (event.hint !== null) lines.push(`  hint      ${event.hint}`);
  });
  lines.push("");
  lines.push(explanation.wouldSend ? "something would be sent" : "nothing would be sent");
  return `${lines.join("\n")}\n`;
}
