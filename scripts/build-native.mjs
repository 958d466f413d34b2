// Builds the native addons with node-gyp at install time: SO_ORIGINAL_DST (native/original_dst.cc) for
// transparent capture, and the tunnel relay (native/tunnel_relay.cc). Both are optional, so a failed
// build warns instead of failing the install: explicit proxy mode keeps working, tunnels run on Node's
// streams, and `meshgate proxy` reports the missing capture addon at startup.
import { spawnSync } from 'node:child_process';

if (process.platform !== 'linux') {
  console.warn(
    `meshgate: skipping the native addons (transparent capture and the tunnel relay need Linux, this is ${process.platform})`,
  );
  process.exit(0);
}
// npm puts node-gyp on PATH for lifecycle scripts: ours from devDependencies, or npm's own copy.
const result = spawnSync('node-gyp', ['rebuild'], { stdio: 'inherit' });
if (result.status !== 0) {
  const why = result.error ? result.error.message : `node-gyp exited with ${result.status ?? result.signal}`;
  console.warn(
    `meshgate: could not build the native addons (${why}); transparent capture will be unavailable and tunnels will run on Node's streams`,
  );
}
