// The part of Hono's API the snippet uses, declared for the type check only: `hono` is not a
// dependency of otzovik. Matches hono@4 (`Hono`, `Context.req.raw`, `app.all`, `app.post`, `app.fetch`).
declare module "hono" {
  /** A request's context: `c.req.raw` is the untouched Fetch `Request`. */
  export interface Context {
    readonly req: { readonly raw: Request };
  }
  /** A route handler. */
  export type Handler = (c: Context) => Response | Promise<Response>;
  /** The Hono app. */
  export class Hono {
    all(path: string, handler: Handler): this;
    post(path: string, handler: Handler): this;
    fetch(request: Request, ...rest: unknown[]): Response | Promise<Response>;
  }
}
