/**
 * Where examples/express/server.mjs (what `npm start` runs) listens (issue 12, set-up cost): on
 * 127.0.0.1 by default, so a demo with the public `dev-key` is not reachable from the network,
 * and on the address `HOST` names otherwise. The listening line prints the address it is bound to.
 * Connecting to this machine's own non-loopback address (when it has one) stays on the machine.
 */
import { connect } from "node:net";
import { networkInterfaces } from "node:os";
import { describe, expect, it } from "vitest";
import { startExample } from "../helpers/example-process.js";

const SCRIPT = "examples/express/server.mjs";

/** This machine's first non-loopback IPv4 address, or `undefined`. */
function lanAddress(): string | undefined {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.family === "IPv4" && !address.internal) return address.address;
    }
  }
  return undefined;
}

/** `"connected"`, or the error code of a refused or failed connection. */
function tryConnect(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 5_000 });
    socket.once("connect", () => {
      socket.destroy();
      resolve("connected");
    });
    socket.once("timeout", () => {
      socket.destroy();
      resolve("timeout");
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

/** The listening line's URL and whatever follows it on that line. */
function listeningLine(stdout: string): string | undefined {
  return /^otzovik example listening on (.*)$/m.exec(stdout)?.[1];
}

describe("the Express example's address", { timeout: 30_000 }, () => {
  it("binds 127.0.0.1 by default: says so, takes loopback connections, refuses the LAN address", async () => {
    const example = await startExample(SCRIPT);
    try {
      expect(listeningLine(example.stdout())).toBe(`http://127.0.0.1:${example.port}`);
      expect(await tryConnect("127.0.0.1", example.port)).toBe("connected");
      const lan = lanAddress();
      if (lan !== undefined) expect(await tryConnect(lan, example.port)).toBe("ECONNREFUSED");
      // The printed curl hint points at the same address.
      await example.waitFor(/^ {2}curl -X POST .*$/m);
      expect(example.stdout()).toContain(
        `curl -X POST "http://127.0.0.1:${example.port}/api/webhook/rkeeper?key=dev-key"`,
      );
    } finally {
      expect(await example.stop("SIGTERM")).toEqual({ code: 0, signal: null });
    }
  });

  it("HOST=0.0.0.0 listens on every interface and says so", async () => {
    const example = await startExample(SCRIPT, { env: { HOST: "0.0.0.0" } });
    try {
      expect(listeningLine(example.stdout())).toBe(
        `http://localhost:${example.port} (all interfaces, HOST=0.0.0.0)`,
      );
      expect(await tryConnect("127.0.0.1", example.port)).toBe("connected");
      const lan = lanAddress();
      if (lan !== undefined) expect(await tryConnect(lan, example.port)).toBe("connected");
    } finally {
      expect(await example.stop("SIGTERM")).toEqual({ code: 0, signal: null });
    }
  });

  it("HOST=::1 prints a bracketed IPv6 URL", async () => {
    const example = await startExample(SCRIPT, { env: { HOST: "::1" } });
    try {
      expect(listeningLine(example.stdout())).toBe(`http://[::1]:${example.port}`);
      expect(await tryConnect("::1", example.port)).toBe("connected");
      expect(await tryConnect("127.0.0.1", example.port)).toBe("ECONNREFUSED");
    } finally {
      expect(await example.stop("SIGTERM")).toEqual({ code: 0, signal: null });
    }
  });
});
