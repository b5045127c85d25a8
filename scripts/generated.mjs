// Writes a generated source file, or with `--check` only says whether it is up to date (exit 1
// when not). Shared by the generators: scripts/fixtures.mjs, scripts/phone-metadata.mjs.
import { readFileSync, writeFileSync } from "node:fs";

/**
 * Writes `text` to `target` (shown as `label`), or, when `argv` has `--check`, exits 1 unless the
 * file already holds exactly `text`; `command` is what to run to bring it up to date.
 */
export function writeOrCheck(target, label, text, command, argv = process.argv) {
  if (!argv.includes("--check")) {
    writeFileSync(target, text);
    console.log(`wrote ${label}`);
    return;
  }
  let current = "";
  try {
    current = readFileSync(target, "utf8");
  } catch {}
  if (current !== text) {
    console.error(`${label} is out of date: run \`${command}\``);
    process.exit(1);
  }
  console.log(`${label} is up to date`);
}
