import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { DEFAULT_UI_STATE, sanitizeUiState } from '../../webview/viewModel/uiState';
import { sectionView } from '../../webview/viewModel/sectionStatus';
import { machineCardRows } from '../../webview/viewModel/machineCard';
import type { Problem } from '../../src/shared/investigation';

test('a restored UI state keeps valid values and drops anything malformed', () => {
  const s = sanitizeUiState({
    alertSort: { key: 'severity', dir: 'asc' },
    alertFilter: 'beacon',
    alertSeverity: 'high',
    timelineFilter: 'ws-1',
    timelineScrollTop: 480,
    timelineTab: 'machines',
    selectedMachineId: 'abc',
    atInput: '2026-11-20 08:00',
  });
  assert.deepEqual(s, {
    alertSort: { key: 'severity', dir: 'asc' },
    alertFilter: 'beacon',
    alertSeverity: 'high',
    timelineFilter: 'ws-1',
    timelineScrollTop: 480,
    timelineTab: 'machines',
    selectedMachineId: 'abc',
    atInput: '2026-11-20 08:00',
  });
  assert.deepEqual(sanitizeUiState(undefined), DEFAULT_UI_STATE);
  const bad = sanitizeUiState({ alertSort: { key: 'constructor', dir: 'up' }, alertSeverity: 'critical', timelineScrollTop: -3, timelineFilter: 42 });
  assert.deepEqual(bad, DEFAULT_UI_STATE);
});

const problem: Problem = { source: 'machineDetails', kind: 'permission', message: 'Access denied: this needs the Machine.Read.All permission.' };

test('sectionView: loading, ready, empty, partial, error and skipped', () => {
  assert.equal(sectionView({ state: 'loading' }).status, 'loading');
  assert.equal(sectionView({ state: 'idle' }).status, 'loading');
  assert.equal(sectionView({ state: 'ready', empty: false }).status, 'ready');
  assert.equal(sectionView({ state: 'ready', empty: true }).status, 'empty');
  const partial = sectionView({ state: 'ready', empty: false }, [{ state: 'failed', problem }]);
  assert.deepEqual(partial, { status: 'partial', problems: [problem] });
  const error = sectionView({ state: 'failed', problem }, [{ state: 'ready', empty: false }]);
  assert.equal(error.status, 'error');
  assert.deepEqual(sectionView({ state: 'skipped', reason: 'public address' }), { status: 'skipped', reason: 'public address' });
});

test('machineCardRows lists OS, risk, health, exposure, last seen, addresses and tags', () => {
  const rows = machineCardRows(
    {
      id: 'm1',
      computerDnsName: 'fin-ws-017',
      osPlatform: 'Windows11',
      version: '23H2',
      osBuild: 22631,
      riskScore: 'High',
      healthStatus: 'Active',
      exposureLevel: 'Medium',
      lastSeen: '2026-11-20T10:00:00Z',
      lastIpAddress: '10.248.240.38',
      machineTags: [],
      ipAddresses: [{ ipAddress: '10.248.240.38' }, { ipAddress: 'fe80::1' }],
    },
    undefined,
    Date.parse('2026-11-20T12:00:00Z'),
  );
  const byLabel = Object.fromEntries(rows.map((r) => [r.label, r.value]));
  assert.equal(byLabel.OS, 'Windows11 23H2 build 22631');
  assert.equal(byLabel.Risk, 'High');
  assert.equal(byLabel.Health, 'Active');
  assert.equal(byLabel.Exposure, 'Medium');
  assert.equal(byLabel['Last seen'], '2026-11-20 10:00:00 UTC (2 h ago)');
  assert.equal(byLabel['IP addresses'], '10.248.240.38, fe80::1');
  assert.equal(byLabel.Tags, 'none');
});
