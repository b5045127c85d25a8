// The globals of Bun, Deno and Cloudflare Workers that the snippets use, declared for the type
// check only (@types/bun, Deno's types and @cloudflare/workers-types are not installed). Each
// matches the runtime's own declaration for what is used here.

/** Bun's global (bun-types: `Bun.serve`, `Bun.env`). */
declare const Bun: {
  readonly env: Record<string, string | undefined>;
  serve(options: {
    hostname?: string;
    port?: number;
    fetch(request: Request): Response | Promise<Response>;
  }): { readonly hostname: string; readonly port: number; stop(): void };
};

/** Deno's global (lib.deno: `Deno.serve`, `Deno.env`). */
declare const Deno: {
  readonly env: { get(name: string): string | undefined };
  serve(
    options: { hostname?: string; port?: number },
    handler: (request: Request) => Response | Promise<Response>,
  ): { readonly finished: Promise<void>; shutdown(): Promise<void> };
};

/** Cloudflare Workers' per-request context (@cloudflare/workers-types). */
interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
  passThroughOnException(): void;
}

/** A Worker module's default export (@cloudflare/workers-types, `fetch` only). */
interface ExportedHandler<Env = unknown> {
  fetch?(request: Request, env: Env, ctx: ExecutionContext): Response | Promise<Response>;
}
