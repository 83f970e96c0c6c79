import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { main } from '../../src/cli/main';
import { scanThreads } from '../../src/cli/scanCommand';
import type { CliIo } from '../../src/cli/io';

const AUTH = [
  'Nov 21 03:14:07 bastion sshd[811]: Failed password for root from 198.51.100.23 port 50122 ssh2',
  'Nov 21 03:14:09 bastion sshd[811]: Accepted publickey for ops from 10.248.240.38 port 51000 ssh2',
];
const INTEL = 'C2: hxxp://198.51.100[.]23:8443/gate and [fe80::1%eth0]:22, net 10.0.0.0/8';
/** 1-based column of `needle` in `line`. */
const col = (line: string, needle: string): number => line.indexOf(needle) + 1;

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ipinv-cli-scan-'));
  await writeFile(join(dir, 'auth.log'), AUTH.join('\n') + '\n');
  await writeFile(join(dir, 'intel.md'), INTEL + '\n');
  await mkdir(join(dir, 'folder'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: (e?: Error | null) => void): void {
    this.text += chunk.toString();
    done();
  }
}

async function run(args: string[], stdinText?: string): Promise<{ code: number; out: string; err: string }> {
  const stdin = new PassThrough();
  const stdout = new Sink();
  const stderr = new Sink();
  const io: CliIo = { stdin, stdout, stderr, env: {}, cwd: dir };
  if (stdinText !== undefined) stdin.end(stdinText);
  else stdin.end();
  const code = await main(['scan', ...args], io);
  return { code, out: stdout.text, err: stderr.text };
}

