import { type SmsSegments, smsSegments } from "../core/sms-segments.js";

/** `smsSegments(text)` as text: encoding, segments, characters and units used and left. */
export function formatSegments(text: string, counted: SmsSegments = smsSegments(text)): string {
  const unit = counted.encoding === "GSM-7" ? "septets" : "UTF-16 units";
  return [
    `encoding    ${counted.encoding}`,
    `segments    ${counted.segments}`,
    `characters  ${counted.characters}`,
    `used        ${counted.units} ${unit} (${counted.perSegment} per segment)`,
    `left        ${counted.remaining} in the last segment`,
    "",
  ].join("\n");
}

/** A text read from stdin, without the one line break `echo` adds. */
export function stdinText(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes).replace(/\r?\n$/, "");
}
