/**
 * The bad-input matrix of issue #5, shared by `bad-input.test.ts` (every case against every
 * adapter) and `bad-input-flood.test.ts` (thousands of them, then a real webhook).
 */
import { fixture } from "../helpers/fixtures.js";
import { openRaw, type RawRequestInit } from "../helpers/http.js";
import { bodies, FORM_TYPE, JSON_TYPE, KEY, LIMIT_ERROR, type Target } from "./world.js";

export const PATH = `/api/webhook/iiko?key=${KEY}`;
export const TEXT = { "content-type": "text/plain" };
export const MB = 1024 * 1024;
export const IIKO_EVENT = {
  id: "9e3b7c1a-5f42-4d8e-b6a0-2c71f9d4e805",
  status: "accepted",
  reason: null,
};
export const INVALID = {
  id: null,
  status: "skipped",
  reason: "invalid_payload",
  detail: "the body (or this event) is not in a format this source sends",
};

/** What a case must answer: a status, and the exact JSON body when the SDK (not Express) answers. */
export interface Expected {
  readonly status: number;
  readonly json?: unknown;
}

export interface Case {
  readonly name: string;
  readonly request: RawRequestInit;
  /** The phone SMS.ru is asked to message, for the few valid webhooks in the matrix. */
  readonly sends?: string;
  /** Per target: Express's body parsers answer some cases themselves. */
  expected(target: Target): Expected;
}

const sdk = (status: number, json: unknown) => (): Expected => ({ status, json });
const ok = (...events: unknown[]) => sdk(200, { ok: true, events });
const bad = (error: string) => sdk(400, { ok: false, error });
const missingKey = sdk(401, { ok: false, error: "missing webhook key" });
const unknownKey = sdk(401, { ok: false, error: "unknown webhook key" });

const deepArray = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
const deepObject = `${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}`;

