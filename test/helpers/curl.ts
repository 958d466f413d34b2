// Runs the real curl binary, as users do, and returns what they would see: status, headers, body,
// exit code and curl's own time_total.
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CurlResult {
  /** Final HTTP status (0 when none was received). */
  readonly status: number;
  /** Headers of the final response, names lower-cased; repeated ones joined with `, `. */
  readonly headers: Readonly<Record<string, string>>;
  /** Every header block received, raw (a proxy's CONNECT reply comes first). */
  readonly rawHeaders: string;
  readonly body: string;
  readonly bodyBytes: Buffer;
  /** curl's exit code: 0 ok, 7 connect failed, 28 timeout, 35 TLS handshake failed, 52 empty reply, 56 recv failure. */
  readonly exitCode: number;
  /** `%{time_total}` in seconds. */
  readonly timeTotal: number;
  readonly stderr: string;
}

export interface CurlOptions {
  /** Kill curl after this long (default 30 s); prefer curl's own `--max-time` in args. */
  readonly timeoutMs?: number;
  /** Extra environment; proxy variables from the test runner's environment are never inherited. */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Runs curl through this command prefix, e.g. `ip netns exec NS setpriv --reuid 1000 …` (capture tests);
   * the temp folder is then made writable for whichever user curl runs as.
   */
  readonly wrap?: readonly string[];
}

const PROXY_VARIABLES = ['http_proxy', 'https_proxy', 'all_proxy', 'no_proxy'];

function cleanEnv(extra: Readonly<Record<string, string>> | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!PROXY_VARIABLES.includes(key.toLowerCase())) env[key] = value;
  }
  return { ...env, ...extra };
}

function lastHeaderBlock(raw: string): Record<string, string> {
  const blocks = raw.split(/\r?\n\r?\n/).filter((b) => b.trim() !== '');
  const headers: Record<string, string> = {};
  const last = blocks.at(-1);
  if (last === undefined) return headers;
  for (const line of last.split(/\r?\n/).slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return headers;
}

/**
 * `curl(['-x', proxyUrl, 'http://httpbin.org/delay/1'])`. Adds `-sS`, writes headers and body to temp
 * files and reads status and time from `-w`; pass any other curl flags in `args`.
 */
export async function curl(args: readonly string[], options: CurlOptions = {}): Promise<CurlResult> {
  const dir = await mkdtemp(join(tmpdir(), 'meshgate-curl-'));
  const headerFile = join(dir, 'headers');
  const bodyFile = join(dir, 'body');
  const wrap = options.wrap ?? [];
  if (wrap.length > 0) await chmod(dir, 0o777);
  try {
    const { exitCode, stdout, stderr } = await new Promise<{ exitCode: number; stdout: string; stderr: string }>(
      (resolve) => {
        const argv = ['curl', '-sS', '-D', headerFile, '-o', bodyFile, '-w', '%{http_code} %{time_total}', ...args];
        execFile(
          wrap[0] ?? 'curl',
          [...wrap.slice(1), ...(wrap.length > 0 ? argv : argv.slice(1))],
          {
            env: cleanEnv(options.env),
            timeout: options.timeoutMs ?? 30_000,
            maxBuffer: 1024 * 1024,
          },
          (error, out, err) => {
            const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
            resolve({ exitCode: code, stdout: out, stderr: err });
          },
        );
      },
    );
    const [statusText, timeText] = stdout.trim().split(' ');
    const rawHeaders = await readFile(headerFile, 'utf8').catch(() => '');
    const bodyBytes = await readFile(bodyFile).catch(() => Buffer.alloc(0));
    return {
      status: Number(statusText ?? 0) || 0,
      headers: lastHeaderBlock(rawHeaders),
      rawHeaders,
      body: bodyBytes.toString('utf8'),
      bodyBytes,
      exitCode,
      timeTotal: Number(timeText ?? 0) || 0,
      stderr,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
