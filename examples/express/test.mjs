// Runs the Express example the way a newcomer does: starts server.mjs in dev mode on a free port,
// pastes every curl command of README.md into bash, and checks the answers and the masked lines
// the server prints. Needs `npm run build` first (the example imports the built package) and curl.
//   node examples/express/test.mjs
import { execFile, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const started = Date.now();
let passed = 0;
let failed = 0;
function check(name, ok, detail = "") {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${!ok && detail ? `\n     ${detail}` : ""}`);
}

// The curl commands of the README, in order: every ```bash block that posts to the example.
const readme = readFileSync(here("./README.md"), "utf8");
const commands = [...readme.matchAll(/^( *)```bash\n([\s\S]*?)^\1```/gm)]
  .map(([, indent, body]) =>
    body
      .split("\n")
      .map((l) => l.slice(indent.length))
      .join("\n")
      .trim(),
  )
  .filter((body) => body.startsWith('curl -X POST "http://localhost:3000/api/webhook/'));
// The fake Meta status (a bash block that signs a body and posts it to /api/status/meta).
const allBlocks = [...readme.matchAll(/^```bash\n([\s\S]*?)^```/gm)].map(([, body]) => body.trim());
const statusCommand = allBlocks.find((body) =>
  body.includes('"http://localhost:3000/api/status/meta"'),
);

// Dev mode: no provider key may leak in from the environment, nor NODE_ENV=production, nor
// REDIS_URL (this test runs the default, one-instance setup), nor a HOST (the default, 127.0.0.1).
const env = { ...process.env, PORT: "0", NO_COLOR: "1" };
for (const name of Object.keys(env)) {
  if (
    /^(SMSRU|META|EXOLVE|RESEND|AMOCRM)_|^(WEBHOOK_KEY|BUSINESS_NAME|REVIEW_URL|NODE_ENV|REDIS_URL|HASH_SECRET|OTZOVIK_WORKER|DEV_WHATSAPP|HOST)$/.test(
      name,
    )
  )
    delete env[name];
}
let server;
let output = "";
let exited;
function start(extraEnv = {}) {
  output = "";
  server = spawn(process.execPath, [here("./server.mjs")], {
    env: { ...env, ...extraEnv },
    stdio: ["ignore", "pipe", "pipe"],
  });
  server.stdout.on("data", (chunk) => {
    output += chunk;
  });
  server.stderr.on("data", (chunk) => {
    output += chunk;
  });
  exited = new Promise((resolve) => server.on("exit", (code, signal) => resolve({ code, signal })));
}
start();
const killTimer = setTimeout(() => {
  console.log(`FAIL timed out after 60 s\n--- server output ---\n${output}`);
  server.kill("SIGKILL");
  process.exit(1);
}, 60_000);

async function waitFor(predicate, what, ms = 10_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const found = predicate(output);
    if (found) return found;
    if (server.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no ${what} in the server output:\n${output}`);
}

/** Runs a bash block against `port`; resolves with the HTTP status and the body as text. */
function bash(command, port) {
  const runnable = command
    .replaceAll("localhost:3000", `127.0.0.1:${port}`)
    .replace(/^curl -X POST/m, `curl -sS -w "\\n%{http_code}" -X POST`);
  return new Promise((resolve, reject) => {
    execFile("bash", ["-c", runnable], { timeout: 10_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\n${stderr}`));
      const lines = stdout.split("\n");
      const status = Number(lines.pop());
      resolve({ status, text: lines.join("\n") });
    });
  });
}

