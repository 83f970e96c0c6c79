import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  clip,
  formatCount,
  formatPorts,
  formatRelative,
  formatTime,
  severityClass,
  visibleText,
} from '../../webview/viewModel/format';

test('formatTime shows UTC to the second, raw text when unreadable, a dash when absent', () => {
  assert.equal(formatTime('2026-11-20T08:44:05.123Z'), '2026-11-20 08:44:05 UTC');
  assert.equal(formatTime('2026-11-20T10:44:05+02:00'), '2026-11-20 08:44:05 UTC');
  assert.equal(formatTime(undefined), '—');
  assert.equal(formatTime(''), '—');
  assert.equal(formatTime('not a time'), 'not a time');
});

test('formatRelative says how long ago, in the past and the future', () => {
  const now = Date.parse('2026-11-20T12:00:00Z');
  assert.equal(formatRelative('2026-11-20T11:59:30Z', now), 'just now');
  assert.equal(formatRelative('2026-11-20T11:55:00Z', now), '5 min ago');
  assert.equal(formatRelative('2026-11-20T09:00:00Z', now), '3 h ago');
  assert.equal(formatRelative('2026-11-18T12:00:00Z', now), '2 d ago');
  assert.equal(formatRelative('2026-11-20T16:00:00Z', now), 'in 4 h');
  assert.equal(formatRelative('garbage', now), '');
});

test('formatCount groups thousands without the locale', () => {
  assert.equal(formatCount(0), '0');
  assert.equal(formatCount(999), '999');
  assert.equal(formatCount(10000), '10,000');
  assert.equal(formatCount(1234567.5), '1,234,567.5');
  assert.equal(formatCount(-4200), '-4,200');
  assert.equal(formatCount(Number.NaN), '—');
});

test('formatPorts lists a few ports and counts the rest', () => {
  assert.equal(formatPorts([]), '—');
  assert.equal(formatPorts([443, 80]), '443, 80');
  assert.equal(formatPorts([1, 2, 3, 4], 2), '1, 2 (+2)');
});

test('visibleText makes direction overrides, zero-width and control characters visible', () => {
  assert.equal(visibleText('\u202Etxt.exe'), '⟨U+202E⟩txt.exe');
  assert.equal(visibleText('a\u200Bb'), 'a⟨U+200B⟩b');
  assert.equal(visibleText('a\u0000b\u001bc'), 'a⟨U+0000⟩b⟨U+001B⟩c');
  assert.equal(visibleText('line1\r\nline2\nline3'), 'line1 ⏎ line2 ⏎ line3');
  assert.equal(visibleText('<script>alert(1)</script>'), '<script>alert(1)</script>', 'markup is left as text, not removed');
  assert.equal(visibleText('plain ünïcødé 東京'), 'plain ünïcødé 東京');
});

test('clip shortens with an ellipsis', () => {
  assert.equal(clip('abcdef', 10), 'abcdef');
  assert.equal(clip('abcdef', 4), 'abc…');
});

test('severityClass maps only known severities, never the raw value', () => {
  assert.equal(severityClass('High'), 'high');
  assert.equal(severityClass('medium'), 'medium');
  assert.equal(severityClass('Informational'), 'informational');
  assert.equal(severityClass('" onmouseover="x'), 'unknown');
  assert.equal(severityClass(undefined), 'unknown');
});
