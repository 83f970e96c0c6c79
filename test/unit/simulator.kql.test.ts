import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runKql, type KqlContext, type KqlTable } from '../../src/simulator/kqlEngine';
import { KqlError, parseKqlDatetime } from '../../src/simulator/kqlParser';

const NOW = Date.parse('2026-03-10T12:00:00Z');
const H = 3_600_000;
const D = 24 * H;

const events: KqlTable = {
  columns: [
    { name: 'Timestamp', type: 'datetime' },
    { name: 'DeviceId', type: 'string' },
    { name: 'RemoteIP', type: 'string' },
    { name: 'RemotePort', type: 'int' },
    { name: 'Proc', type: 'string' },
    { name: 'Addrs', type: 'string' },
  ],
  rows: [
    { Timestamp: NOW - 1 * H, DeviceId: 'a', RemoteIP: '198.51.100.23', RemotePort: 443, Proc: 'PowerShell.exe -enc AAA', Addrs: '[{"IPAddress":"10.0.0.1"},{"IPAddress":"fe80::1"}]' },
    { Timestamp: NOW - 2 * D, DeviceId: 'b', RemoteIP: '198.51.100.23', RemotePort: 8443, Proc: 'rundll32.exe', Addrs: '[{"IPAddress":"10.0.0.2"}]' },
    { Timestamp: NOW - 2 * D - H, DeviceId: 'a', RemoteIP: '8.8.8.8', RemotePort: 53, Proc: 'svchost.exe', Addrs: '[]' },
    { Timestamp: NOW - 10 * D, DeviceId: 'c', RemoteIP: '198.51.100.23', RemotePort: 443, Proc: 'curl', Addrs: '[{"IPAddress":"10.0.0.3"}]' },
  ],
};
const alerts: KqlTable = {
  columns: [
    { name: 'AlertId', type: 'string' },
    { name: 'Severity', type: 'string' },
  ],
  rows: [
    { AlertId: 'x1', Severity: 'High' },
    { AlertId: 'x2', Severity: 'Low' },
  ],
};
const evidence: KqlTable = {
  columns: [
    { name: 'AlertId', type: 'string' },
    { name: 'RemoteIP', type: 'string' },
  ],
  rows: [
    { AlertId: 'x1', RemoteIP: '198.51.100.23' },
    { AlertId: 'x1', RemoteIP: '198.51.100.23' },
    { AlertId: 'x3', RemoteIP: '198.51.100.23' },
  ],
};

const ctx: KqlContext = { now: NOW, table: (name) => ({ E: events, A: alerts, V: evidence })[name] };
const run = (q: string): KqlTable => runKql(q, ctx);
const col = (t: KqlTable, name: string): unknown[] => t.rows.map((r) => r[name]);

describe('where', () => {
  test('==, !=, in, !in, has, contains, startswith, =~, and/or/not, comparisons and ago()', () => {
    assert.deepEqual(col(run('E | where RemoteIP == "198.51.100.23" and RemotePort != 8443'), 'DeviceId'), ['a', 'c']);
    assert.deepEqual(col(run('E | where RemoteIP in ("8.8.8.8", "1.1.1.1")'), 'DeviceId'), ['a']);
    assert.deepEqual(col(run('E | where RemoteIP !in ("8.8.8.8")'), 'RemotePort'), [443, 8443, 443]);
    assert.deepEqual(col(run('E | where Proc has "powershell"'), 'DeviceId'), ['a'], 'has is case-insensitive and matches terms');
    assert.equal(run('E | where Proc has "power"').rows.length, 0, 'has needs a whole term');
    assert.equal(run('E | where Proc contains "power"').rows.length, 1);
    assert.equal(run('E | where Proc contains_cs "power"').rows.length, 0);
    assert.equal(run('E | where Proc startswith "RUN"').rows.length, 1);
    assert.equal(run('E | where DeviceId =~ "A"').rows.length, 2);
    assert.deepEqual(col(run('E | where Timestamp > ago(7d)'), 'RemotePort'), [443, 8443, 53]);
    assert.deepEqual(col(run('E | where not(RemotePort >= 443) or DeviceId == "c"'), 'RemotePort'), [53, 443]);
    assert.equal(run('E | where RemotePort < 100 and RemotePort <= 53').rows.length, 1);
  });

  test('between with datetimes and numbers, inclusive', () => {
    const from = new Date(NOW - 3 * D).toISOString().replace('.000', '');
    const to = new Date(NOW - 2 * D).toISOString().replace('.000', '');
    assert.deepEqual(col(run(`E | where Timestamp between (datetime(${from}) .. datetime(${to}))`), 'RemotePort'), [8443, 53]);
    assert.deepEqual(col(run('E | where RemotePort between (53 .. 443)'), 'RemotePort'), [443, 53, 443]);
  });

  test('let binds scalars and tabular expressions', () => {
    assert.equal(run('let ip = "8.8.8.8"; E | where RemoteIP == ip').rows.length, 1);
    assert.equal(run('let T = E | where DeviceId == "a"; T | count').rows[0]?.Count, 2);
  });
});

