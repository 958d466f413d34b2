// Test certificates made with the real `openssl` CLI in a temp folder: a CA, and server certificates
// for the DNS names (and IPs) a test needs. Nothing is checked in; each run makes its own.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isIP } from 'node:net';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ServerCert {
  readonly names: readonly string[];
  readonly cert: string;
  readonly key: string;
  readonly certPath: string;
  readonly keyPath: string;
}

export interface TestCa {
  readonly dir: string;
  readonly caCert: string;
  readonly caCertPath: string;
  /** A server certificate signed by this CA with every name as a SAN (IPs as IP SANs). */
  issue(names: readonly string[]): Promise<ServerCert>;
  /** Deletes the folder with every key and certificate. */
  cleanup(): Promise<void>;
}

async function openssl(dir: string, args: readonly string[]): Promise<void> {
  await run('openssl', args, { cwd: dir });
}

/** Makes a fresh CA (EC P-256, valid two days) in its own temp folder. */
export async function makeTestCa(commonName = 'meshgate test CA'): Promise<TestCa> {
  const dir = await mkdtemp(join(tmpdir(), 'meshgate-certs-'));
  await openssl(dir, [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '2',
    '-subj',
    `/CN=${commonName}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  const caCertPath = join(dir, 'ca.crt');
  const caCert = await readFile(caCertPath, 'utf8');
  let serial = 0;

  async function issue(names: readonly string[]): Promise<ServerCert> {
    if (names.length === 0) throw new TypeError('issue() needs at least one name');
    const base = `server-${++serial}`;
    const sans = names.map((n) => (isIP(n) !== 0 ? `IP:${n}` : `DNS:${n}`)).join(',');
    await writeFile(
      join(dir, `${base}.ext`),
      [
        `subjectAltName=${sans}`,
        'basicConstraints=CA:FALSE',
        'keyUsage=digitalSignature,keyEncipherment',
        'extendedKeyUsage=serverAuth',
        '',
      ].join('\n'),
    );
    await openssl(dir, [
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      `${base}.key`,
      '-out',
      `${base}.csr`,
      '-subj',
      `/CN=${names[0]!}`,
    ]);
    await openssl(dir, [
      'x509',
      '-req',
      '-in',
      `${base}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-set_serial',
      String(1000 + serial),
      '-out',
      `${base}.crt`,
      '-days',
      '2',
      '-extfile',
      `${base}.ext`,
    ]);
    const certPath = join(dir, `${base}.crt`);
    const keyPath = join(dir, `${base}.key`);
    return { names, cert: await readFile(certPath, 'utf8'), key: await readFile(keyPath, 'utf8'), certPath, keyPath };
  }

  return { dir, caCert, caCertPath, issue, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
