// HTTP route policies: Istio's retry, fault, CORS, redirect, direct-response, rewrite and mirror test tables.
import { describe, test } from 'node:test';
import type { HTTPRoute } from '../../../src/config/wire/virtual-service.ts';
import { validateVirtualService } from '../../../src/validation/virtual-service.ts';
import { assertFindings, runRules } from '../../helpers/expect-findings.ts';
import type { ExpectedFinding } from '../../helpers/expect-findings.ts';

interface Case {
  readonly name: string;
  readonly route: HTTPRoute;
  readonly expect: readonly ExpectedFinding[];
}

const toBaz = [{ destination: { host: 'foo.baz' } }];
const P = (...rest: (string | number)[]) => ['http', 0, ...rest];

function run(cases: readonly Case[]): void {
  for (const c of cases) {
    void test(c.name, () =>
      assertFindings(runRules(validateVirtualService, { hosts: ['foo.bar'], http: [c.route] }), c.expect),
    );
  }
}

void describe('retries (Istio TestValidateHTTPRetry)', () => {
  const retries = (r: NonNullable<HTTPRoute['retries']>): HTTPRoute => ({ route: toBaz, retries: r });
  run([
    { name: 'valid', route: retries({ attempts: 10, perTryTimeout: '2s', retryOn: '5xx,gateway-error' }), expect: [] },
    { name: 'disable retries', route: retries({ attempts: 0 }), expect: [] },
    { name: 'valid default', route: retries({ attempts: 10 }), expect: [] },
    {
      name: 'valid http status retryOn',
      route: retries({ attempts: 10, perTryTimeout: '2s', retryOn: '503,connect-failure' }),
      expect: [],
    },
    {
      name: 'grpc policies',
      route: retries({ attempts: 3, retryOn: 'cancelled,deadline-exceeded,internal,resource-exhausted,unavailable' }),
      expect: [],
    },
    {
      name: 'policy configured but attempts set to zero',
      route: retries({ attempts: 0, perTryTimeout: '2s', retryOn: '5xx,gateway-error' }),
      expect: [
        [
          'E',
          'VS_RETRY_DISABLED_WITH_POLICY',
          P('retries', 'attempts'),
          'http retry policy configured when attempts are set to 0 (disabled)',
        ],
      ],
    },
    {
      name: 'retryOn without attempts counts as attempts 0',
      route: retries({ retryOn: '5xx' }),
      expect: [['E', 'VS_RETRY_DISABLED_WITH_POLICY', P('retries', 'attempts'), 'attempts are set to 0']],
    },
    {
      name: 'retryRemoteLocalities configured but attempts set to zero',
      route: retries({ attempts: 0, retryRemoteLocalities: false }),
      expect: [['E', 'VS_RETRY_DISABLED_WITH_POLICY', P('retries', 'attempts'), 'attempts are set to 0']],
    },
    {
      name: 'negative attempts',
      route: retries({ attempts: -1, perTryTimeout: '2s' }),
      expect: [['E', 'VS_RETRY_ATTEMPTS_NEGATIVE', P('retries', 'attempts'), 'attempts cannot be negative']],
    },
    {
      name: 'per-try timeout not in whole ms',
      route: retries({ attempts: 10, perTryTimeout: '2.0000001s' }),
      expect: [
        [
          'E',
          'VS_RETRY_PER_TRY_TIMEOUT_INVALID',
          P('retries', 'perTryTimeout'),
          'only durations to ms precision are supported',
        ],
      ],
    },
    {
      name: 'per-try timeout too small',
      route: retries({ attempts: 10, perTryTimeout: '999ns' }),
      expect: [
        ['E', 'VS_RETRY_PER_TRY_TIMEOUT_INVALID', P('retries', 'perTryTimeout'), 'duration must be greater than 1ms'],
      ],
    },
    {
      name: 'backoff too small',
      route: retries({ attempts: 10, backoff: '999ns' }),
      expect: [['E', 'VS_RETRY_BACKOFF_INVALID', P('retries', 'backoff'), 'duration must be greater than 1ms']],
    },
    {
      name: 'unknown retryOn policy',
      route: retries({ attempts: 10, perTryTimeout: '2s', retryOn: '5xx,invalid policy' }),
      expect: [['E', 'VS_RETRY_ON_UNKNOWN', P('retries', 'retryOn'), '"invalid policy" is not a valid retryOn policy']],
    },
    {
      name: 'unknown http status retryOn',
      route: retries({ attempts: 10, perTryTimeout: '2s', retryOn: '600,connect-failure' }),
      expect: [['E', 'VS_RETRY_ON_UNKNOWN', P('retries', 'retryOn'), '"600" is not a valid retryOn policy']],
    },
    {
      name: 'spaces after commas are not trimmed',
      route: retries({ attempts: 2, retryOn: '5xx, reset' }),
      expect: [['E', 'VS_RETRY_ON_UNKNOWN', P('retries', 'retryOn'), '" reset" is not a valid retryOn policy']],
    },
  ]);
});

