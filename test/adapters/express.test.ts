import { createServer } from "node:http";
import type { Socket } from "node:net";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import { webhookHandler } from "../../src/adapters/express.js";
import type { ReviewRequester } from "../../src/requester/types.js";
import {
  listen,
  openRaw,
  type RunningServer,
  rawRequest,
  requestBytes,
  startExpress,
} from "../helpers/http.js";
import { adapterContract } from "./contract.js";
import {
  bodies,
  expressParsed,
  expressPlain,
  FORM_TYPE,
  gatedSms,
  JSON_TYPE,
  KEY,
  makeRequester,
  post,
  settle,
  smsPhones,
  smsSent,
  until,
  useFakes,
} from "./world.js";

useFakes();

describe("otzovik/express over real HTTP", () => {
  adapterContract(expressPlain);
  adapterContract(expressParsed);

  describe("Express specifics", () => {
    let server: RunningServer | null = null;
    let requester: ReviewRequester | null = null;
    afterEach(async () => {
      await server?.close();
      await requester?.close();
      server = null;
      requester = null;
    });

    it.each([
      ["without body parsers", false],
      ["after express.json()", true],
    ])(
      "%s: answers before a slow send, and the send still happens after the response",
      async (_name, parsers) => {
        const gated = gatedSms();
        requester = makeRequester({ channels: [{ type: "sms", client: gated.client }] });
        server = await startExpress(requester, { json: parsers, urlencoded: parsers });
        const res = await post(server, "iiko", bodies.iiko);
        expect(res.status).toBe(200);
        expect(res.json.events).toEqual([
          { id: "9e3b7c1a-5f42-4d8e-b6a0-2c71f9d4e805", status: "accepted", reason: null },
        ]);
        await gated.started;
        expect(smsSent()).toHaveLength(0);
        gated.release();
        await until(() => smsSent().length === 1);
        expect(smsPhones()).toEqual(["79161234567"]);
      },
    );

    it("a refused body (wrong key, Connection: close, 1 MB sent at once): the client reads its 401 every time, then the server closes", {
      timeout: 30_000,
    }, async () => {
      requester = makeRequester();
      server = await startExpress(requester);
      const body = Buffer.alloc(1024 * 1024, 0x20);
      const statuses: number[] = [];
      // What the server had read of each connection when it closed it: closing with bytes unread
      // makes the kernel send a reset, which can destroy the 401 before the client reads it.
      const read: number[] = [];
      server.server.on("connection", (socket: Socket) => {
        socket.on("close", () => read.push(socket.bytesRead));
      });
      for (let i = 0; i < 30; i++) {
        const connection = openRaw(server.port);
        // The whole request in one write: the server answers while most of it is still unread.
        await connection.write(
          requestBytes({
            path: "/api/webhook/iiko?key=wrong-key",
            headers: { "content-type": "text/plain" },
            body,
          }),
        );
        statuses.push(await connection.response.then((r) => r.status).catch(() => 0));
        // The server closes once it has read (and discarded) the body the client asked to close.
        await connection.closed;
      }
      expect(statuses).toEqual(Array.from({ length: 30 }, () => 401));
      await server.waitForNoSockets();
      expect(read).toHaveLength(30);
      expect(read.filter((bytes) => bytes < body.length)).toEqual([]);
    });

    it("one route per source ({ source }) ignores the path", async () => {
      requester = makeRequester();
      const app = express();
      app.post("/hooks/pos", webhookHandler(requester, { source: "yclients" }));
      server = await listen(createServer(app));
      const res = await fetch(`${server.origin}/hooks/pos?key=${KEY}`, {
        method: "POST",
        headers: JSON_TYPE,
        body: bodies.yclients,
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        ok: true,
        events: [{ id: "596792980", status: "accepted", reason: null }],
      });
      await until(() => smsSent().length === 1);
    });

    it("as a plain node:http handler (no Express), the source is the last path segment", async () => {
      requester = makeRequester();
      server = await listen(createServer(webhookHandler(requester)));
      const res = await rawRequest(server.port, {
        path: `/webhooks/rkeeper?key=${KEY}`,
        headers: JSON_TYPE,
        body: bodies.rkeeper,
      });
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body)).toEqual({
        ok: true,
        events: [{ id: "59708", status: "accepted", reason: null }],
      });
      await until(() => smsSent().length === 1);
    });

    it("maxBodyBytes: a smaller cap answers 413 with that cap", async () => {
      requester = makeRequester();
      server = await startExpress(requester, { options: { maxBodyBytes: 100 } });
      const res = await post(server, "iiko", bodies.iiko);
      expect(res.status).toBe(413);
      expect(res.json).toEqual({ ok: false, error: "the body is larger than 100 bytes" });
    });

    it("with express.json(): a JSON body over its 100 KB limit gets Express's 413, not a 500", async () => {
      requester = makeRequester();
      server = await startExpress(requester, { json: true });
      const res = await post(server, "iiko", JSON.stringify(["x".repeat(200_000)]));
      expect(res.status).toBe(413);
    });

    it("with express.json(): malformed JSON gets Express's own 400, not a 500", async () => {
      requester = makeRequester();
      server = await startExpress(requester, { json: true });
      const res = await post(server, "iiko", '[{"eventType":');
      expect(res.status).toBe(400);
      expect(smsSent()).toHaveLength(0);
    });

    it("with express.urlencoded(): amoCRM's parsed form still sends", async () => {
      requester = makeRequester();
      server = await startExpress(requester, { urlencoded: true });
      const res = await post(server, "amocrm", bodies.amocrmWon, { headers: FORM_TYPE });
      expect(res.json).toEqual({
        ok: true,
        events: [{ id: "25399013", status: "accepted", reason: null }],
      });
      await until(() => smsSent().length === 1);
      expect(smsPhones()).toEqual(["79000000004"]);
    });

    // KNOWN BUG (reported): express.urlencoded() has already mangled JSON sent with a form type
    // into `{ '{"result":…': '' }`, so the sniffing in the core never sees the JSON. The event is
    // answered 200 invalid_payload and no SMS goes out. Pinned so a fix shows up here.
    it("with express.urlencoded(): JSON sent with a form type is lost (known bug, pinned)", async () => {
      requester = makeRequester();
      server = await startExpress(requester, { urlencoded: true });
      const res = await post(server, "rkeeper", bodies.rkeeper, { headers: FORM_TYPE });
      expect(res.status).toBe(200);
      expect(res.json).toEqual({
        ok: true,
        events: [
          {
            id: null,
            status: "skipped",
            reason: "invalid_payload",
            detail: "the body (or this event) is not in a format this source sends",
          },
        ],
      });
      await settle();
      expect(smsSent()).toHaveLength(0);
    });
  });
});
