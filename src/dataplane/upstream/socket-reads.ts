// Reads taken straight from an upstream socket (net's `onread`) instead of through its Readable stream:
// every such socket reads into one shared buffer and each chunk is copied out once, which saves the
// stream's per-read 64 KiB allocation and its push/'data' machinery on the proxy's hottest path.
import type { OnReadOpts } from 'node:net';

/** The buffer every `onread` socket reads into; a chunk must be copied before the callback returns. */
export const SHARED_READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/**
 * Reads of a socket still being connected, delivered to whoever binds once it is up (chunks that arrive
 * before are held). A `deliver` that returns false pauses the socket until someone resumes it.
 */
export class PendingReads {
  #deliver: ((chunk: Buffer) => boolean) | undefined;
  #held: Buffer[] = [];
  /** Pass to the socket's constructor options. */
  readonly onread: OnReadOpts = {
    buffer: SHARED_READ_BUFFER,
    callback: (bytes: number, buffer: Uint8Array): boolean => {
      const chunk = Buffer.from(buffer.subarray(0, bytes));
      if (this.#deliver !== undefined) return this.#deliver(chunk);
      this.#held.push(chunk);
      return true;
    },
  };

  bind(deliver: (chunk: Buffer) => boolean): void {
    this.#deliver = deliver;
    const held = this.#held;
    this.#held = [];
    for (const chunk of held) deliver(chunk);
  }

  /** Hands over the chunks held so far (the socket's reads were stopped and another reader takes over). */
  takeHeld(): Buffer[] {
    const held = this.#held;
    this.#held = [];
    return held;
  }

  /** Gives back what takeHeld() returned, ahead of anything held since, when the takeover did not happen. */
  putBack(chunks: readonly Buffer[]): void {
    this.#held = [...chunks, ...this.#held];
  }
}
