// Reads where an explicit-proxy request goes: the absolute URI's authority wins over the Host header
// (RFC 9112 §3.2.2); origin-form requests fall back to Host. Over-long or unusable targets are refused.
import type { LocalReplyKind } from '../rescue.ts';

export type RequestTarget =
  | {
      readonly kind: 'ok';
      readonly host: string;
      readonly port: number;
      readonly authority: string;
      readonly path: string;
    }
  | { readonly kind: 'error'; readonly reply: Extract<LocalReplyKind, 'uri_too_long' | 'bad_request'> };

const BAD: RequestTarget = { kind: 'error', reply: 'bad_request' };

/** Splits `host[:port]` / `[v6]:port`; undefined when the port is not a number in 1..65535. */
export function splitAuthority(authority: string, defaultPort: number): { host: string; port: number } | undefined {
  let host = authority;
  let portText: string | undefined;
  if (authority.startsWith('[')) {
    const end = authority.indexOf(']');
    if (end < 0) return undefined;
    host = authority.slice(1, end);
    const rest = authority.slice(end + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) return undefined;
      portText = rest.slice(1);
    }
  } else {
    const colon = authority.lastIndexOf(':');
    if (colon >= 0) {
      host = authority.slice(0, colon);
      portText = authority.slice(colon + 1);
    }
  }
  if (host === '' || /[\s/@]/.test(host)) return undefined;
  if (portText === undefined || portText === '') return { host, port: defaultPort };
  if (!/^\d{1,5}$/.test(portText)) return undefined;
  const port = Number(portText);
  return port >= 1 && port <= 65535 ? { host, port } : undefined;
}

export function parseRequestTarget(url: string, hostHeader: string | undefined, maxUriBytes: number): RequestTarget {
  if (url.length > maxUriBytes) return { kind: 'error', reply: 'uri_too_long' };
  let authority: string;
  let path: string;
  if (url.startsWith('/')) {
    if (hostHeader === undefined || hostHeader === '') return BAD;
    authority = hostHeader;
    path = url;
  } else {
    const match = /^http:\/\/([^/?#]+)([^#]*)/i.exec(url);
    if (match === null) return BAD;
    authority = match[1]!;
    path = match[2] === '' ? '/' : match[2]!;
    if (path.startsWith('?')) path = `/${path}`;
  }
  // Credentials in the authority are never forwarded or logged.
  const at = authority.lastIndexOf('@');
  if (at >= 0) authority = authority.slice(at + 1);
  const split = splitAuthority(authority, 80);
  if (split === undefined) return BAD;
  return { kind: 'ok', host: split.host.toLowerCase(), port: split.port, authority, path };
}
