import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { Alert } from '../../src/shared/protocol';
import { alertsByMachine, filterAlerts, sortAlerts, toggleSort } from '../../webview/viewModel/alerts';

function alert(id: string, over: Partial<Alert> = {}): Alert {
  return { id, title: `Alert ${id}`, severity: 'Low', status: 'New', mitreTechniques: [], evidence: [], ...over };
}

const alerts: Alert[] = [
  alert('a', { severity: 'Medium', lastEventTime: '2026-11-19T10:00:00Z', machineId: 'm1', computerDnsName: 'ws-1', incidentId: 7 }),
  alert('b', { severity: 'High', lastEventTime: '2026-11-20T10:00:00Z', machineId: 'm2', computerDnsName: 'srv-9', category: 'CommandAndControl' }),
  alert('c', { severity: 'Informational', machineId: 'm1', title: 'Beaconing <script>', incidentId: 3 }),
  alert('d', { severity: 'High', lastEventTime: '2026-11-18T10:00:00Z', machineId: 'm1', status: 'Resolved' }),
];

test('sortAlerts by severity puts the highest first when descending and is stable', () => {
  assert.deepEqual(
    sortAlerts(alerts, { key: 'severity', dir: 'desc' }).map((a) => a.id),
    ['b', 'd', 'a', 'c'],
  );
  assert.deepEqual(
    sortAlerts(alerts, { key: 'severity', dir: 'asc' }).map((a) => a.id),
    ['c', 'a', 'b', 'd'],
  );
});

test('sortAlerts keeps missing values last in both directions', () => {
  assert.deepEqual(sortAlerts(alerts, { key: 'lastActivity', dir: 'desc' }).map((a) => a.id), ['b', 'a', 'd', 'c']);
  assert.deepEqual(sortAlerts(alerts, { key: 'lastActivity', dir: 'asc' }).map((a) => a.id), ['d', 'a', 'b', 'c']);
  assert.deepEqual(sortAlerts(alerts, { key: 'incidentId', dir: 'asc' }).map((a) => a.id), ['c', 'a', 'b', 'd']);
  assert.deepEqual(sortAlerts(alerts, { key: 'category', dir: 'asc' }).map((a) => a.id)[0], 'b');
});

test('sortAlerts does not change its input', () => {
  const before = alerts.map((a) => a.id);
  sortAlerts(alerts, { key: 'title', dir: 'asc' });
  assert.deepEqual(alerts.map((a) => a.id), before);
});

test('toggleSort flips the same column and starts a new one in a sensible direction', () => {
  assert.deepEqual(toggleSort({ key: 'severity', dir: 'desc' }, 'severity'), { key: 'severity', dir: 'asc' });
  assert.deepEqual(toggleSort({ key: 'severity', dir: 'desc' }, 'title'), { key: 'title', dir: 'asc' });
  assert.deepEqual(toggleSort({ key: 'title', dir: 'asc' }, 'lastActivity'), { key: 'lastActivity', dir: 'desc' });
});

test('filterAlerts matches every term across title, machine, category and severity', () => {
  assert.deepEqual(filterAlerts(alerts, { text: 'ws-1', severity: '' }).map((a) => a.id), ['a']);
  assert.deepEqual(filterAlerts(alerts, { text: 'SRV command', severity: '' }).map((a) => a.id), ['b']);
  assert.deepEqual(filterAlerts(alerts, { text: '<script>', severity: '' }).map((a) => a.id), ['c']);
  assert.deepEqual(filterAlerts(alerts, { text: '', severity: 'high' }).map((a) => a.id), ['b', 'd']);
  assert.deepEqual(filterAlerts(alerts, { text: 'resolved', severity: 'high' }).map((a) => a.id), ['d']);
  assert.deepEqual(filterAlerts(alerts, { text: 'nothing-like-this', severity: '' }), []);
});

test('alertsByMachine counts alerts per machine and keeps the top severity', () => {
  const map = alertsByMachine(alerts);
  assert.equal(map.get('m1')?.count, 3);
  assert.equal(map.get('m1')?.topSeverity, 'High');
  assert.equal(map.get('m2')?.count, 1);
  assert.equal(map.has('m3'), false);
});
