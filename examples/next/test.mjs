// Builds this Next.js app, starts `next start` on a free port on 127.0.0.1, posts a real iiko
// webhook to the route handler and checks the answer; in dev mode (no provider keys) the send is
// a dry run, so no network is needed. Needs the repository built first (`npm run build` at the
// root) and `npm ci` here.   node test.mjs   (or: npm test --prefix examples/next)
import { execFileSync, spawn } from "node:child_process";
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
    /^(SMSRU|META_WHATSAPP|EXOLVE|RESEND|AMOCRM)_|^(WEBHOOK_KEY|BUSINESS_NAME|REVIEW_URL)$/.test(
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
const server = spawn(process.execPath, [nextBin, "start", "-H", "127.0.0.1", "-p", String(port)], {
  cwd: dir,
  env,
  stdio: ["ignore", "pipe", "pipe"],
});
let output = "";
server.stdout.on("data", (chunk) => {
  output += chunk;
});
server.stderr.on("data", (chunk) => {
  output += chunk;
});
const exited = new Promise((resolve) => server.on("exit", (code) => resolve(code)));
const killTimer = setTimeout(() => {
  console.log(`FAIL timed out\n--- next start output ---\n${output}`);
  server.kill("SIGKILL");
  process.exit(1);
}, 60_000);

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
} catch (error) {
  check("test ran to the end", false, error.message);
} finally {
  server.kill("SIGTERM");
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  if (server.exitCode === null && server.signalCode === null) server.kill("SIGKILL");
  clearTimeout(killTimer);
}
if (failed > 0) console.log(`--- next start output ---\n${output}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
