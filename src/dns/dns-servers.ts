// Parses `--dns-server IP[:PORT]` values into the form node:dns `Resolver.setServers` takes.
import { isIP } from 'node:net';
import { InvalidArgumentError } from '../errors.ts';

const EXPECTED = 'IP[:PORT], e.g. 10.0.0.10, 127.0.0.1:5353 or [::1]:53';

/** Validates one `--dns-server` value; returns it normalised (`IP`, `IP:PORT` or `[IPv6]:PORT`). */
export function parseDnsServer(value: string): string {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(value);
  let ip: string;
  let port: string | undefined;
  if (bracketed !== null) {
    ip = bracketed[1]!;
    port = bracketed[2];
  } else if (isIP(value) === 6) {
    ip = value;
  } else {
    const colon = value.lastIndexOf(':');
    ip = colon === -1 ? value : value.slice(0, colon);
    port = colon === -1 ? undefined : value.slice(colon + 1);
  }
  const family = isIP(ip);
  if (family === 0) throw new InvalidArgumentError('--dns-server', value, EXPECTED);
  if (port !== undefined) {
    const n = /^\d{1,5}$/.test(port) ? Number(port) : Number.NaN;
    if (!(n >= 1 && n <= 65535)) throw new InvalidArgumentError('--dns-server', value, EXPECTED);
  }
  if (port === undefined) return ip;
  return family === 6 ? `[${ip}]:${port}` : `${ip}:${port}`;
}
