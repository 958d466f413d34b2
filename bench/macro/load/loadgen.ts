// Runs one LoadJob in a separate Node process (so the generator never shares an event loop with the
// benchmark's bookkeeping) and reports when its measured window opens and closes.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { LoadEvent, LoadJob, LoadResult } from './load-job.ts';

const MAIN = fileURLToPath(new URL('./loadgen-main.ts', import.meta.url));

export interface WindowHooks {
  /** Called when warm-up ends and counting starts. */
  readonly onMeasuring?: () => void;
  /** Called when counting stops, before the result is parsed. */
  readonly onMeasured?: () => void;
}

export function runLoad(job: LoadJob, hooks: WindowHooks = {}): Promise<LoadResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, JSON.stringify(job)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    let settled = false;
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      let event: LoadEvent;
      try {
        event = JSON.parse(line) as LoadEvent;
      } catch {
        return;
      }
      if (event.event === 'measuring') hooks.onMeasuring?.();
      else if (event.event === 'measured') hooks.onMeasured?.();
      else if (event.event === 'done') {
        settled = true;
        resolve(event.result);
      } else {
        settled = true;
        reject(new Error(`load generator: ${event.error}`));
      }
    });
    child.on('exit', (code) => {
      if (!settled)
        reject(new Error(`load generator exited with ${code}: ${stderr.trim().split('\n').slice(-5).join('\n')}`));
    });
  });
}
