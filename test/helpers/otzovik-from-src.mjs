// Module hooks (node:module `register`) that make `otzovik` and its subpath exports resolve to the
// TypeScript sources instead of the package's self-reference to dist/, so the examples can run in
// tests without `npm run build`. Register them AFTER tsx, which compiles the .ts files:
//
//   node --import tsx --import ./test/helpers/otzovik-from-src-register.mjs examples/express/server.mjs
//
// Hooks registered later run first: this `resolve` sees `otzovik` before tsx's, maps it to a
// src/ file URL and passes that down the chain (tsx resolves the `.js` → `.ts` imports inside
// src/ and its `load` compiles them). tsx 4.23 also passes bare specifiers it does not handle down
// its chain, so the other order happens to work too; after tsx is the order that does not rely on
// that. Anything that still resolves into dist/ throws, so a stale or missing build can never
// stand in for the sources.

const root = new URL("../../", import.meta.url);
const dist = new URL("dist/", root).href;

/** Bare specifier → source file. */
export const sources = {
  otzovik: "src/index.ts",
  "otzovik/express": "src/adapters/express.ts",
  "otzovik/fetch": "src/adapters/fetch.ts",
  "otzovik/testing": "src/testing/index.ts",
  "otzovik/redis": "src/stores/redis.ts",
  "otzovik/bullmq": "src/schedulers/bullmq.ts",
};

export async function resolve(specifier, context, nextResolve) {
  const mapped = Object.hasOwn(sources, specifier) ? sources[specifier] : undefined;
  const result = await nextResolve(mapped ? new URL(mapped, root).href : specifier, context);
  if (result.url.startsWith(dist)) {
    throw new Error(
      `otzovik-from-src: ${specifier} resolved to ${result.url}; import otzovik by its package name`,
    );
  }
  return result;
}
