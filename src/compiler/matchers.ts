// Compiles Istio's StringMatch and HTTPMatchRequest into the snapshot's matcher data (evaluated by the router).
import type { DeepReadonly } from '../config/model.ts';
import type { StringMatch } from '../config/wire/common.ts';
import type { HTTPMatchRequest } from '../config/wire/virtual-service.ts';
import type { HeaderMatcher, RouteMatch, StringMatcher } from './snapshot.ts';

/** exact / prefix / regex, or `present` for an empty match and the `*` regex Istio treats as presence. */
export function compileStringMatch(
  match: DeepReadonly<StringMatch> | undefined,
  ignoreCase = false,
): StringMatcher | undefined {
  if (match === undefined) return undefined;
  if (match.exact !== undefined)
    return { kind: 'exact', value: ignoreCase ? match.exact.toLowerCase() : match.exact, ignoreCase };
  if (match.prefix !== undefined)
    return { kind: 'prefix', value: ignoreCase ? match.prefix.toLowerCase() : match.prefix, ignoreCase };
  if (match.regex !== undefined)
    return match.regex === '*'
      ? { kind: 'present', value: '', ignoreCase: false }
      : { kind: 'regex', value: match.regex, ignoreCase: false };
  return { kind: 'present', value: '', ignoreCase: false };
}

function headerMatchers(map: DeepReadonly<Record<string, StringMatch>> | undefined, invert: boolean): HeaderMatcher[] {
  if (map === undefined) return [];
  return Object.keys(map)
    .sort()
    .map((name) => ({ name: name.toLowerCase(), matcher: compileStringMatch(map[name])!, invert }));
}

/** One HTTPMatchRequest as a RouteMatch; `routeName` is the http route's name, for Istio's `<route>.<match>` naming. */
export function compileRouteMatch(match: DeepReadonly<HTTPMatchRequest>): RouteMatch {
  const uri = compileStringMatch(match.uri, match.ignoreUriCase === true && match.uri?.regex === undefined);
  const method = compileStringMatch(match.method);
  const scheme = compileStringMatch(match.scheme);
  const authority = compileStringMatch(match.authority);
  const query = match.queryParams ?? {};
  return {
    name: match.name ?? '',
    ...(uri !== undefined ? { uri } : {}),
    ...(method !== undefined ? { method } : {}),
    ...(scheme !== undefined ? { scheme } : {}),
    ...(authority !== undefined ? { authority } : {}),
    headers: [...headerMatchers(match.headers, false), ...headerMatchers(match.withoutHeaders, true)],
    queryParams: Object.keys(query)
      .sort()
      .map((name) => ({ name, matcher: compileStringMatch(query[name])! })),
  };
}
