// End to end, as a pod runs meshgate (root only): `meshgate iptables` in an app namespace, the real
// `meshgate proxy` there as uid 1337, and an application (uid 1000, no proxy settings) making plain HTTP,
// TLS and TCP connections to registered and unregistered destinations in a second namespace.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { originalDstAvailability } from '../../../src/dataplane/listeners/original-dst.ts';
import { makeTestCa, type TestCa } from '../../helpers/certs.ts';
import { curl, type CurlResult } from '../../helpers/curl.ts';
import { createNetns, deleteNetns, netnsSkipReason } from '../../helpers/netns.ts';
import { startProxy, type RunningProxy } from '../../helpers/start-proxy.ts';
import { TmpConfigDir } from '../../helpers/tmp-config.ts';

const skip = netnsSkipReason(['iptables', 'ip6tables', 'setpriv', 'curl']);
if (skip) console.log(`# skipping captured routing e2e: ${skip}`);

const PROXY_UID = 1337;
const APP_UID = 1000;
const subnet = `10.78.${10 + ((randomBytes(1)[0] ?? 0) % 200)}`;
const APP = `${subnet}.1`;
/** Where DNS says the registered names live. */
const REMOTE_A = `${subnet}.2`;
/** Another host: unregistered destinations, and the IP a Host-spoofing client dials. */
const REMOTE_B = `${subnet}.3`;
/** Assigned to nobody: only a ServiceEntry address (a VIP). */
const VIP = `${subnet}.4`;
const APP6 = `fd78:${subnet.split('.')[2]}::1`;
const REMOTE6 = `fd78:${subnet.split('.')[2]}::2`;
const esc = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// Every remote port answers with the address it was reached on, so a test sees where the proxy went.
const UPSTREAMS = `
const http = require('node:http'), https = require('node:https'), net = require('node:net'), fs = require('node:fs');
const [cert, key] = process.argv.slice(1);
const local = (s) => s.localAddress.replace(/^::ffff:/, '');
const handler = (req, res) => res.end('served by ' + local(req.socket) + ':' + req.socket.localPort + ' for ' + req.headers.host + ' ' + req.url + ', client ' + req.socket.remoteAddress.replace(/^::ffff:/, '') + '\\n');
const servers = [http.createServer(handler), http.createServer(handler), https.createServer({ cert: fs.readFileSync(cert), key: fs.readFileSync(key) }, handler),
  net.createServer((s) => { s.on('error', () => {}); s.end('tcp banner from ' + local(s) + ':' + s.localPort + '\\n'); })];
let listening = 0;
servers.forEach((server, i) => server.listen({ port: [80, 8080, 443, 9000][i], host: '::', ipv6Only: false }, () => { if (++listening === servers.length) console.log('ready'); }));`;

// A raw TCP client: connects, sends its third argument if any (a server-first client sends nothing), and
// prints what it receives and how the connection ended.
const TCP_CLIENT = `
const net = require('node:net');
const [host, port, send] = process.argv.slice(1);
let out = '';
const s = net.connect({ host, port: Number(port) }, () => { if (send) s.write(send); });
s.setTimeout(5000, () => { console.log(out + 'client: timeout'); process.exit(3); });
s.on('data', (d) => { out += d; });
s.on('error', (e) => { console.log(out + 'client: ' + e.code); process.exit(0); });
s.on('close', () => { process.stdout.write(out + 'client: closed'); process.exit(0); });`;

