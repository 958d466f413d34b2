// Scenario: plain HTTP through the proxy at a fixed 1000 requests/s (open loop, spread over keep-alive
// connections) for latency percentiles; the added latency is each proxy's minus direct's, same run.
import { runLoad } from '../load/loadgen.ts';
import { interleave, type MacroContext, type ScenarioOutcome } from './scenario.ts';

export const FIXED_RATE = 1000;
const POOL = 32;

export async function fixedRateLatency(context: MacroContext): Promise<ScenarioOutcome> {
  const { httpPort } = context.upstream;
  const samples = await interleave(context, 'latency', (peer, window) =>
    runLoad(
      {
        mode: 'rate',
        rate: FIXED_RATE,
        port: peer.proxyPort ?? httpPort,
        target: {
          route: peer.proxyPort === undefined ? 'direct' : 'absolute',
          host: peer.upstreamHost,
          port: httpPort,
        },
        perRequest: false,
        connections: POOL,
        warmupMs: context.warmupSeconds * 1000,
        durationMs: context.seconds * 1000,
      },
      { onMeasuring: () => window.open(), onMeasured: () => window.close() },
    ),
  );
  return {
    id: 'latency',
    title: `Latency at a fixed ${FIXED_RATE} requests/s: plain HTTP, absolute-form, over ${POOL} keep-alive connections (Node load generator, open loop)`,
    samples,
  };
}
