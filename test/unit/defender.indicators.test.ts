// The client's indicator writes against a scripted stub, and the writes' reconciliation against scripted APIs: a
// submit or import is never sent twice blindly after a 5xx or a broken connection (its outcome is unknown), a
// DELETE by id is (it is idempotent), 429 is waited out; bodies hold only validated fields; request ids are kept;
// after an unclear answer the list decides whether the write was applied or is sent again once.
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { NetworkError, PermissionError, ServerError, BadRequestError } from '../../src/core/defender/errors';
import { checkDraft } from '../../src/core/indicators/indicatorRules';
import { runBulk, submitOne, type BulkItem } from '../../src/core/indicators/indicatorWrites';
import type { Fetched, Indicator, IndicatorApi, IndicatorImportResult, IndicatorList, IndicatorSubmission, WriteResult } from '../../src/shared/defenderModel';
import { clientFor } from '../fixtures/defender/clientSetup';
import { errorBody, startStubServer, type StubServer } from '../fixtures/defender/stubServer';

let stub: StubServer | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

function submission(ip: string, title = `Block ${ip}`): IndicatorSubmission {
  const c = checkDraft({ ip, choice: 'block', title, description: 'test', expires: '30d' }, { demo: false, now: Date.now() });
  assert.ok(c.ok, c.ok ? '' : c.errors.join(' '));
  return c.submission;
}

const entity = (ip: string, id = '7001', title = `Block ${ip}`) => ({
  id,
  indicatorValue: ip,
  indicatorType: 'IpAddress',
  action: 'Block',
  title,
  description: 'test',
  generateAlert: true,
  rbacGroupNames: [],
  rbacGroupIds: [],
  creationTimeDateTimeUtc: '2026-03-10T12:00:00.0000000Z',
});

