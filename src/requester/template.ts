import { ConfigError } from "../core/errors.js";

/** Variables a review-request message can use. */
export interface TemplateVars {
  /** The customer's name, or `null` when the source did not give one. */
  readonly name: string | null;
  /** The business's name, as configured. */
  readonly business: string;
  /**
   * Where to leave the review (Yandex Maps, 2GIS, Google…), as configured; with the requester's
   * `links` option, the order's short link (`https://cafe.ru/r/AbCd12_-`).
   */
  readonly reviewUrl: string;
  /** The order, record or lead id, or `null`. */
  readonly orderId: string | null;
  /** The system the event came from (`"iiko"`, …), or `"direct"` for `requester.request()`. */
  readonly source: string;
}

/**
 * A message text: a string with `{name}`, `{business}`, `{reviewUrl}`, `{orderId}` and `{source}`
 * placeholders (`{{` and `}}` for literal braces; a missing value renders as nothing), or a
 * function of the {@link TemplateVars}.
 */
export type TextTemplate = string | ((vars: TemplateVars) => string);

/** A compiled template: variables in, text out. */
export type Render = (vars: TemplateVars) => string;

/**
 * The default review request: `"{business}: спасибо! Оставьте отзыв: {reviewUrl}"`.
 *
 * The name is a heading, so the text reads right whatever the name (no case to inflect), and it
 * says nothing of an order or a visit, so it fits a restaurant, a delivery, a salon, a clinic or
 * a shop alike. With a 15-character name and a 22-character link (`https://clck.ru/3FaBcD`) it is
 * 64 characters: one Cyrillic (UCS-2) SMS segment of 70, with 6 to spare. A full Yandex Maps or
 * 2GIS review link (50–60 characters) makes it two segments, each billed as one SMS: use a short
 * link: the requester's `links` option (your own domain, with click tracking), or a shortener.
 */
export const DEFAULT_MESSAGE = "{business}: спасибо! Оставьте отзыв: {reviewUrl}";

/**
 * The default review request with the requester's `links` option: `"{business}: спасибо! Отзыв:
 * {reviewUrl}"`, `{reviewUrl}` being the short link (`https://cafe.ru/r/AbCd12_-`).
 *
 * Budget: the fixed text is 18 characters and the link is the base URL plus 9 (`/` and the
 * 8-character token), so the message is one Cyrillic SMS segment (70 characters) while the
 * business name has at most `43 − baseUrl.length` characters: 26 with `https://cafe.ru/r` (17).
 * {@link DEFAULT_MESSAGE} ("Оставьте отзыв:", 9 more characters) would leave 17.
 */
export const DEFAULT_LINK_MESSAGE = "{business}: спасибо! Отзыв: {reviewUrl}";

const VARIABLES: readonly (keyof TemplateVars)[] = [
  "name",
  "business",
  "reviewUrl",
  "orderId",
  "source",
];
const TOKEN = /\{\{|\}\}|\{([^{}]*)\}|[{}]/g;

type Piece = { readonly text: string } | { readonly variable: keyof TemplateVars };

function isVariable(name: string): name is keyof TemplateVars {
  return (VARIABLES as readonly string[]).includes(name);
}

/**
 * Checks a template once and returns its renderer.
 *
 * @param template - The template.
 * @param option - The option it came from, for error messages.
 * @throws ConfigError naming the option for an unknown placeholder or an unmatched brace.
 */
export function compileTemplate(template: TextTemplate, option = "message"): Render {
  if (typeof template === "function") return (vars) => String(template(vars));
  if (typeof template !== "string" || template.trim() === "") {
    throw new ConfigError(`Option \`${option}\` must be a non-empty string or a function.`);
  }
  const pieces: Piece[] = [];
  let last = 0;
  for (const match of template.matchAll(TOKEN)) {
    const index = match.index ?? 0;
    pieces.push({ text: template.slice(last, index) });
    last = index + match[0].length;
    const name = match[1];
    if (match[0] === "{{" || match[0] === "}}") pieces.push({ text: match[0][0] as string });
    else if (name !== undefined && isVariable(name)) pieces.push({ variable: name });
    else if (name !== undefined) {
      const known = VARIABLES.map((v) => `{${v}}`).join(", ");
      throw new ConfigError(
        `Option \`${option}\` uses an unknown placeholder {${name}}; known: ${known}.`,
      );
    } else {
      throw new ConfigError(
        `Option \`${option}\` has an unmatched "${match[0]}" at position ${index}; write "${match[0]}${match[0]}" for a literal brace.`,
      );
    }
  }
  pieces.push({ text: template.slice(last) });
  return (vars) => pieces.map((p) => ("text" in p ? p.text : (vars[p.variable] ?? ""))).join("");
}
