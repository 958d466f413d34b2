// Summarises a V8 .cpuprofile (node --cpu-prof): self time per function and per file, and inclusive time
// of our own functions, largest first, so a profile can be read in a terminal or quoted in a report.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  readonly id: number;
  readonly children?: readonly number[];
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface SelfTime {
  readonly name: string;
  readonly ms: number;
  /** Share of all sampled time, idle included. */
  readonly percent: number;
}

export interface ProfileSummary {
  readonly totalMs: number;
  /** Time the thread had nothing to run (V8's "(idle)"). */
  readonly idleMs: number;
  readonly functions: readonly SelfTime[];
  readonly files: readonly SelfTime[];
  /** Time spent in a function or anything it called, for functions in `ownCode` files only. */
  readonly inclusive: readonly SelfTime[];
}

function shortUrl(url: string, root: string): string {
  if (url === '') return '(native)';
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  return path.startsWith(root) ? relative(root, path) : path;
}

function top(map: Map<string, number>, total: number, count: number): SelfTime[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, us]) => ({ name, ms: us / 1000, percent: (100 * us) / total }));
}

function frameName(node: ProfileNode, root: string): string {
  const { functionName, url, lineNumber } = node.callFrame;
  return `${functionName || '(anonymous)'} ${shortUrl(url, root)}${url === '' ? '' : `:${lineNumber + 1}`}`;
}

/** `ownCode` picks the files whose functions get inclusive times (meshgate's bundle or sources). */
export function summariseProfile(
  file: string,
  root: string,
  ownCode: (path: string) => boolean,
  count = 25,
): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const functions = new Map<string, number>();
  const files = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]!);
    const us = profile.timeDeltas[i] ?? 0;
    if (node === undefined) continue;
    total += us;
    if (node.callFrame.functionName === '(idle)') {
      idle += us;
      continue;
    }
    const where = shortUrl(node.callFrame.url, root);
    const name = frameName(node, root);
    functions.set(name, (functions.get(name) ?? 0) + us);
    files.set(where, (files.get(where) ?? 0) + us);
    // Each of our functions on the stack counts once, however deep the recursion.
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id);
      if (frame === undefined || !ownCode(shortUrl(frame.callFrame.url, root))) continue;
      const own = frameName(frame, root);
      if (seen.has(own)) continue;
      seen.add(own);
      inclusive.set(own, (inclusive.get(own) ?? 0) + us);
    }
  }
  return {
    totalMs: total / 1000,
    idleMs: idle / 1000,
    functions: top(functions, total, count),
    files: top(files, total, count),
    inclusive: top(inclusive, total, count),
  };
}
