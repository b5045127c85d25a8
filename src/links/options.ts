import { ConfigError } from "../core/errors.js";
import { safeTarget } from "./destinations.js";

const DAY_MS = 86_400_000;

/** Default {@link LinksOptions.ttlMs}: 90 days. */
export const DEFAULT_LINK_TTL_MS = 90 * DAY_MS;
/** The longest {@link LinksOptions.ttlMs}: 400 days. */
const MAX_LINK_TTL_MS = 400 * DAY_MS;

/**
 * Short review links on your own domain (the requester's `links` option): `{reviewUrl}` in a
 * message becomes `${baseUrl}/${token}`, a link your server answers with `linkHandler`
 * (`otzovik/express`) or `createFetchLinkHandler` (`otzovik/fetch`), counting clicks.
 *
 * @example
 * ```ts
 * createReviewRequester({ ..., links: { baseUrl: "https://cafe.ru/r" } });
 * app.get("/r/:token", linkHandler(requester));
 * ```
 */
export interface LinksOptions {
  /**
   * Where the link route is served, e.g. `"https://cafe.ru/r"`: an absolute `http(s)` URL without
   * a query, fragment or credentials; a trailing `/` is dropped. Keep it short: every character
   * is in every SMS.
   */
  readonly baseUrl: string;
  /**
   * How long a link works after its message is sent, ms; then it answers 404. A positive
   * integer of at most 400 days. Default {@link DEFAULT_LINK_TTL_MS} (90 days).
   */
  readonly ttlMs?: number;
}

/** {@link LinksOptions} checked, with the default filled in. */
export interface ResolvedLinks {
  /** The base URL without a trailing `/`. */
  readonly baseUrl: string;
  readonly ttlMs: number;
}

const KNOWN = ["baseUrl", "ttlMs"];

/**
 * Checks the requester's `links` option; `null` when it is not set.
 *
 * @throws ConfigError naming `links`, `links.baseUrl` or `links.ttlMs`.
 */
export function resolveLinks(links: unknown): ResolvedLinks | null {
  if (links === undefined) return null;
  if (typeof links !== "object" || links === null || Array.isArray(links))
    throw new ConfigError(
      'Invalid option `links`: must be an object such as { baseUrl: "https://cafe.ru/r" }.',
    );
  for (const key of Object.keys(links)) {
    if (!KNOWN.includes(key)) {
      const shown = key.length > 60 ? `${key.slice(0, 60)}…` : key;
      throw new ConfigError(
        `Unknown option \`links.${shown}\`: the options are \`baseUrl\`, \`ttlMs\`.`,
      );
    }
  }
  const { baseUrl, ttlMs } = links as Record<string, unknown>;
  return { baseUrl: checkBaseUrl(baseUrl), ttlMs: checkTtl(ttlMs) };
}

function checkBaseUrl(value: unknown): string {
  const fail = (why: string): never => {
    throw new ConfigError(`Invalid option \`links.baseUrl\`: ${why}, such as "https://cafe.ru/r".`);
  };
  if (typeof value !== "string" || value.trim() === "")
    return fail("must be an absolute http(s) URL");
  const text = value.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return fail("must be an absolute http(s) URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    return fail("must be an absolute http(s) URL");
  if (text.includes("?") || text.includes("#"))
    return fail("must have no query (`?`) or fragment (`#`): the token is its last path segment");
  if (url.username !== "" || url.password !== "") return fail("must not hold credentials");
  return url.href.replace(/\/+$/, "");
}

function checkTtl(value: unknown): number {
  if (value === undefined) return DEFAULT_LINK_TTL_MS;
  if (
    typeof value !== "number" ||
    !Number.isSafeInteger(value) ||
    value < 1 ||
    value > MAX_LINK_TTL_MS
  )
    throw new ConfigError(
      `Invalid option \`links.ttlMs\`: must be a positive integer number of milliseconds, at most ${MAX_LINK_TTL_MS} (400 days).`,
    );
  return value;
}

/**
 * Checks that every review URL a link may lead to is an absolute http(s) URL (a redirect goes
 * nowhere else).
 *
 * @param urls - The URLs, each with the option it came from.
 * @throws ConfigError naming the option.
 */
export function checkReviewTargets(urls: readonly { url: unknown; option: string }[]): void {
  for (const { url, option } of urls) {
    if (safeTarget(url) === null)
      throw new ConfigError(
        `Invalid option \`${option}\`: with \`links\`, a review URL must be an absolute http(s) URL (the short link redirects there).`,
      );
  }
}
