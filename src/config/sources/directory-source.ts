// Watches --config files and folders (fs.watch, debounced, plus a periodic rescan for filesystems whose
// events are lost) and keeps, per file, its last version that parsed and validated: a broken file is
// rejected whole while its previous good version stays live; a deleted file takes its resources with it.
import { watch, type FSWatcher } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { LocatedFinding } from '../../validation/located-finding.ts';
import { checkYamlTexts } from '../../validation/validate.ts';
import { loadMeshConfig } from '../mesh-config.ts';
import type { ConfigResource, ConfigSet, MeshConfig } from '../model.ts';
import { formatKey } from '../resource.ts';
import { listYaml, readChanged } from './file-stamps.ts';

export interface RejectedFile {
  readonly file: string;
  /** Errors as `file:line:col: message` lines. */
  readonly errors: readonly string[];
  /** Whether an earlier good version of this file is still being served. */
  readonly servingLastGood: boolean;
}

export interface ConfigState {
  /** Increments on every accepted change. */
  readonly version: number;
  readonly configSet: ConfigSet;
  readonly files: readonly string[];
  readonly rejected: readonly RejectedFile[];
  readonly warnings: readonly string[];
}

export interface DirectorySourceOptions {
  readonly namespace: string;
  readonly meshConfigPath?: string;
  readonly debounceMs?: number;
  readonly rescanMs?: number;
  /** Told about an unexpected failure while reloading (a bug); the last published state stays. */
  readonly onError?: (error: unknown) => void;
}

interface FileEntry {
  content: string;
  /** fileStamp of the version `content` was read from; an unchanged stamp means the file is not re-read. */
  stamp: string;
  /** The last version that loaded without errors. */
  good: ConfigSet | undefined;
  rejected: RejectedFile | undefined;
  warnings: string[];
}

function formatFinding(f: LocatedFinding): string {
  return `${f.file}:${f.line}:${f.column}: ${f.severity}: ${f.message} [${f.code}]`;
}

export class DirectorySource {
  readonly #paths: readonly string[];
  readonly #options: DirectorySourceOptions;
  readonly #files = new Map<string, FileEntry>();
  #meshText: string | undefined;
  #mesh: MeshConfig | undefined;
  #meshRejected: RejectedFile | undefined;
  #version = 0;
  #state: ConfigState | undefined;
  #watchers: FSWatcher[] = [];
  #timer: NodeJS.Timeout | undefined;
  #rescan: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #listener: ((state: ConfigState) => void) | undefined;
  /** --config paths that do not exist (yet); they are watched for and reported as warnings. */
  #missing: string[] = [];

  constructor(paths: readonly string[], options: DirectorySourceOptions) {
    this.#paths = paths;
    this.#options = options;
  }

  get state(): ConfigState | undefined {
    return this.#state;
  }

  /** Loads everything once; then (if `watch`) reports each accepted change to `onChange`. */
  async start(onChange?: (state: ConfigState) => void): Promise<ConfigState> {
    await this.#sync();
    this.#listener = onChange;
    if (onChange !== undefined) await this.#watch();
    return this.#state!;
  }

