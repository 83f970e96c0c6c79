import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { TimelineEvent } from '../../src/shared/investigation';
import { buildTimelineIndex, distinctMachines, filterTimeline } from '../../webview/viewModel/timeline';

function ev(i: number, over: Partial<TimelineEvent> = {}): TimelineEvent {
  return {
    timestamp: new Date(Date.UTC(2026, 10, 20, 12) - i * 60_000).toISOString(),
    deviceId: `dev${i % 7}`,
    deviceName: `ws-${i % 7}.corp.contoso.com`,
    actionType: i % 2 ? 'ConnectionSuccess' : 'ConnectionFailed',
    remotePort: 443 + (i % 3),
    process: i % 5 === 0 ? 'powershell.exe' : 'chrome.exe',
    folder: i % 5 === 0 ? 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe' : 'C:\\Program Files\\Chrome\\chrome.exe',
    ...over,
  };
}

const events = Array.from({ length: 10_000 }, (_, i) => ev(i));
const index = buildTimelineIndex(events);

function naive(query: string): number[] {
  const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
  const out: number[] = [];
  events.forEach((e, i) => {
    const hay = [e.timestamp, e.deviceName, e.deviceId, e.actionType, e.remotePort, e.process, e.folder].join(' ').toLowerCase();
    if (terms.every((t) => hay.includes(t))) out.push(i);
  });
  return out;
}

test('an empty query shows every event in order', () => {
  const r = filterTimeline(index, '   ');
  assert.equal(r.rows.length, 10_000);
  assert.equal(r.rows[0], 0);
  assert.equal(r.rows[9_999], 9_999);
});

test('the filter matches machines, files and processes, case-insensitively, every term', () => {
  assert.deepEqual([...filterTimeline(index, 'WS-3').rows], naive('ws-3'));
  assert.deepEqual([...filterTimeline(index, 'powershell ws-0').rows], naive('powershell ws-0'));
  assert.deepEqual([...filterTimeline(index, 'system32').rows], naive('system32'));
  assert.equal(filterTimeline(index, 'no-such-machine').rows.length, 0);
});

test('the filter matches dates as shown (UTC) and in ISO form', () => {
  const day = filterTimeline(index, '2026-11-19');
  assert.ok(day.rows.length > 0);
  for (const i of day.rows) assert.ok(events[i].timestamp.startsWith('2026-11-19'));
  const shown = filterTimeline(index, '2026-11-20 11:5');
  assert.ok(shown.rows.length > 0);
  for (const i of shown.rows) assert.ok(events[i].timestamp.startsWith('2026-11-20T11:5'));
});

test('typing more narrows from the previous result and gives the same answer as a fresh filter', () => {
  const step1 = filterTimeline(index, 'ws');
  const step2 = filterTimeline(index, 'ws-', step1);
  const step3 = filterTimeline(index, 'ws-4 chrome', step2);
  assert.deepEqual([...step3.rows], [...filterTimeline(index, 'ws-4 chrome').rows]);
  // Deleting characters is not narrowing: the full set is scanned again.
  const back = filterTimeline(index, 'ws-', step3);
  assert.deepEqual([...back.rows], naive('ws-'));
});

test('distinctMachines counts machines among the rows', () => {
  assert.equal(distinctMachines(events, index.all), 7);
  assert.equal(distinctMachines(events, filterTimeline(index, 'ws-2.').rows), 1);
});

test('hostile text is searchable as text', () => {
  const hostile = buildTimelineIndex([ev(1, { commandLine: '<img src=x onerror=alert(1)>' })]);
  assert.equal(filterTimeline(hostile, 'onerror').rows.length, 1);
});
