/**
 * Real HTTP on loopback for adapter tests: start an Express app or a node:http server bridging to
 * a Fetch-API handler on 127.0.0.1 with an ephemeral port, track its sockets, and talk to it with
 * raw bytes over `node:net` when a test needs control `fetch` does not give (invalid UTF-8 in a
 * head, huge headers, a lying `Content-Length`, a body that never ends).
 *
 * `node:net` is not intercepted by msw, so raw requests never depend on msw's pass-through.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { connect, type Socket } from "node:net";
import express from "express";
import type { WebhookHandlerOptions } from "../../src/adapters/core.js";
import { webhookHandler } from "../../src/adapters/express.js";
import {
  createFetchHandler,
  type FetchContext,
  type FetchHandlerOptions,
} from "../../src/adapters/fetch.js";
import type { ReviewRequester } from "../../src/requester/types.js";

/** A server listening on 127.0.0.1. */
export interface RunningServer {
  /** `http://127.0.0.1:{port}`. */
  readonly origin: string;
  /** The ephemeral port. */
  readonly port: number;
  /** The node:http server. */
  readonly server: Server;
  /** Sockets currently open on the server side. */
  openSockets(): number;
  /** The server side's open sockets themselves. */
  serverSockets(): readonly Socket[];
  /** Resolves once no socket is open (or rejects after `timeoutMs`). */
  waitForNoSockets(timeoutMs?: number): Promise<void>;
  /** Closes every connection and the server. */
  close(): Promise<void>;
}

