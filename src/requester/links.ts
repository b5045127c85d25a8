import { ConfigError, errorMessage, OtzovikError } from "../core/errors.js";
import { linkDestinations } from "../links/destinations.js";
import { isLinkToken } from "../links/token.js";
import { userAgentClass } from "../links/user-agent.js";
import type { RequesterConfig } from "./config.js";
import { type Ledger, STATS_TTL_MS, statsDay } from "./ledger.js";
import type { Reporter } from "./report.js";
import type { Tenants } from "./tenants.js";
import type {
  ChannelSpec,
  ClickedOutcome,
  FollowedLink,
  FunnelStats,
  LinkVisit,
  StatsQuery,
} from "./types.js";

const DAY_MS = 86_400_000;
/** The most days {@link ReviewRequester.stats} sums: what the store keeps. */
const MAX_DAYS = Math.floor(STATS_TTL_MS / DAY_MS);

const NOT_FOUND: FollowedLink = Object.freeze({ found: false });
const NO_CLICK: Promise<null> = Promise.resolve(null);

/** The short-link side of a requester: `followLink()` and `stats()`. */
export interface Links {
  followLink(token: string, visit: LinkVisit): Promise<FollowedLink>;
  stats(query: StatsQuery): Promise<FunnelStats>;
}

/** Creates the short-link side of a requester (`track` keeps a click's report visible to `close()`). */
export function createLinks(
  config: RequesterConfig,
  tenants: Tenants,
  ledger: Ledger,
  report: Reporter,
  track: <T>(promise: Promise<T>) => Promise<T>,
): Links {
  const { logger, now } = config;

  /** Counts a click and reports the first one; never rejects (a lost count must not lose the redirect). */
  async function click(
    link: NonNullable<Awaited<ReturnType<Ledger["findLink"]>>>,
    ua: ReturnType<typeof userAgentClass>,
  ): Promise<ClickedOutcome | null> {
    const at = now();
    let first: boolean;
    try {
      ({ first } = await ledger.click(link, ua));
    } catch (error) {
      logger.error("could not count a click on a review link", {
        tenant: link.tenantId,
        error: errorMessage(error),
      });
      return null;
    }
    if (!first) return null;
    return report({
      status: "clicked",
      tenantId: link.tenantId,
      token: link.token,
      order: link.order,
      channel: link.channel as ChannelSpec["type"] | null,
      userAgent: ua,
      at: new Date(at).toISOString(),
      sentAt: new Date(link.at).toISOString(),
    } satisfies ClickedOutcome);
  }

  return {
    async followLink(token, visit) {
      // Bounded work: anything but 8 base64url characters is unknown without a store read.
      if (typeof token !== "string" || !isLinkToken(token)) return NOT_FOUND;
      const link = await ledger.findLink(token);
      if (link === null) return NOT_FOUND;
      const destinations = linkDestinations(link.urls);
      const ua = userAgentClass(visit?.userAgent);
      const counted = String(visit?.method).toUpperCase() === "GET" && ua !== "bot";
      return {
        found: true,
        location: destinations.length === 1 ? (destinations[0]?.url ?? null) : null,
        destinations,
        business: link.business,
        counted,
        // The click is counted before this resolves; its report (log, hook) runs in `done`.
        done: counted ? track(click(link, ua)) : NO_CLICK,
      };
    },

    async stats(query) {
      if (!config.links) {
        throw new ConfigError(
          "stats() needs the `links` option: the funnel counters (sent, delivered, clicked) are kept only with short links.",
        );
      }
      const since = sinceOf(query?.since);
      const tenantId = await tenants.idFor({ tenantId: query.tenantId, key: query.key });
      const today = Date.parse(`${statsDay(now())}T00:00:00Z`);
      const oldest = today - (MAX_DAYS - 1) * DAY_MS;
      const start = Math.max(Date.parse(`${statsDay(Math.min(since, now()))}T00:00:00Z`), oldest);
      const days: string[] = [];
      for (let day = start; day <= today; day += DAY_MS) days.push(statsDay(day));
      const counts = await ledger.stats(tenantId, days);
      return { tenantId, since: new Date(start).toISOString(), days: days.length, ...counts };
    },
  };
}

/** `since` as ms since the epoch; throws naming it when it is not a time. */
function sinceOf(since: unknown): number {
  const ms =
    since instanceof Date
      ? since.getTime()
      : typeof since === "number"
        ? since
        : typeof since === "string"
          ? Date.parse(since)
          : Number.NaN;
  if (!Number.isFinite(ms))
    throw new OtzovikError(
      "stats() needs `since`: a Date, a number of ms since the epoch or an ISO date string.",
      { code: "invalid_value" },
    );
  return ms;
}
