// TEMPORARY STUB (replaced by the sources branch at merge).
import { ConfigError } from "../core/errors.js";
export function validateParserOptions(
  source: string,
  parse: (b: unknown, o?: never) => unknown,
  parseOptions: unknown,
  path: string,
): void {
  try {
    parse(null, parseOptions as never);
  } catch (error) {
    const message = error instanceof Error ? error.message.replace(/^(\[[^\]]*\] )+/, "") : "";
    const named = /^Invalid parser option `([^`]*)`: (.*)$/s.exec(message);
    throw new ConfigError(
      named
        ? `Invalid option \`${path}.${named[1]}\`: ${named[2]}`
        : `Invalid option \`${path}\`: ${message}`,
    );
  }
  void source;
}
