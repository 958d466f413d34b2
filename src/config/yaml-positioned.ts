// The positioned YAML parser (the `yaml` package), loaded on first use: config is parsed with js-yaml and
// only files with findings (or YAML js-yaml might read differently) need positions, so a proxy with a
// clean config never pays the parser's ~8 MB.
import { createRequire } from 'node:module';
import type * as YamlModule from 'yaml';

let loaded: typeof YamlModule | undefined;

export function positionedYaml(): typeof YamlModule {
  loaded ??= createRequire(import.meta.url)('yaml') as typeof YamlModule;
  return loaded;
}
