/** Structured details attached to a log line. Never put secrets or unmasked phones here. */
export type LogMeta = Record<string, unknown>;

/**
 * The logger otzovik writes to. Any object with these four methods works (`console`, pino,
 * winston…); pass a partial one to {@link createLogger} to fill the rest.
 */
export interface Logger {
  /** Details useful while debugging an integration (each webhook's events and decisions). */
  debug(message: string, meta?: LogMeta): void;
  /** Normal operation worth keeping (a review request sent or scheduled). */
  info(message: string, meta?: LogMeta): void;
  /** Something the integrator should look at (dry-run mode, a skipped send). */
  warn(message: string, meta?: LogMeta): void;
  /** A failure (a provider error, an invalid configuration). */
  error(message: string, meta?: LogMeta): void;
}

/** A log level that writes nothing. */
const silent = (): void => {};

/**
 * Builds a {@link Logger} from a partial one: missing `debug` and `info` are silent, missing `warn`
 * and `error` go to `console`. Lines are prefixed with `[otzovik]`.
 *
 * @example
 * createLogger({ info: (msg, meta) => pino.info(meta, msg) })
 */
export function createLogger(partial: Partial<Logger> = {}): Logger {
  return {
    debug: partial.debug ?? silent,
    info: partial.info ?? silent,
    warn: partial.warn ?? ((message, meta) => console.warn(`[otzovik] ${message}`, meta ?? "")),
    error: partial.error ?? ((message, meta) => console.error(`[otzovik] ${message}`, meta ?? "")),
  };
}
