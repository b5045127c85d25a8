/**
 * Property tests of the three signature checks: a body signed the provider's way always verifies,
 * and changing any one byte of it (or of the signed entries) always fails. Seeded and bounded.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createMetaStatusWebhooks } from "../../src/status/meta.js";
import { createResendStatusWebhooks } from "../../src/status/resend.js";
import { createSmsRuStatusWebhooks } from "../../src/status/sms-ru.js";
import { signMetaStatus, signResendEvent, smsRuCallbackBody } from "../../src/testing/index.js";
import { statusRequest } from "../helpers/status-request.js";

const META_SECRET = "3b1f6a0c9d2e4f5a8b7c6d5e4f3a2b1c";
const RESEND_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const SMSRU_KEY = "6F1B2C3D-4E5F-6A7B-8C9D-0E1F2A3B4C5D";
const NOW = 1_790_503_200_000;

const meta = createMetaStatusWebhooks({ appSecret: META_SECRET });
const resend = createResendStatusWebhooks({ webhookSecret: RESEND_SECRET, now: () => NOW });
const smsRu = createSmsRuStatusWebhooks({ apiKey: SMSRU_KEY });

/** Any body, and one byte of it to change to a different value. */
const bodyAndFlip = fc.uint8Array({ minLength: 1, maxLength: 2048 }).chain((body) =>
  fc.record({
    body: fc.constant(body),
    at: fc.nat({ max: body.length - 1 }),
    xor: fc.integer({ min: 1, max: 255 }),
  }),
);

function flipped(body: Uint8Array, at: number, xor: number): Uint8Array {
  const copy = body.slice();
  copy[at] = (copy[at] as number) ^ xor;
  return copy;
}

/** Refused for the signature, or read: never anything else, never a throw. */
const verdict = (reading: { ok: unknown; reason?: string }) =>
  reading.ok === false ? reading.reason : "verified";

describe("signature properties", () => {
  it("Meta: any body signed with the app secret verifies; any one-byte change fails", {
    timeout: 60_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(bodyAndFlip, async ({ body, at, xor }) => {
        const signature = await signMetaStatus(body, META_SECRET);
        const headers = { "x-hub-signature-256": signature };
        const good = await meta.read(statusRequest({ headers, body }));
        // Verified: then read (200) or unreadable as JSON (400), never refused as unsigned.
        expect(["verified", "bad_request"]).toContain(verdict(good));
        const bad = await meta.read(statusRequest({ headers, body: flipped(body, at, xor) }));
        expect(verdict(bad)).toBe("bad_signature");
      }),
      { seed: 11_2026, numRuns: 200 },
    );
  });

  it("Resend: any body signed Svix-style verifies; any one-byte change of body or id fails", {
    timeout: 60_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(
        bodyAndFlip,
        fc.stringMatching(/^msg_[A-Za-z0-9]{1,30}$/),
        async ({ body, at, xor }, id) => {
          const text = new TextDecoder().decode(body);
          const bytes = new TextEncoder().encode(text);
          const signed = await signResendEvent(text, RESEND_SECRET, { id, timestamp: NOW / 1000 });
          const good = await resend.read(statusRequest({ headers: signed.headers, body: bytes }));
          expect(["verified", "bad_request"]).toContain(verdict(good));
          const bad = await resend.read(
            statusRequest({
              headers: signed.headers,
              body: flipped(bytes, at % bytes.length, xor),
            }),
          );
          expect(verdict(bad)).toBe("bad_signature");
          const otherId = await resend.read(
            statusRequest({ headers: { ...signed.headers, "svix-id": `${id}x` }, body: bytes }),
          );
          expect(verdict(otherId)).toBe("bad_signature");
        },
      ),
      { seed: 11_2027, numRuns: 200 },
    );
  });

  it("SMS.ru: any callback hashed with the api_id verifies; any one-character change of an entry fails", {
    timeout: 60_000,
  }, async () => {
    const entry = fc.record({
      smsId: fc.stringMatching(/^\d{6}-\d{6,9}$/),
      status: fc.constantFrom(-1, 100, 101, 102, 103, 104, 105, 106, 107, 108, 110, 150),
      at: fc.integer({ min: 1_600_000_000, max: 2_000_000_000 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(entry, { minLength: 1, maxLength: 20 }),
        fc.nat(),
        async (entries, pick) => {
          const body = await smsRuCallbackBody(entries, SMSRU_KEY);
          const good = await smsRu.read(statusRequest({ body }));
          expect(good).toMatchObject({ ok: true });
          expect(good.ok === true && good.updates.length).toBe(entries.length);
          // Change one digit of one entry's id, keeping the hash.
          const form = new URLSearchParams(body);
          const key = `data[${pick % entries.length}]`;
          const value = form.get(key) as string;
          const index = value.indexOf("\n") + 1;
          const digit = value[index] === "9" ? "8" : "9";
          form.set(key, value.slice(0, index) + digit + value.slice(index + 1));
          const bad = await smsRu.read(statusRequest({ body: form.toString() }));
          expect(verdict(bad)).toBe("bad_signature");
        },
      ),
      { seed: 11_2028, numRuns: 150 },
    );
  });

  it("random bytes with random signature headers are refused, never read, never thrown", {
    timeout: 60_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 1024 }),
        fc.string({ maxLength: 120 }),
        async (body, signature) => {
          const readings = await Promise.all([
            meta.read(statusRequest({ headers: { "x-hub-signature-256": signature }, body })),
            resend.read(
              statusRequest({
                headers: {
                  "svix-id": "msg_1",
                  "svix-timestamp": String(NOW / 1000),
                  "svix-signature": signature,
                },
                body,
              }),
            ),
            smsRu.read(
              statusRequest({
                body: new TextEncoder().encode(`hash=${encodeURIComponent(signature)}&`),
              }),
            ),
          ]);
          for (const reading of readings) {
            expect(reading.ok).toBe(false);
            expect([400, 401]).toContain(reading.answer.status);
          }
        },
      ),
      { seed: 11_2029, numRuns: 200 },
    );
  });
});
