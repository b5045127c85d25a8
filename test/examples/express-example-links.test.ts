/**
 * examples/express/server.mjs with LINKS_BASE_URL (issue 14): the SMS printed in dev mode carries
 * a short link on that base URL, which the example's own /r/<token> route redirects to REVIEW_URL;
 * the first GET prints one `review link clicked` line (no phone), a preview bot's GET none.
 * Against the sources (see test/helpers/example-process.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ExampleProcess, startExample } from "../helpers/example-process.js";
import { rawRequest } from "../helpers/http.js";

const IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";

describe("the Express example's short links (LINKS_BASE_URL)", { timeout: 30_000 }, () => {
  let example: ExampleProcess;
  beforeAll(async () => {
    example = await startExample("examples/express/server.mjs", {
      env: {
        LINKS_BASE_URL: "https://cafe.ru/r",
        REVIEW_URL: "https://yandex.ru/maps/org/1/reviews",
      },
    });
  }, 30_000);
  afterAll(async () => {
    if (example?.alive()) expect(await example.stop("SIGTERM")).toEqual({ code: 0, signal: null });
  });

  it("sends the short link, redirects it, and prints the first real click once", async () => {
    const order = await rawRequest(example.port, {
      path: "/api/webhook/rkeeper?key=dev-key",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        order: { id: "L-1", status: "Выполнен", customer: { phone: "+79161234567" } },
      }),
    });
    expect(order.status).toBe(200);
    const [, token] = await example.waitFor(
      /^dev {3}SMS to \+7916\*\*\*4567 \(not sent, dev mode\): .*: спасибо! Отзыв: https:\/\/cafe\.ru\/r\/([A-Za-z0-9_-]{8})$/m,
    );
    const get = (userAgent: string) =>
      rawRequest(example.port, {
        method: "GET",
        path: `/r/${token}`,
        headers: { "user-agent": userAgent },
      });
    const bot = await get("TelegramBot (like TwitterBot)");
    expect(bot.status).toBe(302);
    expect(bot.headers.location).toBe("https://yandex.ru/maps/org/1/reviews");
    for (let i = 0; i < 2; i++) {
      const click = await get(IPHONE);
      expect(click.status).toBe(302);
      expect(click.headers.location).toBe("https://yandex.ru/maps/org/1/reviews");
    }
    await example.waitFor(/^info {2}review link clicked /m);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const clicked = example
      .stdout()
      .split("\n")
      .filter((line) => line.startsWith("info  review link clicked"));
    expect(clicked).toHaveLength(1);
    expect(clicked[0]).toMatch(
      /^info {2}review link clicked {2}tenant=default channel=sms userAgent=mobile order=[0-9a-f]{32}$/,
    );
    const unknown = await rawRequest(example.port, { method: "GET", path: "/r/AbCd12_-" });
    expect(unknown.status).toBe(404);
  });
});
