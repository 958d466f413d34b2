// Prints a load result for people (FILE:LINE:COL lines, like a compiler) or for tools (--output json).
import type { LocatedFinding } from '../validation/located-finding.ts';
import type { LoadResult, SkippedDocument } from '../validation/validate.ts';

export type OutputFormat = 'text' | 'json';

export interface Summary {
  readonly errors: number;
  readonly warnings: number;
  readonly resources: number;
}

export function summarize(result: LoadResult): Summary {
  return {
    errors: result.findings.filter((f) => f.severity === 'error').length,
    warnings: result.findings.filter((f) => f.severity === 'warning').length,
    resources: result.resourceCount,
  };
}

/** `FILE:LINE:COL: error: Kind namespace/name: message` — the position is that of the offending field. */
export function formatFindingLine(finding: LocatedFinding): string {
  return `${finding.file}:${finding.line}:${finding.column}: ${finding.severity}: ${subject(finding)}${finding.message}`;
}

export function formatSkippedLine(doc: SkippedDocument): string {
  const name = doc.name === '' ? '' : ` ${doc.namespace}/${doc.name}`;
  return `${doc.file}:${doc.line}:${doc.column}: skipped: ${doc.kind}${name}: not a kind meshgate reads`;
}

/** The stdout text of `validate --output text`: findings first, then skipped documents. */
export function formatText(result: LoadResult): string {
  const lines = [...result.findings.map(formatFindingLine), ...result.skipped.map(formatSkippedLine)];
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** The stderr summary line of text output. */
export function formatSummaryLine(result: LoadResult): string {
  const s = summarize(result);
  const count = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const skipped = result.skipped.length === 0 ? '' : `, ${result.skipped.length} skipped`;
  return `${count(s.errors, 'error')}, ${count(s.warnings, 'warning')} in ${count(s.resources, 'resource')} (${count(result.files.length, 'file')}${skipped})`;
}

/** The stdout of `validate --output json`: one JSON object, with a stable shape for tools. */
export function formatJson(result: LoadResult): string {
  const body: Record<string, unknown> = {
    findings: result.findings.map((f) => ({
      file: f.file,
      line: f.line,
      column: f.column,
      severity: f.severity,
      code: f.code,
      kind: f.kind ?? null,
      namespace: f.namespace ?? null,
      name: f.name ?? null,
      message: f.message,
    })),
    skipped: result.skipped.map((d) => ({ ...d })),
    summary: summarize(result),
  };
  if (result.unreadable.length > 0) body['unreadable'] = result.unreadable.map((u) => ({ ...u }));
  return `${JSON.stringify(body, null, 2)}\n`;
}

function subject(finding: LocatedFinding): string {
  if (finding.kind === undefined) return '';
  if (finding.name === undefined) return `${finding.kind}: `;
  return `${finding.kind} ${finding.namespace ?? ''}/${finding.name}: `;
}
