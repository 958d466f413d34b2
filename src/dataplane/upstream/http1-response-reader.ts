// Reads HTTP/1.1 responses off an upstream connection for the fast lane: the head (status, headers), then
// the body's framing (length, chunked, until close, none), handing body bytes on as they arrive so nothing
// is buffered, and telling when the message ends so the connection can carry the next request.
import { flatHeader } from '../flat-headers.ts';

export type BodyFraming = 'none' | 'length' | 'chunked' | 'close';

export interface ResponseHead {
  readonly status: number;
  /** Lower-cased names and raw values, `[name0, value0, ...]`. */
  readonly headers: string[];
  readonly framing: BodyFraming;
  /** The connection may carry another request after this response. */
  readonly keepAlive: boolean;
}

export interface ResponseSink {
  head(head: ResponseHead): void;
  /** Raw body bytes as they should reach an HTTP/1.1 client (chunk framing kept); `data` counts payload bytes. */
  body(bytes: Buffer, data: number): void;
  end(): void;
}

/** The upstream sent something that is not an HTTP/1.1 response. */
export class UpstreamProtocolError extends Error {
  static readonly code = 'UPSTREAM_PROTOCOL_ERROR';
  readonly code = UpstreamProtocolError.code;
}

const MAX_HEAD = 64 * 1024;
const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: .*)?$/;

type ChunkState = 'size' | 'data' | 'data-end' | 'trailer';

/** One response at a time; `start` arms it for the next request on the same connection. */
export class Http1ResponseReader {
  #sink: ResponseSink | undefined;
  #headRequest = false;
  #pending: Buffer | undefined;
  #inBody = false;
  #framing: BodyFraming = 'none';
  #remaining = 0;
  #chunkState: ChunkState = 'size';
  #lineBytes = 0;
  #sizeText = '';

  /** Expects the response to a request just sent; HEAD responses carry no body whatever they announce. */
  start(sink: ResponseSink, headRequest: boolean): void {
    this.#sink = sink;
    this.#headRequest = headRequest;
    this.#pending = undefined;
    this.#inBody = false;
  }

  get inBody(): boolean {
    return this.#inBody;
  }

  /** Whether a response is being read (a close now is a failure unless the body runs until close). */
  get active(): boolean {
    return this.#sink !== undefined;
  }

  /** The connection ended: completes a close-delimited body; returns false if that cut a message short. */
  closed(): boolean {
    const sink = this.#sink;
    if (sink === undefined) return true;
    if (this.#inBody && this.#framing === 'close') {
      this.#sink = undefined;
      sink.end();
      return true;
    }
    return false;
  }

  /** Feeds bytes from the connection; throws UpstreamProtocolError on a malformed message. */
  push(chunk: Buffer): void {
    let data = chunk;
    while (this.#sink !== undefined && data.length > 0) {
      if (!this.#inBody) {
        const rest = this.#readHead(data);
        if (rest === undefined) return;
        data = rest;
        continue;
      }
      data = this.#readBody(data);
    }
    if (data.length > 0 && this.#sink === undefined) throw new UpstreamProtocolError('bytes after the response');
  }

  #readHead(chunk: Buffer): Buffer | undefined {
    const buffer = this.#pending === undefined ? chunk : Buffer.concat([this.#pending, chunk]);
    const end = buffer.indexOf('\r\n\r\n', 0, 'latin1');
    if (end < 0) {
      if (buffer.length > MAX_HEAD) throw new UpstreamProtocolError('response head too large');
      this.#pending = buffer;
      return undefined;
    }
    this.#pending = undefined;
    const lines = buffer.toString('latin1', 0, end).split('\r\n');
    const status = STATUS_LINE.exec(lines[0]!);
    if (status === null) throw new UpstreamProtocolError('bad status line');
    const code = Number(status[2]);
    const headers: string[] = [];
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(':');
      // A bare LF or NUL would let the client see a line break where meshgate saw none.
      if (colon <= 0 || line.charCodeAt(0) === 0x20 || line.charCodeAt(0) === 0x09 || /[\n\0]/.test(line))
        throw new UpstreamProtocolError('bad header line');
      headers.push(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
    }
    const rest = buffer.subarray(end + 4);
    // Interim responses (100, 103) are dropped; the final one follows on the same connection.
    if (code >= 100 && code < 200) {
      if (code === 101) throw new UpstreamProtocolError('unexpected protocol switch');
      return rest;
    }
    const head = this.#frame(code, status[1] === '1', headers);
    this.#inBody = true;
    this.#sink!.head(head);
    if (head.framing === 'none') this.#finish();
    return rest;
  }

