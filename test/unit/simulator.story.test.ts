import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { timelineQuery } from '../../src/core/hunting/huntingQueries';
import { startSimulator } from '../../src/simulator/simulator';
import {
  DEMO_C2_IP,
  DEMO_HOLDER_ID,
  DEMO_INTERNAL_IP,
  DEMO_PREVIOUS_HOLDER_ID,
  HOSTILE_STRINGS,
  buildDemoStory,
  demoInternalHolderAt,
  demoPreviousHolderAt,
  type DemoStory,
} from '../../src/simulator/story';
import { ALL_PERMISSIONS, issueSimulatorToken } from '../../src/simulator/tokens';

const NOW = Date.parse('2026-03-10T12:00:00Z');
const DAY = 86_400_000;

/** A digest of everything the story serves (cheaper to compare than the structures themselves). */
function fingerprint(s: DemoStory): string {
  const parts = {
    machines: s.machines.map((m) => [m.id, m.computerDnsName, m.lastIpAddress, m.riskScore, m.healthStatus]),
    leases: s.leases.map((l) => [l.machineId, l.ip, l.from, l.to]),
    events: s.networkEvents.map((e) => [e.Timestamp, e.DeviceId, e.RemoteIP, e.LocalIP, e.RemotePort, e.InitiatingProcessFileName]),
    info: s.networkInfo.map((r) => [r.Timestamp, r.DeviceId, r.IPAddresses]),
    alerts: s.alerts.map((a) => [a.id, a.title, a.severity, a.created, a.machineId]),
  };
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

describe('determinism', () => {
  test('the same seed and clock give the same story (rebuilt from scratch); another seed or clock differs', async () => {
    const a = await startSimulator({ now: () => NOW, seed: 5 });
    try {
      const same = fingerprint(a.story);
      assert.equal(fingerprint(buildDemoStory({ now: NOW, seed: 5 })), same);
      assert.notEqual(fingerprint(buildDemoStory({ now: NOW, seed: 6 })), same);
      assert.notEqual(fingerprint(buildDemoStory({ now: NOW + 3_600_000, seed: 5 })), same, 'the story moves with the clock');
      // A second simulator for the same second and seed serves the same answers over HTTP.
      const b = await startSimulator({ now: () => NOW, seed: 5 });
      try {
        const token = issueSimulatorToken({ audience: 'defender', permissions: ALL_PERMISSIONS, now: NOW });
        const answer = async (url: string): Promise<string> => {
          const r = await fetch(`${url}/api/machines?$top=50`, { headers: { authorization: `Bearer ${token}` } });
          return (await r.text()).replaceAll(url, '');
        };
        assert.equal(await answer(b.url), await answer(a.url));
      } finally {
        await b.close();
      }
    } finally {
      await a.close();
    }
  });

  test('startup builds a moderate amount of data (a few hundred machines, tens of thousands of rows)', (t) => {
    const started = performance.now();
    const s = buildDemoStory({ now: NOW, seed: 12345 });
    t.diagnostic(`story built in ${(performance.now() - started).toFixed(0)} ms`);
    assert.ok(s.machines.length >= 200 && s.machines.length <= 400, `${s.machines.length} machines`);
    const rows = s.networkEvents.length + s.networkInfo.length + s.alertEvidence.length + s.alertInfo.length;
    assert.ok(rows >= 10_000 && rows <= 60_000, `${rows} rows`);
  });
});

describe('the story', () => {
  const s = buildDemoStory({ now: NOW });
  const thirtyDays = NOW - 30 * DAY;

  test('the C2 address is contacted by 5 to 8 machines in the past 30 days, and has medium and high alerts', () => {
    const machines = new Set(s.networkEvents.filter((e) => e.RemoteIP === DEMO_C2_IP && (e.Timestamp as number) > thirtyDays).map((e) => e.DeviceId));
    assert.ok(machines.size >= 5 && machines.size <= 8, `${machines.size} machines`);
    assert.ok(machines.has(DEMO_HOLDER_ID));
    const alerts = s.alertsByIp.get(DEMO_C2_IP) ?? [];
    assert.ok(alerts.some((a) => a.severity === 'High') && alerts.some((a) => a.severity === 'Medium'));
    const titles = alerts.map((a) => a.title);
    for (const title of ['Connection to a suspicious remote host', 'Suspicious beaconing to a remote host', 'Suspicious PowerShell download cradle']) {
      assert.ok(titles.includes(title), title);
    }
  });

  test('DHCP: an address is never held by two machines at once; the internal address changed hands', () => {
    const byIp = new Map<string, [number, number][]>();
    for (const l of s.leases) byIp.set(l.ip, [...(byIp.get(l.ip) ?? []), [l.from, l.to]]);
    for (const [ip, spans] of byIp) {
      spans.sort((x, y) => x[0] - y[0]);
      for (let i = 1; i < spans.length; i++) assert.ok((spans[i]?.[0]) >= (spans[i - 1]?.[1]), `overlapping leases of ${ip}`);
    }
    const holders = s.leases.filter((l) => l.ip === DEMO_INTERNAL_IP);
    assert.deepEqual(holders.map((l) => l.machineId).sort(), [DEMO_HOLDER_ID, DEMO_PREVIOUS_HOLDER_ID].sort());
    const at = demoInternalHolderAt(NOW).getTime();
    assert.ok(at > thirtyDays && at < NOW);
    assert.ok(holders.some((l) => l.machineId === DEMO_HOLDER_ID && l.from <= at && at < l.to));
    const earlier = demoPreviousHolderAt(NOW).getTime();
    assert.ok(earlier < NOW - 10 * DAY && earlier > thirtyDays);
    assert.ok(holders.some((l) => l.machineId === DEMO_PREVIOUS_HOLDER_ID && l.from <= earlier && earlier < l.to));
  });

  test('events agree with the leases: LocalIP is the address the machine held at that time', () => {
    const leases = new Map<string, typeof s.leases>();
    for (const l of s.leases) leases.set(l.machineId, [...(leases.get(l.machineId) ?? []), l]);
    for (const e of s.networkEvents) {
      if (String(e.LocalIP).includes(':')) continue;
      const t = e.Timestamp as number;
      const held = (leases.get(e.DeviceId as string) ?? []).some((l) => l.ip === e.LocalIP && l.from <= t && t < l.to);
      assert.ok(held, `${String(e.DeviceName)} did not hold ${String(e.LocalIP)} at ${new Date(t).toISOString()}`);
    }
  });

  test('hostile strings appear in machine names, alert titles and command lines', () => {
    const names = s.machines.map((m) => m.computerDnsName).join('\n');
    const titles = s.alerts.map((a) => `${a.title}\n${a.description}`).join('\n');
    const commands = s.networkEvents.filter((e) => e.RemoteIP === DEMO_C2_IP).map((e) => String(e.InitiatingProcessCommandLine)).join('\n');
    for (const h of [HOSTILE_STRINGS.img, HOSTILE_STRINGS.commandLink, HOSTILE_STRINGS.bold, HOSTILE_STRINGS.rtl, HOSTILE_STRINGS.codicon, HOSTILE_STRINGS.backticks]) {
      assert.ok(names.includes(h), `machine names carry ${h}`);
    }
    assert.ok(titles.includes(HOSTILE_STRINGS.script) && titles.includes(HOSTILE_STRINGS.long));
    assert.ok(commands.includes(HOSTILE_STRINGS.script) && commands.includes(HOSTILE_STRINGS.long) && commands.includes(HOSTILE_STRINGS.backticks));
  });

  test('nothing happens after the anchor time', () => {
    assert.ok(s.networkEvents.every((e) => (e.Timestamp as number) <= NOW));
    assert.ok(s.networkInfo.every((r) => (r.Timestamp as number) <= NOW));
    assert.ok(s.alerts.every((a) => a.created <= NOW && a.lastUpdate <= NOW && (a.resolved ?? 0) <= NOW));
  });
});

describe('scale and safety', () => {
  test('scale.c2Events yields a 10,000-event timeline for the C2 address', async () => {
    const sim = await startSimulator({ now: () => NOW, scale: { c2Events: 10_000 } });
    try {
      const graph = issueSimulatorToken({ audience: 'graph', permissions: ALL_PERMISSIONS, now: NOW });
      const r = await fetch(`${sim.url}/v1.0/security/runHuntingQuery`, {
        method: 'POST',
        headers: { authorization: `Bearer ${graph}`, 'content-type': 'application/json' },
        body: JSON.stringify({ Query: timelineQuery(DEMO_C2_IP, 30, 10_000) }),
      });
      const body = (await r.json()) as { results: unknown[] };
      assert.equal(body.results.length, 10_000);
    } finally {
      await sim.close();
    }
  });

  test('the simulator refuses to listen beyond loopback', async () => {
    await assert.rejects(startSimulator({ host: '0.0.0.0' }), /127\.0\.0\.1 only/);
    await assert.rejects(startSimulator({ host: '::' }), /127\.0\.0\.1 only/);
  });
});
