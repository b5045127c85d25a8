import { describe, expect, it, vi } from "vitest";
import { consoleLogger, createLogger } from "../../src/core/logger.js";

describe("createLogger", () => {
  it("fills missing levels: debug/info silent, warn/error to console", () => {
    const lines: string[] = [];
    const logger = createLogger({ info: (m) => lines.push(m) });
    logger.info("hello");
    logger.debug("quiet");
    expect(lines).toEqual(["hello"]);
    expect(typeof logger.warn).toBe("function");
  });
});

describe("consoleLogger", () => {
  it("writes one readable line per call from its level up; strings with spaces are quoted", () => {
    const info: string[] = [];
    const debug: string[] = [];
    const spies = [
      vi.spyOn(console, "info").mockImplementation((line: string) => void info.push(line)),
      vi.spyOn(console, "debug").mockImplementation((line: string) => void debug.push(line)),
    ];
    try {
      const logger = consoleLogger();
      logger.info("review request skipped", {
        orderId: "59710",
        phone: "",
        reason: "no_phone",
        detail: "the event carries no customer phone",
        attempt: 2,
      });
      logger.debug("hidden at info");
      consoleLogger("debug").debug("shown", { durable: false });
      expect(info).toEqual([
        '[otzovik] info  review request skipped  orderId=59710 reason=no_phone detail="the event carries no customer phone" attempt=2',
      ]);
      expect(debug).toEqual(["[otzovik] debug shown  durable=false"]);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });
});
