/** Where a short link leads: a review page and the name shown for it on the chooser page. */
export interface LinkDestination {
  /** The name shown: `"Яндекс Карты"`, `"2ГИС"`, `"Google"`, or the site's host. */
  readonly name: string;
  /** The review page. */
  readonly url: string;
}

/** Review sites recognised by host, in the order they are tried. */
const SITES: readonly {
  readonly name: string;
  readonly test: (host: string, path: string) => boolean;
}[] = [
  {
    name: "Яндекс Карты",
    test: (host, path) =>
      /(^|\.)yandex\.(ru|com|by|kz|uz|com\.tr)$/.test(host) && /^\/maps(\/|$)/.test(path),
  },
  { name: "Яндекс Карты", test: (host) => /^(maps\.)?ya\.ru$/.test(host) },
  {
    name: "2ГИС",
    test: (host) => /(^|\.)2gis\.(ru|com|kz|ae|kg|uz|am|az|ge|cl|cz|it)$/.test(host),
  },
  {
    name: "Google",
    test: (host, path) =>
      host === "g.page" ||
      host === "maps.app.goo.gl" ||
      host === "search.google.com" ||
      (host === "goo.gl" && path.startsWith("/maps")) ||
      (/(^|\.)google\.[a-z.]+$/.test(host) && /^\/maps(\/|$)/.test(path)) ||
      /^maps\.google\.[a-z.]+$/.test(host),
  },
  { name: "Zoon", test: (host) => /(^|\.)zoon\.(ru|com\.ua|kz|by)$/.test(host) },
  { name: "Отзовик", test: (host) => /(^|\.)otzovik\.com$/.test(host) },
  { name: "Tripadvisor", test: (host) => /(^|\.)tripadvisor\.[a-z.]+$/.test(host) },
  { name: "ПроДокторов", test: (host) => /(^|\.)prodoctorov\.ru$/.test(host) },
  { name: "Авито", test: (host) => /(^|\.)avito\.ru$/.test(host) },
];

/**
 * The name a review page is shown under on the chooser page: the review site recognised by its host
 * (Yandex Maps, 2GIS, Google Maps, Zoon, Otzovik, Tripadvisor, ProDoctorov, Avito), else the host
 * without `www.`.
 *
 * @param url - An absolute http(s) URL.
 */
export function destinationName(url: string): string {
  const parsed = new URL(url);
  const host = parsed.hostname.toLowerCase();
  const site = SITES.find((s) => s.test(host, parsed.pathname));
  return site ? site.name : host.replace(/^www\./, "");
}

/** The destinations of these review URLs, named. */
export function linkDestinations(urls: readonly string[]): LinkDestination[] {
  return urls.map((url) => ({ name: destinationName(url), url }));
}

/**
 * The review URLs a link leads to: `reviewUrl` first, then each of `reviewUrls` not already
 * listed (compared as written).
 */
export function reviewUrlsOf(
  reviewUrl: string,
  reviewUrls: readonly string[] | null | undefined,
): string[] {
  const urls = [reviewUrl];
  for (const url of reviewUrls ?? []) if (!urls.includes(url)) urls.push(url);
  return urls;
}

/**
 * `url` as a redirect target when it is an absolute http(s) URL without credentials (its
 * normalised form, which holds no control characters), else `null`.
 */
export function safeTarget(url: unknown): string | null {
  if (typeof url !== "string") return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return null;
  if (parsed.username !== "" || parsed.password !== "") return null;
  return parsed.href;
}
