// The load generator's view of HTTP/1.1 on the wire: the requests it sends (origin-form, absolute-form,
// CONNECT) and an incremental reader that counts complete responses (Content-Length or chunked).

/** How requests reach the upstream: straight, through a forward proxy, or inside a CONNECT tunnel. */
export type Route = 'direct' | 'absolute' | 'tunnel';

export interface RequestTarget {
  readonly route: Route;
  /** Host the client names for the upstream (absolute URI or CONNECT target). */
  readonly host: string;
  readonly port: number;
  /** One request per connection: ask the server to close after it. */
  readonly close?: boolean;
}

export function requestBytes(target: RequestTarget): Buffer {
  const authority = `${target.host}:${target.port}`;
  const path = target.route === 'absolute' ? `http://${authority}/` : '/';
  const connection = target.close === true ? 'close' : 'keep-alive';
  return Buffer.from(
    `GET ${path} HTTP/1.1\r\nHost: ${authority}\r\nUser-Agent: meshgate-bench\r\nConnection: ${connection}\r\n\r\n`,
    'latin1',
  );
}

export function connectBytes(host: string, port: number): Buffer {
  return Buffer.from(`CONNECT ${host}:${port} HTTP/1.1\r\nHost: ${host}:${port}\r\n\r\n`, 'latin1');
}

const HEAD_END = '\r\n\r\n';
const CONTENT_LENGTH = /\r\ncontent-length:[ \t]*(\d+)/i;
const CHUNKED = /\r\ntransfer-encoding:[^\r]*chunked/i;
const CLOSE = /\r\nconnection:[^\r]*close/i;
const KEEP_ALIVE = /\r\nconnection:[^\r]*keep-alive/i;

/** Whether the server will close after this response (tinyproxy does after every one). */
function closesAfter(head: string): boolean {
  if (CLOSE.test(head)) return true;
  return head.startsWith('HTTP/1.0') && !KEEP_ALIVE.test(head);
}

/**
 * Feeds bytes, calls `onResponse(status, closes)` per complete response. Only what the benchmark meets is
 * handled: heads with Content-Length or chunked bodies without trailers; anything else has no body.
 */
export class ResponseReader {
  #pending = '';
  #state: 'head' | 'body' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'last-chunk-end' = 'head';
  #remaining = 0;
  #status = 0;
  #closes = false;
  readonly #onResponse: (status: number, closes: boolean) => void;

  constructor(onResponse: (status: number, closes: boolean) => void) {
    this.#onResponse = onResponse;
  }

  /** Only the head is read (a CONNECT reply); returns the status and leaves the rest for later feeds. */
  readHeadOnly(chunk: Buffer): { status: number; rest: Buffer } | undefined {
    this.#pending += chunk.toString('latin1');
    const end = this.#pending.indexOf(HEAD_END);
    if (end < 0) return undefined;
    const status = Number(this.#pending.slice(9, 12));
    const rest = Buffer.from(this.#pending.slice(end + HEAD_END.length), 'latin1');
    this.#pending = '';
    return { status, rest };
  }

  feed(chunk: Buffer): void {
    this.#pending += chunk.toString('latin1');
    while (this.#step());
  }

  // One parser step; false when more bytes are needed.
  #step(): boolean {
    switch (this.#state) {
      case 'head':
        return this.#head();
      case 'body':
      case 'chunk-data': {
        const take = Math.min(this.#remaining, this.#pending.length);
        this.#pending = this.#pending.slice(take);
        this.#remaining -= take;
        if (this.#remaining > 0) return false;
        if (this.#state === 'body') this.#complete();
        else this.#state = 'chunk-end';
        return true;
      }
      case 'chunk-end':
      case 'last-chunk-end': {
        // The CRLF after a chunk's data, or the empty trailer section after the last chunk.
        if (this.#pending.length < 2) return false;
        this.#pending = this.#pending.slice(2);
        if (this.#state === 'last-chunk-end') this.#complete();
        else this.#state = 'chunk-size';
        return true;
      }
      case 'chunk-size': {
        const end = this.#pending.indexOf('\r\n');
        if (end < 0) return false;
        this.#remaining = parseInt(this.#pending.slice(0, end), 16);
        this.#pending = this.#pending.slice(end + 2);
        this.#state = this.#remaining > 0 ? 'chunk-data' : 'last-chunk-end';
        return true;
      }
    }
  }

  #head(): boolean {
    const end = this.#pending.indexOf(HEAD_END);
    if (end < 0) return false;
    const head = this.#pending.slice(0, end);
    this.#pending = this.#pending.slice(end + HEAD_END.length);
    this.#status = Number(head.slice(9, 12));
    this.#closes = closesAfter(head);
    const length = CONTENT_LENGTH.exec(head);
    if (length !== null) {
      this.#remaining = Number(length[1]);
      this.#state = 'body';
    } else if (CHUNKED.test(head)) {
      this.#state = 'chunk-size';
    } else {
      this.#complete();
    }
    return true;
  }

  #complete(): void {
    this.#state = 'head';
    this.#onResponse(this.#status, this.#closes);
  }
}
