// The machine view's client operations over real HTTP on loopback: finding machines by DNS name (exact and prefix
// filters, built only from a validated name), the logged-on users route and its tolerant parsing, the permission a 403
// names, and bad ids and names refused before any request.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { BadRequestError, PermissionError } from '../../src/core/defender/errors';
import { parseLogonUser, parseLogonUsers } from '../../src/core/defender/parse';
import { normaliseDeviceId, normaliseMachineName } from '../../src/core/defender/validate';
import { clientFor } from '../fixtures/defender/clientSetup';
import { errorBody, startStubServer, type StubServer } from '../fixtures/defender/stubServer';

const ID = '4f1c9e2a7b3d5e6f8091a2b3c4d5e6f708192a3b';

let stub: StubServer;
beforeEach(async () => {
  stub = await startStubServer();
});
afterEach(async () => {
  await stub.close();
});

const filterOf = (url: string): string => decodeURIComponent(new URL(url, 'http://x').searchParams.get('$filter') ?? '');

describe('find machines by name', () => {
  test('prefix: startswith(computerDnsName, ...) on one page of $top machines, the name lower-cased', async () => {
    stub.route('GET', /^\/api\/machines\?/, { json: { value: [{ id: ID, computerDnsName: 'fin-ws-017.corp.contoso.com' }, { id: 'x' }, { nope: 1 }] } });
    const client = clientFor(stub);
    const r = await client.findMachinesByName('FIN-WS-01', { match: 'prefix', limit: 25 });
    assert.deepEqual(
      r.data.map((m) => m.id),
      [ID, 'x'],
    );
    const url = stub.requests[0].url;
    assert.equal(filterOf(url), "startswith(computerDnsName,'fin-ws-01')");
    assert.match(url, /\$top=25$/);
  });

  test('exact: computerDnsName eq, and a trailing dot is dropped', async () => {
    stub.route('GET', /^\/api\/machines\?/, { json: { value: [] } });
    const r = await clientFor(stub).findMachinesByName('fin-ws-017.corp.contoso.com.');
    assert.deepEqual(r.data, []);
    assert.equal(filterOf(stub.requests[0].url), "computerDnsName eq 'fin-ws-017.corp.contoso.com'");
  });

  test('a name that could change the filter, and a bad limit or match, are refused before any request', async () => {
    const client = clientFor(stub);
    for (const bad of ["x' or 1 eq 1 or 'a", 'fin ws', 'a..b', '-lead', '', 'x'.repeat(300), '<img src=x>.corp', 'fin-ws-017%27', 'ws/../x']) {
      await assert.rejects(client.findMachinesByName(bad, { match: 'prefix' }), BadRequestError, bad);
    }
    await assert.rejects(client.findMachinesByName('ok', { limit: 0 }), BadRequestError);
    await assert.rejects(client.findMachinesByName('ok', { match: 'contains' as 'exact' }), BadRequestError);
    assert.equal(stub.requests.length, 0);
  });

  test('a 403 names Machine.Read.All', async () => {
    stub.route('GET', /^\/api\/machines\?/, { status: 403, json: errorBody('Forbidden', 'Missing permission') });
    const e = await clientFor(stub)
      .findMachinesByName('fin', { match: 'prefix' })
      .then(() => undefined, (x: unknown) => x);
    assert.ok(e instanceof PermissionError);
    assert.match(e.message, /Machine\.Read\.All/);
  });
});

