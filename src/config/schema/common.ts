// Field schemas of the messages several Istio networking kinds share (Destination, StringMatch, Percent, …).
import { double, int, message, string, stringMap } from './field-schema.ts';

export const percent = message('Percent', { value: double });

export const stringMatch = message('StringMatch', { exact: string, prefix: string, regex: string });

export const portSelector = message('PortSelector', { number: int });

export const destination = message('Destination', { host: string, subset: string, port: portSelector });

export const workloadSelector = message('WorkloadSelector', { labels: stringMap });
