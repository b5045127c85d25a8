import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** One request a loopback server received. */
export interface LoopbackRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage["headers"];
  readonly body: string;
}

/** A real HTTP server on 127.0.0.1, for what msw cannot show (sockets, redirects, streaming). */
export interface Loopback {
  /** `http://127.0.0.1:<port>/`. */
  readonly url: string;
  /** Every request, body read in full, in order of arrival. */
  readonly requests: LoopbackRequest[];
  /** Resolves when a socket of this server has closed (the client dropped the connection). */
  socketClosed(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts a loopback server whose `answer` runs after the request body has been read. The server
 * never keeps a connection open on its own after `close()`.
 */
export async function loopback(
  answer: (request: LoopbackRequest, res: ServerResponse) => void,
): Promise<Loopback> {
  const requests: LoopbackRequest[] = [];
  const sockets = new Set<Socket>();
  const closedWaiters: (() => void)[] = [];
  let closedSockets = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const request = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      requests.push(request);
      answer(request, res);
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => {
      sockets.delete(socket);
      closedSockets += 1;
      for (const wake of closedWaiters.splice(0)) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    socketClosed: () =>
      closedSockets > 0 ? Promise.resolve() : new Promise((resolve) => closedWaiters.push(resolve)),
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
