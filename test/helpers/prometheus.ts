// Reads Prometheus text exposition as a scraper would: samples with their labels (in printed order) and values.
import { ISTIO_HTTP_LABELS, ISTIO_TCP_LABELS } from '../../src/observability/metrics/metric-names.ts';

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (m === null) throw new Error(`not a Prometheus sample: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1]!] = l[2]!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

/** Samples of one metric, as `{labels, value}`, in the order printed. */
export function seriesOf(
  samples: readonly Sample[],
  name: string,
): { labels: Record<string, string>; value: number }[] {
  return samples.filter((s) => s.name === name).map((s) => ({ labels: { ...s.labels }, value: s.value }));
}

/** The one value of `name` whose labels include all of `want`; undefined when none, an error when several. */
export function valueOf(
  samples: readonly Sample[],
  name: string,
  want: Readonly<Record<string, string>> = {},
): number | undefined {
  const hits = samples.filter((s) => s.name === name && Object.entries(want).every(([k, v]) => s.labels[k] === v));
  if (hits.length > 1) throw new Error(`${hits.length} series of ${name} match ${JSON.stringify(want)}`);
  return hits[0]?.value;
}

/** Istio's full client-side label set for an HTTP series, in Istio's order, with `unknown` for the rest. */
export function istioHttpLabels(values: Readonly<Record<string, string>>, namespace: string): Record<string, string> {
  return fill(ISTIO_HTTP_LABELS, { grpc_response_status: '', request_protocol: 'http', ...values }, namespace);
}

export function istioTcpLabels(values: Readonly<Record<string, string>>, namespace: string): Record<string, string> {
  return fill(ISTIO_TCP_LABELS, { request_protocol: 'tcp', ...values }, namespace);
}

function fill(
  names: readonly string[],
  values: Readonly<Record<string, string>>,
  namespace: string,
): Record<string, string> {
  const defaults: Record<string, string> = {
    reporter: 'source',
    source_canonical_revision: 'latest',
    source_workload_namespace: namespace,
    response_flags: '-',
  };
  const labels: Record<string, string> = {};
  for (const name of names) labels[name] = values[name] ?? defaults[name] ?? 'unknown';
  return labels;
}