describe('ipinv scan', () => {
  test('readable listing: file:line:column value (class)', async () => {
    const r = await run(['auth.log', 'intel.md']);
    assert.equal(r.code, 0, r.err);
    assert.equal(
      r.out,
      [
        `auth.log:1:${col(AUTH[0], '198.51')} 198.51.100.23 (documentation)`,
        `auth.log:2:${col(AUTH[1], '10.248')} 10.248.240.38 (private)`,
        `intel.md:1:${col(INTEL, '198.51')} 198.51.100.23 (documentation)`,
        `intel.md:1:${col(INTEL, 'fe80')} fe80::1 (link-local)`,
        `intel.md:1:${col(INTEL, '10.0.0.0')} 10.0.0.0 (private)`,
        '',
      ].join('\n'),
    );
    assert.equal(r.err, '');
  });

  test('--json: one object per line with exactly the documented fields', async () => {
    const r = await run(['--json', 'auth.log', 'intel.md']);
    assert.equal(r.code, 0, r.err);
    const rows = r.out.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(rows.length, 5);
    for (const row of rows) {
      assert.deepEqual(Object.keys(row), ['file', 'value', 'version', 'start', 'end', 'line', 'column', 'port', 'prefix', 'zone', 'defanged', 'leadingZeros', 'class', 'time']);
    }
    assert.deepEqual(rows[0], {
      file: 'auth.log',
      value: '198.51.100.23',
      version: 4,
      start: AUTH[0].indexOf('198.51'),
      end: AUTH[0].indexOf('198.51') + 13,
      line: 1,
      column: col(AUTH[0], '198.51'),
      port: null,
      prefix: null,
      zone: null,
      defanged: false,
      leadingZeros: false,
      class: 'documentation',
      time: rows[0].time,
    });
    assert.match(String(rows[0].time), /^20\d\d-11-21T03:14:07\.000Z$/);
    assert.deepEqual(
      rows.slice(2).map((x) => [x.value, x.port, x.prefix, x.zone, x.defanged, x.time, x.version]),
      [
        ['198.51.100.23', 8443, null, null, true, null, 4],
        ['fe80::1', 22, null, 'eth0', false, null, 6],
        ['10.0.0.0', null, 8, null, false, null, 4],
      ],
    );
  });

  test('--assume-zone shifts zone-less timestamps', async () => {
    const r = await run(['--json', '--assume-zone', '+02:00', 'auth.log']);
    const first = JSON.parse(r.out.split('\n')[0]) as { time: string };
    assert.match(first.time, /-11-21T01:14:07\.000Z$/);
  });

  test('--date-order reads day/month dates that are otherwise left without a time', async () => {
    const csv = 'Information,05/06/2026 3:14:07 PM,Security,4625,"Source Network Address: 198.51.100.23"\n';
    const plain = JSON.parse((await run(['--json', '-'], csv)).out) as { time: string | null };
    assert.equal(plain.time, null);
    const dmy = JSON.parse((await run(['--json', '--date-order', 'dmy', '-'], csv)).out) as { time: string | null };
    assert.equal(dmy.time, '2026-06-05T15:14:07.000Z');
  });

  test('no file and a terminal on stdin: a usage error instead of waiting', async () => {
    const stdin = Object.assign(new PassThrough(), { isTTY: true });
    const stderr = new Sink();
    const code = await main(['scan'], { stdin, stdout: new Sink(), stderr, env: {}, cwd: dir });
    assert.equal(code, 2);
    assert.match(stderr.text, /no input/);
    stdin.end();
  });

  test('--count, and standard input with - or no file', async () => {
    assert.deepEqual(await run(['--count', 'auth.log', 'intel.md']), { code: 0, out: '5\n', err: '' });
    const viaDash = await run(['-'], 'x 192.0.2.1 y\n');
    assert.equal(viaDash.out, '(standard input):1:3 192.0.2.1 (documentation)\n');
    const implicit = await run(['--count'], '1.1.1.1 8.8.8.8\n');
    assert.equal(implicit.out, '2\n');
    assert.equal((await run(['--count'], '')).out, '0\n');
    // A UTF-16 export (PowerShell's default) is decoded, not read as bytes by the WebAssembly counter.
    await writeFile(join(dir, 'utf16.log'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a 198.51.100.1 b fe80::1%2\n', 'utf16le')]));
    const auth = Number((await run(['--count', 'auth.log'])).out);
    assert.ok(auth > 0);
    assert.deepEqual(await run(['--count', 'utf16.log', 'auth.log']), { code: 0, out: `${auth + 2}\n`, err: '' });
  });

  test('bad usage and unreadable files: one line on stderr, exit 2, nothing on stdout', async () => {
    const cases: [string[], RegExp][] = [
      [['--bogus'], /^ipinv scan: unknown option '--bogus'/],
      [['--json', '--count', 'auth.log'], /either --json or --count/],
      [['missing.log'], /^ipinv scan: cannot read 'missing.log': no such file\n$/],
      [['folder'], /cannot read 'folder': it is a directory/],
      [['auth.log', 'missing.log'], /cannot read 'missing.log'/],
      [['--assume-zone', 'Mars'], /--assume-zone must be/],
      [['--assume-zone'], /--assume-zone needs a value/],
      [['--date-order', 'ymd'], /--date-order must be mdy or dmy/],
      [['-', '-'], /standard input/],
    ];
    for (const [args, message] of cases) {
      const r = await run(args, '');
      assert.equal(r.code, 2, args.join(' '));
      assert.equal(r.out, '', args.join(' '));
      assert.match(r.err, message);
      assert.equal(r.err.trimEnd().split('\n').length, 1, r.err);
    }
  });

  test('--help documents the options and fields', async () => {
    const r = await run(['--help']);
    assert.equal(r.code, 0);
    for (const word of ['--json', '--count', '--assume-zone', 'leadingZeros', 'time', 'unique-local']) assert.ok(r.out.includes(word), word);
    const top = new Sink();
    const code = await main(['--help'], { stdin: new PassThrough(), stdout: top, stderr: new Sink(), env: {}, cwd: dir });
    assert.equal(code, 0);
    assert.match(top.text, /ipinv scan \[--json \| --count\] \[FILE \.\.\. \| -\]/);
  });

  test('stops quietly when the reader goes away', async () => {
    const stdin = new PassThrough();
    stdin.end('10.0.0.1\n'.repeat(50_000));
    let writes = 0;
    const stdout = new Writable({
      highWaterMark: 16,
      write(_chunk, _enc, done) {
        writes++;
        if (writes === 2) done(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
        else done();
      },
    });
    const stderr = new Sink();
    const code = await main(['scan', '-'], { stdin, stdout, stderr, env: {}, cwd: dir });
    assert.equal(code, 0);
    assert.equal(stderr.text, '');
  });
});

describe('ipinv scan --threads', () => {
  test('auto is this thread alone below 4 cores (measured faster there), every core from 4 up; a number is kept', () => {
    assert.equal(scanThreads('auto', 1), 1);
    assert.equal(scanThreads('auto', 2), 1);
    assert.equal(scanThreads('auto', 3), 1);
    assert.equal(scanThreads('auto', 4), 4);
    assert.equal(scanThreads('auto', 32), 8);
    assert.equal(scanThreads(2, 2), 2);
    assert.equal(scanThreads(1, 16), 1);
  });

  test('a bad value is refused before anything is read', async () => {
    for (const v of ['0', '65', 'two', '-1', '1.5', '']) {
      const r = await run(['--count', '--threads', v, join(dir, 'auth.log')]);
      assert.equal(r.code, 2, v);
      assert.match(r.err, /--threads must be auto or a number from 1 to 64/, v);
      assert.equal(r.out, '', v);
    }
  });

  test('one thread and several give the same count and the same listing on a file above the worker threshold', async () => {
    const lines: string[] = [];
    // About 18 MB: above the 16 MiB from which a file is scanned in workers.
    for (let i = 0; i < 360_000; i++) lines.push(`${i} src=10.${(i >> 8) & 255}.${i & 255}.7 dst=2001:db8::${(i % 65535).toString(16)} dpt=443 ${i % 7 === 0 ? '198.51.100[.]23' : 'ok'}`);
    const big = join(dir, 'big.log');
    await writeFile(big, lines.join('\n') + '\n');
    const one = await run(['--count', '--threads', '1', big]);
    const two = await run(['--count', '--threads', '2', big]);
    assert.equal(one.code, 0, one.err);
    assert.equal(two.out, one.out);
    assert.ok(Number(one.out) > 360_000 * 2);
    const listOne = await run(['--threads=1', big]);
    const listTwo = await run(['--threads=2', big]);
    assert.equal(listTwo.out, listOne.out, 'the same matches in the same order');
  });
});
