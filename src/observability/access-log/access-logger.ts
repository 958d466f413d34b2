// Turns a finished StreamInfo into one access-log line in the configured format and hands it to the sink.
import type { StreamInfo } from '../../dataplane/stream-info.ts';
import { formatEnvoyText } from './envoy-format.ts';
import { formatIstioJson } from './json-format.ts';
import type { AccessLogSink } from './sink.ts';

/** `--access-log-format`. */
export type AccessLogFormat = 'text' | 'json';

export const ACCESS_LOG_FORMATS: readonly AccessLogFormat[] = ['text', 'json'];

export type StreamFormatter = (info: StreamInfo) => string;

export function formatterFor(format: AccessLogFormat): StreamFormatter {
  return format === 'json' ? formatIstioJson : formatEnvoyText;
}

/** The one call the data plane makes when a stream ends. */
export class AccessLogger {
  readonly #format: StreamFormatter;
  readonly #sink: AccessLogSink;

  constructor(format: AccessLogFormat, sink: AccessLogSink) {
    this.#format = formatterFor(format);
    this.#sink = sink;
  }

  log(info: StreamInfo): void {
    this.#sink.write(this.#format(info));
  }

  flush(): Promise<void> {
    return this.#sink.flush();
  }

  close(): Promise<void> {
    return this.#sink.close();
  }
}
