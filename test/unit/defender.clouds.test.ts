// Cloud endpoints (commercial with geo hosts, GCC, GCC High, DoD), portal deep links, and the
// permission names a 403 message gives per operation.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isCloudName, isRegion, portalAlertUrl, portalIpUrl, portalMachineUrl, resolveCloud, type Region } from '../../src/core/defender/clouds';
import { permissionLabel, permissionMessage, requiredPermission } from '../../src/core/defender/permissions';

describe('clouds', () => {
  test('commercial', () => {
    assert.deepEqual(resolveCloud('commercial'), {
      cloud: 'commercial',
      apiBaseUrl: 'https://api.security.microsoft.com',
      graphBaseUrl: 'https://graph.microsoft.com',
      authorityHost: 'https://login.microsoftonline.com',
      defenderScope: 'https://api.securitycenter.microsoft.com/.default',
      graphScope: 'https://graph.microsoft.com/.default',
      portalHost: 'security.microsoft.com',
    });
  });

  test('commercial geo hosts', () => {
    const regions: Region[] = ['us', 'eu', 'uk', 'au', 'swa', 'ina', 'aea'];
    for (const r of regions) {
      const c = resolveCloud('commercial', r);
      assert.equal(c.apiBaseUrl, `https://${r}.api.security.microsoft.com`);
      assert.equal(c.region, r);
      assert.equal(c.defenderScope, 'https://api.securitycenter.microsoft.com/.default');
    }
  });

  test('GCC: government API host, commercial sign-in and Graph', () => {
    const c = resolveCloud('gcc');
    assert.equal(c.apiBaseUrl, 'https://api-gcc.securitycenter.microsoft.us');
    assert.equal(c.authorityHost, 'https://login.microsoftonline.com');
    assert.equal(c.defenderScope, 'https://api-gcc.securitycenter.microsoft.us/.default');
    assert.equal(c.graphScope, 'https://graph.microsoft.com/.default');
    assert.equal(c.portalHost, 'security.microsoft.com');
  });

  test('GCC High and DoD', () => {
    const high = resolveCloud('gcc-high');
    assert.equal(high.apiBaseUrl, 'https://api-gov.securitycenter.microsoft.us');
    assert.equal(high.authorityHost, 'https://login.microsoftonline.us');
    assert.equal(high.graphBaseUrl, 'https://graph.microsoft.us');
    assert.equal(high.graphScope, 'https://graph.microsoft.us/.default');
    assert.equal(high.portalHost, 'security.microsoft.us');
    const dod = resolveCloud('dod');
    assert.equal(dod.apiBaseUrl, 'https://api-gov.securitycenter.microsoft.us');
    assert.equal(dod.defenderScope, 'https://api-gov.securitycenter.microsoft.us/.default');
    assert.equal(dod.graphBaseUrl, 'https://dod-graph.microsoft.us');
    assert.equal(dod.graphScope, 'https://dod-graph.microsoft.us/.default');
    assert.equal(dod.portalHost, 'security.apps.mil');
  });

  test('regions apply to commercial only; unknown names are refused', () => {
    assert.throws(() => resolveCloud('gcc-high', 'eu'), /commercial cloud only/);
    assert.throws(() => resolveCloud('moon' as never), /Unknown cloud/);
    assert.throws(() => resolveCloud('commercial', 'xx' as never), /Unknown region/);
    assert.equal(isCloudName('gcc'), true);
    assert.equal(isCloudName('GCC'), false);
    assert.equal(isRegion('aea'), true);
    assert.equal(isRegion('de'), false);
  });

  test('portal deep links, URL-encoded', () => {
    assert.equal(portalIpUrl('commercial', '198.51.100.23'), 'https://security.microsoft.com/ip/198.51.100.23/overview');
    assert.equal(portalIpUrl('dod', '2001:db8::1'), 'https://security.apps.mil/ip/2001%3Adb8%3A%3A1/overview');
    assert.equal(portalMachineUrl('gcc-high', 'abc/../x'), 'https://security.microsoft.us/machines/abc%2F..%2Fx/overview');
    assert.equal(portalAlertUrl('gcc', 'da63_-11'), 'https://security.microsoft.com/alerts/da63_-11');
  });
});

describe('permissions', () => {
  test('each operation names what it needs', () => {
    assert.equal(permissionLabel('getIpStats'), 'Ip.Read.All');
    assert.equal(permissionLabel('getIpAlerts'), 'Alert.Read.All (application) / Alert.Read (delegated)');
    assert.equal(permissionLabel('getMachineAlerts'), 'Alert.Read.All (application) / Alert.Read (delegated)');
    for (const op of ['findMachinesByIp', 'getMachine', 'findMachinesByLastIp'] as const) {
      assert.equal(permissionLabel(op), 'Machine.Read.All (application) / Machine.Read (delegated)');
    }
    assert.equal(permissionLabel('huntDefender'), 'AdvancedQuery.Read.All (application) / AdvancedQuery.Read (delegated)');
    assert.equal(permissionLabel('huntGraph'), 'ThreatHunting.Read.All');
    assert.equal(requiredPermission('huntGraph').api, 'Microsoft Graph');
  });

  test('messages say what to do next', () => {
    assert.match(permissionMessage('getIpStats'), /grant Ip\.Read\.All on WindowsDefenderATP .*admin consent.*sign in again.*View Data/);
    assert.match(permissionMessage('huntGraph'), /ThreatHunting\.Read\.All on Microsoft Graph/);
    assert.doesNotMatch(permissionMessage('huntGraph'), /View Data/);
    assert.match(permissionMessage('huntDefender', 'DisabledFeature'), /not enabled in this tenant/);
  });
});
