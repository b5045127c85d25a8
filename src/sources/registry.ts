// TEMPORARY STUB (replaced by the sources branch at merge).

import { parsers } from "./index.js";
import type { Source } from "./source.js";
import { validateParserOptions } from "./stub-check.js";

export const sources: Readonly<Record<string, Source>> = Object.freeze(
  Object.fromEntries(
    Object.entries(parsers).map(([name, parse]) => [
      name,
      {
        name,
        parse,
        checkOptions: (options: unknown, path: string) =>
          validateParserOptions(name, parse, options, path),
        ...(name === "amocrm"
          ? {
              lookup: {
                option: "amocrm",
                isClient: (
                  v: unknown,
                ): v is { getLeadPhone: (...a: unknown[]) => Promise<string | null> } =>
                  typeof v === "object" &&
                  v !== null &&
                  typeof (v as { getLeadPhone?: unknown }).getLeadPhone === "function",
                phone: (
                  event: import("./types.js").ParsedEvent,
                  client: { getLeadPhone: (...a: unknown[]) => Promise<string | null> },
                ) =>
                  client.getLeadPhone(event.lookup?.leadId, {
                    subdomain: event.lookup?.subdomain ?? null,
                    baseUrl: event.lookup?.baseUrl ?? null,
                  }),
                missingClient:
                  "amoCRM webhooks carry no phone: pass `amocrm: createAmocrmClient({ subdomain, accessToken })` to look it up.",
              },
            }
          : {}),
      } satisfies Source,
    ]),
  ),
);

export function findSource(
  registry: Readonly<Record<string, Source>>,
  name: unknown,
): Source | undefined {
  return typeof name === "string" && Object.hasOwn(registry, name) ? registry[name] : undefined;
}
