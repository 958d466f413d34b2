// Fills %UPSTREAM_LOCAL_ADDRESS% for HTTP: undici does not expose the socket a request went out on, so
// its diagnostics channels tie each undici request (created synchronously inside Pool.request, since
// meshgate's pools have no connection cap) to the StreamInfo that started it.
import { subscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import { formatSocketAddress, type StreamInfo } from '../stream-info.ts';

const owners = new WeakMap<object, StreamInfo>();
let starting: StreamInfo | undefined;
let subscribed = false;

function ensureSubscribed(): void {
  if (subscribed) return;
  subscribed = true;
  subscribe('undici:request:create', (message) => {
    if (starting !== undefined) owners.set((message as { request: object }).request, starting);
  });
  subscribe('undici:client:sendHeaders', (message) => {
    const { request, socket } = message as { request: object; socket: Socket };
    const info = owners.get(request);
    if (info !== undefined && socket.localAddress !== undefined)
      info.upstreamLocalAddress = formatSocketAddress(socket.localAddress, socket.localPort ?? 0);
  });
}

/** Runs `start` (which must create the undici request synchronously) with `info` as the request's owner. */
export function withUpstreamOwner<T>(info: StreamInfo, start: () => T): T {
  ensureSubscribed();
  starting = info;
  try {
    return start();
  } finally {
    starting = undefined;
  }
}
