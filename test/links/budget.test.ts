/**
 * Issue 14's message budget: with `links`, the default message is one Cyrillic SMS segment for
 * business names of 1 to 25 characters on `https://cafe.ru/r` (the worst token, any of the 64
 * characters, costs the same: base64url is GSM-7 and UCS-2 alike). The figures the README shows.
 */
import { describe, expect, it } from "vitest";
import { smsSegments } from "../../src/core/sms-segments.js";
import {
  compileTemplate,
  DEFAULT_LINK_MESSAGE,
  DEFAULT_MESSAGE,
} from "../../src/requester/template.js";
import { linksRequester, PHONE, tokenOf, YANDEX } from "./world.js";

const render = compileTemplate(DEFAULT_LINK_MESSAGE);
const vars = (business: string, reviewUrl: string) => ({
  name: null,
  business,
  reviewUrl,
  orderId: null,
  source: "direct",
});
/** Business names of every length up to 25, Cyrillic with the longest-looking characters. */
const names = Array.from({ length: 25 }, (_, i) =>
  "Кофейня «Щ»—ЖЁЮЯ".padEnd(i + 1, "Ш").slice(0, i + 1),
);

describe("message budget with links", () => {
  it("fits one segment with every business name of 1..25 characters", () => {
    for (const name of names) {
      const text = render(vars(name, "https://cafe.ru/r/AbCd12_-"));
      expect(smsSegments(text), name).toMatchObject({ encoding: "UCS-2", segments: 1 });
    }
    // 25 characters leave one to spare; 27 no longer fit.
    expect(smsSegments(render(vars("Ш".repeat(25), "https://cafe.ru/r/AbCd12_-"))).remaining).toBe(
      1,
    );
    expect(smsSegments(render(vars("Ш".repeat(27), "https://cafe.ru/r/AbCd12_-"))).segments).toBe(
      2,
    );
  });

  it("fits one segment as sent, with a real token, for every length 1..25", async () => {
    for (const name of names) {
      const { requester, sms } = linksRequester({ extra: { business: name, logger: {} } });
      await requester.request({ phone: PHONE, orderId: "1" });
      await requester.close();
      const text = sms.sent[0]?.text as string;
      expect(tokenOf(text)).toHaveLength(8);
      expect(smsSegments(text).segments, name).toBe(1);
    }
  });

  it("the README's figures: a Yandex Maps link costs 2 segments, the short link 1", () => {
    const name = "Кофейня «Зерно»";
    expect(YANDEX).toHaveLength(61);
    expect(smsSegments(compileTemplate(DEFAULT_MESSAGE)(vars(name, YANDEX)))).toMatchObject({
      segments: 2,
      characters: 103,
    });
    expect(smsSegments(render(vars(name, "https://cafe.ru/r/AbCd12_-")))).toMatchObject({
      segments: 1,
      characters: 59,
    });
  });
});
