// A finding placed in its file (line and column of the offending field) and tied to its resource.
import type { PositionLookup, SourcePosition } from '../config/resource.ts';
import type { Finding } from './findings.ts';

export interface LocatedFinding extends Finding {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Absent for problems found before a document's kind is known (e.g. invalid YAML). */
  readonly kind?: string;
  readonly namespace?: string;
  readonly name?: string;
}

/** What the findings of one document are about. */
export interface FindingSubject {
  readonly kind?: string | undefined;
  readonly namespace?: string | undefined;
  readonly name?: string | undefined;
}

export function locate(
  findings: readonly Finding[],
  positions: PositionLookup,
  subject: FindingSubject,
): LocatedFinding[] {
  return findings.map((finding) => ({
    ...finding,
    ...positionFields(positions(finding.path)),
    ...definedOnly(subject),
  }));
}

export function positionFields(position: SourcePosition): { file: string; line: number; column: number } {
  return { file: position.file, line: position.line, column: position.column };
}

function definedOnly(subject: FindingSubject): { kind?: string; namespace?: string; name?: string } {
  return Object.fromEntries(Object.entries(subject).filter(([, v]) => v !== undefined && v !== ''));
}
