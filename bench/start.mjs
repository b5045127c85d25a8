// How long `npm start` takes to print "listening", and how many lines it prints before that, on
// this checkout as it is (a warm checkout: dist/ current; the first run builds when it is not):
//   npm run bench:start            (or: node bench/start.mjs [checkout dir], to measure another one)
// Each run starts `npm start` with PORT=0, waits for the Express example's listening line, stops
// it with SIGTERM and reports the time from spawn to that line. Target: under 5 s.
// Options (env): BENCH_RUNS (default 3).
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

const runs = Number(process.env.BENCH_RUNS ?? 3);
const TARGET_MS = 5_000;
const TIMEOUT_MS = 600_000;
const cwd = resolve(process.argv[2] ?? fileURLToPath(new URL("..", import.meta.url)));

/** One `npm start`: ms to the listening line and the lines printed before it. */
function once() {
  return new Promise((done, fail) => {
    const env = { ...process.env, PORT: "0", NO_COLOR: "1" };
    for (const name of Object.keys(env)) {
      if (/^(SMSRU|META|EXOLVE|RESEND|AMOCRM)_|^(NODE_ENV|REDIS_URL|HOST|NODE_OPTIONS)$/.test(name))
        delete env[name];
    }
    const started = performance.now();
    const child = spawn("npm", ["start"], {
      cwd,
      env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: process.platform !== "win32",
      shell: process.platform === "win32",
    });
    let output = "";
    let result;
    const timer = setTimeout(() => stop(), TIMEOUT_MS);
    const stop = () => {
      try {
        // npm and the server under it: the whole process group.
        process.kill(process.platform === "win32" ? child.pid : -child.pid, "SIGTERM");
      } catch {
        // already gone
      }
    };
    const onData = (chunk) => {
      output += chunk;
      if (result) return;
      const at = output.indexOf("listening on");
      if (at < 0) return;
      const ms = performance.now() - started;
      const before = output.slice(0, at).split("\n").length - 1;
      result = { ms, before, line: output.slice(at).split("\n")[0] };
      stop();
    };
    child.stdout.setEncoding("utf8").on("data", onData);
    child.stderr.setEncoding("utf8").on("data", onData);
    child.on("close", () => {
      clearTimeout(timer);
      if (result) done(result);
      else fail(new Error(`no listening line from npm start in ${cwd}:\n${output.slice(-2000)}`));
    });
  });
}

const results = [];
for (let i = 1; i <= runs; i++) {
  const r = await once();
  results.push(r);
  console.log(
    `run ${i}: "listening" after ${(r.ms / 1000).toFixed(2)} s, ${r.before} lines before it  (${r.line})`,
  );
}
const sorted = results.map((r) => r.ms).sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)];
console.log(
  `median of ${runs}: ${(median / 1000).toFixed(2)} s to "listening" (target < ${TARGET_MS / 1000} s) in ${cwd}`,
);
