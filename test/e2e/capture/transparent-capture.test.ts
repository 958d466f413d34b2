// End to end capture as a pod runs it (root only): `meshgate iptables` in an "app" namespace,
// a proxy as uid 1337 reading SO_ORIGINAL_DST, an application as uid 1000 dialling a remote
// address in a second namespace, over IPv4 and IPv6; the proxy's own dial must not loop.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createNetns, deleteNetns, netnsSkipReason } from '../../helpers/netns.ts';
import { originalDstAvailability } from '../../../src/dataplane/listeners/original-dst.ts';

const skip = netnsSkipReason(['iptables', 'ip6tables', 'setpriv']);
if (skip) console.log(`# skipping transparent capture e2e: ${skip}`);

const PROXY_UID = 1337;
const APP_UID = 1000;
// A per-run subnet byte keeps parallel runs on one machine apart (each has its own namespaces anyway).
const net8 = 10 + ((randomBytes(1)[0] ?? 0) % 200);
const APP_V4 = `10.77.${net8}.1`;
const REMOTE_V4 = `10.77.${net8}.2`;
const APP_V6 = `fd77:${net8.toString(16)}::1`;
const REMOTE_V6 = `fd77:${net8.toString(16)}::2`;

const UPSTREAM = `
const net = require('node:net');
const server = net.createServer((s) => {
  s.on('error', () => {});
  s.end('upstream: hello from ' + s.localAddress + ':' + s.localPort + ', you came from ' + s.remoteAddress + '\\n');
});
server.listen({ port: 80, host: '::', ipv6Only: false }, () => console.log('ready'));`;

const CLIENT = `
const net = require('node:net');
const [host, port] = process.argv.slice(1);
let out = '';
const s = net.connect({ host, port: Number(port) });
s.setTimeout(5000, () => { console.log(out + 'client: timeout'); process.exit(3); });
s.on('data', (d) => { out += d; });
s.on('error', (e) => { console.log(out + 'client: ' + e.message); process.exit(2); });
s.on('close', () => { process.stdout.write(out); process.exit(0); });`;

function ns(netns: string, ...args: string[]): void {
  execFileSync('ip', ['netns', 'exec', netns, ...args], { stdio: 'pipe' });
}

function asUser(uid: number): string[] {
  return ['setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups'];
}

/** Starts a long-running process in a namespace and waits for it to print "ready". */
async function startReady(netns: string, argv: string[]): Promise<ChildProcess> {
  const child = spawn('ip', ['netns', 'exec', netns, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready after 10 s: ${argv.join(' ')}\n${output}`)), 10000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before ready: ${argv.join(' ')}\n${output}`));
    });
  });
  return child;
}

/** The application: connects as uid 1000 and returns everything it received. */
function appConnect(netns: string, host: string, port: number): string {
  const result = spawnSync(
    'ip',
    ['netns', 'exec', netns, ...asUser(APP_UID), process.execPath, '-e', CLIENT, host, String(port)],
    { encoding: 'utf8', timeout: 15000 },
  );
  return `${result.stdout}${result.stderr}`;
}

describe('transparent capture end to end', { skip }, () => {
  let app = '';
  let remote = '';
  const children: ChildProcess[] = [];

  before(async () => {
    app = createNetns();
    remote = createNetns();
    assert.deepEqual(
      originalDstAvailability(),
      { available: true },
      'the SO_ORIGINAL_DST addon must be built (npm run build:native)',
    );
    const veth = `mgv${randomBytes(3).toString('hex')}`;
    execFileSync('ip', [
      'link',
      'add',
      `${veth}a`,
      'netns',
      app,
      'type',
      'veth',
      'peer',
      'name',
      `${veth}b`,
      'netns',
      remote,
    ]);
    for (const [netns, dev, v4, v6] of [
      [app, `${veth}a`, APP_V4, APP_V6],
      [remote, `${veth}b`, REMOTE_V4, REMOTE_V6],
    ] as const) {
      ns(netns, 'ip', 'addr', 'add', `${v4}/24`, 'dev', dev);
      ns(netns, 'ip', '-6', 'addr', 'add', `${v6}/64`, 'dev', dev, 'nodad');
      ns(netns, 'ip', 'link', 'set', dev, 'up');
    }
    children.push(await startReady(remote, [process.execPath, '-e', UPSTREAM]));
    ns(app, process.execPath, '--import', 'tsx', 'src/cli/main.ts', 'iptables', '--ipv6');
    children.push(
      await startReady(app, [
        ...asUser(PROXY_UID),
        process.execPath,
        '--import',
        'tsx',
        'test/helpers/capture-echo-proxy.ts',
        '15001',
      ]),
    );
  });

  after(() => {
    for (const child of children) child.kill('SIGKILL');
    if (app) deleteNetns(app);
    if (remote) deleteNetns(remote);
  });

  test('an app connection to a remote IPv4 address reaches the proxy with its original destination', () => {
    const seen = appConnect(app, REMOTE_V4, 80);
    assert.match(
      seen,
      new RegExp(`^proxy: uid ${PROXY_UID} captured a connection to ${REMOTE_V4.replaceAll('.', '\\.')}:80\n`),
    );
    // The proxy's own dial went out to the remote namespace instead of looping back to itself.
    assert.match(
      seen,
      new RegExp(
        `upstream: hello from (::ffff:)?${REMOTE_V4.replaceAll('.', '\\.')}:80, you came from (::ffff:)?${APP_V4.replaceAll('.', '\\.')}\n$`,
      ),
    );
  });

  test('IPv6 capture reports the bracketed original destination', () => {
    const seen = appConnect(app, REMOTE_V6, 80);
    assert.match(seen, new RegExp(`^proxy: uid ${PROXY_UID} captured a connection to \\[${REMOTE_V6}\\]:80\n`));
    assert.match(seen, new RegExp(`upstream: hello from ${REMOTE_V6}:80, you came from ${APP_V6}\n$`));
  });

  test('any port is captured, and a port nobody listens on fails at the proxy, not in a loop', () => {
    const seen = appConnect(app, REMOTE_V4, 8443);
    assert.match(
      seen,
      new RegExp(`^proxy: uid ${PROXY_UID} captured a connection to ${REMOTE_V4.replaceAll('.', '\\.')}:8443\n`),
    );
    assert.match(seen, /proxy: upstream failed: connect ECONNREFUSED/);
  });

  test('a direct connection to the proxy port is not captured traffic (self-loop guard)', () => {
    assert.match(
      appConnect(app, '127.0.0.1', 15001),
      /^proxy: not captured \(self-loop: original destination 127\.0\.0\.1:15001 is this listener\)\n$/,
    );
    assert.match(appConnect(app, APP_V4, 15001), /^proxy: not captured \(self-loop: /);
  });

  test('the app reaching localhost is not captured', () => {
    // Nothing listens on 127.0.0.1:80 in the app namespace: captured, it would have reached the proxy.
    assert.match(appConnect(app, '127.0.0.1', 80), /client: connect ECONNREFUSED 127\.0\.0\.1:80/);
  });
});