void describe('fault injection (Istio TestValidateHTTPFaultInjectionAbort/Delay)', () => {
  const fault = (f: NonNullable<HTTPRoute['fault']>): HTTPRoute => ({ route: toBaz, fault: f });
  run([
    {
      name: 'abort with status and percentage',
      route: fault({ abort: { percentage: { value: 20 }, httpStatus: 200 } }),
      expect: [],
    },
    { name: 'abort with default percentage', route: fault({ abort: { httpStatus: 503 } }), expect: [] },
    { name: 'abort status 600 passes, as in Istio', route: fault({ abort: { httpStatus: 600 } }), expect: [] },
    {
      name: 'abort status 9000',
      route: fault({ abort: { percentage: { value: 20 }, httpStatus: 9000 } }),
      expect: [
        [
          'E',
          'VS_FAULT_HTTP_STATUS_INVALID',
          P('fault', 'abort', 'httpStatus'),
          'HTTP status 9000 is not in range 200-599',
        ],
      ],
    },
    {
      name: 'abort status 100',
      route: fault({ abort: { httpStatus: 100 } }),
      expect: [
        [
          'E',
          'VS_FAULT_HTTP_STATUS_INVALID',
          P('fault', 'abort', 'httpStatus'),
          'HTTP status 100 is not in range 200-599',
        ],
      ],
    },
    {
      name: 'small fractional percentage',
      route: fault({ abort: { percentage: { value: 0.001 }, httpStatus: 200 } }),
      expect: [],
    },
    {
      name: 'negative percentage',
      route: fault({ abort: { percentage: { value: -10 }, httpStatus: 200 } }),
      expect: [
        [
          'E',
          'VS_FAULT_PERCENTAGE_INVALID',
          P('fault', 'abort', 'percentage', 'value'),
          'percentage -10 is neither 0.0, nor in range [0.0001, 100.0]',
        ],
      ],
    },
    {
      name: 'grpc status',
      route: fault({ abort: { percentage: { value: 20 }, grpcStatus: 'DEADLINE_EXCEEDED' } }),
      expect: [],
    },
    {
      name: 'unknown grpc status',
      route: fault({ abort: { grpcStatus: 'BAD_STATUS' } }),
      expect: [
        [
          'E',
          'VS_FAULT_GRPC_STATUS_UNKNOWN',
          P('fault', 'abort', 'grpcStatus'),
          'gRPC status "BAD_STATUS" is not supported',
        ],
      ],
    },
    {
      name: 'http2 error is not supported',
      route: fault({ abort: { http2Error: 'CANCEL' } }),
      expect: [
        [
          'E',
          'VS_FAULT_HTTP2_ERROR_UNSUPPORTED',
          P('fault', 'abort', 'http2Error'),
          'HTTP/2 abort fault injection not supported yet',
        ],
      ],
    },
    {
      name: 'abort without error type',
      route: fault({ abort: { percentage: { value: 10 } } }),
      expect: [['W', 'VS_FAULT_ABORT_NO_ERROR_TYPE', P('fault', 'abort'), 'abort configured, but error type not set']],
    },
    {
      name: 'neither abort nor delay',
      route: fault({}),
      expect: [['E', 'VS_FAULT_EMPTY', P('fault'), 'HTTP fault injection must have an abort and/or a delay']],
    },
    { name: 'fixed delay', route: fault({ delay: { percentage: { value: 20 }, fixedDelay: '3s' } }), expect: [] },
    {
      name: 'delay percentage over 100',
      route: fault({ delay: { percentage: { value: 101 }, fixedDelay: '3s' } }),
      expect: [
        [
          'E',
          'VS_FAULT_PERCENTAGE_INVALID',
          P('fault', 'delay', 'percentage', 'value'),
          'percentage 101 is neither 0.0',
        ],
      ],
    },
    {
      name: 'fixed delay below ms precision',
      route: fault({ delay: { fixedDelay: '3.000000042s' } }),
      expect: [
        [
          'E',
          'VS_FAULT_DELAY_INVALID',
          P('fault', 'delay', 'fixedDelay'),
          'only durations to ms precision are supported',
        ],
      ],
    },
    {
      name: 'exponential delay is not supported',
      route: fault({ delay: { exponentialDelay: '1s' } }),
      expect: [
        [
          'E',
          'VS_FAULT_EXPONENTIAL_DELAY_UNSUPPORTED',
          P('fault', 'delay', 'exponentialDelay'),
          'exponentialDelay not supported yet',
        ],
      ],
    },
  ]);
});

