import { ConfigError, errorMessage } from "../core/errors.js";
import { createLogger, type Logger } from "../core/logger.js";
import { safeTarget } from "../links/destinations.js";
import { chooserPage, NOT_FOUND_PAGE } from "../links/pages.js";
import type { ReviewRequester } from "../requester/types.js";
import type { WebhookResponse } from "./core.js";

/**
 * Options of the short-link handlers (`linkHandler`, `createFetchLinkHandler`).
 *
 * @example
 * ```ts
 * app.get("/r/:token", linkHandler(requester, { logger: console }));
 * ```
 */
export interface LinkHandlerOptions {
  /** Where to log internal faults (a store that fails). Tokens, addresses and user agents are never logged. */
  readonly logger?: Partial<Logger>;
}

/**
 * A visit to a short link as the adapters pass it to the core.
 *
 * @example
 * ```ts
 * run({ method: "GET", url: "/r/AbCd12_-", header: (name) => headers.get(name) });
 * ```
 */
export interface LinkRequest {
  /** HTTP method. */
  readonly method: string;
  /** The request URL (absolute, or path with query): the token is its path's last segment. */
  readonly url: string;
  /** A request header, or `null`. */
  header(name: string): string | null;
}

/** Headers of every answer: never cached (each visit must reach the server to count), no referrer passed on. */
const HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "cache-control": "no-store",
  "referrer-policy": "no-referrer",
  "x-robots-tag": "noindex",
  "x-content-type-options": "nosniff",
});

function answer(
  status: number,
  body: string,
  headers: Record<string, string>,
  background: Promise<unknown> | null = null,
): WebhookResponse {
  return { status, headers: { ...HEADERS, ...headers }, body, background, close: false };
}

const html = { "content-type": "text/html; charset=utf-8" };

/**
 * The token a URL names: its path's last segment, as written (a token is 8 base64url
 * characters: anything percent-encoded is not one). Never the query.
 */
function tokenOf(url: string): string {
  let path: string;
  try {
    path = new URL(url, "http://localhost").pathname;
  } catch {
    return "";
  }
  return path.slice(path.lastIndexOf("/") + 1);
}

/**
 * The one place short-link HTTP handling lives; `linkHandler` (`otzovik/express`) and
 * `createFetchLinkHandler` (`otzovik/fetch`) only adapt their frameworks to it. Checks the
 * options once and returns what the adapters call per request.
 *
 * Per request: 405 for anything but GET and HEAD; the token from the path's last segment only
 * (never the query); `requester.followLink()`; then 302 with `Location` set to the URL stored
 * for the token (and only that: nothing of the request goes into it), 200 with the chooser page
 * for a link with several destinations, 404 with a small page for an unknown, expired or
 * malformed token, 503 when the store fails. Every answer has `Cache-Control: no-store` and
 * `Referrer-Policy: no-referrer`; a HEAD gets the same status and headers without a body. A GET
 * from a browser is counted as a click before the answer; HEAD and link-preview bots are not.
 *
 * @param requester - The requester whose `links` made the tokens.
 * @param options - Logger.
 * @throws ConfigError when the options are not an object.
 *
 * @example
 * ```ts
 * const run = createLinkProcessor(requester);
 * const response = await run({ method: "GET", url: "/r/AbCd12_-", header: () => null });
 * ```
 */
export function createLinkProcessor(
  requester: ReviewRequester,
  options: LinkHandlerOptions = {},
): (req: LinkRequest) => Promise<WebhookResponse> {
  if (typeof options !== "object" || options === null)
    throw new ConfigError("The link handler's options must be an object.");
  const logger = createLogger(options.logger);
  return async (req) => {
    const method = String(req.method).toUpperCase();
    if (method !== "GET" && method !== "HEAD")
      return answer(405, "Method Not Allowed", {
        allow: "GET, HEAD",
        "content-type": "text/plain; charset=utf-8",
      });
    const head = method === "HEAD";
    try {
      const found = await requester.followLink(tokenOf(req.url), {
        method,
        userAgent: req.header("user-agent"),
      });
      if (!found.found) return answer(404, head ? "" : NOT_FOUND_PAGE, html);
      const background = found.done;
      if (found.location !== null) {
        // Checked again on the way out: only an absolute http(s) URL, in its normalised form.
        const location = safeTarget(found.location);
        if (location === null) return answer(404, head ? "" : NOT_FOUND_PAGE, html, background);
        return answer(302, "", { location }, background);
      }
      const destinations = found.destinations.flatMap((d) => {
        const url = safeTarget(d.url);
        return url === null ? [] : [{ name: d.name, url }];
      });
      return answer(200, head ? "" : chooserPage(found.business, destinations), html, background);
    } catch (error) {
      logger.error("a review link could not be resolved (the store failed); answered 503", {
        error: errorMessage(error),
      });
      return answer(503, "Service Unavailable: retry later", {
        "content-type": "text/plain; charset=utf-8",
        "retry-after": "5",
      });
    }
  };
}