describe('shaping', () => {
  test('project, extend with tostring/todynamic and field access, mv-expand', () => {
    const t = run('E | where DeviceId == "a" | mv-expand Addr = todynamic(Addrs) | extend Ip = tostring(Addr.IPAddress) | project Ip, DeviceId');
    assert.deepEqual(t.columns, [{ name: 'Ip', type: 'string' }, { name: 'DeviceId', type: 'string' }]);
    assert.deepEqual(col(t, 'Ip'), ['10.0.0.1', 'fe80::1'], 'an empty array yields no rows');
    const e = run('E | take 1 | extend Port2 = RemotePort * 2, Day = bin(Timestamp, 1d), S = tostring(RemotePort)');
    assert.equal(e.rows[0]?.Port2, 886);
    assert.equal(e.rows[0]?.Day, Math.floor((NOW - H) / D) * D);
    assert.equal(e.rows[0]?.S, '443');
    assert.deepEqual(e.columns.find((c) => c.name === 'Day'), { name: 'Day', type: 'datetime' });
  });

  test('order by defaults to descending; asc, multiple keys, take/limit, top, distinct, project-away', () => {
    assert.deepEqual(col(run('E | order by RemotePort'), 'RemotePort'), [8443, 443, 443, 53]);
    assert.deepEqual(col(run('E | sort by RemotePort asc, DeviceId desc'), 'DeviceId'), ['a', 'c', 'a', 'b']);
    assert.equal(run('E | limit 2').rows.length, 2);
    assert.deepEqual(col(run('E | top 1 by Timestamp asc'), 'DeviceId'), ['c']);
    assert.deepEqual(col(run('E | distinct DeviceId'), 'DeviceId'), ['a', 'b', 'c']);
    assert.ok(!run('E | project-away Addrs').columns.some((c) => c.name === 'Addrs'));
  });
});

describe('summarize', () => {
  test('count, dcount, min, max, make_set with a limit, countif, by columns and by bin()', () => {
    const t = run('E | summarize Events = count(), Machines = dcount(DeviceId), First = min(Timestamp), Last = max(Timestamp), Ports = make_set(RemotePort, 1), Https = countif(RemotePort == 443) by RemoteIP');
    assert.deepEqual(t.columns.map((c) => `${c.name}:${c.type}`), ['RemoteIP:string', 'Events:long', 'Machines:long', 'First:datetime', 'Last:datetime', 'Ports:dynamic', 'Https:long']);
    const c2 = t.rows.find((r) => r.RemoteIP === '198.51.100.23');
    assert.deepEqual(c2, { RemoteIP: '198.51.100.23', Events: 3, Machines: 3, First: NOW - 10 * D, Last: NOW - H, Ports: [443], Https: 2 });
    const daily = run('E | summarize Events = count() by Day = bin(Timestamp, 1d) | order by Day asc');
    assert.equal(daily.rows.length, 3);
    assert.deepEqual(col(daily, 'Events'), [1, 2, 1]);
    const unnamed = run('E | summarize count(), dcount(DeviceId), make_set(Proc)');
    assert.deepEqual(unnamed.columns.map((c) => c.name), ['count_', 'dcount_DeviceId', 'make_set_Proc']);
  });

  test('summarize without by over no rows gives one row of zeros; with by, no rows', () => {
    assert.deepEqual(run('E | where DeviceId == "zzz" | summarize n = count()').rows, [{ n: 0 }]);
    assert.deepEqual(run('E | where DeviceId == "zzz" | summarize n = count() by DeviceId').rows, []);
  });
});

