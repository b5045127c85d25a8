// The web process: answers POS/CRM webhooks and queues the delayed review requests in Redis; a
// worker process (worker.mjs) sends them. Run several behind a load balancer if you need to.
//
//   npm run build && node examples/worker/web.mjs
//
// Configuration: see requester.mjs (the worker reads the same variables), plus PORT (default 3000).
import express from "express";
import { webhookHandler } from "otzovik/express";
import { createRequester, DEV_KEY, devMode, line, logger } from "./requester.mjs";

const { requester, close } = createRequester({ worker: false });

const app = express();
app.disable("x-powered-by");
app.all("/api/webhook/:source", webhookHandler(requester, { logger }));
app.use((_req, res) => {
  res.status(404).json({ ok: false, error: "not found" });
});
app.use((error, _req, res, next) => {
  if (res.headersSent) return next(error);
  const status = error?.status >= 400 && error.status < 500 ? error.status : 500;
  if (status === 500)
    line("error", "request failed", { error: `${error?.name}: ${error?.message}` });
  res.status(status).json({ ok: false, error: status < 500 ? "bad request" : "internal error" });
});

const server = app.listen(Number(process.env.PORT ?? 3000), () => {
  const { port } = server.address();
  console.log(`otzovik web process listening on http://localhost:${port}`);
  if (devMode && !process.env.WEBHOOK_KEY)
    console.log(
      `try: curl -X POST "http://localhost:${port}/api/webhook/rkeeper?key=${DEV_KEY}" -H "Content-Type: application/json" -d '{"order":{"id":"R-1","status":"Выполнен","customer":{"phone":"+79991234567"}}}'`,
    );
});
server.headersTimeout = 10_000;
server.requestTimeout = 30_000;

// SIGTERM or Ctrl+C: stop taking webhooks, answer those in flight (up to 5 s), finish the sends
// already accepted (up to 3 s), close. Queued sends are in Redis, not in this process: none is lost.
let closing = false;
async function shutdown(signal) {
  if (closing) return;
  closing = true;
  console.log(`${signal}: closing (no new webhooks; requests in flight get their answer)`);
  const forced = setTimeout(() => {
    console.error("shutdown took over 9 s: exiting");
    process.exit(1);
  }, 9_000);
  forced.unref();
  const closed = new Promise((resolve) => server.close(resolve));
  const sweep = setInterval(() => server.closeIdleConnections(), 50);
  const grace = setTimeout(() => server.closeAllConnections(), 5_000);
  await closed;
  clearInterval(sweep);
  clearTimeout(grace);
  try {
    await close(3_000);
  } catch (error) {
    line("error", "closing failed", { error: error?.message });
    process.exit(1);
  }
  console.log("closed: scheduled review requests stay queued in Redis for the workers");
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