/** iiko-09 (table closed, no phone) with a phone smuggled in through `__proto__` at every level. */
const iikoProtoPhone = fixture("iiko", "iiko-09-table-closed-no-phone.json")
  .replace('"order": {', '"order": {"__proto__": {"phone": "+79990001122"}, ')
  .replace(
    '"eventType"',
    '"__proto__": {"polluted": "yes", "eventType": "DeliveryOrderUpdate"}, "eventType"',
  )
  .replace(/^\[/, '[{"constructor": {"prototype": {"polluted": "yes"}}}, ');
/** amoCRM lost deal (143) with a won status smuggled in through `__proto__`. */
const amoProtoWon = `${fixture("amocrm", "lead-status-lost.txt")}&leads%5Bstatus%5D%5B0%5D%5B__proto__%5D%5Bstatus_id%5D=142&__proto__%5Bpolluted%5D=yes&constructor%5Bprototype%5D%5Bpolluted%5D=yes&leads%5B__proto__%5D%5Bpolluted%5D=yes`;

const nearMissKeys: [string, string][] = [
  ["one character changed", `${KEY.slice(0, -1)}${KEY.endsWith("9") ? "8" : "9"}`],
  ["one character more", `${KEY}x`],
  ["a prefix", KEY.slice(0, 10)],
  ["one character less", KEY.slice(0, -1)],
  ["in upper case", KEY.toUpperCase()],
  ["with a leading space (query is not trimmed)", ` ${KEY}`],
  ["a NUL appended", `${KEY}\u0000`],
  ["invalid percent-encoding", "%FF%FE"],
];

export const cases: Case[] = [
  // Malformed JSON.
  {
    name: "malformed JSON (application/json)",
    request: { path: PATH, headers: JSON_TYPE, body: '[{"eventType": "DeliveryOrderUpdate",' },
    // express.json() answers its own 400 page.
    expected: (t) =>
      t.json
        ? { status: 400 }
        : { status: 400, json: { ok: false, error: "the body is not valid JSON" } },
  },
  {
    name: "malformed JSON (text/plain)",
    request: { path: PATH, headers: TEXT, body: '{"result": {"orderId": "59707"' },
    expected: bad("the body is not valid JSON"),
  },
  {
    name: "JSON null",
    request: { path: PATH, headers: TEXT, body: "null" },
    expected: ok(INVALID),
  },
  {
    name: "a JSON string",
    request: { path: PATH, headers: TEXT, body: '"=="' },
    expected: ok(INVALID),
  },
  // Empty bodies.
  {
    name: "empty body (application/json)",
    request: { path: PATH, headers: JSON_TYPE, body: "" },
    expected: bad("the body is empty"),
  },
  {
    name: "empty body (form)",
    request: { path: "/api/webhook/amocrm", headers: { ...FORM_TYPE, "x-api-key": KEY }, body: "" },
    expected: bad("the body is empty"),
  },
  {
    name: "empty body, no content type",
    request: { path: PATH, body: "" },
    expected: bad("the body is empty"),
  },
  {
    name: "whitespace only",
    request: { path: PATH, headers: TEXT, body: " \r\n\t " },
    expected: bad("the body is neither JSON nor form data"),
  },
  // Wrong content types.
  {
    name: "YCLIENTS JSON as application/xml",
    request: {
      path: `/api/webhook/yclients?key=${KEY}`,
      headers: { "content-type": "application/xml" },
      body: bodies.yclients,
    },
    expected: ok({ id: "596792980", status: "accepted", reason: null }),
    sends: "77010000001",
  },
  {
    name: "R-Keeper JSON as multipart/form-data (no boundary)",
    request: {
      path: `/api/webhook/rkeeper?key=${KEY}`,
      headers: { "content-type": "multipart/form-data" },
      body: bodies.rkeeper,
    },
    expected: ok({ id: "59708", status: "accepted", reason: null }),
    sends: "79037654321",
  },
  {
    name: "amoCRM form as application/json",
    request: { path: `/api/webhook/amocrm?key=${KEY}`, headers: JSON_TYPE, body: bodies.amocrmAdd },
    // express.json() (strict) rejects a body that does not start with { or [.
    expected: (t) =>
      t.json
        ? { status: 400 }
        : {
            status: 200,
            json: {
              ok: true,
              events: [
                {
                  id: "1190401",
                  status: "skipped",
                  reason: "ignored_event",
                  detail: "this type of event never asks for a review",
                },
              ],
            },
          },
  },
  {
    name: "binary garbage as application/octet-stream",
    request: {
      path: PATH,
      headers: { "content-type": "application/octet-stream" },
      body: new Uint8Array([0, 1, 2, 3, 0x7f]),
    },
    expected: bad("the body is neither JSON nor form data"),
  },
  // Too large: the declared length is checked before reading.
  {
    // (With express.json() mounted, a JSON type would get body-parser's 413, which Express's
    // final handler only sends once the whole declared body arrived: Express's behaviour.)
    name: "Content-Length of 10 MB (only 1 KB sent: the server must not wait for the rest)",
    request: {
      path: PATH,
      headers: { "content-type": "application/octet-stream", "content-length": String(10 * MB) },
      body: "[".padEnd(1024, " "),
    },
    expected: sdk(413, LIMIT_ERROR),
  },
  {
    name: "Content-Length of 10 MB as text/plain",
    request: { path: PATH, headers: { ...TEXT, "content-length": String(10 * MB) }, body: "x" },
    expected: sdk(413, LIMIT_ERROR),
  },
  {
    name: "Content-Length of 2^53",
    request: { path: PATH, headers: { ...TEXT, "content-length": "9007199254740993" }, body: "x" },
    expected: sdk(413, LIMIT_ERROR),
  },
  // Deep nesting.
  {
    name: "100,000-deep array nesting (text/plain)",
    request: { path: PATH, headers: TEXT, body: deepArray },
    expected: ok(INVALID),
  },
  {
    name: "100,000-deep array nesting (application/json)",
    request: { path: PATH, headers: JSON_TYPE, body: deepArray },
    // 200 KB is over express.json()'s 100 KB default limit.
    expected: (t) =>
      t.json ? { status: 413 } : { status: 200, json: { ok: true, events: [INVALID] } },
  },
  {
    name: "100,000-deep object nesting (text/plain), R-Keeper",
    request: { path: `/api/webhook/rkeeper?key=${KEY}`, headers: TEXT, body: deepObject },
    expected: ok(INVALID),
  },
  {
    name: "100,000-deep form brackets, amoCRM",
    request: {
      path: `/api/webhook/amocrm?key=${KEY}`,
      headers: FORM_TYPE,
      body: `leads${"[a]".repeat(100_000)}=1`,
    },
    // 300 KB is over express.urlencoded()'s 100 KB default limit.
    expected: (t) =>
      t.urlencoded
        ? { status: 413 }
        : {
            status: 200,
            json: {
              ok: true,
              events: [
                {
                  id: null,
                  status: "skipped",
                  reason: "ignored_event",
                  detail: "this type of event never asks for a review",
                },
              ],
            },
          },
  },
  // Prototype pollution attempts.
  {
    name: "__proto__ / constructor keys in JSON (phone smuggled via __proto__ is not used)",
    request: { path: PATH, headers: JSON_TYPE, body: iikoProtoPhone },
    expected: ok(INVALID, {
      id: "7b135e92-d5ca-4061-be28-a4f9175c608d",
      status: "skipped",
      reason: "no_phone",
      detail: "the event carries no customer phone",
    }),
  },
  {
    name: "__proto__ / constructor keys in a form (won status via __proto__ is not used)",
    request: { path: `/api/webhook/amocrm?key=${KEY}`, headers: FORM_TYPE, body: amoProtoWon },
    // qs (express.urlencoded) drops `__proto__` keys; otzovik's own form decoder keeps them as
    // plain data in null-prototype objects, so `leads[__proto__]` is just an unknown entity.
    expected: (t) => ({
      status: 200,
      json: {
        ok: true,
        events: [
          {
            id: "31000003",
            status: "skipped",
            reason: "status_not_final",
            detail: "the order is not finished yet, or did not end in a visit or a sale",
          },
          ...(t.urlencoded
            ? []
            : [
                {
                  id: null,
                  status: "skipped",
                  reason: "ignored_event",
                  detail: "this type of event never asks for a review",
                },
              ]),
        ],
      },
    }),
  },
  // Invalid UTF-8.
  {
    name: "invalid UTF-8 (text/plain)",
    request: {
      path: PATH,
      headers: TEXT,
      body: new Uint8Array([0x5b, 0x22, 0xc3, 0x28, 0x22, 0x5d]),
    },
    expected: bad("the body is not valid UTF-8"),
  },
  {
    name: "invalid UTF-8 (application/json)",
    request: {
      path: PATH,
      headers: JSON_TYPE,
      body: new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]),
    },
    // body-parser decodes leniently (U+FFFD), so the body is JSON and merely not a webhook.
    expected: (t) =>
      t.json
        ? { status: 200, json: { ok: true, events: [INVALID] } }
        : { status: 400, json: { ok: false, error: "the body is not valid UTF-8" } },
  },
  {
    name: "invalid UTF-8 (form), amoCRM",
    request: {
      path: `/api/webhook/amocrm?key=${KEY}`,
      headers: FORM_TYPE,
      body: Buffer.concat([Buffer.from("leads[status][0][id]="), Buffer.from([0xff, 0xfe])]),
    },
    expected: (t) =>
      t.urlencoded
        ? { status: 200 }
        : { status: 400, json: { ok: false, error: "the body is not valid UTF-8" } },
  },
  {
    name: "percent-encoded invalid UTF-8 in a form, amoCRM",
    request: {
      path: `/api/webhook/amocrm?key=${KEY}`,
      headers: FORM_TYPE,
      body: "leads%5Bstatus%5D%5B0%5D%5Bid%5D=%FF%C3&leads%5Bstatus%5D%5B0%5D%5Bstatus_id%5D=%E0%80",
    },
    expected: () => ({ status: 200 }),
  },
  // Keys.
  {
    name: "no key at all",
    request: { path: "/api/webhook/iiko", headers: JSON_TYPE, body: bodies.iiko },
    expected: missingKey,
  },
  {
    name: "empty ?key=",
    request: { path: "/api/webhook/iiko?key=", headers: JSON_TYPE, body: bodies.iiko },
    expected: missingKey,
  },
  {
    name: "empty X-Api-Key",
    request: {
      path: "/api/webhook/iiko",
      headers: { ...JSON_TYPE, "x-api-key": "" },
      body: bodies.iiko,
    },
    expected: missingKey,
  },
  {
    name: "Authorization: Bearer with nothing after it",
    request: {
      path: "/api/webhook/iiko",
      headers: { ...JSON_TYPE, authorization: "Bearer " },
      body: bodies.iiko,
    },
    expected: unknownKey,
  },
  {
    name: "Authorization: Basic",
    request: {
      path: "/api/webhook/iiko",
      headers: {
        ...JSON_TYPE,
        authorization: `Basic ${Buffer.from(`u:${KEY}`).toString("base64")}`,
      },
      body: bodies.iiko,
    },
    expected: unknownKey,
  },
  {
    name: "a wrong key in the query",
    request: { path: "/api/webhook/iiko?key=wrong", headers: JSON_TYPE, body: bodies.iiko },
    expected: unknownKey,
  },
  {
    name: "a wrong key before a right one in the query (the first ?key= counts)",
    request: {
      path: `/api/webhook/iiko?key=wrong&key=${KEY}`,
      headers: JSON_TYPE,
      body: bodies.iiko,
    },
    expected: unknownKey,
  },
  ...nearMissKeys.flatMap(([name, key]): Case[] => [
    {
      name: `near-miss key in ?key=: ${name}`,
      request: {
        path: `/api/webhook/iiko?key=${key.startsWith("%") ? key : encodeURIComponent(key)}`,
        headers: JSON_TYPE,
        body: bodies.iiko,
      },
      expected: unknownKey,
    },
    ...(key.includes("\u0000") || key.startsWith("%")
      ? []
      : [
          {
            name: `near-miss key in Authorization: Bearer: ${name}`,
            request: {
              path: "/api/webhook/iiko",
              headers: { ...JSON_TYPE, authorization: `Bearer ${key}` },
              body: bodies.iiko,
            },
            // Header values are trimmed: a leading space is not a near miss there.
            expected: key.trim() === KEY ? ok(IIKO_EVENT) : unknownKey,
            ...(key.trim() === KEY ? { sends: "79161234567" } : {}),
          },
        ]),
  ]),
  // Methods and sources.
  ...["GET", "PUT", "PATCH", "DELETE", "OPTIONS"].map(
    (method): Case => ({
      name: `${method} → 405`,
      request: {
        method,
        path: PATH,
        headers: JSON_TYPE,
        body: method === "GET" ? undefined : bodies.iiko,
      },
      expected: sdk(405, { ok: false, error: "use POST" }),
    }),
  ),
  ...["poster", "iiko.json", "..%2Fiiko", "iiko%00", "hasOwnProperty", "__proto__"].map(
    (source): Case => ({
      name: `unknown source ${source} → 404`,
      request: { path: `/api/webhook/${source}?key=${KEY}`, headers: JSON_TYPE, body: bodies.iiko },
      expected: sdk(404, {
        ok: false,
        error: "unknown source: use iiko, rkeeper, yclients, amocrm",
      }),
    }),
  ),
];

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Writes `prefixBytes` of a body that is never finished, and returns the answer. */
export async function unfinished(port: number, head: Buffer, chunk: Buffer, total: number) {
  const connection = openRaw(port);
  await connection.write(head);
  let written = 0;
  while (written < total && !connection.answered()) {
    if (!(await connection.write(chunk))) break;
    written += chunk.length;
  }
  const response = await connection.response;
  connection.socket.destroy();
  return { response, written };
}
