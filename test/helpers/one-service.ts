// One HTTP test server behind a STATIC ServiceEntry `web.test` in a fresh config folder: the smallest
// setup for e2e tests that start `meshgate proxy` with some flag or environment and send it one request.
import { TmpConfigDir } from './tmp-config.ts';
import { startHttpUpstream, type TestUpstream } from './upstream.ts';

export interface OneService {
  readonly web: TestUpstream;
  readonly config: TmpConfigDir;
  close(): Promise<void>;
}

/** `protocol` is the ServiceEntry port's: HTTP for requests, TCP for tunnels. */
export async function startOneService(host: string, protocol: 'HTTP' | 'TCP'): Promise<OneService> {
  const web = await startHttpUpstream({ host });
  const config = await TmpConfigDir.create();
  const portName = protocol.toLowerCase();
  await config.write(
    'web.yaml',
    `apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: web\nspec:\n  hosts: [web.test]\n  ports:\n  - number: ${web.port}\n    name: ${portName}\n    protocol: ${protocol}\n  resolution: STATIC\n  endpoints:\n  - address: ${host}\n`,
  );
  return {
    web,
    config,
    close: async () => {
      await Promise.all([web.close(), config.cleanup()]);
    },
  };
}
