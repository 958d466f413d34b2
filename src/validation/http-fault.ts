// Checks a route's fault injection (HTTPFaultInjection): an abort and/or a delay, each with a valid percentage.
import type { FieldPath } from '../config/resource.ts';
import type { Percent } from '../config/wire/common.ts';
import type { HTTPFaultInjection } from '../config/wire/virtual-service.ts';
import { checkDurationField, validatePercentage } from './fields.ts';
import type { Findings } from './findings.ts';

/** gRPC status names Istio maps to codes (grpc/doc/statuscodes.md). */
export const GRPC_STATUS_NAMES: ReadonlySet<string> = new Set([
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
]);

/**
 * Istio's validateHTTPStatus: the message says 200-599 but the check lets 600 through; we keep the
 * check as Istio has it so the same resources are accepted.
 */
export function httpStatusProblem(status: number): string | undefined {
  if (!(status >= 200 && status <= 600)) return `HTTP status ${status} is not in range 200-599`;
  return undefined;
}

function checkPercentage(percentage: Percent | null | undefined, path: FieldPath, findings: Findings): void {
  if (!percentage) return;
  const problem = validatePercentage(percentage.value ?? 0);
  if (problem !== undefined) findings.error([...path, 'value'], 'VS_FAULT_PERCENTAGE_INVALID', problem);
}

function checkAbort(abort: NonNullable<HTTPFaultInjection['abort']>, path: FieldPath, findings: Findings): void {
  checkPercentage(abort.percentage, [...path, 'percentage'], findings);
  if (abort.grpcStatus !== undefined) {
    if (!GRPC_STATUS_NAMES.has(abort.grpcStatus)) {
      findings.error(
        [...path, 'grpcStatus'],
        'VS_FAULT_GRPC_STATUS_UNKNOWN',
        `gRPC status "${abort.grpcStatus}" is not supported. See https://github.com/grpc/grpc/blob/master/doc/statuscodes.md ` +
          "for a list of supported codes, for example 'NOT_FOUND'",
      );
    }
  } else if (abort.http2Error !== undefined) {
    findings.error(
      [...path, 'http2Error'],
      'VS_FAULT_HTTP2_ERROR_UNSUPPORTED',
      'HTTP/2 abort fault injection not supported yet',
    );
  } else if (abort.httpStatus !== undefined) {
    const problem = httpStatusProblem(abort.httpStatus);
    if (problem !== undefined) findings.error([...path, 'httpStatus'], 'VS_FAULT_HTTP_STATUS_INVALID', problem);
  } else {
    findings.warning(path, 'VS_FAULT_ABORT_NO_ERROR_TYPE', 'abort configured, but error type not set');
  }
}

function checkDelay(delay: NonNullable<HTTPFaultInjection['delay']>, path: FieldPath, findings: Findings): void {
  checkPercentage(delay.percentage, [...path, 'percentage'], findings);
  if (delay.fixedDelay !== undefined) {
    checkDurationField(delay.fixedDelay, [...path, 'fixedDelay'], findings, 'VS_FAULT_DELAY_INVALID');
  } else if (delay.exponentialDelay !== undefined) {
    checkDurationField(delay.exponentialDelay, [...path, 'exponentialDelay'], findings, 'VS_FAULT_DELAY_INVALID');
    findings.error(
      [...path, 'exponentialDelay'],
      'VS_FAULT_EXPONENTIAL_DELAY_UNSUPPORTED',
      'exponentialDelay not supported yet',
    );
  }
}

export function checkHTTPFault(
  fault: HTTPFaultInjection | null | undefined,
  path: FieldPath,
  findings: Findings,
): void {
  if (!fault) return;
  if (!fault.abort && !fault.delay) {
    findings.error(path, 'VS_FAULT_EMPTY', 'HTTP fault injection must have an abort and/or a delay');
  }
  if (fault.abort) checkAbort(fault.abort, [...path, 'abort'], findings);
  if (fault.delay) checkDelay(fault.delay, [...path, 'delay'], findings);
}
