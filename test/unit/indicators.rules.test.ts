// What may become an IP indicator, checked before any request: address classes (CIDR, multicast, broadcast,
// unspecified, loopback, internal; documentation and other unrouted blocks only on the demo tenant), the actions and
// severities, text limits, expiry parsing; the body built from validated values and the confirmation's sentence.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  checkDraft,
  checkIndicatorAddress,
  describeSubmission,
  expirySubmission,
  indicatorLine,
  parseExpiry,
  parseGroups,
  parseSeverity,
  type IndicatorDraft,
} from '../../src/core/indicators/indicatorRules';
import { planBulkAdd } from '../../src/core/indicators/bulkPlan';
import type { Indicator } from '../../src/shared/defenderModel';

const NOW = Date.parse('2026-12-05T10:30:00Z');
const real = { demo: false, now: NOW };
const demo = { demo: true, now: NOW };
const draft = (over: Partial<IndicatorDraft> = {}): IndicatorDraft => ({ ip: '8.8.4.4', choice: 'block', title: 'Known C2', description: 'Seen on 4 machines, 2 High alerts', expires: '30d', ...over });

describe('addresses', () => {
  test('single external hosts pass; ranges and non-hosts are refused with the reason', () => {
    const host = checkIndicatorAddress('8.8.4.4', real);
    assert.ok(host.ok && host.ip === '8.8.4.4' && host.facts.ipClass === 'public');
    const refusal = (input: string, ctx = real) => {
      const r = checkIndicatorAddress(input, ctx);
      assert.equal(r.ok, false, `${input} should be refused`);
      return r.ok ? { kind: '', reason: '' } : r;
    };
    assert.equal(refusal('8.8.4.0/24').kind, 'cidr');
    assert.match(refusal('8.8.4.0/24').reason, /no CIDR/);
    assert.equal(checkIndicatorAddress('8.8.4.4/32', real).ok, true, 'a /32 is one host');
    assert.equal(refusal('2001:4860::/32').kind, 'cidr');
    for (const [ip, kind] of [
      ['224.0.0.251', 'not-a-host'],
      ['ff02::1', 'not-a-host'],
      ['255.255.255.255', 'not-a-host'],
      ['0.0.0.0', 'not-a-host'],
      ['::', 'not-a-host'],
      ['127.0.0.1', 'not-a-host'],
      ['::1', 'not-a-host'],
      ['10.1.2.3', 'internal'],
      ['192.168.1.1', 'internal'],
      ['172.16.0.1', 'internal'],
      ['100.64.1.1', 'internal'],
      ['169.254.10.1', 'internal'],
      ['fd00::1', 'internal'],
      ['fe80::1%eth0', 'internal'],
      ['::ffff:8.8.4.4', 'mapped'],
      ['240.0.0.1', 'not-routable'],
      ['198.18.0.1', 'not-routable'],
    ] as const) {
      assert.equal(refusal(ip).kind, kind, ip);
      assert.equal(refusal(ip, demo).kind, kind, `${ip} on the demo tenant too`);
    }
    assert.match(refusal('10.1.2.3').reason, /external addresses only/);
    assert.match(refusal('::ffff:8.8.4.4').reason, /add 8\.8\.4\.4 instead/);
  });

  test('documentation addresses: refused on a real tenant, allowed on the demo tenant (its C2 is 198.51.100.23)', () => {
    for (const ip of ['198.51.100.23', '203.0.113.80', '192.0.2.147', '2001:db8::1']) {
      const r = checkIndicatorAddress(ip, real);
      assert.equal(r.ok, false, ip);
      assert.match(r.ok ? '' : r.reason, /sample or a typo/);
      assert.equal(checkIndicatorAddress(ip, demo).ok, true, `${ip} on the demo tenant`);
    }
    assert.equal(checkIndicatorAddress('198[.]51[.]100[.]23', demo).ok, true, 'defanged text is read');
    assert.equal(checkIndicatorAddress('not an ip', demo).ok, false);
  });
});

describe('expiry', () => {
  test('7d, 30d, 90d, never, a date or an ISO time; in the future and at most ten years ahead', () => {
    const at = (text: string) => {
      const r = parseExpiry(text, NOW);
      assert.ok(r.ok, `${text}: ${r.ok ? '' : r.error}`);
      return r.expiry.kind === 'at' ? r.expiry.at : 'never';
    };
    assert.equal(at('30d'), '2027-01-04T10:30:00Z');
    assert.equal(at('7D'), '2026-12-12T10:30:00Z');
    assert.equal(at('90d'), '2027-03-05T10:30:00Z');
    assert.equal(at('12h'), '2026-12-05T22:30:00Z');
    assert.equal(at('never'), 'never');
    assert.equal(at('2027-01-04'), '2027-01-04T00:00:00Z');
    assert.equal(at('2027-01-04T08:00'), '2027-01-04T08:00:00Z', 'no zone: UTC');
    assert.equal(at('2027-01-04T08:00:00+02:00'), '2027-01-04T06:00:00Z');
    for (const bad of ['', 'tomorrow', '0d', '2026-12-01', '2020-01-01T00:00:00Z', '2040-01-01', '2027-13-40']) {
      assert.equal(parseExpiry(bad, NOW).ok, false, bad);
    }
    assert.match((parseExpiry('2026-12-01', NOW) as { error: string }).error, /not in the future/);
  });
});

