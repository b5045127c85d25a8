import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/core/logger.js";

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
