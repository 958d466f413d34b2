// Findings produced by decoding and validation: every problem is gathered, none throws.
import type { FieldPath } from '../config/resource.ts';

export type Severity = 'error' | 'warning';

/** One problem in one resource; `path` is relative to the resource's `spec` unless it starts with '$'. */
export interface Finding {
  readonly severity: Severity;
  readonly code: string;
  readonly message: string;
  readonly path: FieldPath;
}

/** Collects findings for one resource; rules call error()/warning() and keep going. */
export class Findings {
  readonly #items: Finding[] = [];

  error(path: FieldPath, code: string, message: string): void {
    this.#items.push({ severity: 'error', code, message, path });
  }

  warning(path: FieldPath, code: string, message: string): void {
    this.#items.push({ severity: 'warning', code, message, path });
  }

  get items(): readonly Finding[] {
    return this.#items;
  }

  get hasErrors(): boolean {
    return this.#items.some((f) => f.severity === 'error');
  }
}
