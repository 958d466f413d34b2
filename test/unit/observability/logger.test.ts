import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isLogLevel, Logger } from '../../../src/observability/logger.ts';

void describe('Logger', () => {
  void test('prints at or above its level; info lines keep the plain form, others name their level', () => {
    const lines: string[] = [];
    const log = new Logger('info', (line) => lines.push(line));
    log.debug('hidden');
    log.info('config version 2 live');
    log.warning('rejected a.yaml');
    log.error('cannot listen');
    assert.deepEqual(lines, [
      'meshgate: config version 2 live\n',
      'meshgate: warning: rejected a.yaml\n',
      'meshgate: error: cannot listen\n',
    ]);
  });

  void test('the level changes at run time; off silences everything', () => {
    const lines: string[] = [];
    const log = new Logger('error', (line) => lines.push(line));
    assert.equal(log.enabled('debug'), false);
    log.level = 'debug';
    assert.equal(log.level, 'debug');
    log.debug('now visible');
    log.trace('still hidden');
    log.level = 'off';
    log.error('silent');
    assert.deepEqual(lines, ['meshgate: debug: now visible\n']);
  });

  void test("Envoy's level names are the only valid ones", () => {
    for (const level of ['trace', 'debug', 'info', 'warning', 'error', 'critical', 'off']) assert.ok(isLogLevel(level));
    for (const level of ['warn', 'INFO', 'fatal', '']) assert.ok(!isLogLevel(level));
  });
});
