import type * as Msw from "msw";
import { ConfigError } from "../core/errors.js";

type MswModule = typeof Msw;

/** The module name, kept out of a literal `require("msw")` so bundlers do not try to bundle it. */
const MSW = "msw";
let loaded: MswModule | undefined;

type Require = (id: string) => unknown;
interface NodeModule {
  createRequire(from: string): Require;
}

/** The CommonJS `require` of the bundled CommonJS build, or `null` in an ES module. */
function commonJsRequire(): Require | null {
  // In the CommonJS bundle `require` is the module's own; in an ES module it does not exist.
  return typeof require === "function" ? (require as Require) : null;
}

/** A `require` resolving from this package (ES module build), through `node:module`. */
function moduleRequire(): Require | null {
  const getBuiltin = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } })
    .process?.getBuiltinModule;
  const mod = getBuiltin?.("node:module") as NodeModule | undefined;
  return mod ? mod.createRequire(import.meta.url) : null;
}

/**
 * msw, loaded the first time a fake is created and not before: importing `otzovik/testing` (its
 * fixtures, builders and signers) works without msw installed; only the fakes need it.
 *
 * @throws ConfigError when msw cannot be loaded (not installed, or a runtime without
 *   `process.getBuiltinModule`, such as Node before 20.16).
 */
export function loadMsw(): MswModule {
  if (loaded) return loaded;
  const load = commonJsRequire() ?? moduleRequire();
  let cause: unknown;
  if (load) {
    try {
      loaded = load(MSW) as MswModule;
      return loaded;
    } catch (error) {
      cause = error;
    }
  }
  throw new ConfigError(
    load
      ? "otzovik/testing: the fake providers need msw (v2): install it as a dev dependency (npm install --save-dev msw)"
      : "otzovik/testing: the fake providers load msw through process.getBuiltinModule (Node 20.16+, Bun, Deno); this runtime has none",
    cause === undefined ? {} : { cause },
  );
}
