// Stage 3b: which services one proxy namespace may see (exportTo, then Sidecar egress hosts), oldest host wins.
import type { SidecarResource } from '../config/model.ts';
import type { OutboundTrafficPolicyMode } from '../config/wire/sidecar.ts';
import { compareAge, type Diagnostic, type Service } from './service.ts';

export interface RegistryView {
  /** Visible services, one per hostname (the oldest), sorted by hostname. */
  readonly services: readonly Service[];
  /** The Sidecar that scoped this view, if any (`namespace/name`). */
  readonly sidecar?: string;
  /** Sidecar outboundTrafficPolicy, when the Sidecar sets one (its proto zero value is REGISTRY_ONLY). */
  readonly outboundTrafficPolicyMode?: OutboundTrafficPolicyMode;
  readonly diagnostics: readonly Diagnostic[];
}

/** exportTo: `*` everyone, `.` the service's own namespace, `~` nobody, otherwise namespace names. */
export function isExportedTo(exportTo: readonly string[], ownerNamespace: string, namespace: string): boolean {
  for (const entry of exportTo) {
    if (entry === '*') return true;
    if (entry === '.' && ownerNamespace === namespace) return true;
    if (entry === namespace) return true;
  }
  return false;
}

/** Istio's host.Name.Matches (pkg/config/host/name.go) on lower-cased names: wildcards compare by suffix. */
export function istioHostMatches(a: string, b: string): boolean {
  const aWild = a.startsWith('*');
  const bWild = b.startsWith('*');
  if (aWild && bWild) return a.length > b.length ? a.endsWith(b.slice(1)) : b.endsWith(a.slice(1));
  if (aWild) return b.endsWith(a.slice(1));
  if (bWild) return a.endsWith(b.slice(1));
  return a === b;
}

/**
 * The Sidecar that applies to a proxy without workload labels: the namespace's selector-less Sidecar,
 * else the root namespace's. Sidecars with a workloadSelector select labelled workloads, which a
 * meshgate proxy is not, so they never apply.
 */
export function selectSidecar(
  sidecars: readonly SidecarResource[],
  namespace: string,
  rootNamespace: string,
): SidecarResource | undefined {
  const unselective = sidecars.filter(
    (s) => s.spec.workloadSelector?.labels === undefined || Object.keys(s.spec.workloadSelector.labels).length === 0,
  );
  return (
    unselective.find((s) => s.key.namespace === namespace) ?? unselective.find((s) => s.key.namespace === rootNamespace)
  );
}

interface EgressImport {
  readonly namespace: string; // '*', a name
  readonly host: string; // '*', a DNS name, a wildcard
  readonly exclude: boolean;
}

function parseEgressHost(entry: string, sidecarNamespace: string): EgressImport | undefined {
  const slash = entry.indexOf('/');
  if (slash < 0) return undefined;
  let ns = entry.slice(0, slash);
  const host = entry.slice(slash + 1).toLowerCase();
  const exclude = ns.startsWith('~');
  if (exclude) ns = ns.slice(1) === '' ? '*' : ns.slice(1);
  if (ns === '.') ns = sidecarNamespace;
  return { namespace: ns, host, exclude };
}

function importMatches(imp: EgressImport, svc: Service): boolean {
  if (imp.namespace !== '*' && imp.namespace !== svc.namespace) return false;
  return imp.host === '*' || istioHostMatches(imp.host, svc.hostname);
}

/**
 * Istio's SidecarScope selection of namespaced config (VirtualServices): kept when one of its hosts matches
 * an egress host whose namespace part is `*` or the config's namespace. No Sidecar egress: everything stays.
 */
export function sidecarImportsConfig(
  sidecar: SidecarResource | undefined,
  configNamespace: string,
  hosts: readonly string[],
): boolean {
  if (sidecar?.spec.egress === undefined || sidecar.spec.egress.length === 0) return true;
  const imports = sidecar.spec.egress
    .flatMap((l) => l.hosts ?? [])
    .map((h) => parseEgressHost(h, sidecar.key.namespace))
    .filter((i): i is EgressImport => i !== undefined && !i.exclude);
  return imports.some(
    (i) =>
      (i.namespace === '*' || i.namespace === configNamespace) &&
      hosts.some((h) => i.host === '*' || istioHostMatches(i.host, h.toLowerCase())),
  );
}

/** Services the proxy in `namespace` imports: exported to it, imported by its Sidecar, one per host (oldest). */
export function buildView(
  all: readonly Service[],
  namespace: string,
  sidecar: SidecarResource | undefined,
): RegistryView {
  const diagnostics: Diagnostic[] = [];
  let visible = all.filter((s) => isExportedTo(s.exportTo, s.namespace, namespace));
  if (sidecar?.spec.egress !== undefined && sidecar.spec.egress.length > 0) {
    const imports = sidecar.spec.egress
      .flatMap((l) => l.hosts ?? [])
      .map((h) => parseEgressHost(h, sidecar.key.namespace))
      .filter((i) => i !== undefined);
    const includes = imports.filter((i) => !i.exclude);
    const excludes = imports.filter((i) => i.exclude);
    visible = visible.filter(
      (s) => includes.some((i) => importMatches(i, s)) && !excludes.some((i) => importMatches(i, s)),
    );
  }
  const byHost = new Map<string, Service[]>();
  for (const s of visible) {
    const list = byHost.get(s.hostname);
    if (list === undefined) byHost.set(s.hostname, [s]);
    else list.push(s);
  }
  const services: Service[] = [];
  for (const host of [...byHost.keys()].sort()) {
    const candidates = byHost.get(host)!.slice().sort(compareAge);
    const winner = candidates[0]!;
    services.push(winner);
    for (const loser of candidates.slice(1)) {
      diagnostics.push({
        code: 'DuplicateHost',
        message: `host ${host} of ${loser.source.kind}/${loser.source.namespace}/${loser.source.name} is ignored: ${winner.source.kind}/${winner.source.namespace}/${winner.source.name} defines it and is older`,
        resource: `${loser.source.kind}/${loser.source.namespace}/${loser.source.name}`,
        position: loser.position,
      });
    }
  }
  const policy = sidecar?.spec.outboundTrafficPolicy;
  return {
    services,
    ...(sidecar !== undefined ? { sidecar: `${sidecar.key.namespace}/${sidecar.key.name}` } : {}),
    ...(policy !== undefined ? { outboundTrafficPolicyMode: policy.mode ?? 'REGISTRY_ONLY' } : {}),
    diagnostics,
  };
}