  close(): void {
    for (const w of this.#watchers) w.close();
    this.#watchers = [];
    clearTimeout(this.#timer);
    clearInterval(this.#rescan);
  }

  /**
   * Folders are watched recursively; a file is watched through its parent folder (not recursively), so
   * an editor's rename-over-save and a file created later are both seen.
   */
  async #watch(): Promise<void> {
    const folders = new Map<string, boolean>();
    for (const path of [
      ...this.#paths,
      ...(this.#options.meshConfigPath !== undefined ? [this.#options.meshConfigPath] : []),
    ]) {
      const isDir = (await stat(path).catch(() => undefined))?.isDirectory() === true;
      if (isDir) folders.set(path, true);
      else if (!folders.has(dirname(path))) folders.set(dirname(path), false);
    }
    for (const [folder, recursive] of folders) {
      try {
        const w = watch(folder, { recursive }, () => this.#schedule());
        w.on('error', () => w.close());
        this.#watchers.push(w);
      } catch {
        // The periodic rescan covers paths that cannot be watched (missing yet, or no inotify).
      }
    }
    this.#rescan = setInterval(() => this.#schedule(), this.#options.rescanMs ?? 1000);
    this.#rescan.unref();
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#kick(), this.#options.debounceMs ?? 200);
    this.#timer.unref();
  }

  async #kick(): Promise<void> {
    if (this.#running !== undefined) {
      this.#again = true;
      return;
    }
    this.#running = this.#sync()
      .then((changed) => {
        if (changed && this.#listener !== undefined && this.#state !== undefined) this.#listener(this.#state);
      })
      .catch((error: unknown) => this.#options.onError?.(error));
    try {
      await this.#running;
    } finally {
      this.#running = undefined;
      if (this.#again) {
        this.#again = false;
        void this.#kick();
      }
    }
  }

  /** Re-reads what changed; returns whether the served configuration (or its rejections) changed. */
  async #sync(): Promise<boolean> {
    let changed = await this.#syncMesh();
    const meshChanged = changed;
    const present = new Set(await this.#listFiles());
    for (const file of [...this.#files.keys()]) {
      if (!present.has(file)) {
        this.#files.delete(file);
        changed = true;
      }
    }
    // A mesh config change re-validates every file (defaults come from it), so then every file is read.
    const versions = await readChanged([...present].sort(), (file) =>
      meshChanged ? undefined : this.#files.get(file)?.stamp,
    );
    for (const { file, stamp, content } of versions) {
      const entry = this.#files.get(file);
      if (content === undefined) continue;
      if (entry !== undefined && entry.content === content && !meshChanged) {
        entry.stamp = stamp;
        continue;
      }
      this.#loadFile(file, content, stamp, entry);
      changed = true;
    }
    if (changed || this.#state === undefined) this.#publish();
    return changed;
  }

  async #syncMesh(): Promise<boolean> {
    const path = this.#options.meshConfigPath;
    if (path === undefined) {
      if (this.#mesh !== undefined) return false;
      this.#mesh = (await loadMeshConfig(undefined)).mesh;
      return true;
    }
    const text = await readFile(path, 'utf8').catch(() => '\u0000unreadable');
    if (text === this.#meshText) return false;
    this.#meshText = text;
    const result = await loadMeshConfig(path);
    if (result.rejected) {
      const errors = [
        ...(result.unreadable !== undefined ? [`${path}: ${result.unreadable.message}`] : []),
        ...result.findings.filter((f) => f.severity === 'error').map(formatFinding),
      ];
      this.#meshRejected = { file: path, errors, servingLastGood: this.#mesh !== undefined };
      if (this.#mesh === undefined) this.#mesh = result.mesh;
      return true;
    }
    this.#meshRejected = undefined;
    this.#mesh = result.mesh;
    return true;
  }

  /**
   * Checks one file's content as read by #sync, against the mesh config being served (the last good one
   * when the mesh file is broken): no second read of the file or of the mesh config per file.
   */
  #loadFile(file: string, content: string, stamp: string, previous: FileEntry | undefined): void {
    const result = checkYamlTexts([{ file, text: content }], this.#mesh!, { namespace: this.#options.namespace });
    const errors = result.findings.filter((f) => f.severity === 'error' && f.file === file).map(formatFinding);
    const warnings = result.findings.filter((f) => f.severity === 'warning' && f.file === file).map(formatFinding);
    if (errors.length === 0) {
      this.#files.set(file, { content, stamp, good: result.configSet, rejected: undefined, warnings });
      return;
    }
    const good = previous?.good;
    const rejected = { file, errors, servingLastGood: good !== undefined };
    this.#files.set(file, { content, stamp, good, rejected, warnings });
  }

  /** Merges every file's last good resources; a resource defined in two files is kept from the first. */
  #publish(): void {
    const seen = new Map<string, string>();
    const warnings: string[] = [];
    const files = [...this.#files.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
    const take = <S>(pick: (c: ConfigSet) => readonly ConfigResource<S>[]): ConfigResource<S>[] => {
      const out: { key: string; resource: ConfigResource<S> }[] = [];
      for (const [file, entry] of files) {
        if (entry.good === undefined) continue;
        for (const resource of pick(entry.good)) {
          const key = formatKey(resource.key);
          const first = seen.get(key);
          if (first !== undefined && first !== file) {
            warnings.push(`${file}: ${key} is ignored: ${first} already defines it`);
            continue;
          }
          seen.set(key, file);
          out.push({ key, resource });
        }
      }
      // Keys made once per resource, not once per comparison: with 10k resources that is 280k strings fewer.
      return out.sort((a, b) => (a.key < b.key ? -1 : 1)).map((e) => e.resource);
    };
    const configSet: ConfigSet = Object.freeze({
      serviceEntries: take((c) => c.serviceEntries),
      virtualServices: take((c) => c.virtualServices),
      destinationRules: take((c) => c.destinationRules),
      sidecars: take((c) => c.sidecars),
      mesh: this.#mesh!,
    });
    const rejected = [
      ...(this.#meshRejected !== undefined ? [this.#meshRejected] : []),
      ...[...this.#files.values()].flatMap((e) => (e.rejected !== undefined ? [e.rejected] : [])),
    ];
    for (const e of this.#files.values()) warnings.push(...e.warnings);
    for (const path of this.#missing) warnings.push(`${path}: no such file or folder (it is loaded when it appears)`);
    this.#version++;
    this.#state = Object.freeze({
      version: this.#version,
      configSet,
      files: [...this.#files.keys()].sort(),
      rejected,
      warnings,
    });
  }

  async #listFiles(): Promise<string[]> {
    const found: string[] = [];
    this.#missing = [];
    for (const path of this.#paths) {
      if ((await stat(path).catch(() => undefined)) === undefined) this.#missing.push(path);
      else found.push(...(await listYaml(path, true)));
    }
    return [...new Set(found)];
  }
}
