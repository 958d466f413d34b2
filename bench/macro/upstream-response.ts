// The one response the benchmark upstream sends: small body, keep-alive, never cacheable (so Squid forwards
// every request instead of answering from memory). Load generators use its exact size inside tunnels.

export const BODY = 'x'.repeat(64);

export const RESPONSE = Buffer.from(
  `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${BODY.length}\r\nCache-Control: no-store\r\n\r\n${BODY}`,
  'latin1',
);
