import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ConfigError, createMetaWhatsappClient } from "../../src/index.js";

const base = { accessToken: "EAAG-token", phoneNumberId: "106540352242922" };

describe("createMetaWhatsappClient: appSecret and verifyToken", () => {
  it.each([
    ["appSecret", "", "Option `appSecret` must be a non-empty string without spaces."],
    ["appSecret", "   ", "Option `appSecret` must be a non-empty string without spaces."],
    ["appSecret", "two words", "Option `appSecret` must be a non-empty string without spaces."],
    ["appSecret", 42, "Option `appSecret` must be a string."],
    ["verifyToken", "", "Option `verifyToken` must be a non-empty string without spaces."],
    ["verifyToken", { token: "x" }, "Option `verifyToken` must be a string."],
  ])("refuses %s %j at creation with a message naming it", (option, value, message) => {
    const create = () => createMetaWhatsappClient({ ...base, [option]: value });
    expect(create).toThrow(ConfigError);
    expect(create).toThrow(message);
  });

  it("never quotes the secret in the error", () => {
    try {
      createMetaWhatsappClient({ ...base, appSecret: "secret with-spaces-123" });
      expect.unreachable();
    } catch (error) {
      expect(String(error)).not.toContain("with-spaces-123");
      expect(JSON.stringify(error)).not.toContain("with-spaces-123");
    }
  });

  it("trims the secrets and treats null as absent", async () => {
    const client = createMetaWhatsappClient({
      ...base,
      appSecret: "  app-secret  ",
      verifyToken: null as unknown as string,
    });
    expect(client.statusWebhooks.configured).toBe(true);
    const body = '{"entry":[]}';
    const reading = await client.statusWebhooks.read({
      method: "POST",
      headers: (name) =>
        name === "x-hub-signature-256"
          ? `sha256=${createHmac("sha256", "app-secret").update(body).digest("hex")}`
          : null,
      query: new URLSearchParams(),
      body: new TextEncoder().encode(body),
    });
    expect(reading).toMatchObject({ ok: true, updates: [] });
  });
});
