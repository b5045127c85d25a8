// The worker process: runs the queued review requests (delays, quiet hours, retries) and sends
// them. Start as many as you like; each job runs in one of them. It serves no HTTP.
//
//   npm run build && node examples/worker/worker.mjs
//
// Configuration: see requester.mjs (the web process reads the same variables).
import { createRequester, devMode, line } from "./requester.mjs";

const { close } = createRequester({ worker: true });
console.log(`otzovik worker ready${devMode ? " (dev mode: messages are printed, not sent)" : ""}`);

// SIGTERM (docker stop, Kubernetes) or Ctrl+C: finish the sends that are running (up to 8 s),
// then close the queue. What is still scheduled stays in Redis for the next worker. A worker killed
// without this (kill -9, a crash) is covered too: its running job stalls, BullMQ gives it to
// another worker, and the ledger reports that send as an unknown outcome instead of sending twice.
let closing = false;
async function shutdown(signal) {
  if (closing) return;
  closing = true;
  console.log(`${signal}: finishing running sends, then closing`);
  const forced = setTimeout(() => {
    console.error("shutdown took over 9 s: exiting");
    process.exit(1);
  }, 9_000);
  forced.unref();
  try {
    await close(8_000);
  } catch (error) {
    line("error", "closing failed", { error: error?.message });
    process.exit(1);
  }
  console.log("closed: scheduled review requests stay queued in Redis");
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
