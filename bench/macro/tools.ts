// Finds the external programs the benchmark drives (Squid, tinyproxy, wrk) and says how to install a
// missing one, so a run never skips a peer silently.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The Debian package that provides each program. */
const PACKAGES: Readonly<Record<string, string>> = { squid: 'squid', tinyproxy: 'tinyproxy', wrk: 'wrk' };

// Squid lives in /usr/sbin, which a non-root PATH often lacks.
const EXTRA_DIRS = ['/usr/sbin', '/usr/local/sbin', '/sbin'];

/** The absolute path of `program`, or undefined when it is not installed. */
export function findProgram(program: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter((d) => d !== ''), ...EXTRA_DIRS];
  for (const dir of dirs) {
    const path = join(dir, program);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** The exact command that installs the given programs on Debian and Ubuntu. */
export function installHint(programs: readonly string[]): string {
  return `apt-get install -y ${programs.map((p) => PACKAGES[p] ?? p).join(' ')}`;
}