describe('the client: writes and retries', () => {
  test('a submit answered 503 is not sent again; it says the outcome is unknown', async () => {
    stub = await startStubServer();
    stub.route('POST', '/api/indicators', [{ status: 503, json: errorBody('ServiceUnavailable', 'busy') }, { json: entity('8.8.4.4') }]);
    const client = clientFor(stub, { retry: { maxRetries: 3, baseDelayMs: 1 } });
    const withExtra = { ...submission('8.8.4.4'), evil: 'dropped' } as IndicatorSubmission;
    await assert.rejects(client.submitIndicator(withExtra), ServerError);
    assert.equal(stub.requests.length, 1, 'no blind retry of a write');
    const sent = stub.requests[0];
    assert.match(String(sent.headers['client-request-id']), /^[0-9a-f-]{36}$/);
    // Only the validated fields go out: whatever else the caller's object carries is dropped.
    const body = JSON.parse(sent.body) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ['action', 'application', 'description', 'expirationTime', 'generateAlert', 'indicatorType', 'indicatorValue', 'title']);
  });

  test('a broken connection during a submit or an import is not retried either', async () => {
    stub = await startStubServer();
    stub.route('POST', () => true, { reset: true });
    const client = clientFor(stub, { retry: { maxRetries: 3, baseDelayMs: 1 } });
    await assert.rejects(client.submitIndicator(submission('8.8.4.4')), NetworkError);
    await assert.rejects(client.importIndicators([submission('8.8.4.4')]), NetworkError);
    assert.equal(stub.requests.length, 2);
  });

  test('429 is waited out and sent again (the request was refused unread); a 403 names Ti.ReadWrite', async () => {
    stub = await startStubServer();
    stub.route('POST', '/api/indicators/import', [
      { status: 429, headers: { 'retry-after-ms': '20' }, json: errorBody('TooManyRequests', 'slow down') },
      { json: { value: [{ id: '1', indicator: '8.8.4.4', isFailed: false, failureReason: null }] }, headers: { 'request-id': 'req-42' } },
    ]);
    stub.route('POST', '/api/indicators', { status: 403, json: errorBody('Forbidden', 'no', 'target-7') });
    const client = clientFor(stub, { retry: { maxRetries: 2, baseDelayMs: 1 } });
    const r = await client.importIndicators([submission('8.8.4.4')]);
    assert.equal(stub.requests.length, 2);
    assert.equal(r.requestId, 'req-42');
    assert.deepEqual(r.data, [{ id: '1', indicator: '8.8.4.4', isFailed: false }]);
    await assert.rejects(client.submitIndicator(submission('8.8.4.4')), (e: unknown) => e instanceof PermissionError && e.requestId === 'target-7' && /needs Ti\.ReadWrite/.test(e.message));
  });

  test('a DELETE by id is idempotent: retried after a 503; 204 is found, 404 is not', async () => {
    stub = await startStubServer();
    stub.route('DELETE', '/api/indicators/7001', [{ status: 503, json: errorBody('ServiceUnavailable', 'busy') }, { status: 204, headers: { 'request-id': 'req-del' } }]);
    stub.route('DELETE', '/api/indicators/7002', { status: 404, json: errorBody('ResourceNotFound', 'gone') });
    const client = clientFor(stub, { retry: { maxRetries: 2, baseDelayMs: 1 } });
    const r = await client.deleteIndicator('7001');
    assert.deepEqual(r.data, { found: true });
    assert.equal(r.requestId, 'req-del');
    assert.equal(stub.requests.filter((q) => q.method === 'DELETE').length, 2);
    assert.deepEqual((await client.deleteIndicator('7002')).data, { found: false });
  });

  test('the list pages with $top=10000 and a write drops the cached list', async () => {
    stub = await startStubServer();
    let page = 0;
    stub.route('GET', (q) => q.path === '/api/indicators', () => {
      page++;
      return { json: { value: [entity('8.8.4.4', String(page))] } };
    });
    stub.route('POST', '/api/indicators', { json: entity('8.8.4.4') });
    const client = clientFor(stub, { cache: { ttlMs: 60_000 } });
    const a = await client.listIndicators({ value: '8.8.4.4' });
    assert.match(stub.requests[0].url, /\$filter=indicatorType%20eq%20%27IpAddress%27%20and%20indicatorValue%20eq%20%278\.8\.4\.4%27&\$top=10000$/);
    assert.equal((await client.listIndicators({ value: '8.8.4.4' })).fromCache, true);
    await client.submitIndicator(submission('8.8.4.4'));
    const b = await client.listIndicators({ value: '8.8.4.4' });
    assert.equal(b.fromCache, false, 'fetched again after the write');
    assert.notEqual(a.data.indicators[0].id, b.data.indicators[0].id);
  });
});

/** An IndicatorApi whose answers a test scripts; it records every call. */
function scripted(script: { submit?: (s: IndicatorSubmission, n: number) => Indicator; import?: (items: readonly IndicatorSubmission[], n: number) => IndicatorImportResult[]; list?: () => Indicator[] }) {
  const calls: string[] = [];
  let submits = 0;
  let imports = 0;
  const wrap = <T>(data: T): WriteResult<T> => ({ data, status: 200, clientRequestId: `c-${calls.length}`, requestId: `r-${calls.length}` });
  const api: IndicatorApi = {
    listIndicators: () => {
      calls.push('list');
      if (!script.list) return Promise.reject(new NetworkError('offline'));
      const data: IndicatorList = { indicators: script.list(), complete: true };
      return Promise.resolve({ data, cachedAt: new Date().toISOString(), fromCache: false } satisfies Fetched<IndicatorList>);
    },
    // A throw inside the executor rejects the promise, as a failing call would.
    submitIndicator: (s) => {
      calls.push(`submit ${s.indicatorValue}`);
      return new Promise((resolve) => resolve(wrap(script.submit!(s, submits++))));
    },
    importIndicators: (items) => {
      calls.push(`import ${items.length}`);
      return new Promise((resolve) => resolve(wrap(script.import!(items, imports++))));
    },
    deleteIndicator: () => Promise.reject(new Error('not used')),
  };
  return { api, calls };
}

