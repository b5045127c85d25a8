/**
 * Issue 14's pieces: link tokens, user-agent classes, destination names, and the `links` option's
 * checks (messages naming the option).
 */
import { describe, expect, it } from "vitest";
import { createLinkProcessor } from "../../src/adapters/link.js";
import { ConfigError } from "../../src/core/errors.js";
import { destinationName, safeTarget } from "../../src/links/destinations.js";
import { isLinkToken, newLinkToken } from "../../src/links/token.js";
import { userAgentClass } from "../../src/links/user-agent.js";
import { createReviewRequester } from "../../src/requester/requester.js";
import type { RequesterOptions, ReviewRequester } from "../../src/requester/types.js";
import { textSms } from "./world.js";

describe("link tokens", () => {
  it("are 8 base64url characters of 48 random bits, all different", () => {
    const tokens = Array.from({ length: 2_000 }, newLinkToken);
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]{8}$/);
    expect(new Set(tokens).size).toBe(2_000);
    // Every one of the 64 characters shows up in every position over many tokens.
    const seen = Array.from({ length: 8 }, () => new Set<string>());
    for (const token of tokens) for (const [i, c] of [...token].entries()) seen[i]?.add(c);
    expect(seen.map((s) => s.size)).toEqual([64, 64, 64, 64, 64, 64, 64, 64]);
  });

  it("are recognised only as exactly 8 base64url characters", () => {
    expect(isLinkToken("AbCd12_-")).toBe(true);
    for (const bad of ["", "AbCd12_", "AbCd12_-9", "AbCd12+/", "AbCd12=-", "AbCd 2_-", "АbCd12_-"])
      expect(isLinkToken(bad), bad).toBe(false);
  });
});

describe("userAgentClass", () => {
  it.each([
    ["TelegramBot (like TwitterBot)", "bot"],
    ["WhatsApp/2.23.20.0 A", "bot"],
    ["facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", "bot"],
    ["Facebot", "bot"],
    ["Mozilla/5.0 (compatible; Twitterbot/1.0)", "bot"],
    ["Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", "bot"],
    ["Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)", "bot"],
    [
      "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
      "bot",
    ],
    ["Mozilla/5.0 (compatible; vkShare; +http://vk.com/dev/Share)", "bot"],
    ["Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5", "bot"],
    ["Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)", "bot"],
    ["curl/8.5.0", "bot"],
    [
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
      "mobile",
    ],
    [
      "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36",
      "mobile",
    ],
    [
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
      "desktop",
    ],
    [
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
      "desktop",
    ],
    [
      "Mozilla/5.0 (Linux; Android 13; SM-A515F) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/120.0 Mobile Safari/537.36 Viber/21.4.0.0",
      "mobile",
    ],
    [
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Snapchat/12.60.0.36 (like Safari/8617.1.17.10.6)",
      "mobile",
    ],
    ["Mozilla/5.0 (compatible; Pinterestbot/1.0; +http://www.pinterest.com/bot.html)", "bot"],
    ["SomethingElse/1.0", "other"],
    ["", "other"],
    [null, "other"],
  ])("%s → %s", (ua, expected) => {
    expect(userAgentClass(ua)).toBe(expected);
  });
});

describe("destinationName", () => {
  it.each([
    ["https://yandex.ru/maps/org/kofeynya_zerno/1234567890/reviews/", "Яндекс Карты"],
    ["https://yandex.com/maps/org/1/reviews", "Яндекс Карты"],
    ["https://2gis.ru/moscow/firm/70000001012345678/tab/reviews", "2ГИС"],
    ["https://go.2gis.com/abcd", "2ГИС"],
    ["https://g.page/r/CZ3pQd9n7J8fEBM/review", "Google"],
    ["https://maps.app.goo.gl/abc", "Google"],
    ["https://www.google.com/maps/place/x", "Google"],
    ["https://search.google.com/local/writereview?placeid=x", "Google"],
    ["https://zoon.ru/msk/restaurants/x/", "Zoon"],
    ["https://www.cafe.ru/reviews", "cafe.ru"],
    ["https://yandex.ru/search?text=x", "yandex.ru"],
  ])("%s → %s", (url, name) => {
    expect(destinationName(url)).toBe(name);
  });

  it("safeTarget keeps absolute http(s) URLs without credentials only", () => {
    expect(safeTarget("https://yandex.ru/maps/org/1")).toBe("https://yandex.ru/maps/org/1");
    for (const bad of [
      "javascript:alert(1)",
      "data:text/html,x",
      "//evil.example",
      "/relative",
      "https://user:pass@evil.example/",
      "not a url",
      42,
    ])
      expect(safeTarget(bad), String(bad)).toBeNull();
  });
});

