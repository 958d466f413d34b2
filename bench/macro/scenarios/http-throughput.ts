// Scenario: plain HTTP through the forward proxy, absolute-form, 64 keep-alive connections, as fast as
// the proxy answers (wrk, one thread). Direct sends origin-form to the upstream itself.
import { runWrk, type WrkJob } from '../load/wrk.ts';
import { installHint } from '../tools.ts';
import { interleave, type MacroContext, type ScenarioOutcome } from './scenario.ts';

export const HTTP_CONNECTIONS = 64;
const TITLE = `Plain HTTP forward proxy: absolute-form GET, ${HTTP_CONNECTIONS} keep-alive connections (wrk -t1)`;

export async function httpThroughput(context: MacroContext): Promise<ScenarioOutcome> {
  const wrk = context.wrk;
  if (wrk === undefined)
    return { id: 'http', title: TITLE, samples: new Map(), skipped: `wrk is not installed: ${installHint(['wrk'])}` };
  const { httpPort } = context.upstream;
  const samples = await interleave(context, 'http', async (peer, window) => {
    const job: WrkJob = {
      wrk,
      port: peer.proxyPort ?? httpPort,
      ...(peer.proxyPort === undefined ? {} : { target: { host: peer.upstreamHost, port: httpPort } }),
      connections: HTTP_CONNECTIONS,
      // wrk takes whole seconds.
      seconds: Math.max(1, Math.round(context.warmupSeconds)),
    };
    await runWrk(job);
    return runWrk(
      { ...job, seconds: Math.max(1, Math.round(context.seconds)) },
      { onStart: () => window.open(), onExit: () => window.close() },
    );
  });
  return { id: 'http', title: TITLE, samples };
}
