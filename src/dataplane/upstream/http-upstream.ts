// Sends one HTTP request to a cluster through keep-alive pools: picks a host per attempt, applies the
// per-try timeout and the retry policy, and hands back the first response that should not be retried.
import { Readable } from 'node:stream';
import type { Cluster, RetryPolicy } from '../../compiler/snapshot.ts';
import { NoHealthyUpstreamError, PerTryTimeoutError, RouteTimeoutError } from '../../errors.ts';
import type { Clock } from '../clock.ts';
import {
  backoffMs,
  isConnectFailure,
  retriableError,
  retriableGrpcStatus,
  retriableStatus,
  retriableTimeout,
} from '../filters/retry.ts';
import type { StreamInfo } from '../stream-info.ts';
import type { ClusterManager } from './cluster-manager.ts';
import { withUpstreamOwner } from './upstream-local-address.ts';

export interface UpstreamRequest {
  readonly cluster: Cluster;
  /** The host and port the client asked for (ORIGINAL_DST clusters dial them). */
  readonly requestedHost: string;
  readonly requestedPort: number;
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string | string[]>;
  /** Streamed request body, or null; `bodyStarted()` tells whether any of it was consumed (then no retry). */
  readonly body: AsyncIterable<Uint8Array> | null;
  bodyStarted(): boolean;
  readonly retryPolicy: RetryPolicy | null;
  /** Aborted by the route timeout or by the client going away. */
  readonly signal: AbortSignal;
}

export interface UpstreamResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Readable;
  /** Ends the load balancer's active-request count for the host. */
  readonly release: () => void;
}

export type UpstreamOutcome =
  | { readonly ok: true; readonly response: UpstreamResponse; readonly retried: boolean }
  | { readonly ok: false; readonly error: unknown; readonly retried: boolean };

export interface UpstreamDeps {
  readonly clusters: ClusterManager;
  readonly clock: Clock;
  readonly random: () => number;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

export async function sendUpstream(
  deps: UpstreamDeps,
  req: UpstreamRequest,
  info: StreamInfo,
): Promise<UpstreamOutcome> {
  const policy = req.retryPolicy;
  const maxRetries = policy?.numRetries ?? 0;
  const tried = new Set<string>();
  let retried = false;
  for (let attempt = 0; ; attempt++) {
    let hosts;
    try {
      hosts = await deps.clusters.hostsFor(req.cluster, req.requestedHost, req.requestedPort);
    } catch {
      return { ok: false, error: new NoHealthyUpstreamError(req.cluster.name), retried };
    }
    const host = deps.clusters.lb.pick(
      req.cluster,
      hosts,
      policy?.retryOtherHosts === false ? new Set() : tried,
      deps.random(),
    );
    // No host, or only the proxy itself (a passthrough request aimed at the proxy would loop).
    if (host === undefined || deps.clusters.isSelf(host))
      return { ok: false, error: new NoHealthyUpstreamError(req.cluster.name), retried };
    tried.add(host.key);
    info.upstreamHost = host.key;
    const stats = deps.clusters.stats(req.cluster.name, host);
    stats.rqTotal++;
    const release = deps.clusters.lb.track(host);
    const perTry =
      policy !== null && policy.perTryTimeoutMs > 0 ? AbortSignal.timeout(policy.perTryTimeoutMs) : undefined;
    const signal = perTry !== undefined ? AbortSignal.any([req.signal, perTry]) : req.signal;
    // Istio sets include_request_attempt_count on every virtual host: the upstream sees which try this is.
    req.headers['x-envoy-attempt-count'] = String(attempt + 1);
    info.markUpstreamRequestSent(deps.clock);
    const canRetry = (): boolean =>
      policy !== null && attempt < maxRetries && !req.bodyStarted() && !req.signal.aborted;
    try {
      const pool = deps.clusters.pool(req.cluster, host);
      const response = await withUpstreamOwner(info, () =>
        pool.request({
          method: req.method as 'GET',
          path: req.path,
          headers: req.headers,
          // A fresh stream per attempt: undici destroys the body of a failed attempt.
          body: req.body === null ? null : Readable.from(req.body, { objectMode: false }),
          signal,
        }),
      );
      info.markUpstreamResponseHeaders(deps.clock);
      // Envoy's per-host counters: a 5xx is an error even when it is passed on or retried.
      if (response.statusCode >= 500) stats.rqError++;
      else stats.rqSuccess++;
      const retriable =
        policy !== null &&
        (retriableStatus(policy, response.statusCode) || retriableGrpcStatus(policy, response.headers['grpc-status']));
      if (policy !== null && retriable && canRetry()) {
        response.body.resume();
        release();
        retried = true;
        await sleep(backoffMs(policy, attempt, deps.random()), req.signal);
        continue;
      }
      // Envoy flags a retriable answer it had to pass on because the attempts ran out.
      if (retriable && attempt >= maxRetries && maxRetries > 0) info.addResponseFlag('URX');
      return {
        ok: true,
        response: { statusCode: response.statusCode, headers: response.headers, body: response.body, release },
        retried,
      };
    } catch (error) {
      release();
      stats.rqError++;
      if (isConnectFailure(error)) stats.cxConnectFail++;
      const perTryExpired = perTry?.aborted === true && !req.signal.aborted;
      if (perTryExpired || req.signal.reason instanceof RouteTimeoutError) stats.rqTimeout++;
      const failure = perTryExpired ? new PerTryTimeoutError(policy!.perTryTimeoutMs) : error;
      if (policy !== null && canRetry() && (perTryExpired ? retriableTimeout(policy) : retriableError(policy, error))) {
        retried = true;
        await sleep(backoffMs(policy, attempt, deps.random()), req.signal);
        continue;
      }
      return { ok: false, error: failure, retried };
    }
  }
}
