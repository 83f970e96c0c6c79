import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressFacts } from '../../src/core/investigation/investigationService';
import { PermissionError } from '../../src/core/defender/errors';
import { DEMO_NOTICE, HOVER_ENABLED_COMMANDS, buildHoverMarkdown, noLookupReason, type HoverModel } from '../../src/features/hover/hoverContent';
import { DEMO_HOSTILE_MACHINE_NAMES, HOSTILE_STRINGS } from '../../src/simulator/story';
import type { Investigation } from '../../src/shared/investigation';

function facts(input: string) {
  const v = addressFacts(input);
  assert.ok(v.ok);
  return v.facts;
}

function model(input: string, extra: Partial<HoverModel> = {}): HoverModel {
  return { facts: facts(input), text: input, lookback: '7d', findAtTime: false, demo: false, ...extra };
}

/** The text as rendered (backslash escapes removed), for checking wording. */
const unescape = (md: string) => md.replace(/\\(.)/g, '$1');

/** Every command link in the Markdown. */
function commands(md: string): string[] {
  return [...md.matchAll(/\]\((command:[^)\s?]+)/g)].map((m) => m[1].slice('command:'.length));
}

test('the classification shows at once, without any lookup', () => {
  const md = buildHoverMarkdown(model('198[.]51[.]100[.]23:443'));
  assert.match(md, /\*\*198\\\.51\\\.100\\\.23\*\* · IPv4 · Documentation/);
  assert.match(md, /TEST\\-NET\\-2/);
  assert.match(md, /port 443/);
  assert.match(md, /refanged from 198\\\[\\\.\\\]51/);
  assert.doesNotMatch(md, new RegExp(DEMO_NOTICE));
  const v6 = buildHoverMarkdown(model('fe80::1%eth0'));
  assert.match(v6, /IPv6 · Link\\-local/);
  assert.match(v6, /zone eth0/);
});

test('the lookup adds prevalence, alerts by severity and machines; hostile text stays escaped', () => {
  const inv: Investigation = {
    address: facts('198.51.100.23'),
    lookback: '7d',
    stats: { prevalence: 6, firstSeen: '2026-11-01T08:00:00Z', lastSeen: '2026-11-20T10:00:00Z', cachedAt: '2026-11-20T10:05:00Z' },
    alerts: [
      { id: 'a1', title: HOSTILE_STRINGS.commandLink, severity: 'High', status: 'New', mitreTechniques: [], evidence: [], alertCreationTime: '2026-11-20T09:00:00Z' },
      { id: 'a2', title: HOSTILE_STRINGS.script, severity: 'Medium', status: 'New', mitreTechniques: [], evidence: [], alertCreationTime: '2026-11-19T09:00:00Z' },
      { id: 'a3', title: 'Beaconing', severity: 'High', status: 'New', mitreTechniques: [], evidence: [] },
    ],
    machines: DEMO_HOSTILE_MACHINE_NAMES.map((name, i) => ({ id: `m${i}`, name, events: 3 + i, remotePorts: [443], localPorts: [], processes: [], files: [], lastSeen: `2026-11-1${i}T00:00:00Z` })),
    problems: [],
  };
  const md = buildHoverMarkdown(model('198.51.100.23', { snapshot: { investigation: inv, pending: [], done: true }, demo: true }));
  assert.match(md, /In your organisation \(7 d\):\*\* 6 machines · first seen 2026\\-11\\-01/);
  assert.match(md, /\*\*Alerts:\*\* 3 \(High 2 · Medium 1\)/);
  assert.match(md, /\*\*Machines observed:\*\* 3: /);
  assert.ok(md.endsWith(`_${DEMO_NOTICE}_`));
  assert.ok(!md.includes(HOSTILE_STRINGS.script));
  assert.ok(!md.includes('$(codicon)'));
  assert.ok(!md.includes('[link](command:workbench'));
  assert.ok(!md.includes('\u202E'));
  for (const c of commands(md)) assert.ok(HOVER_ENABLED_COMMANDS.includes(c), `unexpected command link ${c}`);
  assert.deepEqual(commands(md).sort(), ['ipInvestigator.copyAddress', 'ipInvestigator.investigateIp', 'ipInvestigator.openInPortal']);
});

