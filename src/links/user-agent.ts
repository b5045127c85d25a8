/**
 * What a click records of its browser: a class, never the user agent itself.
 *
 * - `"bot"`: a link-preview fetcher (a messenger showing a preview card) or another robot; its
 *   requests are answered but never counted as clicks;
 * - `"mobile"`: a phone or tablet browser;
 * - `"desktop"`: a computer's browser;
 * - `"other"`: anything else, including no user agent at all.
 */
export type UserAgentClass = "bot" | "mobile" | "desktop" | "other";

/**
 * Link-preview fetchers of messengers and social networks: they open a link as soon as it is in a
 * chat (Telegram, WhatsApp; iMessage previews with Facebook's crawler name), before anyone taps it.
 * Names that apps' own in-app browsers also send (Viber, Snapchat, Pinterest) are left out: a real
 * click from them must count.
 */
const PREVIEW_BOTS =
  /TelegramBot|WhatsApp|facebookexternalhit|Facebot|Twitterbot|Slackbot|Slack-ImgProxy|Discordbot|LinkedInBot|vkShare|SkypeUriPreview|redditbot|Embedly|Iframely|OdklBot|Mail\.RU_Bot|KakaoTalk-scrap|Applebot|Google-PageRenderer|Bytespider|YandexBot|Googlebot|bingbot/i;
/** Anything else that calls itself a robot. */
const ROBOTS = /bot\b|bot\/|crawler|spider|preview|scanner|headless|python-requests|curl\/|wget\//i;
const MOBILE = /Mobi|Android|iPhone|iPad|iPod|Windows Phone|Opera Mini|IEMobile|HarmonyOS/i;
const DESKTOP = /Windows NT|Macintosh|X11|CrOS|Linux x86_64/;

/** The most of a user agent read: enough for every pattern, bounded work for a huge header. */
const READ_CHARS = 512;

/**
 * The {@link UserAgentClass} of a `User-Agent` header. Known link-preview fetchers (Telegram,
 * WhatsApp, Facebook and iMessage's `facebookexternalhit`, Twitter, Slack, Discord, LinkedIn,
 * VK, Skype…), crawlers and command-line clients are `"bot"`.
 *
 * @param userAgent - The header, or `null` when the request had none.
 */
export function userAgentClass(userAgent: string | null | undefined): UserAgentClass {
  if (typeof userAgent !== "string" || userAgent.trim() === "") return "other";
  const ua = userAgent.slice(0, READ_CHARS);
  if (PREVIEW_BOTS.test(ua) || ROBOTS.test(ua)) return "bot";
  if (MOBILE.test(ua)) return "mobile";
  if (DESKTOP.test(ua)) return "desktop";
  return "other";
}
