// The accuracy part of `npm run bench:scan`: a seeded mixed log that records every address it plants, scanned by our
// scanner and by ip-regex, each judged against the planted truth; then pathological 1 MB inputs against a typical
// 1 MB of the log (the scan must stay linear).
import type { IpMatch } from '../src/core/ip/ipMatch';
import { scanRange } from '../src/core/ip/scanner';
import { parseAddress } from '../src/core/ip/parseAddress';
import { formatIpv6 } from '../src/core/ip/formatAddress';
import { defang } from '../src/core/ip/defang';
import { rng } from './rng';

const SEED = 20261125;
const MB = 1_000_000;

interface Planted {
  start: number;
  value: string;
}

class LogGenerator {
  private readonly r: () => number;
  private parts: string[] = [];
  private length = 0;
  readonly planted: Planted[] = [];

  constructor(seed: number) {
    this.r = rng(seed);
  }

  private int(n: number): number {
    return Math.floor(this.r() * n);
  }
  private pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  private text(s: string): void {
    this.parts.push(s);
    this.length += s.length;
  }
  /** Appends address text and records where it starts and what it means. */
  private addr(text: string, value: string): void {
    this.planted.push({ start: this.length, value });
    this.text(text);
  }

  private v4(): string {
    const kind = this.int(10);
    if (kind < 3) return `10.${this.int(256)}.${this.int(256)}.${1 + this.int(254)}`;
    if (kind < 4) return `192.168.${this.int(256)}.${1 + this.int(254)}`;
    if (kind < 5) return `172.${16 + this.int(16)}.${this.int(256)}.${1 + this.int(254)}`;
    if (kind < 6) return this.pick(['198.51.100.23', '203.0.113.77', '192.0.2.10', '10.248.240.38']);
    return `${1 + this.int(223)}.${this.int(256)}.${this.int(256)}.${1 + this.int(254)}`;
  }

  private v6(): string {
    const kind = this.int(4);
    if (kind === 0) return `2001:db8:${this.int(0x10000).toString(16)}::${(1 + this.int(0xfffe)).toString(16)}`;
    if (kind === 1) {
      // EUI-64 style interface id: xxxx:xxff:fexx:xxxx
      return formatIpv6([0xfe80, 0, 0, 0, 1 + this.int(0xfffe), (this.int(0x100) << 8) | 0xff, 0xfe00 | this.int(0x100), 1 + this.int(0xfffe)]);
    }
    const g = Array.from({ length: 8 }, (_, k) => (k >= 3 && k <= 5 && this.r() < 0.6 ? 0 : this.int(0x10000)));
    g[0] = 0x2000 | this.int(0x2000);
    g[7] = 1 + this.int(0xfffe);
    return formatIpv6(g);
  }

  private time(): { syslog: string; clf: string; iso: string; epoch: number } {
    const d = 1 + this.int(25);
    const h = String(this.int(24)).padStart(2, '0');
    const mi = String(this.int(60)).padStart(2, '0');
    const s = String(this.int(60)).padStart(2, '0');
    const dd = String(d).padStart(2, '0');
    return {
      syslog: `Nov ${String(d).padStart(2, ' ')} ${h}:${mi}:${s}`,
      clf: `${dd}/Nov/2026:${h}:${mi}:${s} +0000`,
      iso: `2026-11-${dd}T${h}:${mi}:${s}.${String(this.int(1000)).padStart(3, '0')}Z`,
      epoch: Date.UTC(2026, 10, d, Number(h), Number(mi), Number(s)) / 1000,
    };
  }

  /** Version strings, times, MACs, hashes, OIDs and scope operators: none of them is an address. */
  private noise(): string {
    return this.pick([
      `agent v${this.int(10)}.${this.int(10)}.${this.int(10)}.${this.int(200)}`,
      `libssl.so.1.${this.int(3)}.${this.int(9)}.${this.int(9)}`,
      `build ${this.int(20)}.0.19045.${this.int(9000)}`,
      `kernel 6.1.0-${this.int(30)}-amd64 uptime ${this.int(24)}:${String(this.int(60)).padStart(2, '0')}:${String(this.int(60)).padStart(2, '0')}`,
      `oid 1.3.6.1.4.1.311.${this.int(100)}.${this.int(10)}`,
      `md5 43:51:43:a1:b5:fc:8b:b7:0a:3a:a9:b1:0f:66:73:${this.int(256).toString(16).padStart(2, '0')}`,
      `mac 00:1a:2b:${this.int(256).toString(16).padStart(2, '0')}:4d:5e`,
      `std::vector<int> Foo::Bar took 12:34:56`,
      `serial 192.168.0.${2000000000 + this.int(99999999)}`,
      `pkg python3.11.${this.int(10)}.${this.int(10)}`,
      `fw_1.2.3.${this.int(9)}`,
    ]);
  }