void describe('CORS (Istio TestValidateCORSPolicy)', () => {
  const cors = (c: NonNullable<HTTPRoute['corsPolicy']>): HTTPRoute => ({ route: toBaz, corsPolicy: c });
  const base = {
    allowMethods: ['GET', 'POST'],
    allowHeaders: ['header1', 'header2'],
    exposeHeaders: ['header3'],
    maxAge: '2s',
  };
  run([
    { name: 'valid', route: cors(base), expect: [] },
    { name: 'wildcards', route: cors({ allowMethods: ['*'], allowHeaders: ['*'], exposeHeaders: ['*'] }), expect: [] },
    {
      name: 'bad method',
      route: cors({ ...base, allowMethods: ['GET', 'PUTT'] }),
      expect: [
        [
          'E',
          'VS_CORS_METHOD_UNSUPPORTED',
          P('corsPolicy', 'allowMethods', 1),
          '"PUTT" is not a supported HTTP method',
        ],
      ],
    },
    {
      name: 'bad headers',
      route: cors({ ...base, exposeHeaders: [''], allowHeaders: ['a b'] }),
      expect: [
        ['E', 'VS_CORS_HEADER_INVALID', P('corsPolicy', 'exposeHeaders', 0), 'header name cannot be empty'],
        [
          'E',
          'VS_CORS_HEADER_INVALID',
          P('corsPolicy', 'allowHeaders', 0),
          'header name a b is not a valid header name',
        ],
      ],
    },
    {
      name: 'max age with a fraction of a second',
      route: cors({ ...base, maxAge: '2.5s' }),
      expect: [
        [
          'E',
          'VS_CORS_MAX_AGE_PRECISION',
          P('corsPolicy', 'maxAge'),
          'max_age duration is accurate only to seconds precision',
        ],
      ],
    },
    {
      name: 'max age below 1ms',
      route: cors({ ...base, maxAge: '0s' }),
      expect: [['E', 'VS_CORS_MAX_AGE_INVALID', P('corsPolicy', 'maxAge'), 'duration must be greater than 1ms']],
    },
    {
      name: 'empty allowOrigins matches',
      route: cors({ ...base, allowOrigins: [{ exact: '' }, { prefix: '' }, { regex: '' }, {}] }),
      expect: [0, 1, 2, 3].map(
        (i) =>
          [
            'E',
            'VS_CORS_ORIGIN_EMPTY',
            P('corsPolicy', 'allowOrigins', i),
            "'' is not a valid match type for CORS allow origins",
          ] as const,
      ),
    },
    {
      name: 'non-empty allowOrigins',
      route: cors({ ...base, allowOrigins: [{ exact: 'exact' }, { prefix: 'prefix' }, { regex: 'regex' }] }),
      expect: [],
    },
    {
      name: 'invalid allowOrigins regex',
      route: cors({ allowOrigins: [{ regex: '[' }] }),
      expect: [
        [
          'E',
          'VS_REGEX_INVALID',
          P('corsPolicy', 'allowOrigins', 0, 'regex'),
          '"corsPolicy.allowOrigins": error parsing regexp: missing closing ]',
        ],
      ],
    },
  ]);
});

