// The two servers `bench/http.mjs` loads, in their own process so autocannon does not share their
// event loop: the Express adapter with a requester whose SMS provider is an in-process fake that
// answers at once, and a bare Express route that only parses the same body and answers 200.
// Sends its ports to the parent over IPC.
import express from "express";
import { webhookHandler } from "../dist/adapters/express.js";
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

const adapter = express();
adapter.post("/api/webhook/:source", webhookHandler(requester));

const bare = express();
bare.post("/api/webhook/:source", express.json(), (req, res) => {
  res.status(200).json({ ok: true, events: Array.isArray(req.body) ? req.body.length : 1 });
});

const listen = (app) =>
  new Promise((resolve) => {
    const server = app.listen(0, "127.0.0.1", () => resolve(server));
  });
const servers = [await listen(adapter), await listen(bare)];
process.send({ adapter: servers[0].address().port, bare: servers[1].address().port });
process.on("message", (message) => {
  if (message === "stats") process.send({ sent });
  if (message === "stop") {
    for (const server of servers) server.close();
    server0CloseAll(servers);
    void requester.close().then(() => process.exit(0));
  }
});
function server0CloseAll(list) {
  for (const server of list) server.closeAllConnections();
}
