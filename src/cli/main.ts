// The `otzovik` command (package.json "bin"): explain, segments, serve. Built by tsup into
// dist/cli.js with a `#!/usr/bin/env node` line; from the sources: `node --import tsx src/cli/main.ts`.
import { type ParseArgsConfig, parseArgs } from "node:util";
import { smsSegments } from "../core/sms-segments.js";
import { countryOption, explain, formatExplanation, sourceNamed } from "./explain.js";
import { readInput, readStdin } from "./input.js";
import { formatSegments, stdinText } from "./segments.js";
import { serve } from "./serve/index.js";
import { USAGE, UsageError } from "./usage.js";

/** What a command did: an exit code, or `null` for one that keeps running (serve). */
type Exit = number | null;

/** Reads a command's options; an unknown option or a missing value is a {@link UsageError}. */
function options(
  args: readonly string[],
  spec: NonNullable<ParseArgsConfig["options"]>,
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    return parseArgs({
      args: [...args],
      options: { ...spec, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

async function explainCommand(args: readonly string[]): Promise<Exit> {
  const { values, positionals } = options(args, {
    json: { type: "boolean" },
    country: { type: "string" },
  });
  if (values.help) return help();
  if (positionals.length > 2)
    throw new UsageError("explain takes a source and at most one file (or - for stdin)");
  // Checked before the body is read: bad usage must not wait for stdin.
  const source = sourceNamed(positionals[0]);
  const country = countryOption(values.country as string | undefined);
  const body = await readInput(positionals[1]);
  const explanation = explain(source, body, country);
  process.stdout.write(
    values.json ? `${JSON.stringify(explanation, null, 2)}\n` : formatExplanation(explanation),
  );
  return explanation.wouldSend ? 0 : 1;
}

async function segmentsCommand(args: readonly string[]): Promise<Exit> {
  const { values, positionals } = options(args, { json: { type: "boolean" } });
  if (values.help) return help();
  if (positionals.length > 1)
    throw new UsageError('segments takes one text: put it in quotes, otzovik segments "…"');
  const text = positionals[0] ?? stdinText(await readStdin());
  const counted = smsSegments(text);
  process.stdout.write(
    values.json ? `${JSON.stringify(counted, null, 2)}\n` : formatSegments(text, counted),
  );
  return 0;
}

async function serveCommand(args: readonly string[]): Promise<Exit> {
  const { values, positionals } = options(args, {});
  if (values.help) return help();
  if (positionals.length > 0)
    throw new UsageError("serve takes no arguments: it is configured by environment variables");
  return serve(process.env);
}

function help(): Exit {
  process.stdout.write(USAGE);
  return 0;
}

const COMMANDS: Readonly<Record<string, (args: readonly string[]) => Promise<Exit>>> = {
  explain: explainCommand,
  segments: segmentsCommand,
  serve: serveCommand,
};

/**
 * Runs the command `argv` names and resolves with its exit code: `null` for `serve`, which runs
 * until a signal stops it. Bad usage prints the message and the usage text to stderr: exit 2.
 */
export async function main(argv: readonly string[]): Promise<Exit> {
  const [command, ...rest] = argv;
  if (command === "--help" || command === "-h" || command === "help") return help();
  try {
    if (command === undefined) throw new UsageError("no command given");
    const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
    if (!run) throw new UsageError(`unknown command "${command}"`);
    return await run(rest);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`otzovik: ${error.message}\n\n${USAGE}`);
    return 2;
  }
}

// A closed pipe (`otzovik explain … | head`) loses the rest of the output, nothing more: without a
// listener, the EPIPE would crash the process (and stop `serve`).
for (const stream of [process.stdout, process.stderr])
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
  });

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== null) process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`otzovik: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
