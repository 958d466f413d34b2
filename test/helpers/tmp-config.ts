// A temp folder of Istio YAML files that a test writes, replaces and deletes while a proxy watches it.
import { mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class TmpConfigDir {
  readonly path: string;
  #counter = 0;

  private constructor(path: string) {
    this.path = path;
  }

  static async create(prefix = 'meshgate-config-'): Promise<TmpConfigDir> {
    return new TmpConfigDir(await mkdtemp(join(tmpdir(), prefix)));
  }

  /**
   * Writes (or replaces) `name` atomically: the content goes to a hidden temp file first and is renamed
   * into place, so a watcher never reads half a file. Returns the file's path.
   */
  async write(name: string, content: string): Promise<string> {
    const target = join(this.path, name);
    const temp = join(this.path, `.${name}.${process.pid}.${++this.#counter}.tmp`);
    await writeFile(temp, content);
    await rename(temp, target);
    return target;
  }

  /** Writes in place with a plain write, as an editor without atomic save would. */
  async writeInPlace(name: string, content: string): Promise<string> {
    const target = join(this.path, name);
    await writeFile(target, content);
    return target;
  }

  async remove(name: string): Promise<void> {
    await rm(join(this.path, name), { force: true });
  }

  /** File names currently in the folder (hidden temp files excluded). */
  async list(): Promise<string[]> {
    return (await readdir(this.path)).filter((n) => !n.startsWith('.')).sort();
  }

  async cleanup(): Promise<void> {
    await rm(this.path, { recursive: true, force: true });
  }
}