const asIndicator = (s: IndicatorSubmission, id: string): Indicator => ({ ...s, id, rbacGroupNames: s.rbacGroupNames ?? [], rbacGroupIds: [] });

describe('reconciling an unclear answer', () => {
  test('applied after all: the list shows it, nothing is sent again', async () => {
    const s = submission('8.8.4.4');
    const { api, calls } = scripted({ submit: () => { throw new ServerError('502'); }, list: () => [asIndicator(s, '9')] });
    const r = await submitOne(api, s, { existed: false });
    assert.equal(r.outcome, 'created');
    assert.equal(r.indicatorId, '9');
    assert.match(r.reason ?? '', /list shows it was applied/);
    assert.deepEqual(calls, ['submit 8.8.4.4', 'list']);
  });

  test('not applied: sent again once; a list that cannot be read leaves it unknown', async () => {
    const s = submission('8.8.4.4');
    const retried = scripted({ submit: (x, n) => { if (n === 0) throw new NetworkError('reset'); return asIndicator(x, '10'); }, list: () => [] });
    const r = await submitOne(retried.api, s, { existed: true });
    assert.equal(r.outcome, 'updated');
    assert.deepEqual(retried.calls, ['submit 8.8.4.4', 'list', 'submit 8.8.4.4']);
    const blind = scripted({ submit: () => { throw new NetworkError('reset'); } });
    const u = await submitOne(blind.api, s, { existed: false });
    assert.equal(u.outcome, 'unknown');
    assert.deepEqual(blind.calls, ['submit 8.8.4.4', 'list'], 'never sent again without knowing');
    // A refusal is definite: it is thrown, not reconciled.
    const refused = scripted({ submit: () => { throw new BadRequestError('bad'); } });
    await assert.rejects(submitOne(refused.api, s, { existed: false }), BadRequestError);
  });

  test('bulk: a failed batch is reported and the next goes on; a refused permission stops the rest; an unclear batch is reconciled', async () => {
    const items: BulkItem[] = Array.from({ length: 1_100 }, (_, i) => {
      const ip = `8.${Math.floor(i / 250)}.0.${(i % 250) + 1}`;
      return { ip, submission: submission(ip), existed: i % 2 === 0 };
    });
    const ok = (batch: readonly IndicatorSubmission[]) => batch.map((s, k) => ({ id: String(k), indicator: s.indicatorValue, isFailed: false }));
    const one = scripted({ import: (batch, n) => { if (n === 1) throw new BadRequestError('The batch was malformed'); return ok(batch); } });
    const r = await runBulk(one.api, items);
    assert.deepEqual(r.batches.map((b) => b.outcome), ['sent', 'failed', 'sent']);
    assert.equal(r.results.filter((x) => x.outcome === 'failed').length, 500);
    assert.match(r.results.find((x) => x.outcome === 'failed')?.reason ?? '', /malformed/);
    assert.equal(r.results.filter((x) => x.outcome === 'created').length + r.results.filter((x) => x.outcome === 'updated').length, 600);

    const denied = scripted({ import: () => { throw new PermissionError('no', 'Ti.ReadWrite'); } });
    const d = await runBulk(denied.api, items);
    assert.deepEqual(denied.calls, ['import 500'], 'later batches would be refused the same way');
    assert.equal(d.results.filter((x) => x.outcome === 'not-sent').length, 600);
    assert.match(d.results.find((x) => x.outcome === 'not-sent')?.reason ?? '', /refused/);

    // Batch 1 gets no clear answer: half of it was applied (the list shows it), the other half is sent again.
    const applied = items.slice(0, 250).map((it, k) => asIndicator(it.submission, `a${k}`));
    const unclear = scripted({ import: (batch, n) => { if (n === 0) throw new ServerError('504'); return ok(batch); }, list: () => applied });
    const u = await runBulk(unclear.api, items.slice(0, 500));
    assert.deepEqual(unclear.calls, ['import 500', 'list', 'import 250']);
    assert.equal(u.results.length, 500);
    assert.ok(u.results.every((x) => x.outcome === 'created' || x.outcome === 'updated'));
  });
});
