/**
 * The Node / Bun / Deno entry: runs the scenario, prints the report as one line after
 * `REPORT_MARKER`, and fails (a rejected top-level await: non-zero exit everywhere) on a problem.
 */
import { runScenario } from "./scenario.js";

/** Prefix of the report line `run.mjs` looks for (keep the two in step). */
const REPORT_MARKER = "OTZOVIK_RUNTIME_REPORT ";

const report = await runScenario();
console.log(`${REPORT_MARKER}${JSON.stringify(report)}`);
if (!report.ok) throw new Error(`runtime scenario failed:\n${report.problems.join("\n")}`);
