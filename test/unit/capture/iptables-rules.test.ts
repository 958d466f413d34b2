// Golden output of the capture rule builder (what `meshgate iptables --dry-run` prints) and the flag
// parser's checks; REFRESH_GOLDEN=1 rewrites test/fixtures/iptables/*.golden.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import {
  CaptureOptionsError,
  parseCaptureFlags,
  parseCidr,
  type CaptureFlags,
} from '../../../src/capture/capture-options.ts';
import { buildRuleset, renderRestore, ruleText, type Family } from '../../../src/capture/iptables-rules.ts';

function golden(name: string, actual: string): void {
  const url = new URL(`../../fixtures/iptables/${name}.golden`, import.meta.url);
  if (process.env.REFRESH_GOLDEN === '1') writeFileSync(url, actual);
  assert.ok(existsSync(url), `${name}.golden is missing; REFRESH_GOLDEN=1 writes it`);
  assert.equal(actual, readFileSync(url, 'utf8'), `${name}.golden differs; REFRESH_GOLDEN=1 rewrites it`);
}

describe('capture rules (golden)', () => {
  const cases: Array<[string, CaptureFlags, Family]> = [
    ['default', {}, 4],
    ['exclusions', { excludePorts: '22,15090, 15021', excludeCidrs: '169.254.169.254,10.96.0.0/12,fd00::/8' }, 4],
    ['exclusions-ipv6', { excludePorts: '22', excludeCidrs: '169.254.169.254,fd00::/8' }, 6],
    ['include-ports-only', { includePorts: '443,80', proxyPort: '15002', proxyUid: '2000', proxyGid: '3000' }, 4],
    ['include-cidrs', { includeCidrs: '10.0.0.0/8,192.168.1.1', includePorts: '3306' }, 4],
  ];
  for (const [name, flags, family] of cases) {
    test(name, () => {
      golden(name, renderRestore(buildRuleset(parseCaptureFlags(flags), family), { comments: true }));
    });
  }

  test('the default ruleset, rule by rule, in istio-iptables order', () => {
    const ruleset = buildRuleset(parseCaptureFlags({}));
    assert.equal(ruleText(ruleset.jump), 'OUTPUT -p tcp -j MESHGATE_OUTPUT');
    assert.deepEqual(ruleset.rules.map(ruleText), [
      'MESHGATE_REDIRECT -p tcp -j REDIRECT --to-ports 15001',
      'MESHGATE_OUTPUT -o lo -m owner ! --uid-owner 1337 -j RETURN',
      'MESHGATE_OUTPUT -m owner --uid-owner 1337 -j RETURN',
      'MESHGATE_OUTPUT -o lo -m owner ! --gid-owner 1337 -j RETURN',
      'MESHGATE_OUTPUT -m owner --gid-owner 1337 -j RETURN',
      'MESHGATE_OUTPUT -d 127.0.0.1/32 -j RETURN',
      'MESHGATE_OUTPUT -j MESHGATE_REDIRECT',
    ]);
  });

  test('apply input declares our chains, hooks OUTPUT only when asked, and deletes stale hooks first', () => {
    const ruleset = buildRuleset(parseCaptureFlags({}));
    const text = renderRestore(ruleset, { jump: false, deleteJumps: [['-j', 'MESHGATE_OUTPUT']] });
    assert.match(
      text,
      /^\*nat\n:MESHGATE_OUTPUT - \[0:0\]\n:MESHGATE_REDIRECT - \[0:0\]\n-D OUTPUT -j MESHGATE_OUTPUT\n-A MESHGATE_REDIRECT/,
    );
    assert.doesNotMatch(text, /-A OUTPUT/);
    assert.match(text, /COMMIT\n$/);
  });
});

describe('capture flags', () => {
  test("defaults are Istio's: uid and gid 1337, port 15001, capture everything", () => {
    assert.deepEqual(parseCaptureFlags({}), {
      proxyUid: 1337,
      proxyGid: 1337,
      proxyPort: 15001,
      includePorts: [],
      excludePorts: [],
      includeCidrs: '*',
      excludeCidrs: [],
    });
  });

  test('the gid follows the uid unless given', () => {
    assert.equal(parseCaptureFlags({ proxyUid: '1500' }).proxyGid, 1500);
    assert.equal(parseCaptureFlags({ proxyUid: '1500', proxyGid: '0' }).proxyGid, 0);
  });

  test('lists are trimmed, deduplicated and sorted', () => {
    const options = parseCaptureFlags({
      excludePorts: ' 443,80,443,',
      excludeCidrs: '10.0.0.0/8, 10.0.0.0/8,FD00::/8',
    });
    assert.deepEqual(options.excludePorts, [80, 443]);
    assert.deepEqual(options.excludeCidrs, [
      { family: 4, text: '10.0.0.0/8' },
      { family: 6, text: 'fd00::/8' },
    ]);
  });

  test('--include-ports alone captures only those ports; with --include-cidrs * everything', () => {
    assert.deepEqual(parseCaptureFlags({ includePorts: '80' }).includeCidrs, []);
    assert.equal(parseCaptureFlags({ includePorts: '80', includeCidrs: '*' }).includeCidrs, '*');
  });

  test('every bad value is reported at once', () => {
    assert.throws(
      () =>
        parseCaptureFlags({
          proxyUid: '-1',
          proxyPort: '70000',
          excludePorts: '0,http',
          includePorts: '15001',
          includeCidrs: '10.0.0.0/33',
          excludeCidrs: '1.2.3',
        }),
      (err: unknown) => {
        assert.ok(err instanceof CaptureOptionsError);
        assert.equal(err.code, 'MG_ERR_CAPTURE_OPTIONS');
        assert.deepEqual(err.problems, [
          '--proxy-uid: "-1" is not an integer from 0 to 4294967294',
          '--proxy-port: "70000" is not an integer from 1 to 65535',
          '--exclude-ports: "0" is not an integer from 1 to 65535',
          '--exclude-ports: "http" is not an integer from 1 to 65535',
          '--exclude-cidrs: "1.2.3" is not an IP address or CIDR',
          '--include-cidrs: "10.0.0.0/33" is not an IP address or CIDR',
        ]);
        return true;
      },
    );
  });

  test('a port both included and excluded, or the proxy port included, is refused', () => {
    assert.throws(
      () => parseCaptureFlags({ includePorts: '80', excludePorts: '80' }),
      /port 80 is both included and excluded/,
    );
    assert.throws(() => parseCaptureFlags({ includePorts: '15001' }), /must not contain the proxy port 15001/);
  });

  test('CIDRs: bare addresses become host routes; junk is refused', () => {
    assert.deepEqual(parseCidr('192.0.2.7'), { family: 4, text: '192.0.2.7/32' });
    assert.deepEqual(parseCidr('2001:db8::1'), { family: 6, text: '2001:db8::1/128' });
    assert.deepEqual(parseCidr('0.0.0.0/0'), { family: 4, text: '0.0.0.0/0' });
    for (const bad of ['', '10.0.0.0/', '10.0.0.0/8/8', '10.0.0.0/-1', 'example.com/8', '::/129', '10.0.0.0/1e1']) {
      assert.equal(parseCidr(bad), undefined, bad);
    }
  });
});
