import type { StatusRequest } from "../../src/status/types.js";

/** What {@link statusRequest} builds a request from. */
export interface StatusRequestInit {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly query?: string | Record<string, string>;
  readonly body?: string | Uint8Array;
}

/** A {@link StatusRequest} as an adapter would hand it over: headers looked up in any case. */
export function statusRequest(init: StatusRequestInit = {}): StatusRequest {
  const headers = new Map<string, string>();
  for (const [name, value] of Object.entries(init.headers ?? {}))
    headers.set(name.toLowerCase(), value);
  const body =
    init.body === undefined
      ? new Uint8Array()
      : typeof init.body === "string"
        ? new TextEncoder().encode(init.body)
        : init.body;
  return {
    method: init.method ?? "POST",
    headers: (name) => headers.get(name.toLowerCase()) ?? null,
    query: new URLSearchParams(init.query ?? ""),
    body,
  };
}
