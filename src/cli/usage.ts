/** The text `otzovik --help` prints, and bad usage prints to stderr. */
export const USAGE = `Usage: otzovik <command> [options]

Commands:
  explain <iiko|rkeeper|yclients|amocrm> [file|-]
      Why a webhook body would or would not send: each event's type, id, status, masked
      phone, decision, reason and detail. Reads the body from the file, or from stdin
      when there is none or it is "-".
        --country <XX>  country for phones without a country code (default RU)
        --json          machine-readable output
      Exit code 0 when something would be sent, 1 when nothing would, 2 on bad usage.
  segments ["<text>"]
      SMS encoding, segments, characters used and left (text from stdin if none given).
        --json          machine-readable output
  serve
      The dev demo server: POST /api/webhook/:source, status webhooks /api/status/:provider.
      Configured by the same environment variables as the Express example (WEBHOOK_KEY,
      BUSINESS_NAME, REVIEW_URL, PORT, HOST, provider keys…); with no provider keys it
      prints each message instead of sending it. HOST defaults to 127.0.0.1.

  otzovik <command> --help    this text
`;

/** Bad usage: a message for stderr, then the usage text, and exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}
