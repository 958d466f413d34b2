// Freezes a config value and everything under it, so a loaded ConfigSet cannot change under its readers.
import type { DeepReadonly } from './model.ts';

export function deepFreeze<T>(value: T): DeepReadonly<T> {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value as DeepReadonly<T>;
}
