import { isValidPhoneNumber } from "libphonenumber-js/min";
import { expect } from "vitest";
import { type ParseResult, type SourceName, sources } from "../../src/index.js";

/**
 * What every parser result must satisfy, whatever the body: the summary agrees with the events,
 * nothing sends without a valid E.164 phone (amoCRM events waiting for a phone lookup aside), and
 * ids are at most 200 characters, without control or bidi characters.
 */
export function expectConsistent(source: SourceName | (string & {}), result: ParseResult): void {
  const sending = result.events.filter((e) => e.shouldSend);
  expect(result.shouldSend).toBe(sending.length > 0);
  expect(result.phone).toBe(sending[0]?.phone ?? null);
  if (result.shouldSend) {
    expect(result.reason).toBeNull();
  } else {
    expect(result.reason).toEqual(expect.any(String));
    expect(result.detail).toEqual(expect.any(String));
  }
  for (const event of result.events) {
    expect(event.source).toBe(source);
    if (event.phone !== null) {
      expect(event.phone).toMatch(/^\+[1-9]\d{6,14}$/);
      expect(isValidPhoneNumber(event.phone)).toBe(true);
      expect(event.detail ?? "").not.toContain(event.phone.slice(1));
    }
    if (event.shouldSend) {
      expect(event.reason).toBeNull();
      if (event.phone === null) {
        // Only a source that can look phones up may send without one.
        expect(sources[source as SourceName]?.lookup).toBeDefined();
        expect(event.lookup).toMatchObject({ kind: expect.any(String) });
      }
    } else {
      expect(event.reason).toEqual(expect.any(String));
      expect(event.lookup).toBeNull();
    }
    if (event.id !== null) {
      // Ids are logged and echoed: bounded, and nothing that can forge or disguise a log line.
      expect(event.id.length).toBeLessThanOrEqual(200);
      expect(event.id).not.toMatch(
        /[\p{Cc}\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u,
      );
    }
    for (const key of ["id", "status", "customerName", "email", "accountId", "type"] as const) {
      expect(event[key] === null || typeof event[key] === "string").toBe(true);
    }
  }
}
