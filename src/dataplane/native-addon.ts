// Loads meshgate's native addons (built by `npm run build:native` into build/Release) and reads the
// kernel descriptor behind a socket, which is what the addons work on.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The loaded addon, or why it could not be loaded. */
export type AddonLoad<T> = { readonly addon: T } | { readonly error: string };

// The module runs from src/ under tsx and from a bundle in dist/, so the package root is found by
// walking up to the first directory that holds the built addon.
function findAddon(file: string): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 5; depth++) {
    const candidate = join(dir, file);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

/** Loads `build/Release/<name>.node`; never throws. The addons are Linux-only. */
export function loadNativeAddon<T>(name: string): AddonLoad<T> {
  if (process.platform !== 'linux') return { error: `${name} exists only on Linux (this is ${process.platform})` };
  const file = join('build', 'Release', `${name}.node`);
  const path = findAddon(file);
  if (path === undefined) return { error: `${file} was not built` };
  try {
    return { addon: createRequire(import.meta.url)(path) as T };
  } catch (err) {
    return { error: `loading ${path} failed: ${(err as Error).message}` };
  }
}

/** The kernel fd of a connected net.Socket, or undefined for anything else (a TLS socket, a closed one). */
export function socketFd(socket: Socket): number | undefined {
  // net.Socket keeps its libuv handle in _handle; a TCP handle exposes the kernel fd on Linux.
  const handle = (socket as unknown as { _handle?: { fd?: unknown } | null })._handle;
  const fd = handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}

const errnoNames = new Map<number, string>(Object.entries(constants.errno).map(([name, value]) => [value, name]));

/** `ECONNREFUSED` for 111: how the addons' errno values are shown. */
export function errnoName(errno: number): string {
  return errnoNames.get(errno) ?? `errno ${errno}`;
}