void describe('redirect (Istio TestValidateHTTPRedirect)', () => {
  const redirect = (r: NonNullable<HTTPRoute['redirect']>, match?: HTTPRoute['match']): HTTPRoute => ({
    redirect: r,
    ...(match ? { match } : {}),
  });
  run([
    {
      name: 'empty uri and authority',
      route: redirect({ uri: '', authority: '' }),
      expect: [['E', 'VS_REDIRECT_EMPTY', P('redirect'), 'redirect must specify URI, authority, scheme, or port']],
    },
    {
      name: 'too small redirect code',
      route: redirect({ uri: 't', redirectCode: 299 }),
      expect: [
        [
          'E',
          'VS_REDIRECT_CODE_INVALID',
          P('redirect', 'redirectCode'),
          '299 is not a valid redirect code, must be 3xx',
        ],
      ],
    },
    {
      name: 'too large redirect code',
      route: redirect({ uri: 't', redirectCode: 400 }),
      expect: [
        [
          'E',
          'VS_REDIRECT_CODE_INVALID',
          P('redirect', 'redirectCode'),
          '400 is not a valid redirect code, must be 3xx',
        ],
      ],
    },
    { name: 'uri only', route: redirect({ uri: 't' }), expect: [] },
    { name: 'authority only', route: redirect({ authority: 't' }), expect: [] },
    { name: 'normal redirect', route: redirect({ uri: 't', authority: 't', redirectCode: 308 }), expect: [] },
    { name: 'scheme only', route: redirect({ scheme: 'https' }), expect: [] },
    { name: 'derivePort only', route: redirect({ derivePort: 'FROM_REQUEST_PORT' }), expect: [] },
    { name: 'prefix_rewrite alone', route: redirect({ prefixRewrite: '/bar' }), expect: [] },
    {
      name: 'prefix_rewrite with a prefix match',
      route: redirect({ prefixRewrite: '/bar' }, [{ uri: { prefix: '/foo' } }]),
      expect: [],
    },
    {
      name: 'prefix_rewrite with no uri match',
      route: redirect({ prefixRewrite: '/bar' }, [{ headers: { 'x-foo': { exact: 'bar' } } }]),
      expect: [],
    },
    {
      name: 'prefix_rewrite with an exact match',
      route: redirect({ prefixRewrite: '/bar' }, [{ uri: { exact: '/foo' } }]),
      expect: [
        [
          'E',
          'VS_REDIRECT_PREFIX_REWRITE_NEEDS_PREFIX_MATCH',
          P('redirect', 'prefixRewrite'),
          'redirect prefix_rewrite requires all URI matches to use prefix match type',
        ],
      ],
    },
    {
      name: 'uri and prefix_rewrite',
      route: redirect({ uri: '/old', prefixRewrite: '/new' }),
      expect: [
        [
          'E',
          'VS_REDIRECT_URI_AND_PREFIX_REWRITE',
          P('redirect'),
          'redirect may only specify one of uri or prefix_rewrite',
        ],
      ],
    },
    {
      name: 'bad scheme',
      route: redirect({ scheme: 'ftp' }),
      expect: [
        [
          'E',
          'VS_REDIRECT_SCHEME_INVALID',
          P('redirect', 'scheme'),
          'invalid redirect scheme, must be "http" or "https"',
        ],
      ],
    },
    {
      name: 'port out of range',
      route: redirect({ port: 70000 }),
      expect: [
        ['E', 'VS_REDIRECT_PORT_INVALID', P('redirect', 'port'), 'port number 70000 must be in the range 1..65535'],
      ],
    },
  ]);
});