describe('drafts and bodies', () => {
  test('a valid draft becomes a body of validated values and the sentence the confirmation shows', () => {
    const r = checkDraft(draft({ ip: '198.51.100.23' }), demo);
    assert.ok(r.ok);
    assert.deepEqual(r.submission, {
      indicatorValue: '198.51.100.23',
      indicatorType: 'IpAddress',
      action: 'Block',
      title: 'Known C2',
      description: 'Seen on 4 machines, 2 High alerts',
      generateAlert: true,
      application: 'Defender IP Investigator',
      expirationTime: '2027-01-04T10:30:00Z',
    });
    assert.equal(r.summary, 'Block 198.51.100.23 for all devices until 2027-01-04 10:30 UTC, with an alert');
    const groups = checkDraft(draft({ choice: 'allowed', groups: ['Finance-Workstations', 'HR-Workstations'], expires: 'never', severity: 'Low' }), real);
    assert.ok(groups.ok);
    assert.equal(groups.summary, 'Allow 8.8.4.4 for the device groups Finance-Workstations, HR-Workstations with no expiry');
    assert.equal(groups.submission.generateAlert, false);
    assert.equal(groups.submission.severity, 'Low');
  });

  test('Audit and Alert always generate an alert; Alert is sent as Audit (the API retired its Alert action)', () => {
    for (const choice of ['audit', 'alert'] as const) {
      const r = checkDraft(draft({ choice, generateAlert: false }), real);
      assert.ok(r.ok);
      assert.equal(r.submission.action, 'Audit');
      assert.equal(r.submission.generateAlert, true);
    }
  });

  test('every problem of a draft is said at once; nothing is built', () => {
    const r = checkDraft(draft({ ip: '10.0.0.1', title: '', description: 'x'.repeat(2_001), expires: 'soon', severity: 'Critical' as never, choice: 'nuke' as never }), real);
    assert.equal(r.ok, false);
    const text = r.ok ? '' : r.errors.join('\n');
    for (const m of [/internal address/, /not an action/, /title is required/, /description is 2001 characters/, /not an expiry/, /not a severity/]) assert.match(text, m);
    const title = checkDraft(draft({ title: 'two\nlines' }), real);
    assert.match(title.ok ? '' : title.errors[0], /one line/);
    const bidi = checkDraft(draft({ description: 'evil \u202etxt.exe' }), real);
    assert.match(bidi.ok ? '' : bidi.errors[0], /text-direction/);
  });

  test('severities, groups', () => {
    assert.equal(parseSeverity('high'), 'High');
    assert.equal(parseSeverity('info'), 'Informational');
    assert.equal(parseSeverity('critical'), undefined);
    assert.deepEqual(parseGroups(' a, b ,a,, '), { ok: true, groups: ['a', 'b'] });
    assert.equal(parseGroups(Array.from({ length: 51 }, (_, i) => `g${i}`)).ok, false);
  });

  test('a new expiry keeps the indicator; a legacy Alert is sent as Audit with an alert', () => {
    const legacy: Indicator = { id: '1', indicatorValue: '8.8.4.4', indicatorType: 'IpAddress', action: 'Alert', title: 'Old', description: '', rbacGroupNames: ['G'], rbacGroupIds: ['7'], severity: 'Medium' };
    const s = expirySubmission(legacy, { kind: 'at', at: '2027-01-01T00:00:00Z' });
    assert.deepEqual(s, { indicatorValue: '8.8.4.4', indicatorType: 'IpAddress', action: 'Audit', title: 'Old', description: 'Old', generateAlert: true, expirationTime: '2027-01-01T00:00:00Z', severity: 'Medium', rbacGroupNames: ['G'] });
    assert.equal(describeSubmission(s), 'Audit 8.8.4.4 for the device group G until 2027-01-01 00:00 UTC, with an alert');
    assert.equal(indicatorLine({ action: 'Block', title: 'Known C2', expirationTime: '2027-01-10T00:00:00Z', rbacGroupNames: [] }), "Blocked by indicator 'Known C2', expires 2027-01-10");
  });
});

describe('bulk plans', () => {
  const template = { choice: 'block' as const, title: 'Rare addresses', description: 'From triage', expires: '30d' };
  test('refused addresses are listed, duplicates merged, updates take no room', () => {
    const existing = new Map([['8.8.4.4', { id: '1', indicatorValue: '8.8.4.4', indicatorType: 'IpAddress', action: 'Audit', title: 't', rbacGroupNames: [], rbacGroupIds: [] } satisfies Indicator]]);
    const p = planBulkAdd(['8.8.4.4', '8[.]8[.]4[.]4', '9.9.9.9', '10.0.0.1', { ip: '1.1.1.1', description: 'Seen on 2 machines' }], template, { ...real, existing, room: 2 });
    assert.ok(p.ok, p.ok ? '' : p.error);
    assert.deepEqual(p.items.map((i) => [i.ip, i.existed]), [['8.8.4.4', true], ['9.9.9.9', false], ['1.1.1.1', false]]);
    assert.equal(p.items[2].submission.description, 'Seen on 2 machines');
    assert.deepEqual(p.refused.map((r) => [r.ip, r.outcome]), [['10.0.0.1', 'refused']]);
    assert.equal(p.summary, 'Block 3 addresses for all devices until 2027-01-04 10:30 UTC, with an alert');
    const over = planBulkAdd(['9.9.9.9', '1.1.1.1', '4.4.4.4'], template, { ...real, existing, room: 2 });
    assert.equal(over.ok, false);
    assert.match(over.ok ? '' : over.error, /add 3 new indicators; the tenant has room for 2 more \(15,000 active at most\)/);
    const bad = planBulkAdd(['9.9.9.9'], { ...template, expires: 'yesterday' }, { ...real, existing });
    assert.match(bad.ok ? '' : bad.error, /not an expiry/);
  });
});
