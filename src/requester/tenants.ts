import { OtzovikError } from "../core/errors.js";
import { secretMatcher } from "../core/secret.js";
import { checkReviewTargets } from "../links/options.js";
import type { Channel, RequesterConfig, Timing } from "./config.js";
import { validateTenantSettings } from "./options.js";
import { type QuietWindow, quietWindow } from "./quiet-hours.js";
import { compileTemplate, type Render } from "./template.js";
import type { TenantSettings } from "./types.js";

/** What a scheduled send keeps of its tenant: JSON-safe, enough to render and send. */
export interface TenantSnapshot {
  readonly id: string;
  readonly business: string;
  readonly reviewUrl: string;
  /** More review URLs for the short link's chooser page (absent: none; and in older jobs). */
  readonly reviewUrls?: readonly string[];
  /** The tenant's message template, or `null` for the requester's. */
  readonly message: string | null;
  /** The tenant's channel types in order, or `null` for all configured. */
  readonly channels: readonly string[] | null;
}

/** Everything the requester needs about one tenant, resolved and checked. */
export interface TenantPlan {
  readonly snapshot: TenantSnapshot;
  readonly timing: Timing;
  readonly message: Render;
  readonly channels: readonly Channel[];
  /** Lookup clients: the tenant's own over the requester's. */
  readonly lookups: Readonly<Record<string, unknown>>;
  /** The lookup options whose client is the tenant's own. */
  readonly ownLookups: ReadonlySet<string>;
  /** The accounts the tenant's webhooks must name, by source. */
  readonly accounts: Readonly<Record<string, string>>;
}

/** Tenants: who a key belongs to, and their settings resolved over the requester's. */
export interface Tenants {
  /**
   * The tenant a webhook key belongs to, or `null` for a missing or unknown key: `resolveTenant`
   * asked with the key alone (`accountId: null`).
   *
   * @param source - The webhook's source, or `null` when no webhook is read.
   */
  authenticate(
    key: string | null | undefined,
    source?: string | null,
  ): Promise<TenantSettings | null>;
  /**
   * The settings of the account (branch) an event names, for an authenticated key: what
   * `resolveTenant` gives for `{ source, accountId }`, or the key's own settings when it gives
   * `null` (and always with static keys). One call per account per request: `cache` is the
   * request's.
   */
  branch(
    key: string,
    keyTenant: TenantSettings,
    source: string,
    accountId: string,
    cache: Map<string, Promise<TenantSettings>>,
  ): Promise<TenantSettings>;
  /** The tenant id for `optOut()`/`isOptedOut()`: the given id, the key's tenant, or the static one. */
  idFor(opts: { key?: string | null; tenantId?: string } | undefined): Promise<string>;
  /**
   * Resolves a tenant's settings over the requester's. Throws a `ConfigError` naming the setting
   * (`tenant.delayMs`) when a tenant's settings are invalid.
   */
  plan(tenant: TenantSettings): TenantPlan;
  /**
   * The plan of a scheduled job's tenant: its snapshot, with the lookup clients of the tenant's
   * latest settings seen by this process (a tenant's own clients cannot be kept in a job).
   */
  planOf(snapshot: TenantSnapshot): TenantPlan;
  /** The static tenant (static `keys`), or `null` with `resolveTenant`. */
  readonly static: TenantSettings | null;
}

/** Caches up to this many compiled tenant messages and quiet windows. */
const CACHE_LIMIT = 1000;

function cached<T>(cache: Map<string, T>, key: string, make: () => T): T {
  let value = cache.get(key);
  if (value === undefined) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    value = make();
    cache.set(key, value);
  }
  return value;
}

