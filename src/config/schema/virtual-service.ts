// Field schema of VirtualService.spec.
import { destination, percent, stringMatch } from './common.ts';
import { bool, duration, enumOf, int, list, map, message, string, stringList, stringMap } from './field-schema.ts';

const headerOperations = message('HeaderOperations', { set: stringMap, add: stringMap, remove: stringList });
const headers = message('Headers', { request: headerOperations, response: headerOperations });

const httpMatchRequest = message('HTTPMatchRequest', {
  name: string,
  uri: stringMatch,
  scheme: stringMatch,
  method: stringMatch,
  authority: stringMatch,
  headers: map(stringMatch),
  port: int,
  sourceLabels: stringMap,
  gateways: stringList,
  queryParams: map(stringMatch),
  ignoreUriCase: bool,
  withoutHeaders: map(stringMatch),
  sourceNamespace: string,
  statPrefix: string,
});

/** Also MeshConfig.defaultHttpRetryPolicy. */
export const httpRetry = message('HTTPRetry', {
  attempts: int,
  perTryTimeout: duration,
  retryOn: string,
  retryRemoteLocalities: bool,
  retryIgnorePreviousHosts: bool,
  backoff: duration,
});

const httpRoute = message(
  'HTTPRoute',
  {
    name: string,
    match: list(httpMatchRequest),
    route: list(message('HTTPRouteDestination', { destination, weight: int, headers })),
    redirect: message('HTTPRedirect', {
      uri: string,
      authority: string,
      port: int,
      derivePort: enumOf('FROM_PROTOCOL_DEFAULT', 'FROM_REQUEST_PORT'),
      scheme: string,
      redirectCode: int,
      prefixRewrite: string,
    }),
    directResponse: message('HTTPDirectResponse', {
      status: int,
      body: message('HTTPBody', { string, bytes: string }),
    }),
    delegate: message('Delegate', { name: string, namespace: string }),
    rewrite: message('HTTPRewrite', {
      uri: string,
      authority: string,
      uriRegexRewrite: message('RegexRewrite', { match: string, rewrite: string }),
    }),
    timeout: duration,
    retries: httpRetry,
    fault: message('HTTPFaultInjection', {
      delay: message('Delay', { percent: int, fixedDelay: duration, exponentialDelay: duration, percentage: percent }),
      abort: message('Abort', { httpStatus: int, grpcStatus: string, http2Error: string, percentage: percent }),
    }),
    mirror: destination,
    mirrors: list(message('HTTPMirrorPolicy', { destination, percentage: percent })),
    mirrorPercent: int,
    mirrorPercentage: percent,
    corsPolicy: message('CorsPolicy', {
      allowOrigin: stringList,
      allowOrigins: list(stringMatch),
      allowMethods: stringList,
      allowHeaders: stringList,
      exposeHeaders: stringList,
      maxAge: duration,
      allowCredentials: bool,
      unmatchedPreflights: enumOf('UNSPECIFIED', 'FORWARD', 'IGNORE'),
    }),
    headers,
  },
  'error',
  // The deprecated integer mirror percentage is also accepted under its proto name.
  { mirror_percent: 'mirrorPercent' },
);

const routeDestination = message('RouteDestination', { destination, weight: int });

const tlsRoute = message('TLSRoute', {
  match: list(
    message('TLSMatchAttributes', {
      sniHosts: stringList,
      destinationSubnets: stringList,
      port: int,
      sourceLabels: stringMap,
      gateways: stringList,
      sourceNamespace: string,
    }),
  ),
  route: list(routeDestination),
});

const tcpRoute = message('TCPRoute', {
  match: list(
    message('L4MatchAttributes', {
      destinationSubnets: stringList,
      port: int,
      sourceSubnet: string,
      sourceLabels: stringMap,
      gateways: stringList,
      sourceNamespace: string,
    }),
  ),
  route: list(routeDestination),
});

export const virtualServiceSpec = message('VirtualService', {
  hosts: stringList,
  gateways: stringList,
  http: list(httpRoute),
  tls: list(tlsRoute),
  tcp: list(tcpRoute),
  exportTo: stringList,
});
