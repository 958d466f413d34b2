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

/** A workload selector matches when every one of its labels is among the proxy's labels with the same value. */
export function selectorMatches(
  selector: Readonly<Record<string, string>> | undefined,
  labels: Readonly<Record<string, string>>,
): boolean {
  if (selector === undefined) return false;
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

function hasSelector(s: SidecarResource): boolean {
  return Object.keys(s.spec.workloadSelector?.labels ?? {}).length > 0;
}

/** Older first by creationTimestamp, then by name: how Istio orders Sidecars that select the same workload. */
function compareSidecarAge(a: SidecarResource, b: SidecarResource): number {
  const ta = a.creationTimestamp;
  const tb = b.creationTimestamp;
  if (ta !== tb) {
    if (ta === undefined) return 1;
    if (tb === undefined) return -1;
    const delta = Date.parse(ta) - Date.parse(tb);
    if (delta !== 0) return delta;
  }
  return a.key.name < b.key.name ? -1 : a.key.name > b.key.name ? 1 : 0;
}

export interface SidecarChoice {
  readonly sidecar?: SidecarResource;
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * The Sidecar that applies to a proxy: in its namespace, one whose workloadSelector matches the proxy's
 * labels (the oldest when several do), else the namespace's selector-less one, else the root namespace's.
 * Without labels no selector matches, so only selector-less Sidecars apply.
 */
export function chooseSidecar(
  sidecars: readonly SidecarResource[],
  namespace: string,
  rootNamespace: string,
  labels: Readonly<Record<string, string>> = {},
): SidecarChoice {
  const matching = sidecars
    .filter(
      (s) =>
        s.key.namespace === namespace && hasSelector(s) && selectorMatches(s.spec.workloadSelector?.labels, labels),
    )
    .sort(compareSidecarAge);
  const winner = matching[0];
  if (winner !== undefined) {
    const diagnostics = matching.slice(1).map((loser) => ({
      code: 'ConflictingSidecar',
      message: `Sidecar ${loser.key.namespace}/${loser.key.name} is ignored: ${winner.key.namespace}/${winner.key.name} also selects this proxy and is older`,
      resource: `Sidecar/${loser.key.namespace}/${loser.key.name}`,
      position: loser.source,
    }));
    return { sidecar: winner, diagnostics };
  }
  const unselective = sidecars.filter((s) => !hasSelector(s));
  const sidecar =
    unselective.find((s) => s.key.namespace === namespace) ??
    unselective.find((s) => s.key.namespace === rootNamespace);
  return { ...(sidecar !== undefined ? { sidecar } : {}), diagnostics: [] };
}

/** The Sidecar that applies to a proxy with the given labels (none by default); see chooseSidecar. */
export function selectSidecar(
  sidecars: readonly SidecarResource[],
  namespace: string,
  rootNamespace: string,
  labels: Readonly<Record<string, string>> = {},
): SidecarResource | undefined {
  return chooseSidecar(sidecars, namespace, rootNamespace, labels).sidecar;
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