function entries(): string {
  const se = (name: string, spec: string): string =>
    `apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: ${name}\n  namespace: default\nspec:\n${spec}`;
  return [
    se('web', '  hosts: [web.test]\n  ports: [{number: 80, name: http, protocol: HTTP}]\n  resolution: DNS\n'),
    se('none', '  hosts: [none.test]\n  ports: [{number: 8080, name: http, protocol: HTTP}]\n  resolution: NONE\n'),
    se('secure', '  hosts: [secure.test]\n  ports: [{number: 443, name: tls, protocol: TLS}]\n  resolution: DNS\n'),
    // A TLS service on the TCP port makes meshgate sniff there, except for the VIP (bound to tcp.test).
    se(
      'banner-tls',
      '  hosts: [banner.test]\n  ports: [{number: 9000, name: tls, protocol: TLS}]\n  resolution: DNS\n',
    ),
    se(
      'tcp',
      `  hosts: [tcp.test]\n  addresses: [${VIP}]\n  ports: [{number: 9000, name: tcp, protocol: TCP}]\n  resolution: STATIC\n  endpoints: [{address: ${REMOTE_A}}]\n`,
    ),
    // Where the tls route below sends secure.test dialled at REMOTE_B: the original destination.
    se('forward', '  hosts: [forward.test]\n  ports: [{number: 443, name: tls, protocol: TLS}]\n  resolution: NONE\n'),
    `apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: secure\n  namespace: default\nspec:\n  hosts: [secure.test]\n  tls:\n  - match: [{sniHosts: [secure.test], destinationSubnets: [${REMOTE_B}/32]}]\n    route: [{destination: {host: forward.test, port: {number: 443}}}]\n`,
  ].join('---\n');
}

// Server-first clients on sniffed ports get a verdict after this long instead of waiting forever (Istio's 0s).
const DETECTION_MS = 300;

function mesh(mode: string): string {
  return `outboundTrafficPolicy:\n  mode: ${mode}\nprotocolDetectionTimeout: ${DETECTION_MS}ms\n`;
}

function inNetns(netns: string, uid: number | undefined, argv: readonly string[]): string[] {
  const user = uid === undefined ? [] : ['setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups'];
  return ['ip', 'netns', 'exec', netns, ...user, ...argv];
}

/** Starts a process in a namespace and resolves with its first stdout line starting with `ready`. */
async function startReady(command: readonly string[], children: ChildProcess[]): Promise<string> {
  const child = spawn(command[0]!, command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready after 15 s: ${command.join(' ')}\n${output}`)), 15_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = /^ready.*$/m.exec(output);
      if (line !== null) {
        clearTimeout(timer);
        resolve(line[0]);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before ready: ${command.join(' ')}\n${output}`));
    });
  });
}

