/**
 * Runs the Workers bundle in workerd through miniflare (run it with Node 22: miniflare 4 needs it)
 * and checks, from outside, what a real request through workerd gets:
 * 1. POST /api/webhook/{iiko,amocrm} → the Fetch handler (`respond: "sent"`) inside workerd;
 * 2. the same through the default handler, whose sends finish in `ctx.waitUntil`;
 * 3. GET /scenario → the whole scenario run inside the isolate.
 * Every outbound request of the worker goes to `outboundService`, which records it and refuses:
 * the providers are faked inside the worker, so there must be none.
 *
 * Usage: node miniflare-driver.mjs <worker.mjs> <lib.mjs>. Prints one report line like the other
 * runtimes; exits non-zero when a check fails.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Miniflare, Response } from "miniflare";

const REPORT_MARKER = "OTZOVIK_RUNTIME_REPORT ";
/** A fixed date this workerd supports; no compatibility flags: no `nodejs_compat`, Web APIs only. */
const COMPATIBILITY_DATE = "2026-07-01";
const ORIGIN = "http://localhost";

const [workerPath, libPath] = process.argv.slice(2);
if (!workerPath || !libPath) throw new Error("usage: miniflare-driver.mjs <worker.mjs> <lib.mjs>");
const { SOURCES, EXPECTED, webhookInit, checkWebhookAnswer, checkSms, checkAmocrmCalls } =
  await import(pathToFileURL(libPath).href);

const require = createRequire(import.meta.url);
const workerdVersion = JSON.parse(
  readFileSync(require.resolve("workerd/package.json"), "utf8"),
).version;

const started = Date.now();
const problems = [];
const summary = { iiko: "not run", amocrm: "not run" };
const webhooks = {};
const outbound = [];
let inside = null;
let seen = null;

const mf = new Miniflare({
  modules: true,
  scriptPath: workerPath,
  compatibilityDate: COMPATIBILITY_DATE,
  compatibilityFlags: [],
  outboundService(request) {
    outbound.push(`${request.method} ${request.url}`);
    return new Response("the runtime matrix allows no network", { status: 599 });
  },
});

async function call(path, init) {
  const response = await mf.dispatchFetch(`${ORIGIN}${path}`, init);
  return { status: response.status, text: await response.text() };
}

function parse(text) {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

try {
  await mf.ready;
  const smsTo = SOURCES.map((source) => EXPECTED[source].smsTo);

  // 1. Through workerd to the handler that answers after sending.
  for (const source of SOURCES) {
    const { path, init } = webhookInit(source);
    const { status, text } = await call(path, init);
    webhooks[`${source} (sent)`] = { status, body: parse(text) };
    const found = checkWebhookAnswer(source, "sent", status, text);
    problems.push(...found);
    summary[source] = found.length === 0 ? `HTTP ${status} sent` : `FAILED (HTTP ${status})`;
  }
  seen = parse((await call("/seen")).text);
  problems.push(...checkSms("workerd sent", seen.sent.sms, smsTo));
  problems.push(...checkAmocrmCalls("workerd sent", seen.sent.amocrmRequests));
  for (const [i, source] of SOURCES.entries()) {
    if (summary[source].startsWith("FAILED")) continue;
    const to = seen.sent.sms[i]?.to;
    summary[source] =
      to === EXPECTED[source].smsTo
        ? `sent → +${to}`
        : `FAILED (SMS to ${to ? `+${to}` : "nobody"})`;
  }
  if (seen.runtime?.name !== "workerd")
    problems.push(`the worker reports runtime ${JSON.stringify(seen.runtime)}, want workerd`);

  // 2. Answer first, send in ctx.waitUntil: the sends must still happen after the response.
  for (const source of SOURCES) {
    const { path, init } = webhookInit(source);
    const { status, text } = await call(`/accepted${path}`, init);
    webhooks[`${source} (accepted)`] = { status, body: parse(text) };
    problems.push(...checkWebhookAnswer(source, "accepted", status, text));
  }
  const deadline = Date.now() + 5000;
  do {
    seen = parse((await call("/seen")).text);
    if (seen.accepted.sms.length >= smsTo.length) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  } while (Date.now() < deadline);
  problems.push(...checkSms("workerd accepted + ctx.waitUntil", seen.accepted.sms, smsTo));
  problems.push(
    ...checkAmocrmCalls("workerd accepted + ctx.waitUntil", seen.accepted.amocrmRequests),
  );

  // 3. The whole scenario (parsers included) inside the isolate.
  const scenario = await call("/scenario");
  inside = parse(scenario.text);
  if (scenario.status !== 200 || inside?.ok !== true)
    problems.push(
      `in-isolate scenario: HTTP ${scenario.status}: ${
        Array.isArray(inside?.problems) ? inside.problems.join("; ") : scenario.text.slice(0, 500)
      }`,
    );
  const errors = [...seen.sent.logs, ...seen.accepted.logs].filter((l) => l.startsWith("error"));
  if (errors.length > 0) problems.push(`logged errors: ${errors.join("; ")}`);
} catch (error) {
  problems.push(`threw: ${error?.stack ?? String(error)}`);
} finally {
  await mf.dispose();
}
if (outbound.length > 0)
  problems.push(`the worker reached for the network: ${outbound.join(", ")}`);

const report = {
  runtime: { name: "workerd", version: workerdVersion },
  via: {
    miniflare: JSON.parse(readFileSync(require.resolve("miniflare/package.json"), "utf8")).version,
    node: process.versions.node,
    compatibilityDate: COMPATIBILITY_DATE,
  },
  ok: problems.length === 0,
  problems,
  ms: Date.now() - started,
  summary,
  webhooks,
  sms: seen?.sent?.sms ?? [],
  amocrmCalls: (seen?.sent?.amocrmRequests ?? []).map((r) => `${r.method} ${r.url}`),
  outbound,
  inside,
};
console.log(`${REPORT_MARKER}${JSON.stringify(report)}`);
if (!report.ok) process.exitCode = 1;