  /** Line kinds weighted roughly like a SOC's log mix: web and auth logs dominate. */
  private kind(): number {
    const x = this.int(100);
    if (x < 30) return 1; // web access
    if (x < 45) return 0; // sshd
    if (x < 60) return 2; // firewall
    if (x < 70) return 3; // JSON events
    if (x < 77) return 4; // IPv6 (DHCPv6, zones, prefixes)
    if (x < 82) return 5; // threat intel, defanged
    if (x < 87) return 6; // IPv4-mapped, leading zeros
    return 7; // application noise
  }

  private line(): void {
    const t = this.time();
    switch (this.kind()) {
      case 0: {
        this.text(`${t.syslog} bastion-01 sshd[${1000 + this.int(60000)}]: Failed password for invalid user admin from `);
        this.addr(...this.same(this.v4()));
        this.text(` port ${1024 + this.int(60000)} ssh2; client OpenSSH_9.6p1 ${this.noise()}\n`);
        break;
      }
      case 1: {
        this.addr(...this.same(this.v4()));
        this.text(` - - [${t.clf}] "GET /api/v1.2/items?id=${this.int(99999)} HTTP/1.1" ${this.pick([200, 301, 404, 500])} ${this.int(90000)} "-" "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0.6778.${this.int(200)} Safari/537.36"\n`);
        break;
      }
      case 2: {
        this.text(`${t.syslog} fw01 kernel: [${this.int(99999)}.${this.int(999999)}] IPTABLES-DROP: IN=eth0 OUT= MAC=00:1a:2b:3c:4d:5e:00:1a:2b:3c:4d:5f:08:00 SRC=`);
        this.addr(...this.same(this.v4()));
        this.text(' DST=');
        this.addr(...this.same(this.v4()));
        this.text(` LEN=60 TOS=0x00 TTL=${this.int(255)} PROTO=TCP SPT=${this.int(65536)} DPT=${this.pick([22, 443, 3389, 445])} SYN\n`);
        break;
      }
      case 3: {
        this.text(`{"ts":${t.epoch},"event":"conn","src":"`);
        this.addr(...this.same(this.v4()));
        this.text('","dst":"[');
        this.addr(...this.same(this.v6()));
        this.text(`]:${this.pick([443, 8443, 53])}","agent":"${this.noise()}","sha1":"${this.int(2 ** 31).toString(16)}${this.int(2 ** 31).toString(16)}"}\n`);
        break;
      }
      case 4: {
        const v = this.v6();
        this.text(`${t.iso} dhcpv6[${this.int(9999)}]: lease `);
        if (v.startsWith('fe80')) {
          this.addr(`${v}%eth${this.int(4)}`, v);
        } else {
          this.addr(...this.same(v));
        }
        this.text(' renewed via ');
        this.addr(...this.same(this.v6()));
        this.text(`/64 at ${this.noise()}\n`);
        break;
      }
      case 5: {
        const a = this.v4();
        this.text(`${t.iso} intel: C2 hxxp://`);
        this.addr(defang(a), a);
        this.text(`/gate.php seen with `);
        const b = this.v4();
        const parts = b.split('.');
        this.addr(`${parts[0]}.${parts[1]}.${parts[2]}[.]${parts[3]}`, b);
        this.text(`:${this.pick([443, 8443, 4444])} (${this.noise()})\n`);
        break;
      }
      case 6: {
        this.text(`${t.iso} mapped client `);
        const a = this.v4();
        this.addr(`::ffff:${a}`, `::ffff:${a}`);
        this.text(` leading zeros `);
        const o = [this.int(256), this.int(256), this.int(10), this.int(100)];
        const padded = `${o[0]}.${o[1]}.${String(o[2]).padStart(3, '0')}.${String(o[3]).padStart(3, '0')}`;
        this.addr(padded, o.join('.'));
        this.text(` ${this.noise()} ${this.noise()}\n`);
        break;
      }
      default: {
        this.text(`${t.syslog} app[${this.int(999)}]: ${this.noise()}; ${this.noise()}; retry in ${this.int(60)}s, pool `);
        this.addr('10.0.0.0', '10.0.0.0');
        this.text('/8 from ');
        this.addr(...this.same(this.v4()));
        this.text('.\n');
        break;
      }
    }
  }

  private same(a: string): [string, string] {
    return [a, a];
  }

  generate(targetBytes: number): string {
    while (this.length < targetBytes) this.line();
    const text = this.parts.join('');
    this.parts = [];
    return text;
  }
}

interface Accuracy {
  name: string;
  matches: number;
  truePositives: number;
  falsePositives: number;
  missed: number;
}