describe('join', () => {
  test('kind=inner keeps every pair and renames clashing right columns with a suffix', () => {
    const t = run('V | join kind=inner (A | project AlertId, Severity) on AlertId');
    assert.deepEqual(t.columns.map((c) => c.name), ['AlertId', 'RemoteIP', 'AlertId1', 'Severity']);
    assert.equal(t.rows.length, 2);
    assert.deepEqual(col(t, 'Severity'), ['High', 'High']);
  });

  test('default innerunique keeps one left row per key; leftouter, leftanti and $left/$right keys', () => {
    assert.equal(run('V | join (A) on AlertId').rows.length, 1);
    assert.equal(run('V | join kind=leftouter (A) on AlertId').rows.length, 3);
    assert.deepEqual(col(run('V | join kind=leftanti (A) on AlertId'), 'AlertId'), ['x3']);
    assert.equal(run('V | join kind=inner (A | project Id = AlertId) on $left.AlertId == $right.Id').rows.length, 2);
  });
});

describe('what the subset does not understand', () => {
  const refused: [string, RegExp][] = [
    ['E | union A', /operator 'union'/],
    ['E | parse Proc with * "x" y', /operator 'parse'/],
    ['E | make-series count() on Timestamp step 1d', /operator 'make-series'/],
    ['E | extend x = parse_url(Proc)', /function 'parse_url'/],
    ['E | where RemoteIP has_any ("a")', /operator 'has_any'/],
    ['E | summarize arg_max(Timestamp, *)', /function 'arg_max'/],
    ['E | where x == dynamic([1])', /function 'dynamic'/],
    ['E | join kind=fullouter (A) on AlertId', /join key 'AlertId' missing on the left side|join kind=fullouter/],
    ['E | join kind=fullouter (E) on DeviceId', /join kind=fullouter/],
    ['Nope | take 1', /table 'Nope'/],
    ['E | where Missing == 1', /unknown column or variable 'Missing'/],
    ['E | take', /the query ends/],
    ['E | where RemoteIP == "x" |', /the query ends/],
    ['E | summarize RemotePort', /not an aggregation/],
    ['E | where count() > 1', /aggregation 'count\(\)' outside summarize/],
    ['E | extend x = Proc + 1', /'\+' between a string and a long/],
    ['E | extend x = Proc.Name', /property access/],
    ['E ¤ take 1', /unexpected character/],
    ['E | take 1 | where RemoteIP == "unterminated', /unterminated string/],
  ];
  for (const [query, pattern] of refused) {
    test(`refuses: ${query}`, () => {
      assert.throws(
        () => run(query),
        (e: unknown) => e instanceof KqlError && e.message.startsWith('The simulated tenant does not understand this query: ') && pattern.test(e.message),
      );
    });
  }

  test('comments are ignored and datetime() accepts the forms the builders emit', () => {
    assert.equal(run('// hunting\nE // the table\n| take 1').rows.length, 1);
    assert.equal(parseKqlDatetime('2026-11-20T08:44:05Z'), Date.parse('2026-11-20T08:44:05Z'));
    assert.equal(parseKqlDatetime('2026-11-20'), Date.parse('2026-11-20T00:00:00Z'));
    assert.equal(parseKqlDatetime('2026-11-20 08:44'), Date.parse('2026-11-20T08:44:00Z'));
    assert.equal(parseKqlDatetime('yesterday'), undefined);
  });
});
