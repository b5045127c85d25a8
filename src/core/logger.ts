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

/** The log levels, lowest first. */
export const LOG_LEVELS = Object.freeze(["debug", "info", "warn", "error"] as const);

/**
 * How much a component logs: `"debug"` (everything, including each skipped event's parser
 * detail), `"info"` (one line per outcome), `"warn"` or `"error"`.
 */
export type LogLevel = (typeof LOG_LEVELS)[number];

const LEVELS = LOG_LEVELS;

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

/** One `key=value` pair of a console line: strings as they are (quoted when they hold a space). */
function field(key: string, value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return `${key}=${typeof value === "string" && /[\s"=]/.test(text) ? JSON.stringify(text) : text}`;
}

/** `[otzovik] info  review request sent  source=iiko orderId=… phone=+7916***4567 …`. */
export function formatLogLine(level: LogLevel, message: string, meta?: LogMeta): string {
  const details = Object.entries(meta ?? {})
    .filter(([, value]) => value !== null && value !== undefined && value !== "")
    .map(([key, value]) => field(key, value))
    .join(" ");
  return `[otzovik] ${level.padEnd(5)} ${message}${details ? `  ${details}` : ""}`;
}

/**
 * A {@link Logger} that writes one readable line per call to `console` (`console.debug`, `info`,
 * `warn`, `error`), from `level` up; lower levels are dropped. What the requester logs to when it
 * is given no `logger`. The lines carry what the caller passes: otzovik masks phones itself and
 * never passes secrets.
 *
 * @param level - The lowest level written. Default `"info"`.
 */
export function consoleLogger(level: LogLevel = "info"): Logger {
  const lowest = LEVELS.indexOf(level);
  const logger = {} as Logger;
  for (const [index, name] of LEVELS.entries()) {
    logger[name] =
      index < lowest
        ? silent
        : (message, meta) => {
            try {
              console[name](formatLogLine(name, message, meta));
            } catch {
              // A console that throws (a closed pipe) must not fail a send.
            }
          };
  }
  return logger;
}

/**
 * `logger` with every level below `level` dropped.
 *
 * @param logger - A complete logger (see {@link createLogger}).
 * @param level - The lowest level passed on.
 */
export function atLevel(logger: Logger, level: LogLevel): Logger {
  const lowest = LEVELS.indexOf(level);
  const filtered = {} as Logger;
  for (const [index, name] of LEVELS.entries())
    filtered[name] = index < lowest ? silent : logger[name];
  return filtered;
}
