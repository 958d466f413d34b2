// A minimal transparent "proxy" for the capture e2e test, run inside a namespace as the proxy uid:
// it listens on [::]:15001, asks the kernel where each connection was going, says so on the first
// line, and relays to that destination, so the test sees both the capture and the egress.
import net from 'node:net';
import { decideCapture, formatEndpoint, requireOriginalDst } from '../../src/dataplane/listeners/original-dst.ts';

requireOriginalDst();
const port = Number(process.argv[2] ?? 15001);

const server = net.createServer((client) => {
  client.on('error', () => undefined);
  const decision = decideCapture(client);
  if (!decision.captured) {
    client.end(`proxy: not captured (${decision.reason}: ${decision.detail})\n`);
    return;
  }
  const { destination } = decision;
  client.write(`proxy: uid ${process.getuid?.()} captured a connection to ${formatEndpoint(destination)}\n`);
  // The proxy's own dial: exempt by uid from the REDIRECT, so it leaves the namespace.
  const upstream = net.connect({ host: destination.address, port: destination.port });
  upstream.on('error', (err) => client.end(`proxy: upstream failed: ${err.message}\n`));
  upstream.pipe(client);
  client.pipe(upstream);
});
server.listen({ port, host: '::', ipv6Only: false }, () => console.log('ready'));
