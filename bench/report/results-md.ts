// Writes bench/RESULTS.md from one run: machine, targets with PASS/FAIL, a table per scenario, memory,
// config scale and micro-benchmarks. bench/README.md explains how to read it.
import type { PeerName } from '../macro/peers/peer.ts';
import type { ConfigScaleOutcome } from '../macro/scenarios/config-scale.ts';
import { max, median, min } from '../stats.ts';
import type { BenchReport } from './bench-report.ts';
import { fixed, megabytes, table } from './markdown.ts';
import { latencyTable, problemNotes, throughputTable } from './scenario-tables.ts';
import { evaluateTargets } from './targets.ts';

function header(report: BenchReport): string {
  const { machine: m, options: o } = report;
  const mode = o.quick ? 'quick (harness check; not for comparing numbers)' : 'full';
  return [
    '# meshgate benchmark results',
    '',
    'Written by `npm run bench` (bench/run.ts); regenerate rather than edit. How to read it: bench/README.md.',
    '',
    table(
      ['', ''],
      [
        ['date', m.date],
        ['commit', m.commit],
        ['Node', m.node],
        ['CPU', `${m.cpuModel}, ${m.cores} cores`],
        ['memory', `${m.memoryGiB} GiB`],
        [
          'load average (1 min)',
          `${m.loadAverage} at start, ${report.loadAverageAtEnd} at end (shared machine: compare peers within this run only)`,
        ],
        [
          'mode',
          `${mode}: ${o.reps} repetition(s), ${o.seconds} s measured after ${o.warmupSeconds} s warm-up, peers interleaved`,
        ],
        ['run time', `${Math.round(report.seconds)} s`],
      ],
    ),
  ].join('\n');
}

function peerSection(report: BenchReport): string {
  const lines = ['## Peers', ''];
  for (const [name, version] of Object.entries(report.versions)) lines.push(`- ${name}: ${version}`);
  for (const s of report.skippedPeers) lines.push(`- **${s.name}: skipped** — ${s.reason}`);
  return lines.join('\n');
}

function targetSection(report: BenchReport): string {
  const rows = evaluateTargets(report).map((t) => [t.target, t.measured, `**${t.verdict}**`]);
  return ['## Targets', '', table(['target', 'measured', 'result'], rows)].join('\n');
}

function scenarioSections(report: BenchReport): string[] {
  return report.scenarios.map((outcome) => {
    const lines = [`## ${outcome.title}`, ''];
    if (outcome.skipped !== undefined) return [...lines, `Skipped: ${outcome.skipped}`].join('\n');
    lines.push(outcome.id === 'latency' ? latencyTable(outcome) : throughputTable(outcome));
    const notes = problemNotes(outcome);
    if (notes.length > 0) lines.push('', 'Errors and notes:', ...notes);
    return lines.join('\n');
  });
}

function memorySection(report: BenchReport): string | undefined {
  if (report.idleRss.size === 0) return undefined;
  const peak = (peer: PeerName): number =>
    max(report.scenarios.flatMap((s) => (s.samples.get(peer) ?? []).map((x) => x.peakRssBytes ?? Number.NaN)));
  const rows = [...report.idleRss.keys()].map((peer) => [
    peer,
    megabytes(report.idleRss.get(peer)),
    megabytes(peak(peer)),
    megabytes(report.idleRssAfterLoad.get(peer)),
  ]);
  return [
    '## Memory (RSS of the proxy process and its children, from /proc)',
    '',
    table(['peer', 'idle after start', 'peak under load (any scenario)', 'idle after all load'], rows),
  ].join('\n');
}

function scaleSection(scale: ConfigScaleOutcome | undefined): string | undefined {
  if (scale === undefined) return undefined;
  const lines = ['## Config scale (meshgate only)', ''];
  if (scale.skipped !== undefined) return [...lines, `Skipped: ${scale.skipped}`].join('\n');
  const rows = scale.rows.map((r) => [
    r.services.toLocaleString('en-US'),
    String(r.files),
    fixed(r.compile?.cold.loadMs, 0),
    fixed(r.compile?.cold.compileMs, 0),
    fixed(r.compile?.warm.loadMs, 0),
    fixed(r.compile?.warm.compileMs, 0),
    fixed(r.startupMs, 0),
    megabytes(r.rssBytes),
    r.reloadMs.length === 0
      ? '—'
      : `${fixed(median(r.reloadMs), 0)} (${fixed(min(r.reloadMs), 0)}–${fixed(max(r.reloadMs), 0)})`,
    r.versionSource === undefined ? '—' : `${fixed(r.pollMs, 0)} (${r.versionSource})`,
  ]);
  lines.push(
    table(
      [
        'ServiceEntries',
        'files',
        'load ms (cold)',
        'compile ms (cold)',
        'load ms (warm)',
        'compile ms (warm)',
        'start → /ready ms',
        'idle RSS',
        'one-file change live, ms',
        'slowest version poll, ms',
      ],
      rows,
    ),
  );
  for (const r of scale.rows)
    if (r.failure !== undefined) lines.push('', `- ${r.services}: failed: ${r.failure.split('\n')[0]}`);
  return lines.join('\n');
}

function microSection(micro: BenchReport['micro']): string | undefined {
  if (micro === undefined) return undefined;
  const lines = ['## Micro-benchmarks (ns per call, median of batches; range = fastest–slowest batch)', ''];
  if ('skipped' in micro) return [...lines, `Skipped: ${micro.skipped}`].join('\n');
  for (const g of micro) {
    lines.push(
      `### ${g.group}`,
      '',
      table(
        ['case', 'ns/call', 'range'],
        g.results.map((r) => [r.name, fixed(r.nsPerOp, 1), `${fixed(r.minNs, 1)}–${fixed(r.maxNs, 1)}`]),
      ),
      '',
    );
  }
  return lines.join('\n').trimEnd();
}

export function renderResults(report: BenchReport): string {
  const sections = [
    header(report),
    peerSection(report),
    targetSection(report),
    ...scenarioSections(report),
    memorySection(report),
    scaleSection(report.configScale),
    microSection(report.micro),
  ];
  return `${sections.filter((s) => s !== undefined).join('\n\n')}\n`;
}
