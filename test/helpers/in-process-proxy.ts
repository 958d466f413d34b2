// A ProxyServer on 127.0.0.1:<free port> serving one compiled config, with every finished stream kept
// for assertions. For tests whose services are STATIC (its resolver answers nothing).
import { compile } from '../../src/compiler/compile.ts';
import { ProxyServer, type ProxyServerOptions } from '../../src/dataplane/proxy-server.ts';
import type { StreamInfo } from '../../src/dataplane/stream-info.ts';
import { DnsResolver } from '../../src/dns/resolver.ts';
import { systemClock } from '../../src/system-clock.ts';
import { configSet } from './config-set.ts';

export interface InProcessProxy {
  readonly proxy: ProxyServer;
  readonly port: number;
  /** Finished requests and tunnels, oldest first. */
  readonly infos: StreamInfo[];
  stop(): Promise<void>;
}

/** `options` adds to or overrides the defaults; `host` is the listening address. */
export async function startInProcessProxy(
  config: Parameters<typeof configSet>[0],
  options: Partial<ProxyServerOptions> = {},
  host = '127.0.0.1',
): Promise<InProcessProxy> {
  const infos: StreamInfo[] = [];
  const proxy = new ProxyServer({
    clock: systemClock,
    resolver: new DnsResolver({ servers: ['127.0.0.1:1'] }),
    accessLog: (info) => infos.push(info),
    ...options,
  });
  proxy.swap(compile(configSet(config), { namespace: 'default', version: '1' }));
  const { port } = await proxy.listen(0, host);
  return {
    proxy,
    port,
    infos,
    stop: async () => {
      await proxy.stop(100);
    },
  };
}