test('links carry validated JSON arguments; "Find machines at" appears only when the time allows it', () => {
  const at = new Date('2026-11-20T10:03:12Z');
  const md = buildHoverMarkdown(model('10.248.240.38', { lineTime: { time: at, format: 'iso8601' }, findAtTime: true }));
  assert.match(unescape(md), /Line time: 2026-11-20 10:03:12 UTC \(iso8601\)/);
  const link = /\[Find machines at [^\]]+\]\(command:ipInvestigator\.findMachinesByIp\?([^)\s]+)\)/.exec(md);
  assert.ok(link, md);
  assert.deepEqual(JSON.parse(decodeURIComponent(link[1])), { ip: '10.248.240.38', at: at.toISOString() });
  const investigate = /\(command:ipInvestigator\.investigateIp\?([^)\s]+)\)/.exec(md);
  assert.deepEqual(JSON.parse(decodeURIComponent(investigate![1])), { ip: '10.248.240.38', lookback: '7d', at: at.toISOString() });
  const old = buildHoverMarkdown(model('10.248.240.38', { lineTime: { time: at, format: 'iso8601' }, findAtTime: false }));
  assert.doesNotMatch(old, /findMachinesByIp/);
});

test('a running lookup and failed sections are said in a short line each', () => {
  const inv: Investigation = {
    address: facts('198.51.100.23'),
    lookback: '30d',
    stats: { prevalence: 0, cachedAt: '2026-11-20T10:05:00Z' },
    problems: [{ source: 'alerts', kind: 'permission', message: 'Access denied: this needs the Alert.Read.All permission.', remedy: 'Grant it.' }],
  };
  const md = buildHoverMarkdown(model('198.51.100.23', { snapshot: { investigation: inv, pending: ['machines'], done: false } }));
  assert.match(md, /not observed/);
  assert.match(unescape(md), /\$\(warning\) alerts: Access denied: this needs the Alert\.Read\.All permission\. Grant it\./);
  assert.match(md, /\$\(sync~spin\) Still looking up machines: hover again to see the rest\./);

  const notSignedIn: Investigation = {
    address: facts('198.51.100.23'),
    lookback: '7d',
    problems: (['stats', 'alerts', 'machines'] as const).map((source) => ({ source, kind: 'auth', message: 'Sign in to Microsoft Defender to continue.', remedy: 'Sign in again.' })),
  };
  const grouped = unescape(buildHoverMarkdown(model('198.51.100.23', { snapshot: { investigation: notSignedIn, pending: [], done: true } })));
  assert.equal(grouped.match(/Sign in to Microsoft Defender to continue/g)?.length, 1, 'told once');
  assert.match(grouped, /\$\(warning\) prevalence, alerts, machines: Sign in to Microsoft Defender to continue\. Sign in again\. \[Sign in\]\(command:ipInvestigator\.signIn\)/);

  const failed = buildHoverMarkdown(model('198.51.100.23', { snapshot: { pending: [], done: true, error: new PermissionError('denied', 'Ip.Read.All') } }));
  assert.match(failed, /Lookup failed: Access denied/);
  assert.match(failed, /\(command:ipInvestigator\.signIn\)/);
  assert.ok(commands(failed).every((c) => HOVER_ENABLED_COMMANDS.includes(c)));
});

test('addresses that cannot be looked up say why', () => {
  assert.match(noLookupReason(facts('127.0.0.1'))!, /Loopback/);
  assert.match(noLookupReason(facts('224.0.0.251'))!, /Multicast/);
  assert.equal(noLookupReason(facts('10.0.0.1')), undefined);
  const md = buildHoverMarkdown(model('127.0.0.1', { noLookup: noLookupReason(facts('127.0.0.1')) }));
  assert.match(md, /Loopback addresses never leave the machine/);
});
