import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { handleLogging } from '../../../src/admin/logging-endpoint.ts';
import { Logger } from '../../../src/observability/logger.ts';

void describe('/logging', () => {
  void test('no parameter shows the level; ?level= and ?meshgate= change it and say so', () => {
    const lines: string[] = [];
    const log = new Logger('info', (line) => lines.push(line));
    assert.deepEqual(handleLogging(log, new URLSearchParams()), {
      status: 200,
      body: 'active loggers:\n  meshgate: info\n',
    });
    assert.deepEqual(handleLogging(log, new URLSearchParams('level=debug')), {
      status: 200,
      body: 'active loggers:\n  meshgate: debug\n',
    });
    assert.deepEqual(
      handleLogging(log, new URLSearchParams('meshgate=warning')).body,
      'active loggers:\n  meshgate: warning\n',
    );
    assert.equal(log.level, 'warning');
    assert.deepEqual(lines, [
      "meshgate: change all log levels: level='debug'\n",
      "meshgate: change all log levels: level='warning'\n",
    ]);
  });

  void test('bad requests are 400 with usage and change nothing', () => {
    const log = new Logger('info', () => undefined);
    for (const query of ['level=verbose', 'router=debug', 'level=debug&x=1']) {
      const reply = handleLogging(log, new URLSearchParams(query));
      assert.equal(reply.status, 400, query);
      assert.match(reply.body, /^error: .*\n\nusage: \/logging\?level=<level>/);
      assert.equal(log.level, 'info');
    }
  });
});
