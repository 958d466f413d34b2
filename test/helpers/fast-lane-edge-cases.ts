// Edge-case requests (and, through the scripted upstream's paths, edge-case responses) that the fast lane
// and the full path must answer identically, as raw request heads with placeholders for the upstreams.

export interface Edge {
  readonly name: string;
  /** Request head lines after the request line; `{api}` / `{wire}` become the upstreams' host:port. */
  readonly request: string;
  /** `{pad}` in `request` grows until the head (or, for `target`, the request target) is this long. */
  readonly pad?: { readonly to: number; readonly of: 'head' | 'target' };
  /** Bytes after the head. */
  readonly body?: string;
  /** Expected status line. */
  readonly status: string;
  /** The fast-lane proxy hands this request to Node's HTTP server (it still reaches the upstream). */
  readonly handedOff?: boolean;
  /** The upstream echoes the request as JSON (see `echoed`). */
  readonly echoes?: boolean;
}

export const edges: readonly Edge[] = [
  { name: 'a plain GET', request: 'GET http://{wire}/fixed HTTP/1.1\r\nHost: {wire}\r\n', status: '200 OK' },
  {
    name: 'HEAD answered with transfer-encoding: chunked',
    request: 'HEAD http://{wire}/chunked HTTP/1.1\r\nHost: {wire}\r\n',
    status: '200 OK',
  },
  {
    name: 'chunked with extensions and trailers',
    request: 'GET http://{wire}/chunked HTTP/1.1\r\nHost: {wire}\r\n',
    status: '200 OK',
  },
  {
    name: 'an upstream that says Connection: close',
    request: 'GET http://{wire}/conn-close HTTP/1.1\r\nHost: {wire}\r\n',
    status: '200 OK',
  },
  {
    name: 'an HTTP/1.0 upstream with a body until close',
    request: 'GET http://{wire}/http10 HTTP/1.1\r\nHost: {wire}\r\n',
    status: '200 OK',
  },
  {
    name: 'hop-by-hop response headers, two Set-Cookie, mixed-case names',
    request: 'GET http://{wire}/hop HTTP/1.1\r\nHost: {wire}\r\n',
    status: '200 OK',
  },
  {
    name: 'request headers as the upstream sees them',
    request:
      'GET http://{api}/headers?q=a%20b HTTP/1.1\r\nHost: {api}\r\nContent-Length: 0\r\nX-Dup: a\r\nX-Dup: b\r\n' +
      'X-Latin: caf\xe9\r\nX-Spaces:   v  \r\nProxy-Connection: Keep-Alive\r\nUser-Agent: edge/1\r\nX-Request-Id: edge\r\n',
    status: '200 OK',
    echoes: true,
  },
  {
    name: 'an upper-case scheme and host',
    request: 'GET HTTP://{WIRE}/fixed HTTP/1.1\r\nHost: {wire}\r\n',
    status: '200 OK',
  },
  {
    name: 'an unusual status code',
    request: 'GET http://{wire}/odd-status HTTP/1.1\r\nHost: {wire}\r\n',
    status: '299 unknown',
  },
  {
    name: 'a status line without a reason phrase',
    request: 'GET http://{wire}/no-reason HTTP/1.1\r\nHost: {wire}\r\n',
    status: '200 OK',
  },
  {
    name: 'an upstream response with both content-length and chunked',
    request: 'GET http://{wire}/cl-te HTTP/1.1\r\nHost: {wire}\r\n',
    status: '503 Service Unavailable',
  },
  {
    name: 'an upstream that does not speak HTTP',
    request: 'GET http://{wire}/garbage HTTP/1.1\r\nHost: {wire}\r\n',
    status: '503 Service Unavailable',
  },
  {
    name: 'a bodiless POST (content-length: 0)',
    request: 'POST http://{api}/anything HTTP/1.1\r\nHost: {api}\r\nContent-Length: 0\r\nX-Request-Id: edge\r\n',
    status: '200 OK',
    echoes: true,
  },
  {
    name: 'OPTIONS with X-Forwarded-For and an empty header value',
    request:
      'OPTIONS http://{api}/anything HTTP/1.1\r\nHost: {api}\r\nX-Forwarded-For: 10.1.2.3\r\nX-Empty:\r\n' +
      'X-Request-Id: edge\r\n',
    status: '200 OK',
    echoes: true,
  },
  {
    name: 'TE: trailers (handed to the full path)',
    handedOff: true,
    request: 'GET http://{wire}/fixed HTTP/1.1\r\nHost: {wire}\r\nTE: trailers\r\n',
    status: '200 OK',
  },
  {
    name: 'a chunked request body (handed to the full path)',
    handedOff: true,
    request: 'POST http://{api}/post HTTP/1.1\r\nHost: {api}\r\nTransfer-Encoding: chunked\r\nX-Request-Id: edge\r\n',
    body: '5\r\nhello\r\n0\r\n\r\n',
    status: '200 OK',
    echoes: true,
  },
  {
    name: 'a Host header that differs from the URI',
    request: 'GET http://{wire}/fixed HTTP/1.1\r\nHost: elsewhere.example\r\n',
    status: '200 OK',
  },
  {
    name: 'a fragment in the target',
    request: 'GET http://{wire}/fixed#part HTTP/1.1\r\nHost: {wire}\r\n',
    status: '200 OK',
  },
  {
    name: 'userinfo in the authority',
    request: 'GET http://user:pw@{wire}/fixed HTTP/1.1\r\nHost: {wire}\r\n',
    status: '200 OK',
  },
  {
    name: 'an https:// target on a plain proxy request',
    request: 'GET https://{wire}/fixed HTTP/1.1\r\nHost: {wire}\r\n',
    status: '400 Bad Request',
  },
  {
    name: 'an absolute target without a path',
    request: 'GET http://{wire} HTTP/1.1\r\nHost: {wire}\r\n',
    status: '404 Not Found',
  },
  {
    name: 'dot segments in the path',
    request: 'GET http://{wire}/a/../fixed HTTP/1.1\r\nHost: {wire}\r\n',
    status: '200 OK',
  },
  {
    name: 'encoded slashes in the path',
    request: 'GET http://{wire}/a%2F..%2Ffixed HTTP/1.1\r\nHost: {wire}\r\n',
    status: '404 Not Found',
  },
  {
    name: 'a double slash in the path',
    request: 'GET http://{wire}//fixed HTTP/1.1\r\nHost: {wire}\r\n',
    status: '404 Not Found',
  },
  {
    name: 'a query without a path',
    request: 'GET http://{wire}?x=1 HTTP/1.1\r\nHost: {wire}\r\n',
    status: '404 Not Found',
  },
  {
    name: 'an IP literal no ServiceEntry knows (PassthroughCluster)',
    request: 'GET http://127.0.0.56:{wireport}/fixed HTTP/1.1\r\nHost: x\r\n',
    status: '200 OK',
  },
  {
    name: 'no port in the authority: port 80, where nothing listens',
    request: 'GET http://wire.test/fixed HTTP/1.1\r\nHost: wire.test\r\n',
    status: '503 Service Unavailable',
  },
  {
    name: 'a fully qualified name with a trailing dot',
    request: 'GET http://wire.test.:{wireport}/fixed HTTP/1.1\r\nHost: x\r\n',
    status: '200 OK',
  },
  {
    name: 'x-forwarded-proto from the client is kept',
    request: 'GET http://{api}/headers HTTP/1.1\r\nHost: {api}\r\nX-Forwarded-Proto: https\r\nX-Request-Id: edge\r\n',
    status: '200 OK',
    echoes: true,
  },
  {
    name: 'an empty x-request-id is replaced by a generated one',
    request: 'GET http://{api}/headers HTTP/1.1\r\nHost: {api}\r\nX-Request-Id:\r\n',
    status: '200 OK',
    echoes: true,
  },
  {
    name: 'a Keep-Alive request header is not forwarded',
    request: 'GET http://{api}/headers HTTP/1.1\r\nHost: {api}\r\nKeep-Alive: 300\r\nX-Request-Id: edge\r\n',
    status: '200 OK',
    echoes: true,
  },
  { name: 'PURGE', request: 'PURGE http://{wire}/fixed HTTP/1.1\r\nHost: {wire}\r\n', status: '200 OK' },
  {
    name: 'a head over the header limit',
    request: `GET http://{wire}/fixed HTTP/1.1\r\nHost: {wire}\r\nX-Big: ${'b'.repeat(62 * 1024)}\r\n`,
    status: '431 Request Header Fields Too Large',
  },
  {
    name: 'a target over the URI limit',
    request: `GET http://{wire}/${'a'.repeat(17 * 1024)} HTTP/1.1\r\nHost: {wire}\r\n`,
    status: '414 URI Too Long',
  },
  {
    name: 'a head exactly at the 60 KiB limit',
    request: 'GET http://{wire}/fixed HTTP/1.1\r\nHost: {wire}\r\nX-Pad: {pad}\r\n',
    pad: { to: 60 * 1024, of: 'head' },
    status: '200 OK',
  },
  {
    name: 'a head one byte over the limit (Node counts it differently: still served)',
    handedOff: true,
    request: 'GET http://{wire}/fixed HTTP/1.1\r\nHost: {wire}\r\nX-Pad: {pad}\r\n',
    pad: { to: 60 * 1024 + 1, of: 'head' },
    status: '200 OK',
  },
  {
    name: 'a target exactly at the 16 KiB limit',
    request: 'GET http://{wire}/{pad} HTTP/1.1\r\nHost: {wire}\r\n',
    pad: { to: 16 * 1024, of: 'target' },
    status: '404 Not Found',
  },
  {
    name: 'a target one byte over the limit',
    request: 'GET http://{wire}/{pad} HTTP/1.1\r\nHost: {wire}\r\n',
    pad: { to: 16 * 1024 + 1, of: 'target' },
    status: '414 URI Too Long',
  },
  {
    name: 'an upstream that sends bytes past its content-length',
    request: 'GET http://{wire}/extra HTTP/1.1\r\nHost: {wire}\r\n',
    status: '200 OK',
  },
  {
    name: 'an upstream that answers HEAD with a body',
    request: 'HEAD http://{wire}/head-body HTTP/1.1\r\nHost: {wire}\r\n',
    status: '200 OK',
  },
  {
    name: 'x-envoy-attempt-count from the client is replaced',
    request: 'GET http://{api}/headers HTTP/1.1\r\nHost: {api}\r\nX-Envoy-Attempt-Count: 7\r\nX-Request-Id: edge\r\n',
    status: '200 OK',
    echoes: true,
  },
  {
    name: 'a method Node does not know',
    handedOff: true,
    request: 'FROB http://{wire}/fixed HTTP/1.1\r\nHost: {wire}\r\n',
    status: '400 Bad Request',
  },
  {
    name: 'a lower-case method',
    handedOff: true,
    request: 'get http://{wire}/fixed HTTP/1.1\r\nHost: {wire}\r\n',
    status: '400 Bad Request',
  },
  {
    name: 'no Host header',
    handedOff: true,
    request: 'GET http://{wire}/fixed HTTP/1.1\r\n',
    status: '400 Bad Request',
  },
];
