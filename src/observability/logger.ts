// meshgate's own leveled messages (not the access log): Envoy's level names, a level that the admin API's
// /logging can change at run time, and lines written to one destination (stderr from the CLI).

/** Envoy's (spdlog's) level names, most verbose first; `off` silences everything. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warning', 'error', 'critical', 'off'] as const;

export type LogLevel = (typeof LOG_LEVELS)[number];

/** A message's own level: anything but `off`. */
export type MessageLevel = Exclude<LogLevel, 'off'>;

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/**
 * One per process. A message below the current level costs one comparison; callers that build costly
 * text first ask `enabled(level)`. Info lines keep the plain `meshgate: …` form users and scripts read;
 * other levels name themselves (`meshgate: debug: …`).
 */
export class Logger {
  #threshold: number;
  readonly #write: (line: string) => void;

  constructor(level: LogLevel, write: (line: string) => void) {
    this.#threshold = LOG_LEVELS.indexOf(level);
    this.#write = write;
  }

  get level(): LogLevel {
    return LOG_LEVELS[this.#threshold]!;
  }

  set level(level: LogLevel) {
    this.#threshold = LOG_LEVELS.indexOf(level);
  }

  enabled(level: MessageLevel): boolean {
    return LOG_LEVELS.indexOf(level) >= this.#threshold;
  }

  log(level: MessageLevel, message: string): void {
    if (!this.enabled(level)) return;
    this.#write(level === 'info' ? `meshgate: ${message}\n` : `meshgate: ${level}: ${message}\n`);
  }

  trace(message: string): void {
    this.log('trace', message);
  }

  debug(message: string): void {
    this.log('debug', message);
  }

  info(message: string): void {
    this.log('info', message);
  }

  warning(message: string): void {
    this.log('warning', message);
  }

  error(message: string): void {
    this.log('error', message);
  }
}
