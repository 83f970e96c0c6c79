import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redact } from '../../src/shared/redact';

test('redact removes bearer tokens, JWTs and secrets', () => {
  const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlX2hlcmU';
  const out = redact(`Authorization: Bearer ${jwt} client_secret=abc123 token ${jwt}`);
  assert.ok(!out.includes(jwt), out);
  assert.ok(!out.includes('abc123'), out);
  assert.match(out, /\[redacted/);
});

test('redact leaves ordinary text alone', () => {
  const s = 'GET /api/ips/198.51.100.23/stats -> 200 in 12 ms';
  assert.equal(redact(s), s);
});