function curl(command, port) {
  const runnable = command
    .replaceAll("localhost:3000", `127.0.0.1:${port}`)
    .replace(/^curl -X POST/, `curl -sS -w "\\n%{http_code}" -X POST`);
  return new Promise((resolve, reject) => {
    execFile("bash", ["-c", runnable], { timeout: 10_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\n${stderr}`));
      const lines = stdout.trimEnd().split("\n");
      const status = Number(lines.pop());
      resolve({ status, body: JSON.parse(lines.join("\n")) });
    });
  });
}

try {
  const port = Number(
    (await waitFor((o) => /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(o), "listening line"))[1],
  );
  // The dev-mode lines follow the listening line, possibly in a later chunk of output.
  const devKey = await waitFor(
    (o) => /dev mode: webhook key "dev-key"/.test(o),
    "dev key line",
    2_000,
  ).catch(() => false);
  check("starts in dev mode with the dev key shown", devKey === true);
  check("README has the four sources' curl commands", commands.length >= 4, `${commands.length}`);

  const seen = new Set();
  for (const command of commands) {
    const source = /\/api\/webhook\/(\w+)/.exec(command)[1];
    const name = `${source}${seen.has(source) ? " (phone looked up)" : ""}`;
    seen.add(source);
    const { status, body } = await curl(command, port);
    check(
      `${name}: 200 and the event accepted`,
      status === 200 && body.ok === true && body.events[0]?.status === "accepted",
      `${status} ${JSON.stringify(body)}`,
    );
    const orderId = body.events[0]?.id;
    const sentLine = new RegExp(
      `review request sent \\(dry run\\)  tenant=default source=${source}${orderId ? ` orderId=${orderId}` : ""} phone=\\+7\\d{3}\\*\\*\\*\\d{4} channel=sms`,
    );
    await waitFor((o) => sentLine.test(o), `"sent" line for ${name}`).then(
      () => check(`${name}: "sent" line printed with the phone masked`, true),
      (error) => check(`${name}: "sent" line printed with the phone masked`, false, error.message),
    );
  }
  check("amoCRM lookup labelled as a demo", /^demo {2}amoCRM lookup is a DEMO/m.test(output));

  const again = await curl(commands[0], port);
  check(
    "the same webhook again is a duplicate, not sent twice",
    again.status === 200 && again.body.events[0]?.reason === "duplicate",
    JSON.stringify(again.body),
  );
  const logLines = output.split("\n").filter((l) => /^(info|warn|error|dev|demo)\b/.test(l));
  check(
    "no unmasked phone in the log lines",
    !logLines.some((l) => /\+?7\d{10}\b/.test(l)),
    logLines.join("\n"),
  );

  server.kill("SIGTERM");
  const { code } = await exited;
  check(
    "SIGTERM: closes cleanly and reports pending sends",
    code === 0 && output.includes("no scheduled review requests pending"),
    `exit ${code}`,
  );

  // DEV_WHATSAPP: an order goes to the simulated WhatsApp; the README's fake Meta status (131047)
  // makes it fall back to SMS, once.
  start({ DEV_WHATSAPP: "true" });
  const statusPort = Number(
    (await waitFor((o) => /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(o), "listening line"))[1],
  );
  check("README has the fake Meta status command", statusCommand !== undefined);
  const rkeeper = commands.find((command) => command.includes("/api/webhook/rkeeper"));
  const order = await curl(rkeeper, statusPort);
  check("DEV_WHATSAPP: the order is accepted", order.status === 200, JSON.stringify(order.body));
  await waitFor(
    (o) =>
      /^dev {3}WhatsApp to \+7999\*\*\*4567 \(not sent, simulated Meta\) wamid\.DEV-1: /m.test(o),
    "simulated WhatsApp line",
  ).then(
    () => check("DEV_WHATSAPP: sent by WhatsApp first (wamid.DEV-1), phone masked", true),
    (error) => check("DEV_WHATSAPP: sent by WhatsApp first", false, error.message),
  );
  const smsLines = () =>
    output.split("\n").filter((l) => l.startsWith("dev   SMS to +7999***4567"));
  const status = await bash(statusCommand, statusPort);
  check("the fake Meta status: 200", status.status === 200, `${status.status} ${status.text}`);
  await waitFor(
    (o) =>
      /^warn {2}review request undelivered {2}tenant=default source=rkeeper(?: orderId=\S+)? phone=\+7999\*\*\*4567 channel=whatsapp provider=meta code=131047 .*fallback=true$/m.test(
        o,
      ) && smsLines().length === 1,
    "undelivered line and SMS fallback",
  ).then(
    () => check("the status is printed (masked), and the SMS fallback goes out", true),
    (error) => check("the status is printed, and the SMS fallback goes out", false, error.message),
  );
  const copy = await bash(statusCommand, statusPort);
  const forged = await bash(
    statusCommand.replace("-hmac dev-app-secret", "-hmac wrong"),
    statusPort,
  );
  await new Promise((r) => setTimeout(r, 300));
  check(
    "the same status again: 200 and no second SMS; a wrong signature: 401",
    copy.status === 200 && forged.status === 401 && smsLines().length === 1,
    `${copy.status} ${forged.status} ${smsLines().length}`,
  );
  const statusLog = output.split("\n").filter((l) => /^(info|warn|error|dev|demo)\b/.test(l));
  check(
    "DEV_WHATSAPP: no unmasked phone in the log lines",
    !statusLog.some((l) => /\+?7\d{10}\b/.test(l)),
    statusLog.join("\n"),
  );
  server.kill("SIGTERM");
  check("DEV_WHATSAPP: closes cleanly", (await exited).code === 0);
} catch (error) {
  check("test ran to the end", false, error.message);
  server.kill("SIGKILL");
} finally {
  clearTimeout(killTimer);
}
if (failed > 0) console.log(`--- server output ---\n${output}`);
console.log(`express example: ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
