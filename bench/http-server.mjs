// The servers `bench/http.mjs` loads, in their own process so autocannon does not share their
// event loop. Two pairs, each an adapter and a bare route doing the same JSON.parse:
// - Express: the Express adapter, and a bare Express route with express.json();
// - Fetch: the Fetch adapter, and a bare Fetch handler (`JSON.parse(await request.text())`), both
//   behind the same node:http → Request bridge (a Request with a streamed body, as Hono's and
//   Next's Node servers build it; the Response written back). A third route, the bare handler
//   calling `requester.accept()` itself, shows how much of the gap is the requester's own work.
// Both adapters use one requester whose SMS provider is an in-process fake that answers at once.
// Sends its ports to the parent over IPC.
import { createServer } from "node:http";
import express from "express";
import { webhookHandler } from "../dist/adapters/express.js";
import { createFetchHandler } from "../dist/adapters/fetch.js";
import { createReviewRequester } from "../dist/index.js";

let sent = 0;
const fakeSms = {
  provider: "sms.ru",
  async sendSms(phone) {
    sent++;
    return {
      provider: "sms.ru",
      channel: "sms",
      messageId: String(sent),
      to: phone,
      dryRun: false,
    };
  },
};
const requester = createReviewRequester({
  keys: "bench-key",
  business: "Кофейня «Зерно»",
  reviewUrl: "https://example.com/review",
  channels: [{ type: "sms", client: fakeSms }],
  quietHours: false,
  frequencyCapMs: false,
  logger: {},
});

const expressAdapter = express();
expressAdapter.post("/api/webhook/:source", webhookHandler(requester));

const expressBare = express();
expressBare.post("/api/webhook/:source", express.json(), (req, res) => {
  res.status(200).json({ ok: true, events: Array.isArray(req.body) ? req.body.length : 1 });
});

/** The request body as a web stream, pausing the socket while the reader is behind. */
function bodyStream(req) {
  return new ReadableStream(
    {
      start(controller) {
        req.on("data", (chunk) => {
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if (controller.desiredSize <= 0) req.pause();
        });
        req.on("end", () => controller.close());
        req.on("error", (error) => controller.error(error));
        req.pause();
      },
      pull() {
        req.resume();
      },
      cancel() {
        req.pause();
      },
    },
    { highWaterMark: 64 * 1024, size: (chunk) => chunk.byteLength },
  );
}

/** node:http → Fetch `Request` → handler → node:http response. */
function fetchServer(handler) {
  let origin = "http://127.0.0.1";
  const server = createServer((req, res) => {
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (Array.isArray(value)) for (const v of value) headers.append(name, v);
      else if (value !== undefined) headers.set(name, value);
    }
    const request = new Request(new URL(req.url ?? "/", origin), {
      method: req.method,
      headers,
      body: req.method === "GET" || req.method === "HEAD" ? null : bodyStream(req),
      duplex: "half",
    });
    void handler(request).then(async (response) => {
      res.statusCode = response.status;
      for (const [name, value] of response.headers) res.setHeader(name, value);
      res.end(Buffer.from(await response.arrayBuffer()));
    });
  });
  server.on("listening", () => {
    origin = `http://127.0.0.1:${server.address().port}`;
  });
  return server;
}

const fetchAdapter = fetchServer(createFetchHandler(requester));
const fetchBare = fetchServer(async (request) => {
  const body = JSON.parse(await request.text());
  return Response.json({ ok: true, events: Array.isArray(body) ? body.length : 1 });
});
// The bare handler calling the requester itself (no adapter): what the requester's own work costs,
// so the adapter's overhead is adapter / this, apart from the requester.
const fetchRequester = fetchServer(async (request) => {
  const body = JSON.parse(await request.text());
  const key = new URL(request.url).searchParams.get("key");
  const accepted = await requester.accept("iiko", body, { key });
  await accepted.done;
  return Response.json({ ok: true, events: accepted.events });
});

const listen = (server) =>
  new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
const servers = [
  await listen(createServer(expressAdapter)),
  await listen(createServer(expressBare)),
  await listen(fetchAdapter),
  await listen(fetchBare),
  await listen(fetchRequester),
];
const port = (i) => servers[i].address().port;
process.send({
  expressAdapter: port(0),
  expressBare: port(1),
  fetchAdapter: port(2),
  fetchBare: port(3),
  fetchRequester: port(4),
});
process.on("message", (message) => {
  if (message === "stats") process.send({ sent });
  if (message === "cpu") {
    const { user, system } = process.cpuUsage();
    process.send({ cpuMicros: user + system });
  }
  if (message === "stop") {
    for (const server of servers) {
      server.close();
      server.closeAllConnections();
    }
    void requester.close().then(() => process.exit(0));
  }
});
