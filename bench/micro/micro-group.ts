// The micro-benchmark results of one group (SNI parse, host match, ...), as run-micro.ts prints them.
import type { MicroResult } from './harness.ts';

export interface MicroGroup {
  readonly group: string;
  readonly results: readonly MicroResult[];
}
