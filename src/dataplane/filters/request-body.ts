// A downstream request body that each upstream attempt (and a mirror) can read from the start: chunks are
// kept up to a limit, as Envoy buffers bodies for retries and shadows; past it, no attempt can be replayed.
import type { Readable } from 'node:stream';

/** Envoy's default per-request buffer limit (the listener's per-connection limit, 1 MiB). */
export const BODY_REPLAY_LIMIT = 1024 * 1024;

export class ReplayableBody {
  readonly #source: AsyncIterator<Buffer>;
  readonly #limit: number;
  readonly #onBytes: (n: number) => void;
  #chunks: Buffer[] = [];
  #buffered = 0;
  #overflowed = false;
  #done = false;
  #started = false;
  /** Reads from the source one at a time, so two attempts never interleave their chunks. */
  #pulling: Promise<unknown> = Promise.resolve();
  readonly #complete: Promise<Buffer[] | undefined>;
  #settle: (chunks: Buffer[] | undefined) => void = () => {};

  constructor(req: Readable, limit: number, onBytes: (n: number) => void) {
    this.#source = req[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    this.#limit = limit;
    this.#onBytes = onBytes;
    this.#complete = new Promise((resolve) => {
      this.#settle = resolve;
    });
  }

  /** Any byte was read from the client. */
  get started(): boolean {
    return this.#started;
  }

  /** An attempt can start over: nothing was read yet, or everything read so far is still kept. */
  get replayable(): boolean {
    return !this.#overflowed;
  }

  /** The whole body once the client sent it (undefined when it was larger than the limit). */
  whenComplete(): Promise<Buffer[] | undefined> {
    return this.#complete;
  }

  /** A fresh reader from the first byte; readers share one pull from the client at a time. */
  reader(): AsyncIterable<Uint8Array> {
    let index = 0;
    const next = async (): Promise<IteratorResult<Uint8Array>> => {
      await this.#pulling;
      if (index < this.#chunks.length) return { done: false, value: this.#chunks[index++]! };
      if (this.#done) return { done: true, value: undefined };
      const pull = this.#pull();
      this.#pulling = pull.catch(() => undefined);
      const r = await pull;
      if (r.done !== true) index = this.#overflowed ? Number.MAX_SAFE_INTEGER : index + 1;
      return r;
    };
    // Ending one attempt must not end the client's stream: a retry may still read it.
    return { [Symbol.asyncIterator]: () => ({ next, return: async () => ({ done: true, value: undefined }) }) };
  }

  async #pull(): Promise<IteratorResult<Buffer>> {
    this.#started = true;
    const r = await this.#source.next();
    if (r.done === true) {
      this.#done = true;
      this.#settle(this.#overflowed ? undefined : this.#chunks);
      return r;
    }
    this.#onBytes(r.value.length);
    if (!this.#overflowed) {
      this.#buffered += r.value.length;
      if (this.#buffered > this.#limit) {
        this.#overflowed = true;
        this.#chunks = [];
      } else {
        this.#chunks.push(r.value);
      }
    }
    return r;
  }
}