describe("the links option", () => {
  const base = (): RequesterOptions => ({
    keys: "links-units-key-0123456789",
    business: "Кофейня",
    reviewUrl: "https://yandex.ru/maps/org/1/reviews",
    channels: [{ type: "sms", client: textSms().client }],
  });
  const make = (extra: Record<string, unknown>) =>
    createReviewRequester({ ...base(), ...extra } as RequesterOptions);

  it.each([
    [
      { links: "https://cafe.ru/r" },
      'Invalid option `links`: must be an object such as { baseUrl: "https://cafe.ru/r" }.',
    ],
    [
      { links: {} },
      'Invalid option `links.baseUrl`: must be an absolute http(s) URL, such as "https://cafe.ru/r".',
    ],
    [
      { links: { baseUrl: "cafe.ru/r" } },
      'Invalid option `links.baseUrl`: must be an absolute http(s) URL, such as "https://cafe.ru/r".',
    ],
    [
      { links: { baseUrl: "ftp://cafe.ru/r" } },
      'Invalid option `links.baseUrl`: must be an absolute http(s) URL, such as "https://cafe.ru/r".',
    ],
    [
      { links: { baseUrl: "https://cafe.ru/r?x=1" } },
      'Invalid option `links.baseUrl`: must have no query (`?`) or fragment (`#`): the token is its last path segment, such as "https://cafe.ru/r".',
    ],
    [
      { links: { baseUrl: "https://cafe.ru/r#x" } },
      'Invalid option `links.baseUrl`: must have no query (`?`) or fragment (`#`): the token is its last path segment, such as "https://cafe.ru/r".',
    ],
    [
      { links: { baseUrl: "https://u:p@cafe.ru/r" } },
      'Invalid option `links.baseUrl`: must not hold credentials, such as "https://cafe.ru/r".',
    ],
    [
      { links: { baseUrl: "https://cafe.ru/r", ttlMs: 0 } },
      "Invalid option `links.ttlMs`: must be a positive integer number of milliseconds, at most 34560000000 (400 days).",
    ],
    [
      { links: { baseUrl: "https://cafe.ru/r", ttl: 1 } },
      "Unknown option `links.ttl`: the options are `baseUrl`, `ttlMs`.",
    ],
    [{ link: { baseUrl: "https://cafe.ru/r" } }, "Unknown option `link`: did you mean `links`?"],
    [
      { links: { baseUrl: "https://cafe.ru/r" }, reviewUrl: "yandex.ru/maps/org/1" },
      "Invalid option `reviewUrl`: with `links`, a review URL must be an absolute http(s) URL (the short link redirects there).",
    ],
    [
      {
        links: { baseUrl: "https://cafe.ru/r" },
        reviewUrls: ["https://2gis.ru/x", "javascript:alert(1)"],
      },
      "Invalid option `reviewUrls.1`: with `links`, a review URL must be an absolute http(s) URL (the short link redirects there).",
    ],
  ])("refuses %j", (extra, message) => {
    let error: unknown;
    try {
      make(extra);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(`[otzovik] ${message}`);
  });

  it("drops a trailing slash of baseUrl", async () => {
    const sms = textSms();
    const requester = createReviewRequester({
      ...base(),
      channels: [{ type: "sms", client: sms.client }],
      links: { baseUrl: "https://cafe.ru/r///" },
      quietHours: false,
      logger: { info: () => {} },
    });
    await requester.request({ phone: "+79161234567", orderId: "1" });
    await requester.close();
    expect(sms.sent[0]?.text).toMatch(
      /^Кофейня: спасибо! Отзыв: https:\/\/cafe\.ru\/r\/[A-Za-z0-9_-]{8}$/,
    );
  });
});

describe("createLinkProcessor", () => {
  it("answers 404 for a URL it cannot parse: its token is empty, never a store read", async () => {
    const asked: string[] = [];
    const requester = {
      followLink: async (token: string) => {
        asked.push(token);
        return { found: false as const };
      },
    } as unknown as ReviewRequester;
    const run = createLinkProcessor(requester);
    const response = await run({ method: "GET", url: "http://[", header: () => null });
    expect(response.status).toBe(404);
    expect(asked).toEqual([""]);
  });
});
