// Lists the YAML files under --config paths and tells which changed since the last look, from their stat
// alone: the directory source re-reads only those, instead of every file on every event and rescan.
import type { BigIntStats } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

const YAML_FILE = /\.ya?ml$/i;

/**
 * What identifies one version of a file without reading it. ctime changes on every write and cannot be
 * set back by tools that preserve mtime (`cp -p`, `touch -r`); the inode changes when a file is replaced
 * by a rename (editors, Kubernetes' ConfigMap symlink swap). Nanoseconds, so quick rewrites differ too.
 */
export function fileStamp(info: BigIntStats): string {
  return `${info.dev}:${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`;
}

export interface FileVersion {
  readonly file: string;
  readonly stamp: string;
  /** Absent when the stamp is the one the caller already had: the file was not read again. */
  readonly content?: string;
}

/**
 * Stats every file (concurrently) and reads those whose stamp differs from `known(file)`; files that
 * vanish or cannot be read in between are left out, as a later look will settle them.
 */
export async function readChanged(
  files: readonly string[],
  known: (file: string) => string | undefined,
): Promise<FileVersion[]> {
  const versions = await Promise.all(
    files.map(async (file): Promise<FileVersion | undefined> => {
      const info = await stat(file, { bigint: true }).catch(() => undefined);
      if (info === undefined) return undefined;
      const stamp = fileStamp(info);
      if (stamp === known(file)) return { file, stamp };
      const content = await readFile(file, 'utf8').catch(() => undefined);
      return content === undefined ? undefined : { file, stamp, content };
    }),
  );
  return versions.filter((v) => v !== undefined);
}

/** YAML files under `path` (hidden entries skipped: editors' temp files, Kubernetes' `..data`). */
export async function listYaml(path: string, explicit: boolean): Promise<string[]> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) return [];
  if (!info.isDirectory()) return explicit || YAML_FILE.test(path) ? [path] : [];
  const names = await readdir(path).catch(() => [] as string[]);
  const out: string[] = [];
  for (const name of names.filter((n) => !n.startsWith('.')).sort()) {
    const child = join(path, name);
    const childInfo = await stat(child).catch(() => undefined);
    if (childInfo?.isDirectory() === true) out.push(...(await listYaml(child, false)));
    else if (childInfo !== undefined && YAML_FILE.test(name)) out.push(child);
  }
  return out;
}
