// GET|POST /logging: shows the log level, and `?level=<level>` changes it at run time, as Envoy's admin does.
import { isLogLevel, LOG_LEVELS, type Logger } from '../observability/logger.ts';

export interface LoggingReply {
  readonly status: number;
  readonly body: string;
}

/** meshgate has one logger; Envoy lists each of its loggers the same way. */
function activeLoggers(logger: Logger): string {
  return `active loggers:\n  meshgate: ${logger.level}\n`;
}

function usage(error: string): string {
  return `error: ${error}\n\nusage: /logging?level=<level> (change all levels)\nlevels: ${LOG_LEVELS.join(' ')} \n`;
}

/**
 * Envoy also accepts `?<logger>=<level>` and `?paths=name:level,…`; meshgate's single logger is named
 * `meshgate`, so `?meshgate=debug` works too. Any other parameter is an error and changes nothing.
 */
export function handleLogging(logger: Logger, params: URLSearchParams): LoggingReply {
  const entries = [...params.entries()];
  if (entries.length === 0) return { status: 200, body: activeLoggers(logger) };
  if (entries.length !== 1)
    return { status: 400, body: `${usage('invalid number of parameters')}${activeLoggers(logger)}` };
  const [key, value] = entries[0]!;
  if (key !== 'level' && key !== 'meshgate')
    return { status: 400, body: `${usage('unknown logger name')}${activeLoggers(logger)}` };
  if (!isLogLevel(value))
    return { status: 400, body: `${usage(`unknown log level "${value}"`)}${activeLoggers(logger)}` };
  if (logger.level !== value) {
    // Said before the change, so raising the level to `error` still leaves a trace of who did it.
    logger.info(`change all log levels: level='${value}'`);
    logger.level = value;
  }
  return { status: 200, body: activeLoggers(logger) };
}