void describe('direct response (Istio TestValidateHTTPDirectResponse)', () => {
  const direct = (d: NonNullable<HTTPRoute['directResponse']>): HTTPRoute => ({ directResponse: d });
  run([
    { name: 'status 200', route: direct({ status: 200 }), expect: [] },
    {
      name: 'status 199',
      route: direct({ status: 199 }),
      expect: [
        [
          'E',
          'VS_DIRECT_RESPONSE_STATUS_INVALID',
          P('directResponse', 'status'),
          'HTTP status 199 is not in range 200-599',
        ],
      ],
    },
    {
      name: 'status 601',
      route: direct({ status: 601 }),
      expect: [
        [
          'E',
          'VS_DIRECT_RESPONSE_STATUS_INVALID',
          P('directResponse', 'status'),
          'HTTP status 601 is not in range 200-599',
        ],
      ],
    },
    {
      name: 'missing status',
      route: direct({ body: { string: 'x' } }),
      expect: [
        [
          'E',
          'VS_DIRECT_RESPONSE_STATUS_INVALID',
          P('directResponse', 'status'),
          'HTTP status 0 is not in range 200-599',
        ],
      ],
    },
    { name: 'string body', route: direct({ status: 200, body: { string: 'hello' } }), expect: [] },
    {
      name: 'string body over 100 KiB',
      route: direct({ status: 200, body: { string: 'a'.repeat(101 * 1024) } }),
      expect: [
        [
          'W',
          'VS_DIRECT_RESPONSE_BODY_LARGE',
          P('directResponse', 'body'),
          'large direct_responses may impact control plane performance',
        ],
      ],
    },
    {
      name: 'string body over 1 MiB',
      route: direct({ status: 200, body: { string: 'a'.repeat(2 * 1024 * 1024) } }),
      expect: [['E', 'VS_DIRECT_RESPONSE_BODY_TOO_LARGE', P('directResponse', 'body'), 'must be less than 1MB']],
    },
    {
      name: 'bytes body',
      route: direct({ status: 200, body: { bytes: Buffer.from('hello').toString('base64') } }),
      expect: [],
    },
    {
      name: 'bytes body over 100 KiB (decoded size counts)',
      route: direct({ status: 200, body: { bytes: Buffer.alloc(100 * 1024 + 1, 97).toString('base64') } }),
      expect: [['W', 'VS_DIRECT_RESPONSE_BODY_LARGE', P('directResponse', 'body'), 'large direct_responses']],
    },
    {
      name: 'bytes body over 1 MiB',
      route: direct({ status: 200, body: { bytes: Buffer.alloc(1024 * 1024 + 1, 97).toString('base64') } }),
      expect: [['E', 'VS_DIRECT_RESPONSE_BODY_TOO_LARGE', P('directResponse', 'body'), 'must be less than 1MB']],
    },
  ]);
});

void describe('rewrite (Istio TestValidateHTTPRewrite and TestValidateUriRegexRewrite)', () => {
  const rewrite = (r: NonNullable<HTTPRoute['rewrite']>): HTTPRoute => ({ route: toBaz, rewrite: r });
  const regex = { match: '^/service/([^/]+)(/.*)$', rewrite: '\\2/instance/\\1' };
  run([
    { name: 'uri and authority', route: rewrite({ uri: '/path/to/resource', authority: 'foobar.org' }), expect: [] },
    { name: 'uri', route: rewrite({ uri: '/path/to/resource' }), expect: [] },
    { name: 'authority', route: rewrite({ authority: 'foobar.org' }), expect: [] },
    { name: 'uriRegexRewrite', route: rewrite({ uriRegexRewrite: regex }), expect: [] },
    {
      name: 'uriRegexRewrite and authority',
      route: rewrite({ authority: 'foobar.org', uriRegexRewrite: regex }),
      expect: [],
    },
    {
      name: 'uriRegexRewrite and uri',
      route: rewrite({ uri: '/path/to/resource', uriRegexRewrite: regex }),
      expect: [
        ['E', 'VS_REWRITE_URI_AND_REGEX', P('rewrite'), 'rewrite may only contain one of URI or UriRegexRewrite'],
      ],
    },
    {
      name: 'no uri, uriRegexRewrite or authority',
      route: rewrite({}),
      expect: [
        [
          'E',
          'VS_REWRITE_EMPTY',
          P('rewrite'),
          'rewrite must specify at least one of URI, UriRegexRewrite, or authority',
        ],
      ],
    },
    {
      name: 'uriRegexRewrite missing match',
      route: rewrite({ uriRegexRewrite: { rewrite: regex.rewrite } }),
      expect: [
        [
          'E',
          'VS_REWRITE_REGEX_INCOMPLETE',
          P('rewrite', 'uriRegexRewrite'),
          'UriRegexRewrite requires both Rewrite and Match fields to be specified',
        ],
      ],
    },
    {
      name: 'uriRegexRewrite missing rewrite',
      route: rewrite({ uriRegexRewrite: { match: regex.match } }),
      expect: [
        ['E', 'VS_REWRITE_REGEX_INCOMPLETE', P('rewrite', 'uriRegexRewrite'), 'requires both Rewrite and Match'],
      ],
    },
    {
      name: 'uriRegexRewrite invalid pattern',
      route: rewrite({ uriRegexRewrite: { match: '[', rewrite: '[' } }),
      expect: [
        [
          'E',
          'VS_REGEX_INVALID',
          P('rewrite', 'uriRegexRewrite', 'match'),
          '"HTTPRewrite.UriRegexRewrite.Match": error parsing regexp',
        ],
      ],
    },
  ]);
});

