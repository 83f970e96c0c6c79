// The machine view's hunting queries: built from a validated device id and bounded integers only, one query for the
// remote addresses and their prevalence, and the simulated tenant's KQL engine evaluates both as a tenant would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertDeviceId, machineNetworkActivityQuery, machineTimelineQuery } from '../../src/core/hunting/machineQueries';
import { huntingContext } from '../../src/simulator/huntingTables';
import { runKql } from '../../src/simulator/kqlEngine';
import { DEMO_C2_IP, DEMO_HOLDER_ID, DEMO_STAGE2_IP, buildDemoStory } from '../../src/simulator/story';

const ID = 'b7e3c0f4a1d94e6a8c2f5b0d3e7a9c1f4b6d8e02';
const NOW = Date.parse('2026-03-10T12:00:00Z');
const DAY = 86_400_000;

test('only a 40-hex device id reaches a query, lower-cased; bad periods and limits are refused', () => {
  assert.equal(assertDeviceId(ID.toUpperCase()), ID);
  for (const bad of ['fin-ws-017', `${ID}"`, `${ID}0`, '" or 1==1 //', '', `${ID.slice(0, 39)} `]) {
    assert.throws(() => machineNetworkActivityQuery(bad, 7), RangeError, bad);
    assert.throws(() => machineTimelineQuery(bad, 7), RangeError, bad);
  }
  assert.throws(() => machineNetworkActivityQuery(ID, 31), RangeError);
  assert.throws(() => machineNetworkActivityQuery(ID, 0), RangeError);
  assert.throws(() => machineTimelineQuery(ID, 7, 0), RangeError);
  assert.throws(() => machineTimelineQuery(ID, 7, 100_001), RangeError);
  const q = machineNetworkActivityQuery(ID.toUpperCase(), 7, 5000);
  assert.equal((q.match(/DeviceId == "b7e3c0f4a1d94e6a8c2f5b0d3e7a9c1f4b6d8e02"/g) ?? []).length, 1);
  assert.equal((q.match(/ago\(7d\)/g) ?? []).length, 2, 'both sides look at the same period');
  assert.match(q, /join kind=leftsemi \(remotes\) on RemoteIP/, 'the prevalence side is limited to the machine\'s addresses');
  assert.match(q, /take 5000$/);
  assert.match(machineTimelineQuery(ID, 30), /ago\(30d\)[\s\S]*order by Timestamp desc\n\| take 10000$/);
});

test('the simulated tenant evaluates the network-activity query: one row per remote address, rarest first, with prevalence', () => {
  const story = buildDemoStory({ now: NOW });
  const ctx = huntingContext(story, NOW, { from: NOW - 30 * DAY, to: NOW });
  const table = runKql(machineNetworkActivityQuery(DEMO_HOLDER_ID, 30), ctx);
  assert.deepEqual(
    table.columns.map((c) => c.name),
    ['RemoteIP', 'Connections', 'Failed', 'Inbound', 'FirstSeen', 'LastSeen', 'Ports', 'Processes', 'Urls', 'OrgMachines'],
  );
  const rows = table.rows;
  const ips = rows.map((r) => r.RemoteIP);
  assert.equal(new Set(ips).size, ips.length, 'one row per address');
  assert.equal(rows[0].RemoteIP, DEMO_STAGE2_IP, 'the address only this machine talked to comes first');
  assert.equal(rows[0].OrgMachines, 1);
  const prevalence = rows.map((r) => r.OrgMachines as number);
  assert.deepEqual(prevalence, [...prevalence].sort((a, b) => a - b), 'ordered by prevalence');
  // The prevalence agrees with a direct count over the same window.
  const c2 = rows.find((r) => r.RemoteIP === DEMO_C2_IP);
  assert.ok(c2);
  const direct = new Set(story.networkEvents.filter((e) => e.RemoteIP === DEMO_C2_IP && (e.Timestamp as number) > NOW - 30 * DAY).map((e) => e.DeviceId));
  assert.equal(c2.OrgMachines, direct.size);
  const own = story.networkEvents.filter((e) => e.DeviceId === DEMO_HOLDER_ID && e.RemoteIP === DEMO_C2_IP && (e.Timestamp as number) > NOW - 30 * DAY);
  assert.equal(c2.Connections, own.length);
  assert.equal(c2.Failed, own.filter((e) => e.ActionType === 'ConnectionFailed').length);

  const timeline = runKql(machineTimelineQuery(DEMO_HOLDER_ID, 7), ctx).rows;
  assert.ok(timeline.length > 0 && timeline.every((r) => r.DeviceId === DEMO_HOLDER_ID));
  const times = timeline.map((r) => r.Timestamp as number);
  assert.deepEqual(times, [...times].sort((a, b) => b - a), 'newest first');
});
