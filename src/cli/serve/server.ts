import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { statusHandler, webhookHandler } from "../../adapters/express.js";
import type { Logger } from "../../core/logger.js";
import type { ReviewRequester } from "../../requester/types.js";

/** `/api/webhook/:source` and `/api/status/:provider`: the name, or `undefined` for another path. */
function route(url: string | undefined, prefix: string): string | undefined {
  const path = (url ?? "/").split("?")[0] as string;
  if (!path.startsWith(prefix)) return undefined;
  const name = path.slice(prefix.length);
  return name && !name.includes("/") ? name : undefined;
}

function json(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  res.statusCode = status;
  res.setHeader("content-type", "application/json; charset=utf-8");
  res.end(JSON.stringify(body));
}

/**
 * The demo server: a plain `node:http` server with otzovik/express's handlers (they take a plain
 * `IncomingMessage`) on `/api/webhook/:source` and `/api/status/:provider`, a line of text on `/`,
 * and a JSON 404 for anything else. Timeouts: a client that trickles its headers or body cannot
 * hold a connection for Node's defaults (60 s for the headers, 300 s for the request).
 */
export function createDemoServer(requester: ReviewRequester, logger: Logger): Server {
  // Handlers log their faults through the same logger as the requester.
  const webhook = webhookHandler(requester, { logger });
  // Status webhooks: signatures are over the raw body, which this server never parses.
  const status = statusHandler(requester, { logger });
  return createServer(
    { headersTimeout: 10_000, requestTimeout: 30_000, connectionsCheckingInterval: 1_000 },
    (req: IncomingMessage, res: ServerResponse) => {
      const source = route(req.url, "/api/webhook/");
      if (source !== undefined) return webhook(Object.assign(req, { params: { source } }), res);
      const provider = route(req.url, "/api/status/");
      if (provider !== undefined) return status(Object.assign(req, { params: { provider } }), res);
      if ((req.url ?? "/").split("?")[0] === "/" && req.method === "GET") {
        res.setHeader("content-type", "text/plain; charset=utf-8");
        res.end(
          "otzovik serve: POST /api/webhook/:source?key=…, status webhooks /api/status/:provider\n",
        );
        return;
      }
      req.resume();
      json(res, 404, { ok: false, error: "not found" });
    },
  );
}
