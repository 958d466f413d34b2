// The pure parts of applying rules: reading `iptables -S` lines back into argv (quoted comments
// included) and the commands --cleanup --dry-run prints. The kernel side runs in test/integration.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCaptureFlags } from '../../../src/capture/capture-options.ts';
import { binaries, cleanupCommands, splitRuleLine } from '../../../src/capture/iptables-apply.ts';
import { buildRuleset, restoreWord } from '../../../src/capture/iptables-rules.ts';

describe('iptables -S lines', () => {
  test('split into argv, with quoted comments kept whole', () => {
    assert.deepEqual(splitRuleLine('-A OUTPUT -p tcp -j MESHGATE_OUTPUT'), [
      '-A',
      'OUTPUT',
      '-p',
      'tcp',
      '-j',
      'MESHGATE_OUTPUT',
    ]);
    assert.deepEqual(splitRuleLine('-A OUTPUT -m comment --comment "added by \\"ops\\" team" -j MESHGATE_OUTPUT'), [
      '-A',
      'OUTPUT',
      '-m',
      'comment',
      '--comment',
      'added by "ops" team',
      '-j',
      'MESHGATE_OUTPUT',
    ]);
    assert.deepEqual(splitRuleLine(''), []);
  });

  test('words round-trip through restoreWord and splitRuleLine', () => {
    const words = ['-m', 'comment', '--comment', 'two words', 'quote"inside', 'back\\slash', 'plain'];
    assert.deepEqual(splitRuleLine(words.map(restoreWord).join(' ')), words);
    assert.equal(restoreWord('MESHGATE_OUTPUT'), 'MESHGATE_OUTPUT');
    assert.equal(restoreWord('two words'), '"two words"');
  });
});

describe('cleanup commands', () => {
  test('unhook, flush both chains, then delete them', () => {
    assert.deepEqual(cleanupCommands(buildRuleset(parseCaptureFlags({}), 4)), [
      'iptables -t nat -D OUTPUT -p tcp -j MESHGATE_OUTPUT',
      'iptables -t nat -F MESHGATE_OUTPUT',
      'iptables -t nat -F MESHGATE_REDIRECT',
      'iptables -t nat -X MESHGATE_OUTPUT',
      'iptables -t nat -X MESHGATE_REDIRECT',
    ]);
    assert.match(cleanupCommands(buildRuleset(parseCaptureFlags({}), 6))[0] ?? '', /^ip6tables /);
    assert.deepEqual(binaries(6), { iptables: 'ip6tables', restore: 'ip6tables-restore' });
  });
});