/** Creates the {@link Tenants} of a requester. */
export function createTenants(config: RequesterConfig): Tenants {
  const { options } = config;
  const matchKey = secretMatcher(config.keys);
  const staticTenant: TenantSettings | null = options.resolveTenant
    ? null
    : {
        id: options.tenantId ?? "default",
        business: options.business as string,
        reviewUrl: options.reviewUrl as string,
        ...(options.reviewUrls ? { reviewUrls: options.reviewUrls } : {}),
      };
  const messages = new Map<string, Render>();
  /** The latest settings `resolveTenant` gave for each tenant id, for their lookup clients. */
  const recent = new Map<string, TenantSettings>();
  const quietWindows = new Map<string, QuietWindow>();

  /** Remembers a tenant's latest settings when they hold lookup clients (for scheduled jobs). */
  function remember(tenant: TenantSettings | null): TenantSettings | null {
    if (tenant && typeof tenant.id === "string" && (tenant.lookups || tenant.amocrm)) {
      if (recent.size >= CACHE_LIMIT * 10 && !recent.has(tenant.id)) recent.clear();
      recent.set(tenant.id, tenant);
    }
    return tenant;
  }

  async function authenticate(
    key: string | null | undefined,
    source: string | null = null,
  ): Promise<TenantSettings | null> {
    if (typeof key !== "string" || key === "") return null;
    if (staticTenant) return (await matchKey(key)) >= 0 ? staticTenant : null;
    return remember((await options.resolveTenant?.(key, { source, accountId: null })) ?? null);
  }

  function timingOf(tenant: TenantSettings): Timing {
    const { timing } = config;
    return {
      delayMs: tenant.delayMs ?? timing.delayMs,
      frequencyCapMs: tenant.frequencyCapMs ?? timing.frequencyCapMs,
      quiet:
        tenant.quietHours === undefined
          ? timing.quiet
          : tenant.quietHours === false
            ? null
            : cached(
                quietWindows,
                `${tenant.quietHours.start}|${tenant.quietHours.end}|${tenant.quietHours.timeZone}`,
                () => quietWindow(tenant.quietHours as never, "tenant.quietHours"),
              ),
    };
  }

  return {
    static: staticTenant,
    authenticate,

    branch(key, keyTenant, source, accountId, cache) {
      const resolve = options.resolveTenant;
      if (staticTenant || !resolve) return Promise.resolve(keyTenant);
      let settings = cache.get(accountId);
      if (settings === undefined) {
        settings = (async () =>
          remember((await resolve(key, { source, accountId })) ?? null) ?? keyTenant)();
        cache.set(accountId, settings);
      }
      return settings;
    },

    async idFor(opts) {
      if (opts?.tenantId) return opts.tenantId;
      if (staticTenant && !opts?.key) return staticTenant.id;
      const tenant = await authenticate(opts?.key);
      if (!tenant)
        throw new OtzovikError("Unknown webhook key: pass the business's key or its tenantId.", {
          code: "unauthorized",
        });
      return tenant.id;
    },

    planOf(snapshot) {
      const settings = fromSnapshot(snapshot);
      const latest = recent.get(snapshot.id);
      return this.plan(
        latest
          ? {
              ...settings,
              lookups: latest.lookups,
              amocrm: latest.amocrm,
              accounts: latest.accounts,
            }
          : settings,
      );
    },

    plan(tenant) {
      if (tenant !== staticTenant) {
        validateTenantSettings(tenant);
        if (config.links) checkReviewTargets(reviewTargets(tenant, "tenant."));
      }
      const own: Record<string, unknown> = {
        ...(tenant.amocrm ? { amocrm: tenant.amocrm } : {}),
        ...tenant.lookups,
      };
      const text = tenant.message ?? null;
      const wanted = tenant.channels ?? null;
      return {
        snapshot: {
          id: tenant.id,
          business: tenant.business,
          reviewUrl: tenant.reviewUrl,
          ...(tenant.reviewUrls && tenant.reviewUrls.length > 0
            ? { reviewUrls: [...tenant.reviewUrls] }
            : {}),
          message: text,
          channels: wanted,
        },
        timing: timingOf(tenant),
        message:
          text === null
            ? config.message
            : cached(messages, text, () => compileTemplate(text, "tenant.message")),
        channels: wanted
          ? wanted.flatMap((type) => config.channels.filter((c) => c.spec.type === type))
          : config.channels,
        lookups: { ...config.lookups, ...own },
        ownLookups: new Set(Object.keys(own)),
        accounts: tenant.accounts ?? {},
      };
    },
  };
}

/** The settings a {@link TenantSnapshot} keeps, as {@link TenantSettings} (for a scheduled send). */
export function fromSnapshot(snapshot: TenantSnapshot): TenantSettings {
  return {
    id: snapshot.id,
    business: snapshot.business,
    reviewUrl: snapshot.reviewUrl,
    ...(snapshot.reviewUrls ? { reviewUrls: snapshot.reviewUrls } : {}),
    ...(snapshot.message === null ? {} : { message: snapshot.message }),
    ...(snapshot.channels === null
      ? {}
      : { channels: snapshot.channels as TenantSettings["channels"] }),
  };
}

/** A tenant's review URLs with the options they come from (`prefix`: `"tenant."` or `""`). */
export function reviewTargets(
  tenant: Pick<TenantSettings, "reviewUrl" | "reviewUrls">,
  prefix: string,
): { url: unknown; option: string }[] {
  return [
    { url: tenant.reviewUrl, option: `${prefix}reviewUrl` },
    ...(tenant.reviewUrls ?? []).map((url, i) => ({ url, option: `${prefix}reviewUrls.${i}` })),
  ];
}
