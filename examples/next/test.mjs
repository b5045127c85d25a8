// Builds this Next.js app, starts `next start` on a free port on 127.0.0.1, posts a real iiko
// webhook to the route handler and checks the answer; in dev mode (no provider keys) the send is
// a dry run, so no network is needed. Then starts it again with DEV_WHATSAPP=true and posts a
// fake Meta status (131047) signed with the dev app secret to the status route: 200, printed,
// and the SMS fallback. Needs the repository built first (`npm run build` at the
// root) and `npm ci` here.   node test.mjs   (or: npm test --prefix examples/next)
import { execFileSync, spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

const dir = fileURLToPath(new URL(".", import.meta.url));
const nextBin = fileURLToPath(new URL("./node_modules/next/dist/bin/next", import.meta.url));
const fixture = readFileSync(
  new URL("../../test/fixtures/iiko/iiko-01-delivery-closed.json", import.meta.url),
);
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" };
for (const name of Object.keys(env)) {
  if (
    /^(SMSRU|META|EXOLVE|RESEND|AMOCRM)_|^(WEBHOOK_KEY|BUSINESS_NAME|REVIEW_URL|DEV_WHATSAPP)$/.test(
      name,
    )
  )
    delete env[name];
}

let passed = 0;
let failed = 0;
function check(name, ok, detail = "") {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${!ok && detail ? `\n     ${detail}` : ""}`);
}

const t0 = Date.now();
execFileSync(process.execPath, [nextBin, "build"], { cwd: dir, env, stdio: "inherit" });
const buildSeconds = (Date.now() - t0) / 1000;

const port = await new Promise((resolve, reject) => {
  const probe = createServer();
  probe.once("error", reject);
  probe.listen(0, "127.0.0.1", () => {
    const { port } = probe.address();
    probe.close(() => resolve(port));
  });
});

const t1 = Date.now();
let server;
let output = "";
let exited;
function start(extraEnv = {}) {
  output = "";
  server = spawn(process.execPath, [nextBin, "start", "-H", "127.0.0.1", "-p", String(port)], {
    cwd: dir,
    env: { ...env, ...extraEnv },
    stdio: ["ignore", "pipe", "pipe"],
  });
  server.stdout.on("data", (chunk) => {
    output += chunk;
  });
  server.stderr.on("data", (chunk) => {
    output += chunk;
  });
  exited = new Promise((resolve) => server.on("exit", (code) => resolve(code)));
}
async function stop() {
  server.kill("SIGTERM");
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  if (server.exitCode === null && server.signalCode === null) server.kill("SIGKILL");
  await exited;
}
start();
const killTimer = setTimeout(() => {
  console.log(`FAIL timed out\n--- next start output ---\n${output}`);
  server.kill("SIGKILL");
  process.exit(1);
}, 90_000);

async function waitFor(predicate, what, ms = 30_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (predicate(output)) return;
    if (server.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no ${what} in the output of next start:\n${output}`);
}

const url = `http://127.0.0.1:${port}/api/webhook/iiko`;
const post = (query, headers = {}) =>
  fetch(`${url}${query}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: fixture,
  });

try {
  await waitFor((o) => /Ready in|started server on/i.test(o), "ready line");
  const startSeconds = (Date.now() - t1) / 1000;

  const response = await post("?key=dev-key");
  const body = await response.json();
  check(
    "iiko webhook: 200 with the JSON summary",
    response.status === 200 &&
      body.ok === true &&
      body.events.length === 1 &&
      body.events[0].id === "9e3b7c1a-5f42-4d8e-b6a0-2c71f9d4e805" &&
      body.events[0].status === "accepted",
    `${response.status} ${JSON.stringify(body)}`,
  );
  await waitFor(
    (o) => /review request sent \(dry run\)/.test(o) && o.includes("+7916***4567"),
    "dry-run sent line",
    10_000,
  ).then(
    () => check("the send ran after the response (after()), as a dry run, phone masked", true),
    (error) => check("the send ran after the response", false, error.message),
  );
  check("no unmasked phone in the log", !output.includes("79161234567"), output);

  const again = await post("", { authorization: "Bearer dev-key" });
  const againBody = await again.json();
  check(
    "the same webhook again (Bearer key): 200, duplicate",
    again.status === 200 && againBody.events[0]?.reason === "duplicate",
    `${again.status} ${JSON.stringify(againBody)}`,
  );
  const wrong = await post("?key=wrong");
  check("a wrong key: 401", wrong.status === 401, String(wrong.status));
  const get = await fetch(url);
  check(
    "GET: 405 (Next answers methods the route does not export)",
    get.status === 405,
    String(get.status),
  );
  console.log(
    `next build ${buildSeconds.toFixed(1)} s, next start ready in ${startSeconds.toFixed(1)} s`,
  );

  // The status route, with WhatsApp first through a simulated Meta (DEV_WHATSAPP).
  await stop();
  start({ DEV_WHATSAPP: "true" });
  await waitFor((o) => /Ready in|started server on/i.test(o), "ready line (DEV_WHATSAPP)");
  const order = await post("?key=dev-key");
  check("DEV_WHATSAPP: the iiko webhook is accepted", order.status === 200, String(order.status));
  await waitFor(
    (o) => /WhatsApp to \+7916\*\*\*4567 \(not sent, simulated Meta\) wamid\.DEV-1:/.test(o),
    "simulated WhatsApp line",
    10_000,
  );
  const statusBody = JSON.stringify({
    object: "whatsapp_business_account",
    entry: [
      {
        id: "0",
        changes: [
          {
            field: "messages",
            value: {
              messaging_product: "whatsapp",
              statuses: [
                {
                  id: "wamid.DEV-1",
                  status: "failed",
                  timestamp: String(Math.floor(Date.now() / 1000)),
                  recipient_id: "79161234567",
                  errors: [{ code: 131047, title: "Re-engagement message" }],
                },
              ],
            },
          },
        ],
      },
    ],
  });
  const statusUrl = `http://127.0.0.1:${port}/api/status/meta`;
  const postStatus = (secret) =>
    fetch(statusUrl, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(statusBody).digest("hex")}`,
      },
      body: statusBody,
    });
  const forged = await postStatus("wrong-secret");
  check(
    "a fake Meta status with a wrong signature: 401",
    forged.status === 401,
    String(forged.status),
  );
  const status = await postStatus("dev-app-secret");
  check(
    "a fake Meta status signed with the dev app secret: 200",
    status.status === 200,
    String(status.status),
  );
  const smsLines = () => output.split("\n").filter((l) => l.includes("SMS to +7916***4567")).length;
  await waitFor(
    (o) => o.includes("review request undelivered") && smsLines() === 1,
    "undelivered line and SMS fallback",
    10_000,
  ).then(
    () => check("the status is printed and the SMS fallback goes out (after())", true),
    (error) => check("the status is printed and the SMS fallback goes out", false, error.message),
  );
  const check200 = await fetch(
    `${statusUrl}?hub.mode=subscribe&hub.verify_token=dev-verify-token&hub.challenge=31337`,
  );
  check(
    "Meta's GET check answers the challenge",
    check200.status === 200 && (await check200.text()) === "31337",
    String(check200.status),
  );
  check("DEV_WHATSAPP: no unmasked phone in the log", !output.includes("79161234567"), output);
} catch (error) {
  check("test ran to the end", false, error.message);
} finally {
  await stop();
  clearTimeout(killTimer);
}
if (failed > 0) console.log(`--- next start output ---\n${output}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
