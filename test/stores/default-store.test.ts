import { describe, expect, it, vi } from "vitest";
import type { SmsSender } from "../../src/providers/types.js";
import { createReviewRequester } from "../../src/requester/requester.js";

// The real memoryStore, watched: what does the requester create when it is given no store?
vi.mock("../../src/stores/memory.js", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../src/stores/memory.js")>();
  return { ...original, memoryStore: vi.fn(original.memoryStore) };
});
const { memoryStore } = await import("../../src/stores/memory.js");

const client: SmsSender = {
  provider: "sms.ru",
  sendSms: async (to) => ({
    provider: "sms.ru",
    channel: "sms",
    messageId: "1",
    to,
    dryRun: false,
  }),
};

describe("the requester's default store", () => {
  it("is a memory store that warns through the requester's logger", () => {
    const logger = { warn: vi.fn(), error: vi.fn() };
    createReviewRequester({
      keys: "default-store-key-0123",
      business: "B",
      reviewUrl: "https://r.example",
      channels: [{ type: "sms", client }],
      logger,
    });
    expect(memoryStore).toHaveBeenCalledTimes(1);
    expect(memoryStore).toHaveBeenCalledWith({ logger });
  });

  it("is not created when a store is given", () => {
    const store = memoryStore();
    vi.mocked(memoryStore).mockClear();
    createReviewRequester({
      keys: "default-store-key-0123",
      business: "B",
      reviewUrl: "https://r.example",
      channels: [{ type: "sms", client }],
      store,
    });
    expect(memoryStore).not.toHaveBeenCalled();
  });
});
