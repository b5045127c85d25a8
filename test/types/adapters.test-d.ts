import type { Express } from "express";
import { describe, expectTypeOf, it } from "vitest";
import { type WebhookHandlerOptions, webhookHandler } from "../../src/adapters/express.js";
import { createFetchHandler, createFetchStatusHandler } from "../../src/adapters/fetch.js";
import type { ReviewRequester, SourceId } from "../../src/index.js";

declare const requester: ReviewRequester;
declare const app: Express;

/**
 * Cloudflare Workers' context as @cloudflare/workers-types declares it: an interface (no implicit
 * index signature), with more members than `waitUntil`.
 */
interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
  passThroughOnException(): void;
  readonly props: unknown;
}
declare const ctx: ExecutionContext;

/** What Next.js (15+) expects `export const POST` of `app/api/webhook/[source]/route.ts` to be. */
type NextRouteHandler = (
  request: Request,
  context: { params: Promise<{ source: string }> },
) => Promise<Response>;

describe("otzovik/fetch handler types", () => {
  it("is assignable to a Next.js route handler (second argument { params })", () => {
    expectTypeOf(createFetchHandler(requester)).toExtend<NextRouteHandler>();
  });

  it("is assignable to a plain fetch handler and to a Worker's (request, ctx)", () => {
    expectTypeOf(createFetchHandler(requester)).toExtend<(request: Request) => Promise<Response>>();
    expectTypeOf(createFetchHandler(requester)).toExtend<
      (request: Request, ctx: { waitUntil(promise: Promise<unknown>): void }) => Promise<Response>
    >();
  });

  it("takes a Worker's ExecutionContext, declared as an interface, as its second argument", () => {
    expectTypeOf(createFetchHandler(requester)).toBeCallableWith(new Request("http://x/"), ctx);
    expectTypeOf(createFetchStatusHandler(requester)).toBeCallableWith(
      new Request("http://x/"),
      ctx,
    );
    expectTypeOf(createFetchHandler(requester)).toExtend<
      (request: Request, ctx: ExecutionContext) => Promise<Response>
    >();
  });

  it("takes Next's `after` as waitUntil", () => {
    const after: (task: Promise<unknown> | (() => unknown)) => void = () => {};
    expectTypeOf(createFetchHandler).toBeCallableWith(requester, { waitUntil: after });
  });
});

describe("otzovik/express handler types", () => {
  it("mounts on an Express 5 route, with or without a :source parameter", () => {
    app.post("/api/webhook/:source", webhookHandler(requester));
    app.all("/hooks/iiko", webhookHandler(requester, { source: "iiko" }));
    expectTypeOf(webhookHandler(requester)).returns.toBeVoid();
  });

  it("takes a built-in source (suggested by name) or the name of the user's own", () => {
    expectTypeOf(webhookHandler).toBeCallableWith(requester, { source: "iiko" });
    expectTypeOf(webhookHandler).toBeCallableWith(requester, { source: "quickkassa" });
    expectTypeOf<WebhookHandlerOptions["source"]>().toEqualTypeOf<SourceId | undefined>();
    expectTypeOf<"iiko" | "rkeeper" | "yclients" | "amocrm">().toExtend<SourceId>();
  });
});