void describe('mirrors (Istio TestValidateHTTPRoute mirror cases)', () => {
  run([
    {
      name: 'mirrorPercent over 100',
      route: { route: toBaz, mirror: { host: 'foo.baz' }, mirrorPercent: 101 },
      expect: [
        [
          'E',
          'VS_MIRROR_PERCENT_INVALID',
          P('mirrorPercent'),
          'mirror_percent must have a max value of 100 (it has 101)',
        ],
        ['W', 'VS_MIRROR_PERCENT_DEPRECATED', P('mirrorPercent'), 'use "mirrorPercentage" instead'],
      ],
    },
    {
      name: 'valid mirrorPercentage',
      route: { route: toBaz, mirror: { host: 'foo.baz' }, mirrorPercentage: { value: 50.5 } },
      expect: [],
    },
    {
      name: 'mirrorPercentage over 100',
      route: { route: toBaz, mirror: { host: 'foo.baz' }, mirrorPercentage: { value: 101 } },
      expect: [
        [
          'E',
          'VS_MIRROR_PERCENTAGE_INVALID',
          P('mirrorPercentage', 'value'),
          'mirror_percentage must have a max value of 100 (it has 101.000000)',
        ],
      ],
    },
    {
      name: 'negative mirrorPercentage',
      route: { route: toBaz, mirror: { host: 'foo.baz' }, mirrorPercentage: { value: -1 } },
      expect: [
        [
          'E',
          'VS_MIRROR_PERCENTAGE_INVALID',
          P('mirrorPercentage', 'value'),
          'mirror_percentage must have a min value of 0 (it has -1.000000)',
        ],
      ],
    },
    {
      name: 'mirror with a bad host',
      route: { route: toBaz, mirror: { host: '*' } },
      expect: [['E', 'VS_DESTINATION_HOST_INVALID', P('mirror', 'host'), 'invalid destination host *']],
    },
    {
      name: 'mirrors with valid percentages',
      route: {
        route: toBaz,
        mirrors: [{ destination: { host: 'a.b' }, percentage: { value: 50 } }, { destination: { host: 'c.d' } }],
      },
      expect: [],
    },
    {
      name: 'mirrors without destination',
      route: { route: toBaz, mirrors: [{ percentage: { value: 50 } }] },
      expect: [['E', 'VS_MIRROR_DESTINATION_REQUIRED', P('mirrors', 0), 'destination is required for mirrors']],
    },
    {
      name: 'mirrors with bad percentages',
      route: {
        route: toBaz,
        mirrors: [
          { destination: { host: 'a.b' }, percentage: { value: 101 } },
          { destination: { host: 'c.d' }, percentage: { value: -5 } },
        ],
      },
      expect: [
        [
          'E',
          'VS_MIRROR_PERCENTAGE_INVALID',
          P('mirrors', 0, 'percentage', 'value'),
          'mirror percentage must have a max value of 100 (it has 101.000000)',
        ],
        [
          'E',
          'VS_MIRROR_PERCENTAGE_INVALID',
          P('mirrors', 1, 'percentage', 'value'),
          'mirror percentage must have a min value of 0 (it has -5.000000)',
        ],
      ],
    },
    {
      name: 'null mirror entry',
      route: { route: toBaz, mirrors: [null as never] },
      expect: [['E', 'VS_MIRROR_NULL', P('mirrors', 0), 'mirror cannot be null']],
    },
  ]);
});