function run(command: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command[0]!, command.slice(1), { timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

describe('captured traffic through meshgate proxy', { skip }, () => {
  let app = '';
  let remote = '';
  let ca: TestCa | undefined;
  let config: TmpConfigDir | undefined;
  let proxy: RunningProxy | undefined;
  let meshFile = '';
  let caFile = '';
  const children: ChildProcess[] = [];

  /** curl as the application: no proxy settings, names pinned with --resolve. */
  const appCurl = (args: readonly string[]): Promise<CurlResult> =>
    curl(['--max-time', '10', ...args], { wrap: inNetns(app, APP_UID, []) });
  const logFrom = (): number => proxy!.logLines.length;

  before(async () => {
    assert.deepEqual(
      originalDstAvailability(),
      { available: true },
      'the SO_ORIGINAL_DST addon must be built (npm run build:native)',
    );
    app = createNetns();
    remote = createNetns();
    const veth = `mgr${randomBytes(3).toString('hex')}`;
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
    execFileSync('ip', ['-n', app, 'addr', 'add', `${APP}/24`, 'dev', `${veth}a`]);
    execFileSync('ip', ['-n', remote, 'addr', 'add', `${REMOTE_A}/24`, 'dev', `${veth}b`]);
    execFileSync('ip', ['-n', remote, 'addr', 'add', `${REMOTE_B}/24`, 'dev', `${veth}b`]);
    execFileSync('ip', ['-n', app, '-6', 'addr', 'add', `${APP6}/64`, 'dev', `${veth}a`, 'nodad']);
    execFileSync('ip', ['-n', remote, '-6', 'addr', 'add', `${REMOTE6}/64`, 'dev', `${veth}b`, 'nodad']);
    execFileSync('ip', ['-n', app, 'link', 'set', `${veth}a`, 'up']);
    execFileSync('ip', ['-n', remote, 'link', 'set', `${veth}b`, 'up']);

    ca = await makeTestCa();
    const cert = await ca.issue(['secure.test', 'unknown.test']);
    await startReady(
      inNetns(remote, undefined, [process.execPath, '-e', UPSTREAMS, cert.certPath, cert.keyPath]),
      children,
    );
    const dnsReady = await startReady(
      inNetns(remote, undefined, [
        process.execPath,
        '--import',
        'tsx',
        'test/helpers/dns-server-process.ts',
        REMOTE_A,
        `web.test=${REMOTE_A}`,
        `secure.test=${REMOTE_A}`,
      ]),
      children,
    );
    const dnsServer = dnsReady.slice('ready '.length);

    // The proxy runs as uid 1337 and must read its config; the app (uid 1000) reads the CA.
    config = await TmpConfigDir.create();
    await chmod(config.path, 0o755);
    const entriesFile = await config.write('entries.yaml', entries());
    meshFile = await config.write('mesh.yaml.txt', mesh('REGISTRY_ONLY'));
    caFile = join(config.path, 'ca.crt.txt');
    await copyFile(ca.caCertPath, caFile);
    for (const file of [entriesFile, meshFile, caFile]) await chmod(file, 0o644);

    execFileSync(
      'ip',
      ['netns', 'exec', app, process.execPath, '--import', 'tsx', 'src/cli/main.ts', 'iptables', '--ipv6'],
      { stdio: 'pipe' },
    );
    proxy = await startProxy(
      // `::` (dual-stack) takes redirected IPv4 (to 127.0.0.1) and IPv6 (to ::1).
      [
        '--config',
        entriesFile,
        '--mesh-config',
        meshFile,
        '--bind',
        '::',
        '--outbound-port',
        '15001',
        '--admin-port',
        '15000',
        '--dns-server',
        dnsServer,
      ],
      {},
      { wrap: inNetns(app, PROXY_UID, []) },
    );
  });

  after(async () => {
    await proxy?.stop('SIGKILL');
    for (const child of children) child.kill('SIGKILL');
    if (app) deleteNetns(app);
    if (remote) deleteNetns(remote);
    await Promise.all([ca?.cleanup(), config?.cleanup()]);
  });

  test('start-up says capture is on', async () => {
    await proxy!.waitForStderr(/transparent capture: on/);
  });

  test('HTTP is routed by Host to the registered service, many requests on one connection', async () => {
    const from = logFrom();
    const r = await run(
      inNetns(app, APP_UID, [
        'curl',
        '-sS',
        '--resolve',
        `web.test:80:${REMOTE_A}`,
        '-w',
        '%{http_code} %{num_connects}\n',
        'http://web.test/one',
        'http://web.test/two',
      ]),
    );
    assert.equal(r.code, 0, r.stderr);
    // The second request reused the captured connection (0 new connects), and the upstream saw the app's address.
    assert.equal(
      r.stdout,
      `served by ${REMOTE_A}:80 for web.test /one, client ${APP}\n200 1\nserved by ${REMOTE_A}:80 for web.test /two, client ${APP}\n200 0\n`,
    );
    const line = `"GET /one HTTP/1\\.1" 200 - via_upstream - "-" 0 \\d+ \\d+ \\d+ "-" "curl/[^"]+" "[0-9a-f-]+" "web\\.test" "${esc(REMOTE_A)}:80" outbound\\|80\\|\\|web\\.test ${esc(APP)}:\\d+ ${esc(REMOTE_A)}:80 ${esc(APP)}:(\\d+) - default\\n$`;
    const first = await proxy!.waitForLog(new RegExp(line), 5000, from);
    const second = await proxy!.waitForLog(/"GET \/two HTTP\/1\.1" 200 /, 5000, from);
    assert.equal(
      new RegExp(line).exec(first)![1],
      /:(\d+) - default\n$/.exec(second)![1],
      'both requests came on one client connection',
    );
    // One line per request: the proxy's own upstream connections were not captured again.
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(proxy!.logLines.length - from, 2, proxy!.logLines.slice(from).join(''));
  });

  test('resolution DNS ignores the dialled IP (Host spoofing); resolution NONE forwards to it', async () => {
    const spoofed = await appCurl(['--resolve', `web.test:80:${REMOTE_B}`, 'http://web.test/spoof']);
    assert.equal(spoofed.status, 200);
    assert.match(spoofed.body, new RegExp(`^served by ${esc(REMOTE_A)}:80 for web\\.test /spoof`));
    await proxy!.waitForLog(
      new RegExp(
        `"GET /spoof HTTP/1\\.1" 200 .* "${esc(REMOTE_A)}:80" outbound\\|80\\|\\|web\\.test \\S+ ${esc(REMOTE_B)}:80 `,
      ),
    );
    const none = await appCurl(['--resolve', `none.test:8080:${REMOTE_B}`, 'http://none.test:8080/none']);
    assert.equal(none.status, 200);
    assert.match(none.body, new RegExp(`^served by ${esc(REMOTE_B)}:8080 for none\\.test:8080 /none`));
    await proxy!.waitForLog(
      new RegExp(
        `"GET /none HTTP/1\\.1" 200 .* "${esc(REMOTE_B)}:8080" outbound\\|8080\\|\\|none\\.test \\S+ ${esc(REMOTE_B)}:8080 `,
      ),
    );
  });

  test('REGISTRY_ONLY: an unknown Host on an HTTP port gets 502 from block_all', async () => {
    const r = await appCurl(['--resolve', `other.test:80:${REMOTE_B}`, 'http://other.test/']);
    assert.equal(r.status, 502);
    assert.equal(r.body, '');
    await proxy!.waitForLog(
      new RegExp(
        `"GET / HTTP/1\\.1" 502 - direct_response - "-" 0 0 \\d+ - "-" "curl/[^"]+" "[0-9a-f-]+" "other\\.test" "-" - - ${esc(REMOTE_B)}:80 ${esc(APP)}:\\d+ - block_all\\n$`,
      ),
    );
  });

  test('TLS is routed by SNI; an unknown SNI is reset and logged UH BlackHoleCluster with its name', async () => {
    const ok = await appCurl([
      '--cacert',
      caFile,
      '--resolve',
      `secure.test:443:${REMOTE_A}`,
      'https://secure.test/tls',
    ]);
    assert.equal(ok.status, 200, ok.stderr);
    assert.match(ok.body, new RegExp(`^served by ${esc(REMOTE_A)}:443 for secure\\.test /tls`));
    await proxy!.waitForLog(
      new RegExp(
        `"- - -" 0 - - - "-" \\d+ \\d+ \\d+ - "-" "-" "-" "-" "${esc(REMOTE_A)}:443" outbound\\|443\\|\\|secure\\.test ${esc(APP)}:\\d+ ${esc(REMOTE_A)}:443 ${esc(APP)}:\\d+ secure\\.test -\\n$`,
      ),
    );

    const refused = await appCurl([
      '--cacert',
      caFile,
      '--resolve',
      `unknown.test:443:${REMOTE_B}`,
      'https://unknown.test/',
    ]);
    assert.equal(refused.exitCode, 35, refused.stderr);
    await proxy!.waitForLog(
      new RegExp(
        `"- - -" 0 UH - - "-" 0 0 \\d+ - "-" "-" "-" "-" "-" BlackHoleCluster - ${esc(REMOTE_B)}:443 ${esc(APP)}:\\d+ unknown\\.test -\\n$`,
      ),
    );
  });

  test('a VirtualService tls route picks the cluster by SNI and original destination subnet', async () => {
    // secure.test dialled at REMOTE_B is in the route's subnet: forward.test (NONE) dials REMOTE_B itself,
    // where DNS would have sent secure.test to REMOTE_A.
    const routed = await appCurl([
      '--cacert',
      caFile,
      '--resolve',
      `secure.test:443:${REMOTE_B}`,
      'https://secure.test/routed',
    ]);
    assert.equal(routed.status, 200, routed.stderr);
    assert.match(routed.body, new RegExp(`^served by ${esc(REMOTE_B)}:443 for secure\\.test /routed`));
    await proxy!.waitForLog(
      new RegExp(
        `"- - -" 0 - - - "-" \\d+ \\d+ \\d+ - "-" "-" "-" "-" "${esc(REMOTE_B)}:443" outbound\\|443\\|\\|forward\\.test ${esc(APP)}:\\d+ ${esc(REMOTE_B)}:443 ${esc(APP)}:\\d+ secure\\.test -\\n$`,
      ),
    );
  });

  test('TCP is routed by destination address and port; other addresses on that port are refused', async () => {
    const r = await run(inNetns(app, APP_UID, [process.execPath, '-e', TCP_CLIENT, VIP, '9000']));
    // The VIP belongs to nobody: the STATIC endpoint answered.
    assert.equal(r.stdout, `tcp banner from ${REMOTE_A}:9000\nclient: closed`);
    await proxy!.waitForLog(
      new RegExp(
        `"- - -" 0 - - - "-" 0 \\d+ \\d+ - "-" "-" "-" "-" "${esc(REMOTE_A)}:9000" outbound\\|9000\\|\\|tcp\\.test \\S+ ${esc(VIP)}:9000 ${esc(APP)}:\\d+ - -\\n$`,
      ),
    );
    const other = await run(inNetns(app, APP_UID, [process.execPath, '-e', TCP_CLIENT, REMOTE_B, '9000']));
    assert.equal(other.stdout.trim(), 'client: ECONNRESET');
    await proxy!.waitForLog(new RegExp(`"- - -" 0 UH .* BlackHoleCluster - ${esc(REMOTE_B)}:9000 `));
  });

  test('IPv6 is captured too: the original destination is logged in brackets and NONE dials it', async () => {
    const r = await appCurl(['-g', '--resolve', `none.test:8080:[${REMOTE6}]`, 'http://none.test:8080/v6']);
    assert.equal(r.status, 200, r.stderr);
    assert.equal(r.body, `served by ${REMOTE6}:8080 for none.test:8080 /v6, client ${APP6}\n`);
    await proxy!.waitForLog(
      new RegExp(
        `"GET /v6 HTTP/1\\.1" 200 .* "\\[${REMOTE6}\\]:8080" outbound\\|8080\\|\\|none\\.test \\S+ \\[${REMOTE6}\\]:8080 \\[${APP6}\\]:\\d+ - default\\n$`,
      ),
    );
  });

  test('a captured request the HTTP parser rejects gets 400, logged with its original destination', async () => {
    const r = await run(
      inNetns(app, APP_UID, [
        process.execPath,
        '-e',
        TCP_CLIENT,
        REMOTE_B,
        '80',
        'GET / HTTP/1.1\r\nHost: web.test\r\nno colon here\r\n\r\n',
      ]),
    );
    assert.match(r.stdout, /^HTTP\/1\.1 400 Bad Request\r\n/);
    await proxy!.waitForLog(
      new RegExp(`"- - -" 400 DPE http1\\.codec_error .* ${esc(REMOTE_B)}:80 ${esc(APP)}:\\d+ - -\\n$`),
    );
  });

  test('the outbound port still serves explicit proxy requests', async () => {
    const r = await appCurl(['-x', 'http://127.0.0.1:15001', 'http://web.test/explicit']);
    assert.equal(r.status, 200);
    assert.match(r.body, new RegExp(`^served by ${esc(REMOTE_A)}:80 for web\\.test /explicit`));
    await proxy!.waitForLog(/"GET \/explicit HTTP\/1\.1" 200 .* outbound\|80\|\|web\.test \S+ web\.test:80 /);
  });

  test('ALLOW_ANY: unknown HTTP, TLS and TCP pass through to the original destination', async () => {
    await config!.write('mesh.yaml.txt', mesh('ALLOW_ANY'));
    await chmod(meshFile, 0o644);
    await proxy!.waitForStderr(/config version \d+ live/, 10_000);

    const http = await appCurl(['--resolve', `other.test:80:${REMOTE_B}`, 'http://other.test/open']);
    assert.equal(http.status, 200);
    assert.match(http.body, new RegExp(`^served by ${esc(REMOTE_B)}:80 for other\\.test /open`));
    await proxy!.waitForLog(
      new RegExp(
        `"GET /open HTTP/1\\.1" 200 .* "other\\.test" "${esc(REMOTE_B)}:80" PassthroughCluster \\S+ ${esc(REMOTE_B)}:80 ${esc(APP)}:\\d+ - allow_any\\n$`,
      ),
    );

    const tls = await appCurl([
      '--cacert',
      caFile,
      '--resolve',
      `unknown.test:443:${REMOTE_B}`,
      'https://unknown.test/open',
    ]);
    assert.equal(tls.status, 200, tls.stderr);
    assert.match(tls.body, new RegExp(`^served by ${esc(REMOTE_B)}:443 for unknown\\.test /open`));
    await proxy!.waitForLog(
      new RegExp(
        `"- - -" 0 - - - "-" \\d+ \\d+ \\d+ - "-" "-" "-" "-" "${esc(REMOTE_B)}:443" PassthroughCluster \\S+ ${esc(REMOTE_B)}:443 ${esc(APP)}:\\d+ unknown\\.test -\\n$`,
      ),
    );

    // Port 9000 is sniffed (banner.test is TLS): the silent client became TCP when the detection timeout fired.
    const tcp = await run(inNetns(app, APP_UID, [process.execPath, '-e', TCP_CLIENT, REMOTE_B, '9000']));
    assert.equal(tcp.stdout, `tcp banner from ${REMOTE_B}:9000\nclient: closed`);
    const line = await proxy!.waitForLog(
      new RegExp(`"- - -" 0 - - - "-" 0 \\d+ (\\d+) - "-" "-" "-" "-" "${esc(REMOTE_B)}:9000" PassthroughCluster `),
    );
    assert.ok(Number(/"-" 0 \d+ (\d+) -/.exec(line)![1]) >= DETECTION_MS, line);
  });

  test('SIGTERM ends a captured connection still being sniffed; the proxy exits', async () => {
    // With Istio's default protocolDetectionTimeout (0s) a silent client on an HTTP port is sniffed forever.
    const version = Number(/config version (\d+) live/.exec(proxy!.stderr())![1]);
    await config!.write('mesh.yaml.txt', 'outboundTrafficPolicy:\n  mode: ALLOW_ANY\n');
    await proxy!.waitForStderr(new RegExp(`config version ${version + 1} live`), 10_000);
    const silent = spawn('ip', inNetns(app, APP_UID, [process.execPath, '-e', TCP_CLIENT, REMOTE_B, '80']).slice(1), {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    children.push(silent);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const started = Date.now();
    assert.equal(await proxy!.stop('SIGTERM'), 0);
    // Well before the 5 s drain timeout: nothing is in flight, and the sniffing socket is simply closed.
    assert.ok(Date.now() - started < 3000, `stopped after ${Date.now() - started} ms`);
  });
});
