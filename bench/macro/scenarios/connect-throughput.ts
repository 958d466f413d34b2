// Scenarios: CONNECT tunnels to the upstream's TCP port, 64 at a time, with plain HTTP inside; either
// one tunnel per connection carrying request after request, or a new tunnel for every request.
// Direct runs the same requests on plain connections (keep-alive, or one per request).
import { runLoad } from '../load/loadgen.ts';
import { interleave, type MacroContext, type ScenarioOutcome } from './scenario.ts';

const TUNNELS = 64;

function connectScenario(
  id: string,
  title: string,
  perRequest: boolean,
): (context: MacroContext) => Promise<ScenarioOutcome> {
  return async (context) => {
    const { tcpPort } = context.upstream;
    const samples = await interleave(context, id, (peer, window) =>
      runLoad(
        {
          mode: 'closed',
          port: peer.proxyPort ?? tcpPort,
          target: {
            route: peer.proxyPort === undefined ? 'direct' : 'tunnel',
            host: peer.upstreamHost,
            port: tcpPort,
            close: perRequest,
          },
          perRequest,
          connections: TUNNELS,
          warmupMs: context.warmupSeconds * 1000,
          durationMs: context.seconds * 1000,
        },
        { onMeasuring: () => window.open(), onMeasured: () => window.close() },
      ),
    );
    return { id, title, samples };
  };
}

export const connectKeepAlive = connectScenario(
  'connect',
  `CONNECT tunnels, many requests per tunnel: ${TUNNELS} tunnels, HTTP/1.1 keep-alive inside (Node load generator)`,
  false,
);

export const connectPerRequest = connectScenario(
  'connect-per-request',
  `CONNECT tunnels, one tunnel per request: ${TUNNELS} at a time, each opens, sends one request and closes (Node load generator)`,
  true,
);