function evaluate(name: string, found: Planted[], planted: Planted[]): Accuracy {
  const truth = new Map<number, string>();
  for (const p of planted) truth.set(p.start, p.value);
  let tp = 0;
  for (const f of found) if (truth.get(f.start) === f.value) tp++;
  return { name, matches: found.length, truePositives: tp, falsePositives: found.length - tp, missed: planted.length - tp };
}

/** ip-regex matches, normalised the way our values are, so both are judged against the same truth. */
function normalise(text: string): string {
  const r = parseAddress(text.replace(/%.*$/, ''));
  return r.ok ? r.match.value : text;
}

/** Our matches, counted and dropped: the scanner over 1 MiB slices with one reused array. */
function countOurs(text: string): number {
  const out: IpMatch[] = [];
  let count = 0;
  let pos = 0;
  while (pos < text.length) {
    out.length = 0;
    pos = scanRange(text, pos, Math.min(text.length, pos + 1_048_576), out);
    count += out.length;
  }
  return count;
}

function bestSeconds(f: () => unknown): number {
  let best = Infinity;
  for (let k = 0; k < 3; k++) {
    const t0 = process.hrtime.bigint();
    f();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return best;
}

/** A copy of text.slice(start, end) as a flat string (what a decoder or an editor hands a scanner). */
function flatSlice(text: string, start: number, end: number): string {
  return text.slice(start, end).split('\n').join('\n');
}

/** The accuracy table and the linear-time check, as printable lines. `bytes`: size of the mixed log. */
export function accuracyReport(bytes: number, ipRegex: () => RegExp): string[] {
  const gen = new LogGenerator(SEED);
  const text = gen.generate(bytes);
  const ours: IpMatch[] = [];
  scanRange(text, 0, text.length, ours);
  const theirs = [...text.matchAll(ipRegex())].map((m) => ({ start: m.index, value: normalise(m[0]) }));
  const rows = [
    evaluate('scanner', ours.map((m) => ({ start: m.start, value: m.value })), gen.planted),
    evaluate('ip-regex 5 (v4+v6)', theirs, gen.planted),
  ];
  const row = (cols: string[]): string => cols.map((c, k) => (k === 0 ? c.padEnd(30) : c.padStart(10))).join(' ');
  const lines = [
    `accuracy: mixed log, seed ${SEED}, ${(text.length / MB).toFixed(1)} MB, ${gen.planted.length} planted addresses`,
    row(['', 'matches', 'true pos', 'false pos', 'missed']),
    ...rows.map((r) => row([r.name, String(r.matches), String(r.truePositives), String(r.falsePositives), String(r.missed)])),
  ];

  // Linear time: pathological 1 MB inputs against a typical 1 MB of the log (count mode, best of 3 each).
  const typical = flatSlice(text, 0, MB);
  const typicalSeconds = bestSeconds(() => countOurs(typical));
  const typicalMatches = countOurs(typical);
  const adversarial: [string, string][] = [
    ['1.1.1.1.1... (dotted digits)', '1.'],
    [':::: (colons)', ':'],
    ['a:a:a:... (hex groups)', 'a:'],
    ['1:1:1:... (digit groups)', '1:'],
    ['::1 ::1 ... (all matches)', '::1 '],
    ['1.2.3.4 ... (all matches)', '1.2.3.4 '],
    ['1[.]1[.]... (defanged dots)', '1[.]'],
    ['[:][:]... (defanged colons)', '[:]'],
    ['0000... (one long number)', '0'],
    ['fe80::1%aaaa... (long zone)', 'fe80::1%' + 'a'.repeat(200) + ' '],
    ['12:34:56 ... (times)', '12:34:56 '],
  ];
  const pathological = adversarial.map(([name, unit]) => {
    const input = unit.repeat(Math.ceil(MB / unit.length)).slice(0, MB);
    return { name, seconds: bestSeconds(() => countOurs(input)), matches: countOurs(input) };
  });
  lines.push('', `linear time: 1 MB inputs, count mode (typical log slice: ${(typicalSeconds * 1000).toFixed(1)} ms, ${typicalMatches} matches)`);
  for (const p of pathological) {
    lines.push(`  ${p.name.padEnd(32)} ${(p.seconds * 1000).toFixed(1).padStart(7)} ms  ${(p.seconds / typicalSeconds).toFixed(2).padStart(5)}x typical  ${String(p.matches).padStart(7)} matches`);
  }
  const worst = Math.max(...pathological.map((p) => p.seconds));
  const most = Math.max(...pathological.map((p) => p.matches));
  lines.push(`  worst case ${(worst / typicalSeconds).toFixed(2)}x the typical slice (the all-match inputs build up to ${(most / typicalMatches).toFixed(0)}x more match objects)`);
  return lines;
}
