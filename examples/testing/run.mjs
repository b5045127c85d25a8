// Runs the README's "Testing your integration" example as a user's project would: packs the built
// package (`npm run build` first), installs the tarball into this mini-project without saving it
// (vitest and msw come from its own lock: `npm ci --prefix examples/testing` first), and runs its
// vitest. Then installs the same tarball into an empty project without msw and checks that
// otzovik/testing's fixtures and builders import there (ESM and CommonJS), and that a fake says
// msw is missing.
//   node examples/testing/run.mjs [--project <copy of examples/testing>]
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const root = resolve(here, "../..");
const flag = process.argv.indexOf("--project");
const project = flag === -1 ? here : resolve(process.argv[flag + 1] ?? here);
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const quiet = ["--no-audit", "--no-fund", "--loglevel=error"];

function run(command, args, cwd, label = [command, ...args].join(" ")) {
  console.log(`$ ${label}   (in ${cwd})`);
  execFileSync(command, args, { cwd, stdio: "inherit" });
}

const temp = mkdtempSync(join(tmpdir(), "otzovik-testing-example-"));
try {
  // `--ignore-scripts`: the package's `prepack` would build again; this packs the build it is given.
  run(npm, ["pack", "--ignore-scripts", "--pack-destination", temp, "--loglevel=error"], root);
  const tarball = join(
    temp,
    readdirSync(temp).find((name) => name.endsWith(".tgz")),
  );

  // The example, against the packed package.
  run(npm, ["install", "--no-save", ...quiet, tarball], project);
  run(join(project, "node_modules", ".bin", "vitest"), ["run"], project);

  // otzovik/testing without msw: fixtures and builders load, the fakes say what is missing.
  const bare = join(temp, "no-msw");
  execFileSync("mkdir", ["-p", bare]);
  writeFileSync(join(bare, "package.json"), '{ "private": true, "type": "module" }\n');
  run(npm, ["install", "--no-save", ...quiet, tarball], bare);
  const check = (loader) => `
    const t = ${loader};
    const assert = (ok, what) => { if (!ok) { console.error("FAIL " + what); process.exit(1); } };
    assert(t.fixtures.iiko.deliveryClosed.expected.shouldSend === true, "fixtures");
    assert(t.webhookRequest("iiko", t.iikoDeliveryOrderUpdate(), { key: "k" }).method === "POST", "builders");
    let error;
    try { t.createFakeSmsRu(); } catch (e) { error = e; }
    assert(error && error.code === "config_invalid" && /msw/.test(error.message), "the fake names msw");
    console.log("ok   otzovik/testing without msw (" + ${JSON.stringify(loader)} + ")");`;
  for (const [type, loader] of [
    ["module", 'await import("otzovik/testing")'],
    ["commonjs", 'require("otzovik/testing")'],
  ]) {
    run(
      process.execPath,
      [`--input-type=${type}`, "-e", check(loader)],
      bare,
      `node -e '${loader}'`,
    );
  }
} finally {
  rmSync(temp, { recursive: true, force: true });
}
