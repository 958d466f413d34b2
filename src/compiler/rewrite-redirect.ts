// Compiles `rewrite` and `redirect` of one HTTP route for one of its match entries, as Istio translates them
// (prefix_rewrite relative to the matched prefix, regex_rewrite, host rewrite, Envoy's RedirectAction).
import type { DeepReadonly } from '../config/model.ts';
import type { HTTPMatchRequest, HTTPRedirect, HTTPRewrite } from '../config/wire/virtual-service.ts';
import type { PathRewrite, RedirectAction } from './snapshot.ts';

/**
 * The part of the path a prefix rewrite replaces: the match's prefix, or its exact path (Envoy replaces
 * the whole path then), or `/` when the entry does not match on the URI (Envoy's default route prefix).
 */
function matchedPrefix(match: DeepReadonly<HTTPMatchRequest> | undefined): string | { regex: string } {
  const uri = match?.uri;
  if (uri?.prefix !== undefined) return uri.prefix;
  if (uri?.exact !== undefined) return uri.exact;
  if (uri?.regex !== undefined) return { regex: uri.regex };
  return '/';
}

export function compileRewrite(
  rewrite: DeepReadonly<HTTPRewrite> | undefined,
  match: DeepReadonly<HTTPMatchRequest> | undefined,
): PathRewrite | undefined {
  if (rewrite === undefined) return undefined;
  let prefix: PathRewrite['prefix'];
  let regex: PathRewrite['regex'];
  if (rewrite.uriRegexRewrite?.match !== undefined) {
    regex = { pattern: rewrite.uriRegexRewrite.match, substitution: rewrite.uriRegexRewrite.rewrite ?? '' };
  } else if (rewrite.uri !== undefined && rewrite.uri !== '') {
    const matched = matchedPrefix(match);
    // A regex match has no prefix; the whole matched path is rewritten then.
    if (typeof matched === 'string') prefix = { matchedPrefix: matched, replacement: rewrite.uri };
    else regex = { pattern: `^${matched.regex}$`, substitution: rewrite.uri };
  }
  const authority = rewrite.authority !== undefined && rewrite.authority !== '' ? rewrite.authority : undefined;
  if (prefix === undefined && regex === undefined && authority === undefined) return undefined;
  return {
    ...(prefix !== undefined ? { prefix } : {}),
    ...(regex !== undefined ? { regex } : {}),
    ...(authority !== undefined ? { authority } : {}),
  };
}

export function compileRedirect(
  redirect: DeepReadonly<HTTPRedirect>,
  match: DeepReadonly<HTTPMatchRequest> | undefined,
): RedirectAction {
  const matched = matchedPrefix(match);
  return {
    kind: 'redirect',
    responseCode: redirect.redirectCode !== undefined && redirect.redirectCode !== 0 ? redirect.redirectCode : 301,
    ...(redirect.scheme !== undefined && redirect.scheme !== '' ? { scheme: redirect.scheme } : {}),
    ...(redirect.authority !== undefined && redirect.authority !== '' ? { host: redirect.authority } : {}),
    ...(redirect.port !== undefined && redirect.port !== 0 ? { port: redirect.port } : {}),
    ...(redirect.derivePort === 'FROM_REQUEST_PORT' ? { portFromRequest: true } : {}),
    ...(redirect.uri !== undefined && redirect.uri !== '' ? { path: redirect.uri } : {}),
    ...(redirect.prefixRewrite !== undefined && redirect.prefixRewrite !== '' && typeof matched === 'string'
      ? { prefixRewrite: { matchedPrefix: matched, replacement: redirect.prefixRewrite } }
      : {}),
  };
}
