// The audit trail: entries name what, when, who and the request ids; the stored history is versioned and bounded
// and re-validated when read; the log line and the Markdown carry the ids, and every value is escaped.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createRequire } from 'node:module';
import { appendAudit, auditEntry, auditLogLine, readAuditHistory, renderAuditMarkdown } from '../../src/core/indicators/auditTrail';
import { AUDIT_MAX_ENTRIES } from '../../src/shared/indicatorModel';
import { HOSTILE_STRINGS } from '../../src/simulator/story';

// markdown-it has no types here: the one method used is declared.
const MarkdownIt = createRequire(__filename)('markdown-it') as new (options?: object) => { render(src: string): string };

const ctx = { identity: 'analyst@contoso.com', tenant: '72f988bf-0000-4000-8000-000000000001', demo: false, now: () => Date.parse('2026-12-05T10:30:00Z') };

describe('audit entries', () => {
  test('what, when, who, which ids; bulk runs name a few addresses and count all', () => {
    const e = auditEntry(ctx, {
      kind: 'create',
      addresses: ['198.51.100.23'],
      action: 'Block',
      title: 'Known C2',
      expires: '2027-01-04T10:30:00Z',
      indicatorIds: ['6001'],
      outcomes: { created: 1 },
      requestIds: ['req-1'],
      clientRequestIds: ['c1'],
    });
    assert.equal(e.at, '2026-12-05T10:30:00.000Z');
    assert.equal(e.identity, 'analyst@contoso.com');
    const line = auditLogLine(e);
    for (const part of ['Created Block 198.51.100.23', 'expires 2027-01-04T10:30:00Z', 'by analyst@contoso.com (tenant 72f988bf', 'result: 1 created', 'indicator ids 6001', 'request ids req-1', 'client request ids c1']) {
      assert.ok(line.includes(part), `${part} in ${line}`);
    }
    const bulk = auditEntry(ctx, { kind: 'import', addresses: Array.from({ length: 1_200 }, (_, i) => `1.0.${i >> 8}.${i & 255}`), action: 'Block', expires: null, outcomes: { created: 1_199, failed: 1 } });
    assert.equal(bulk.addresses.length, 20);
    assert.equal(bulk.addressCount, 1_200);
    assert.match(auditLogLine(bulk), /and 1180 more; expires never; .*result: 1199 created, 1 failed/);
  });

  test('the history is versioned and bounded; what does not validate is dropped entry by entry', () => {
    let h = readAuditHistory(undefined);
    assert.deepEqual(h, []);
    let stored: unknown = { version: 1, entries: h };
    for (let i = 0; i < AUDIT_MAX_ENTRIES + 5; i++) {
      stored = appendAudit(readAuditHistory(stored), auditEntry({ ...ctx, now: () => 1_700_000_000_000 + i }, { kind: 'remove', addresses: [`8.8.8.${i % 250}`], outcomes: { removed: 1 } }));
    }
    h = readAuditHistory(stored);
    assert.equal(h.length, AUDIT_MAX_ENTRIES);
    assert.equal(h[0].at, new Date(1_700_000_000_000 + AUDIT_MAX_ENTRIES + 4).toISOString(), 'newest first');
    assert.deepEqual(readAuditHistory({ version: 2, entries: h }), [], 'another version is not read');
    const mixed = readAuditHistory({ version: 1, entries: [{ at: 'never', kind: 'create', identity: 'x' }, { ...h[0], kind: 'drop tables' }, h[1], 'junk', { ...h[2], outcomes: { removed: -1, created: 2 }, extra: 'x' }] });
    assert.equal(mixed.length, 2);
    assert.deepEqual(mixed[1].outcomes, { created: 2 });
    assert.equal((mixed[1] as unknown as Record<string, unknown>).extra, undefined);
  });
});

describe('Markdown', () => {
  test('a table, newest first, every value escaped (hostile titles and identities stay text)', () => {
    const hostile = auditEntry({ ...ctx, identity: HOSTILE_STRINGS.commandLink }, {
      kind: 'create',
      addresses: ['198.51.100.23'],
      action: 'Block',
      title: `${HOSTILE_STRINGS.script} ${HOSTILE_STRINGS.img}`,
      expires: null,
      outcomes: { created: 1 },
      requestIds: ['req-9'],
      note: HOSTILE_STRINGS.bold,
    });
    const md = renderAuditMarkdown([hostile]);
    assert.match(md, /^## Indicator writes\n/);
    assert.ok(md.includes('req-9'));
    const html = new MarkdownIt({ html: true, linkify: true }).render(md);
    assert.ok(!/<script|<img|<a |<strong/.test(html), html);
    assert.ok(html.includes('&lt;script&gt;'), 'shown as text');
    assert.match(renderAuditMarkdown([], { heading: '### Writes' }), /### Writes\n\nNo indicator was written from this workspace\./);
    const forOther = renderAuditMarkdown([hostile], { address: '8.8.8.8' });
    assert.match(forOther, /No indicator was written/);
  });
});
