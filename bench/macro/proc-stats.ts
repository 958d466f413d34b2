// Reads a process's memory and CPU from /proc (Linux): resident set size from /proc/<pid>/status and
// user+system CPU time from /proc/<pid>/stat, summed over the process and its descendants.
import { readdirSync, readFileSync } from 'node:fs';

/** USER_HZ: the unit of utime/stime in /proc/<pid>/stat; 100 on every Linux this runs on. */
const TICKS_PER_SECOND = 100;

export interface ProcessSample {
  /** Resident set size in bytes (VmRSS), all processes of the tree. */
  readonly rssBytes: number;
  /** CPU time (user + system) in seconds, all threads of all processes of the tree. */
  readonly cpuSeconds: number;
}

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The fields of /proc/<pid>/stat after the command name, which may itself hold spaces and parentheses. */
function statFields(pid: number): string[] | undefined {
  const text = readOrUndefined(`/proc/${pid}/stat`);
  if (text === undefined) return undefined;
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

function rssBytes(pid: number): number {
  const status = readOrUndefined(`/proc/${pid}/status`);
  const kb = status === undefined ? undefined : /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
  return kb === undefined ? 0 : Number(kb) * 1024;
}

function cpuSeconds(pid: number): number {
  const fields = statFields(pid);
  // Fields 14 and 15 of stat(5) (utime, stime) are at 11 and 12 once state (field 3) is at 0.
  if (fields === undefined) return 0;
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** The pid and every live descendant (Squid's log daemon, for instance). */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(Number(entry));
    if (fields === undefined) continue;
    const parent = Number(fields[1]);
    const list = children.get(parent) ?? [];
    list.push(Number(entry));
    children.set(parent, list);
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]!) ?? []));
  return tree;
}

export function sampleTree(pids: readonly number[]): ProcessSample {
  let rss = 0;
  let cpu = 0;
  for (const pid of pids) {
    rss += rssBytes(pid);
    cpu += cpuSeconds(pid);
  }
  return { rssBytes: rss, cpuSeconds: cpu };
}

/** Samples `root` and its descendants as they are now (the tree is re-read each time). */
export function sampleProcess(root: number): ProcessSample {
  return sampleTree(processTree(root));
}