/** Starts `server` on 127.0.0.1 with an ephemeral port. */
export async function listen(server: Server): Promise<RunningServer> {
  const sockets = new Set<Socket>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("no TCP address");
  const port = address.port;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    server,
    openSockets: () => sockets.size,
    serverSockets: () => [...sockets],
    async waitForNoSockets(timeoutMs = 2000) {
      const deadline = Date.now() + timeoutMs;
      while (sockets.size > 0) {
        if (Date.now() > deadline) throw new Error(`${sockets.size} socket(s) still open`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    close() {
      return new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** How the Express app is mounted. */
export interface ExpressMount {
  /** Mount `express.json()` before the handler. */
  readonly json?: boolean;
  /** Mount `express.urlencoded({ extended: true })` before the handler. */
  readonly urlencoded?: boolean;
  /** Handler options. */
  readonly options?: WebhookHandlerOptions;
}

/** `app.post("/api/webhook/:source", webhookHandler(requester, options))` on 127.0.0.1. */
export async function startExpress(
  requester: ReviewRequester,
  mount: ExpressMount = {},
): Promise<RunningServer> {
  const app = express();
  if (mount.json) app.use(express.json());
  if (mount.urlencoded) app.use(express.urlencoded({ extended: true }));
  app.post("/api/webhook/:source", webhookHandler(requester, mount.options));
  // Other methods reach the handler too, so it can answer 405 itself.
  app.all("/api/webhook/:source", webhookHandler(requester, mount.options));
  return listen(createServer(app));
}

/**
 * The request body as a web stream with backpressure: it pauses the socket while the consumer is
 * behind, and on cancel stops reading without destroying the socket (so a 413 still gets out).
 */
function bodyStream(req: IncomingMessage): ReadableStream<Uint8Array> {
  let done = false;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        req.on("data", (chunk: Buffer) => {
          if (done) return;
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((controller.desiredSize ?? 0) <= 0) req.pause();
        });
        req.on("end", () => {
          if (done) return;
          done = true;
          controller.close();
        });
        req.on("error", (error) => {
          if (done) return;
          done = true;
          controller.error(error);
        });
        req.pause();
      },
      pull() {
        req.resume();
      },
      cancel() {
        done = true;
        req.pause();
      },
    },
    { highWaterMark: 64 * 1024, size: (chunk) => chunk.byteLength },
  );
}

/** Builds a Fetch `Request` from a node:http request, streaming its body (`duplex: "half"`). */
export function toWebRequest(req: IncomingMessage, origin: string): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  const method = req.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD";
  return new Request(new URL(req.url ?? "/", origin), {
    method,
    headers,
    body: hasBody ? bodyStream(req) : null,
    duplex: "half",
  } as RequestInit);
}

/** Writes a Fetch `Response` to a node:http response. */
export async function writeWebResponse(
  req: IncomingMessage,
  res: ServerResponse,
  response: Response,
): Promise<void> {
  res.statusCode = response.status;
  response.headers.forEach((value, name) => {
    res.setHeader(name, value);
  });
  // A body the handler did not read (413, 401…): close rather than leave it on the connection.
  if (!req.complete) res.setHeader("connection", "close");
  const body = Buffer.from(await response.arrayBuffer());
  res.setHeader("content-length", String(body.length));
  res.end(body);
}

/** What the Fetch bridge calls per request. */
export type FetchLikeHandler = (request: Request, context?: FetchContext) => Promise<Response>;

/**
 * A node:http server that hands every request to a Fetch-API handler. A handler that throws gets
 * a bare 500 from the bridge, so "never a 500" assertions catch it.
 */
export async function startFetchServer(
  handler: FetchLikeHandler,
  context?: () => FetchContext | undefined,
): Promise<RunningServer> {
  let origin = "http://127.0.0.1";
  const server = createServer((req, res) => {
    void (async () => {
      try {
        const response = await handler(toWebRequest(req, origin), context?.());
        await writeWebResponse(req, res, response);
      } catch {
        if (!res.headersSent) res.statusCode = 500;
        res.end();
      }
    })();
  });
  const running = await listen(server);
  origin = running.origin;
  return running;
}

/** `createFetchHandler(requester, options)` behind {@link startFetchServer}. */
export function startFetch(
  requester: ReviewRequester,
  options: FetchHandlerOptions = {},
  context?: () => FetchContext | undefined,
): Promise<RunningServer> {
  return startFetchServer(createFetchHandler(requester, options), context);
}

/** A response read off a raw socket. */
export interface RawResponse {
  /** HTTP status. */
  readonly status: number;
  /** Response headers, names lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body as UTF-8 text. */
  readonly body: string;
}

/** A raw HTTP/1.1 connection on loopback. */
export interface RawConnection {
  /** The client socket. */
  readonly socket: Socket;
  /** The first complete response (rejects if the socket closes before one arrives). */
  readonly response: Promise<RawResponse>;
  /** `true` once a response arrived. */
  answered(): boolean;
  /** Writes bytes, waiting for `drain`; resolves `false` if the socket is gone. */
  write(bytes: Uint8Array | string): Promise<boolean>;
  /** Resolves when the socket closed. */
  readonly closed: Promise<void>;
}

function parseResponse(buffer: Buffer, ended: boolean): RawResponse | null {
  const end = buffer.indexOf("\r\n\r\n");
  if (end < 0) return null;
  const [statusLine = "", ...lines] = buffer.subarray(0, end).toString("latin1").split("\r\n");
  const status = Number(statusLine.split(" ")[1]);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const rest = buffer.subarray(end + 4);
  const length = headers["content-length"];
  if (length !== undefined) {
    if (rest.length < Number(length)) return null;
    return { status, headers, body: rest.subarray(0, Number(length)).toString("utf8") };
  }
  if (headers["transfer-encoding"]?.includes("chunked")) {
    let offset = 0;
    const parts: Buffer[] = [];
    for (;;) {
      const lineEnd = rest.indexOf("\r\n", offset);
      if (lineEnd < 0) return null;
      const size = Number.parseInt(rest.subarray(offset, lineEnd).toString("latin1"), 16);
      if (size === 0) return { status, headers, body: Buffer.concat(parts).toString("utf8") };
      if (rest.length < lineEnd + 2 + size + 2) return null;
      parts.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
      offset = lineEnd + 2 + size + 2;
    }
  }
  return ended ? { status, headers, body: rest.toString("utf8") } : null;
}

/** Opens a raw connection to `port` on 127.0.0.1. */
export function openRaw(port: number): RawConnection {
  const socket = connect(port, "127.0.0.1");
  let buffer = Buffer.alloc(0);
  let got: RawResponse | null = null;
  let resolve!: (r: RawResponse) => void;
  let reject!: (e: Error) => void;
  const response = new Promise<RawResponse>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  response.catch(() => {});
  socket.on("data", (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    if (got) return;
    got = parseResponse(buffer, false);
    if (got) resolve(got);
  });
  // The server may close while we still write (413): that is expected, not a test failure.
  socket.on("error", () => {});
  const closed = new Promise<void>((done) => {
    socket.on("close", () => {
      if (!got) {
        got = parseResponse(buffer, true);
        if (got) resolve(got);
        else reject(new Error(`connection closed without a response (${buffer.length} bytes)`));
      }
      done();
    });
  });
  return {
    socket,
    response,
    answered: () => got !== null,
    closed,
    write(bytes) {
      if (socket.destroyed || !socket.writable) return Promise.resolve(false);
      return new Promise<boolean>((resolve) => {
        // Whichever comes first settles the write and removes the others' listeners: one
        // connection carries many writes, and listeners left behind pile up on its socket.
        const done = (ok: boolean) => {
          socket.off("drain", onDrain);
          socket.off("close", onClose);
          resolve(ok);
        };
        const onDrain = () => done(true);
        const onClose = () => done(false);
        const flushed = socket.write(bytes, (error) => {
          if (error) done(false);
        });
        if (flushed) done(true);
        else {
          socket.once("drain", onDrain);
          socket.once("close", onClose);
        }
      });
    },
  };
}

/** A raw request: the head is built from these; `body` bytes follow it. */
export interface RawRequestInit {
  readonly method?: string;
  readonly path: string;
  /** Header lines; `host` and `connection: close` are added unless given. */
  readonly headers?: Readonly<Record<string, string>>;
  /** The body; `content-length` is set from it unless a header gives one. */
  readonly body?: Uint8Array | string;
}

/** The bytes of an HTTP/1.1 request. */
export function requestBytes(init: RawRequestInit): Buffer {
  const body =
    init.body === undefined
      ? Buffer.alloc(0)
      : typeof init.body === "string"
        ? Buffer.from(init.body, "utf8")
        : Buffer.from(init.body);
  const headers: Record<string, string> = { host: "127.0.0.1", connection: "close" };
  for (const [name, value] of Object.entries(init.headers ?? {}))
    headers[name.toLowerCase()] = value;
  if (
    headers["content-length"] === undefined &&
    headers["transfer-encoding"] === undefined &&
    (init.body !== undefined || (init.method ?? "POST") === "POST")
  )
    headers["content-length"] = String(body.length);
  const head = `${init.method ?? "POST"} ${init.path} HTTP/1.1\r\n${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join("")}\r\n`;
  return Buffer.concat([Buffer.from(head, "latin1"), body]);
}

/** Sends one request on a fresh raw connection and reads the response. */
export async function rawRequest(
  port: number,
  init: RawRequestInit | Uint8Array,
): Promise<RawResponse> {
  const connection = openRaw(port);
  await connection.write(init instanceof Uint8Array ? init : requestBytes(init));
  return connection.response;
}

/**
 * `onUnhandledRequest` for msw: requests to loopback pass through to the real server; anything
 * else is an error (a provider call no fake answers).
 */
export function bypassLoopback(request: Request, print: { error(): void }): void {
  const host = new URL(request.url).hostname;
  if (host === "127.0.0.1" || host === "localhost" || host === "[::1]") return;
  print.error();
}
