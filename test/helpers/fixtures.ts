import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../fixtures/", import.meta.url));

/** The text of `test/fixtures/{source}/{name}`. */
export function fixture(source: string, name: string): string {
  return readFileSync(`${root}${source}/${name}`, "utf8");
}

/** The parsed JSON of `test/fixtures/{source}/{name}`. */
export function fixtureJson<T = unknown>(source: string, name: string): T {
  return JSON.parse(fixture(source, name)) as T;
}

/** Every fixture file name of a source. */
export function fixtureNames(source: string): string[] {
  return readdirSync(`${root}${source}`).sort();
}