describe('logged-on users', () => {
  test('GET /api/machines/{id}/logonusers: the user entities, parsed tolerantly; the id is lower-cased', async () => {
    stub.route('GET', `/api/machines/${ID}/logonusers`, {
      json: {
        value: [
          { id: 'contoso\\user1', accountName: 'user1', accountDomain: 'contoso', firstSeen: '2026-11-18T08:02:54Z', lastSeen: '2026-11-20T08:01:48Z', logonTypes: 'Interactive', isDomainAdmin: true, isOnlyNetworkUser: false, extra: 1 },
          { id: 'test/user2', accountName: 'user2', logonTypes: 'Network, RemoteInteractive', isDomainAdmin: 'false', logOnMachinesCount: '3' },
          { accountName: 'noid' },
          { id: '' },
          7,
        ],
      },
    });
    const r = await clientFor(stub).getMachineLogonUsers(ID.toUpperCase());
    assert.equal(r.data.length, 3);
    assert.deepEqual(r.data[0], {
      id: 'contoso\\user1',
      accountName: 'user1',
      accountDomain: 'contoso',
      firstSeen: '2026-11-18T08:02:54Z',
      lastSeen: '2026-11-20T08:01:48Z',
      logonTypes: ['Interactive'],
      isDomainAdmin: true,
      isOnlyNetworkUser: false,
    });
    assert.deepEqual(r.data[1].logonTypes, ['Network', 'RemoteInteractive']);
    assert.equal(r.data[1].isDomainAdmin, false);
    assert.equal(r.data[1].logOnMachinesCount, 3);
    assert.equal(r.data[2].id, 'noid', 'the account name stands in for a missing id');
    assert.equal(stub.requests[0].path, `/api/machines/${ID}/logonusers`);
  });

  test('404 (no such machine) is an empty list; 403 names User.Read.All', async () => {
    stub.route('GET', `/api/machines/${ID}/logonusers`, [{ status: 404, json: errorBody('ResourceNotFound', 'Machine not found') }, { status: 403, json: errorBody('Forbidden', 'no') }]);
    const client = clientFor(stub);
    assert.deepEqual((await client.getMachineLogonUsers(ID)).data, []);
    const e = await client.getMachineLogonUsers(ID, { noCache: true }).then(() => undefined, (x: unknown) => x);
    assert.ok(e instanceof PermissionError);
    assert.equal(e.permission, 'User.Read.All');
    assert.match(e.message, /read the users logged on to machines/);
  });

  test('anything but a 40-hex device id is refused before any request', async () => {
    const client = clientFor(stub);
    for (const bad of ['fin-ws-017', `${ID}0`, ID.slice(1), '../machines', `${ID.slice(0, 39)}g`]) await assert.rejects(client.getMachineLogonUsers(bad), BadRequestError, bad);
    assert.equal(stub.requests.length, 0);
  });
});

test('normalisers: device ids lower-cased, names lower-cased with the trailing dot dropped, everything else refused', () => {
  assert.equal(normaliseDeviceId(ID.toUpperCase()), ID);
  assert.equal(normaliseDeviceId(`${ID} `), undefined);
  assert.equal(normaliseMachineName(' Fin-WS-017.Corp. '), 'fin-ws-017.corp');
  assert.equal(normaliseMachineName('host_1'), 'host_1');
  assert.equal(normaliseMachineName('fin-ws-'), 'fin-ws-', 'the start of a name');
  assert.equal(normaliseMachineName('a.'), 'a', 'a trailing dot (an FQDN) is dropped, not refused');
  for (const bad of ['', '.', '_x', 'a b', "o'brien", 'a..b', `${'x'.repeat(63)}.${'y'.repeat(63)}.${'z'.repeat(63)}.${'w'.repeat(63)}`, '\u202Etxt', 'a/b']) {
    assert.equal(normaliseMachineName(bad), undefined, bad);
  }
});

test('parseLogonUser drops what is not a user and keeps unknown logon types as sent', () => {
  assert.equal(parseLogonUser(null), undefined);
  assert.equal(parseLogonUser({ logonTypes: 'Interactive' }), undefined);
  assert.deepEqual(parseLogonUser({ id: 'a', logonTypes: ['Batch', 'Batch', 3, ' Service '] })?.logonTypes, ['Batch', 'Service']);
  assert.deepEqual(parseLogonUsers({ value: 'nope' }), []);
});
