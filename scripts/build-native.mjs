// Builds the SO_ORIGINAL_DST addon (native/original_dst.cc) with node-gyp at install time.
// Only transparent capture needs it, so a failed build warns instead of failing the install: explicit
// proxy mode keeps working, and `meshgate proxy --capture` reports the missing addon at startup.
import { spawnSync } from 'node:child_process';

if (process.platform !== 'linux') {
  console.warn(
    `meshgate: skipping the SO_ORIGINAL_DST addon (transparent capture needs Linux, this is ${process.platform})`,
  );
  process.exit(0);
}
// npm puts node-gyp on PATH for lifecycle scripts: ours from devDependencies, or npm's own copy.
const result = spawnSync('node-gyp', ['rebuild'], { stdio: 'inherit' });
if (result.status !== 0) {
  const why = result.error ? result.error.message : `node-gyp exited with ${result.status ?? result.signal}`;
  console.warn(`meshgate: could not build the SO_ORIGINAL_DST addon (${why}); transparent capture will be unavailable`);
}
