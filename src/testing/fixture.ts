import type { SkipReason, SourceName } from "../sources/types.js";

/** A sample body otzovik ships, with where it comes from. See {@link fixtures}. */
export interface Fixture {
  /** The system that sends it: a webhook source, or `"meta"` / `"resend"` for status webhooks. */
  readonly source: SourceName | "meta" | "resend";
  /** The body exactly as the system sends it: JSON text, or amoCRM's form-encoded text. */
  readonly body: string;
  /** The `Content-Type` it comes with. */
  readonly contentType: "application/json" | "application/x-www-form-urlencoded";
  /** What it shows. */
  readonly description: string;
  /** Where it comes from: the documentation or public code it was taken from or built on. */
  readonly origin: string;
  /** Its file in the otzovik repository (`test/fixtures/…`), where the tests read it. */
  readonly file: string;
}

/** A webhook body of one of the four sources, with what the source's parser decides about it. */
export interface WebhookFixture extends Fixture {
  /** The webhook source: `"iiko"`, `"rkeeper"`, `"yclients"` or `"amocrm"`. */
  readonly source: SourceName;
  /** What the source's parser (`parseIiko`, …) decides, with default options. */
  readonly expected: {
    /** `ParseResult.shouldSend`. */
    readonly shouldSend: boolean;
    /** `ParseResult.reason`: `null` when it sends. */
    readonly reason: SkipReason | null;
  };
}
