// Envoy's stream idle timeout on the full path: node:http reports a connection on which nothing moved for
// the idle time as a server 'timeout', and the request in flight on it, if any, decides what that means
// (forward.ts: 504 `stream timeout` before the response head, a reset after it).
import type { Socket } from 'node:net';

const handlers = new WeakMap<Socket, () => void>();

/** Until the returned function is called, an idle timeout on `socket` runs `handler` instead of closing it. */
export function onStreamIdle(socket: Socket, handler: () => void): () => void {
  handlers.set(socket, handler);
  return () => {
    if (handlers.get(socket) === handler) handlers.delete(socket);
  };
}

/** Runs the handler of the request in flight on `socket`; false when there is none (close the connection). */
export function streamIdled(socket: Socket): boolean {
  const handler = handlers.get(socket);
  if (handler === undefined) return false;
  handlers.delete(socket);
  handler();
  return true;
}
