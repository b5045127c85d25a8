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

const LEVELS = ["debug", "info", "warn", "error"] as const;

/**
 * Builds a {@link Logger} from a partial one: missing `debug` and `info` are silent, missing `warn`
 * and `error` go to `console`, prefixed with `[otzovik]`. Methods are called on their own object
 * (class-based loggers such as pino and winston work), and a logger that throws is ignored: a
 * broken logger must never fail, or repeat, a send.
 *
 * @example
 * createLogger({ info: (msg, meta) => pino.info(meta, msg) })
 */
export function createLogger(partial: Partial<Logger> = {}): Logger {
  const fallback: Logger = {
    debug: silent,
    info: silent,
    warn: (message, meta) => console.warn(`[otzovik] ${message}`, meta ?? ""),
    error: (message, meta) => console.error(`[otzovik] ${message}`, meta ?? ""),
  };
  const logger = {} as Logger;
  for (const level of LEVELS) {
    const write =
      typeof partial?.[level] === "function"
        ? (partial[level] as Logger["info"]).bind(partial)
        : fallback[level];
    logger[level] = (message, meta) => {
      try {
        write(message, meta);
      } catch {
        // A broken logger must not fail (or repeat) a send.
      }
    };
  }
  return logger;
}
