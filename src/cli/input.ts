import { readFile } from "node:fs/promises";
import { UNSAFE_IN_ID_ALL } from "../sources/event.js";
import { UsageError } from "./usage.js";

/** Everything on stdin, as bytes. */
export async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}

/**
 * The bytes of `file`, or of stdin when `file` is `undefined` or `"-"`.
 *
 * @throws UsageError when the file cannot be read.
 */
export async function readInput(file: string | undefined): Promise<Uint8Array> {
  if (file === undefined || file === "-") return readStdin();
  try {
    return new Uint8Array(await readFile(file));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "no such file"
        : code === "EISDIR"
          ? "it is a directory"
          : code === "EACCES"
            ? "permission denied"
            : (code ?? "unreadable");
    throw new UsageError(`cannot read ${file}: ${why}`);
  }
}

/**
 * `value` made safe to print on a terminal: the characters that are removed from reported ids
 * (controls, whose escape sequences could rewrite the screen, line separators and bidi controls)
 * are shown as `\u001b`-style escapes.
 */
export function printable(value: string): string {
  return value.replace(
    UNSAFE_IN_ID_ALL,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