  #frame(status: number, http11: boolean, headers: string[]): ResponseHead {
    const connection = flatHeader(headers, 'connection')?.toLowerCase();
    const persistent = http11 ? connection !== 'close' : connection === 'keep-alive';
    let framing: BodyFraming;
    const encoding = flatHeader(headers, 'transfer-encoding');
    const length = flatHeader(headers, 'content-length');
    if (this.#headRequest || status === 204 || status === 304) framing = 'none';
    else if (encoding !== undefined) {
      if (length !== undefined) throw new UpstreamProtocolError('both content-length and transfer-encoding');
      framing = /(?:^|,)\s*chunked\s*$/i.test(encoding) ? 'chunked' : 'close';
    } else if (length !== undefined) {
      if (!/^\d{1,15}$/.test(length) || headers.filter((h) => h === 'content-length').length > 1)
        throw new UpstreamProtocolError('bad content-length');
      this.#remaining = Number(length);
      framing = this.#remaining === 0 ? 'none' : 'length';
    } else framing = 'close';
    this.#framing = framing;
    this.#chunkState = 'size';
    this.#lineBytes = 0;
    this.#sizeText = '';
    return { status, headers, framing, keepAlive: persistent && framing !== 'close' };
  }

  #finish(): void {
    const sink = this.#sink!;
    this.#sink = undefined;
    this.#inBody = false;
    sink.end();
  }

  #readBody(data: Buffer): Buffer {
    const sink = this.#sink!;
    if (this.#framing === 'close') {
      sink.body(data, data.length);
      return data.subarray(data.length);
    }
    if (this.#framing === 'length') {
      const take = Math.min(this.#remaining, data.length);
      this.#remaining -= take;
      sink.body(take === data.length ? data : data.subarray(0, take), take);
      if (this.#remaining === 0) this.#finish();
      return data.subarray(take);
    }
    return this.#readChunked(data);
  }

  /** Walks chunk framing to find the message's end; the bytes pass on unchanged. */
  #readChunked(data: Buffer): Buffer {
    let i = 0;
    let payload = 0;
    let done = false;
    while (i < data.length && !done) {
      switch (this.#chunkState) {
        case 'size': {
          const lf = data.indexOf(10, i);
          const stop = lf < 0 ? data.length : lf;
          this.#sizeText += data.toString('latin1', i, stop);
          if (this.#sizeText.length > 128) throw new UpstreamProtocolError('chunk size line too long');
          if (lf < 0) {
            i = data.length;
            break;
          }
          i = lf + 1;
          const sizeField = /^([0-9a-fA-F]{1,12})(?:;[^\r]*)?\r$/.exec(this.#sizeText);
          if (sizeField === null) throw new UpstreamProtocolError('bad chunk size');
          this.#sizeText = '';
          this.#remaining = parseInt(sizeField[1]!, 16);
          this.#chunkState = this.#remaining === 0 ? 'trailer' : 'data';
          this.#lineBytes = 0;
          break;
        }
        case 'data': {
          const take = Math.min(this.#remaining, data.length - i);
          this.#remaining -= take;
          payload += take;
          i += take;
          if (this.#remaining === 0) {
            this.#chunkState = 'data-end';
            this.#lineBytes = 0;
          }
          break;
        }
        case 'data-end': {
          const expected = this.#lineBytes === 0 ? 13 : 10;
          if (data[i] !== expected) throw new UpstreamProtocolError('chunk not followed by CRLF');
          i++;
          if (++this.#lineBytes === 2) this.#chunkState = 'size';
          break;
        }
        case 'trailer': {
          // Trailer lines until an empty one; #lineBytes counts bytes of the current line.
          const lf = data.indexOf(10, i);
          if (lf < 0) {
            this.#lineBytes += data.length - i;
            if (this.#lineBytes > MAX_HEAD) throw new UpstreamProtocolError('trailers too large');
            i = data.length;
            break;
          }
          const lineLength = this.#lineBytes + (lf - i);
          i = lf + 1;
          this.#lineBytes = 0;
          if (lineLength <= 1) done = true;
          break;
        }
      }
    }
    this.#sink!.body(i === data.length ? data : data.subarray(0, i), payload);
    if (done) this.#finish();
    return data.subarray(i);
  }
}
