// Istio's ValidateDuration: at least 1ms and a whole number of milliseconds (Envoy's precision).
import { parseDurationMs } from '../config/duration.ts';
import { formatFieldPath } from '../config/field-path.ts';
import type { FieldPath } from '../config/resource.ts';
import type { Findings } from './findings.ts';

export const DurationCode = { invalid: 'invalid-duration' } as const;

/** Checks one duration field; `allowZero` is for fields where 0 means "off" (e.g. protocolDetectionTimeout). */
export function checkDuration(value: string | undefined, path: FieldPath, findings: Findings, allowZero = false): void {
  if (value === undefined) return;
  const field = formatFieldPath(path);
  const ms = parseDurationMs(value);
  if (ms === undefined) {
    findings.error(path, DurationCode.invalid, `${field}: "${value}" is not a duration (write e.g. "10s", "1.5s" or "250ms")`);
  } else if (allowZero && ms === 0) {
    return;
  } else if (ms < 1) {
    findings.error(path, DurationCode.invalid, `${field}: duration must be greater than 1ms, got "${value}"`);
  } else if (!Number.isInteger(Math.round(ms * 1e6) / 1e6)) {
    findings.error(path, DurationCode.invalid, `${field}: only durations to ms precision are supported, got "${value}"`);
  }
}
