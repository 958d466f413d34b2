// Wires each kind to its rules file (src/validation/<kind>.ts); loadConfig uses this table unless given another.
import { validateDestinationRule } from './destination-rule.ts';
import { validateServiceEntry } from './service-entry.ts';
import { validateSidecar } from './sidecar.ts';
import type { KindRules } from './validate.ts';
import { validateVirtualService } from './virtual-service.ts';

export const kindRules: KindRules = {
  ServiceEntry: validateServiceEntry,
  VirtualService: validateVirtualService,
  DestinationRule: validateDestinationRule,
  Sidecar: validateSidecar,
};
