// Seeded generators of the log shapes analysts bring (syslog, web access, key=value firewall, Zeek TSV, JSON audit
// lines, Windows event CSV, PowerShell transcripts): the benchmark corpus of `npm run bench:scan`, and the inputs of
// the differential tests that hold the streaming and worker paths to the in-memory scanner.
import { rng } from './rng';

export interface LogShape {
  /** Short name: the file name in bench/.data/ and the row label. */
  name: string;
  /** What the lines look like. */
  description: string;
  /** About `targetBytes` of text (whole lines, ASCII unless the shape says otherwise), the same for the same seed. */
  generate(seed: number, targetBytes: number): string;
}

/** Random choices for one generated text. */
class Dice {
  private readonly r: () => number;
  constructor(seed: number) {
    this.r = rng(seed);
  }
  int(n: number): number {
    return Math.floor(this.r() * n);
  }
  chance(p: number): boolean {
    return this.r() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  hex(digits: number): string {
    let s = '';
    for (let k = 0; k < digits; k++) s += '0123456789abcdef'[this.int(16)];
    return s;
  }
  pad(n: number, width: number, fill = '0'): string {
    return String(n).padStart(width, fill);
  }

  /**
   * Addresses come from a population, as in a real log (a few hosts talk a lot, most a little; a trickle of
   * addresses seen once, like a scan): skewed picks from pools of internal, public and IPv6 addresses.
   */
  private pools: { internal: string[]; public: string[]; v6: string[] } | undefined;

  private population(): { internal: string[]; public: string[]; v6: string[] } {
    this.pools ??= {
      internal: Array.from({ length: 2000 }, () => this.freshV4(this.int(5))),
      public: Array.from({ length: 3000 }, () => this.freshV4(6 + this.int(4))),
      v6: Array.from({ length: 1500 }, () => this.freshV6()),
    };
    return this.pools;
  }

  /** One of `xs`, the first ones far more often. */
  private skewed(xs: readonly string[]): string {
    const r = this.r();
    return xs[Math.floor(xs.length * r * r * r)];
  }

  v4(): string {
    const kind = this.int(100);
    if (kind < 10) return this.pick(['198.51.100.23', '203.0.113.77', '192.0.2.10', '8.8.8.8', '1.1.1.1', '127.0.0.1']);
    if (kind < 14) return this.freshV4(this.int(10));
    return this.skewed(kind < 57 ? this.population().internal : this.population().public);
  }

  v6(): string {
    return this.chance(0.05) ? this.freshV6() : this.skewed(this.population().v6);
  }

  /** A new IPv4 address: kinds 0-2 10/8, 3 192.168/16, 4 172.16/12, 5-9 public. */
  private freshV4(kind: number): string {
    if (kind < 3) return `10.${this.int(256)}.${this.int(256)}.${1 + this.int(254)}`;
    if (kind < 4) return `192.168.${this.int(256)}.${1 + this.int(254)}`;
    if (kind < 5) return `172.${16 + this.int(16)}.${this.int(256)}.${1 + this.int(254)}`;
    return `${1 + this.int(223)}.${this.int(256)}.${this.int(256)}.${1 + this.int(254)}`;
  }

  private freshV6(): string {
    const kind = this.int(6);
    if (kind === 0) return `2001:db8:${this.hex(1 + this.int(4)).replace(/^0+(?=.)/, '')}::${(1 + this.int(0xfffe)).toString(16)}`;
    if (kind === 1) return `fe80::${this.hex(4).replace(/^0+(?=.)/, '')}:${this.hex(2)}ff:fe${this.hex(2)}:${(1 + this.int(0xfffe)).toString(16)}`;
    if (kind === 2) return `2606:4700:${this.int(100)}::${(1 + this.int(0xfffe)).toString(16)}`;
    if (kind === 3) return this.pick(['::1', '2001:4860:4860::8888', '::ffff:198.51.100.23', 'fd00:1:2:3::10', 'ff02::1:2']);
    // A full address, sometimes upper case or with leading zeros, as some tools print them.
    const g = Array.from({ length: 8 }, () => this.hex(4));
    g[0] = `2${this.hex(3)}`;
    const s = g.join(':');
    return this.chance(0.3) ? s.toUpperCase() : s;
  }

  mac(sep = ':'): string {
    return Array.from({ length: 6 }, () => this.hex(2)).join(sep);
  }

  /** Seconds since 2026-11-01, within November. */
  instant(): number {
    return Date.UTC(2026, 10, 1) / 1000 + this.int(29 * 86400);
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function parts(t: number): { y: number; mo: number; d: number; h: number; mi: number; s: number } {
  const d = new Date(t * 1000);
  return { y: d.getUTCFullYear(), mo: d.getUTCMonth() + 1, d: d.getUTCDate(), h: d.getUTCHours(), mi: d.getUTCMinutes(), s: d.getUTCSeconds() };
}

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function syslogTime(t: number): string {
  const p = parts(t);
  return `${MONTHS[p.mo - 1]} ${String(p.d).padStart(2, ' ')} ${two(p.h)}:${two(p.mi)}:${two(p.s)}`;
}

function isoTime(t: number, ms: number): string {
  const p = parts(t);
  return `${p.y}-${two(p.mo)}-${two(p.d)}T${two(p.h)}:${two(p.mi)}:${two(p.s)}.${String(ms).padStart(3, '0')}Z`;
}

/** Builds the text line by line until it reaches the target size. */
function build(seed: number, targetBytes: number, line: (d: Dice, out: string[]) => void, header?: (d: Dice) => string): string {
  const d = new Dice(seed);
  const out: string[] = [];
  let length = 0;
  if (header) {
    const h = header(d);
    out.push(h);
    length += h.length;
  }
  while (length < targetBytes) {
    const before = out.length;
    line(d, out);
    for (let k = before; k < out.length; k++) length += out[k].length;
  }
  return out.join('');
}

const syslog: LogShape = {
  name: 'syslog',
  description: 'sshd/syslog: auth failures, DHCP leases with MAC addresses, kernel firewall drops, times and PIDs',
  generate: (seed, target) =>
    build(seed, target, (d, out) => {
      const t = syslogTime(d.instant());
      const host = d.pick(['bastion-01', 'web-02', 'dc01', 'fw-edge']);
      const k = d.int(10);
      if (k < 4) {
        out.push(`${t} ${host} sshd[${1000 + d.int(60000)}]: ${d.pick(['Failed password for invalid user admin', 'Failed password for root', 'Accepted publickey for deploy', 'Connection closed by authenticating user git'])} from ${d.v4()} port ${1024 + d.int(60000)} ssh2${d.chance(0.3) ? `: RSA SHA256:${d.hex(43)}` : ''}\n`);
      } else if (k < 6) {
        out.push(`${t} ${host} dhcpd[${100 + d.int(900)}]: DHCPACK on ${d.v4()} to ${d.mac()} (${d.pick(['LAPTOP-7F3K', 'iphone', 'printer-3f'])}) via eth${d.int(3)}\n`);
      } else if (k < 8) {
        out.push(`${t} ${host} kernel: [${d.int(999999)}.${d.pad(d.int(999999), 6)}] UFW BLOCK IN=eth0 OUT= MAC=${d.mac()}:${d.mac()}:08:00 SRC=${d.v4()} DST=${d.v4()} LEN=${40 + d.int(1400)} TOS=0x00 PREC=0x00 TTL=${d.int(255)} ID=${d.int(65536)} PROTO=TCP SPT=${d.int(65536)} DPT=${d.pick([22, 443, 3389, 445])} WINDOW=${d.int(65536)} RES=0x00 SYN URGP=0\n`);
      } else if (k < 9) {
        out.push(`${t} ${host} systemd[1]: Started Session ${d.int(9999)} of user ${d.pick(['root', 'ops'])}; uptime ${d.int(99)}:${two(d.int(60))}:${two(d.int(60))}, kernel 6.1.0-${d.int(30)}-amd64, openssl 3.0.${d.int(16)}\n`);
      } else {
        out.push(`${t} ${host} named[${d.int(9999)}]: client @0x7f${d.hex(10)} ${d.v4()}#${1024 + d.int(60000)} (${d.pick(['example.com', 'corp.local'])}): query: ${d.pick(['example.com', 'wpad.corp.local'])} IN ${d.pick(['A', 'AAAA'])} +E(0)K (${d.v4()})\n`);
      }
    }),
};

const access: LogShape = {
  name: 'access',
  description: 'Apache/NGINX combined: client first, bracketed CLF time, request, user agents with dotted versions, X-Forwarded-For chains, NGINX error lines',
  generate: (seed, target) =>
    build(seed, target, (d, out) => {
      const p = parts(d.instant());
      const clf = `${two(p.d)}/${MONTHS[p.mo - 1]}/${p.y}:${two(p.h)}:${two(p.mi)}:${two(p.s)} +0000`;
      const ua = d.pick([
        `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.${d.int(200)} Safari/537.36`,
        'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
        'curl/8.4.0',
        'python-requests/2.31.0',
        `Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1`,
      ]);
      if (d.chance(0.08)) {
        out.push(`${p.y}/${two(p.mo)}/${two(p.d)} ${two(p.h)}:${two(p.mi)}:${two(p.s)} [error] ${d.int(9999)}#${d.int(9)}: *${d.int(999999)} upstream timed out (110: Connection timed out) while reading response header from upstream, client: ${d.v4()}, server: shop.example.com, request: "GET /api/v2/cart HTTP/1.1", upstream: "http://${d.v4()}:8080/api/v2/cart", host: "shop.example.com"\n`);
        return;
      }
      const client = d.chance(0.05) ? d.v6() : d.v4();
      const xff = d.chance(0.2) ? ` "${d.v4()}, ${d.v4()}"` : ' "-"';
      out.push(`${client} - ${d.chance(0.1) ? 'alice' : '-'} [${clf}] "${d.pick(['GET', 'GET', 'POST', 'HEAD'])} /${d.pick(['index.html', 'api/v1.2/items', 'static/app.3f9a.js', 'wp-login.php'])}?id=${d.int(99999)}&v=1.${d.int(20)}.${d.int(9)} HTTP/1.1" ${d.pick([200, 200, 304, 404, 500])} ${d.int(90000)} "${d.chance(0.5) ? 'https://shop.example.com/' : '-'}" "${ua}"${xff} rt=0.${d.pad(d.int(999), 3)}\n`);
    }),
};

const firewall: LogShape = {
  name: 'firewall',
  description: 'key=value firewall (Fortinet, Palo Alto CSV, src=/dst= forms): many colons and quotes, IPv6 sessions, MACs, epoch fields',
  generate: (seed, target) =>
    build(seed, target, (d, out) => {
      const t = d.instant();
      const p = parts(t);
      const six = d.chance(0.3);
      const src = six ? d.v6() : d.v4();
      const dst = six ? d.v6() : d.v4();
      const k = d.int(3);
      if (k === 0) {
        out.push(`date=${p.y}-${two(p.mo)}-${two(p.d)} time=${two(p.h)}:${two(p.mi)}:${two(p.s)} devname="FGT60F-HQ" devid="FGT60FTK2209${d.int(9999)}" eventtime=${t}${d.pad(d.int(999999999), 9)} tz="+0000" logid="0000000013" type="traffic" subtype="forward" level="notice" vd="root" srcip=${src} srcport=${1024 + d.int(60000)} srcintf="port${d.int(8)}" srcintfrole="lan" dstip=${dst} dstport=${d.pick([443, 53, 80, 3389])} dstintf="wan1" dstintfrole="wan" srccountry="Reserved" dstcountry="United States" sessionid=${d.int(2 ** 31)} proto=6 action="${d.pick(['accept', 'deny', 'close'])}" policyid=${d.int(200)} policytype="policy" poluuid="${d.hex(8)}-${d.hex(4)}-${d.hex(4)}-${d.hex(4)}-${d.hex(12)}" service="HTTPS" trandisp="snat" transip=${d.v4()} transport=${d.int(65536)} duration=${d.int(3600)} sentbyte=${d.int(1e7)} rcvdbyte=${d.int(1e7)} sentpkt=${d.int(9999)} rcvdpkt=${d.int(9999)} appcat="unscanned" srcmac="${d.mac()}" mastersrcmac="${d.mac()}" srcserver=0\n`);
      } else if (k === 1) {
        const ts = `${p.y}/${two(p.mo)}/${two(p.d)} ${two(p.h)}:${two(p.mi)}:${two(p.s)}`;
        out.push(`1,${ts},01210100${d.int(9999)},TRAFFIC,end,2561,${ts},${src},${dst},${d.v4()},${d.v4()},allow-web,,,ssl,vsys1,trust,untrust,ethernet1/2,ethernet1/1,Log-Forwarding,${ts},${d.int(999999)},1,${1024 + d.int(60000)},443,${d.int(65536)},443,0x400053,tcp,allow,${d.int(99999)},${d.int(9999)},${d.int(99999)},${d.int(99)},${ts},${d.int(999)},computer-and-internet-info,0,${d.int(2 ** 31)},0x0,10.0.0.0-10.255.255.255,United States,0,${d.int(99)},${d.int(99)},tcp-fin,0,0,0,0,,PA-3220,from-policy,,,0,,0,,N/A,0,0,0,0\n`);
      } else {
        out.push(`${syslogTime(t)} gw01 filterlog: action=${d.pick(['block', 'pass'])} dir=in if=igb${d.int(4)} proto=${d.pick(['tcp', 'udp'])} src=${src} dst=${dst} sport=${1024 + d.int(60000)} dport=${d.pick([53, 123, 443, 51820])} len=${d.int(1500)} ttl=${d.int(255)} flags=S mac=${d.mac()} rule=${d.int(999)}:${d.int(9)} time=${two(p.h)}:${two(p.mi)}:${two(p.s)}.${d.pad(d.int(999), 3)}\n`);
      }
    }),
};

const zeekFields = ['ts', 'uid', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'proto', 'service', 'duration', 'orig_bytes', 'resp_bytes', 'conn_state', 'local_orig', 'local_resp', 'missed_bytes', 'history', 'orig_pkts', 'orig_ip_bytes', 'resp_pkts', 'resp_ip_bytes', 'tunnel_parents'];

const zeek: LogShape = {
  name: 'zeek',
  description: 'Zeek conn.log TSV: epoch.micro times, connection UIDs, about half IPv6 (link-local, global, mapped)',
  generate: (seed, target) =>
    build(
      seed,
      target,
      (d, out) => {
        const six = d.chance(0.5);
        const orig = six ? d.v6() : d.v4();
        const resp = six ? d.v6() : d.v4();
        out.push(
          `${d.instant()}.${d.pad(d.int(999999), 6)}\tC${d.hex(4)}${d.pick(['Ab', 'Xy', 'Q9'])}${d.hex(10)}\t${orig}\t${1024 + d.int(60000)}\t${resp}\t${d.pick([53, 443, 80, 123, 5353])}\t${d.pick(['tcp', 'udp', 'icmp'])}\t${d.pick(['dns', 'ssl', 'http', '-'])}\t${d.int(99)}.${d.pad(d.int(999999), 6)}\t${d.int(99999)}\t${d.int(99999)}\t${d.pick(['SF', 'S0', 'REJ', 'RSTO'])}\t${d.pick(['T', 'F'])}\t${d.pick(['T', 'F'])}\t0\t${d.pick(['ShADadFf', 'Dd', 'S'])}\t${d.int(99)}\t${d.int(9999)}\t${d.int(99)}\t${d.int(9999)}\t-\n`,
        );
      },
      (d) =>
        `#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n#open\t2026-11-01-00-00-0${d.int(9)}\n#fields\t${zeekFields.join('\t')}\n#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]\n`,
    ),
};

const json: LogShape = {
  name: 'json',
  description: 'JSON lines, cloud audit style: nested objects, epoch milliseconds, ISO times, CIDR rules, IPv6 with zone ids, GUIDs',
  generate: (seed, target) =>
    build(seed, target, (d, out) => {
      const t = d.instant();
      const ms = d.int(1000);
      const user = d.pick(['alice@contoso.com', 'svc-backup', 'arn:aws:iam::123456789012:user/deploy']);
      const guid = `${d.hex(8)}-${d.hex(4)}-${d.hex(4)}-${d.hex(4)}-${d.hex(12)}`;
      const source = d.chance(0.25) ? d.v6() : d.v4();
      const zone = d.chance(0.2) ? `,"linkLocal":"fe80::${d.hex(3)}:${d.hex(4)}%${d.pick(['eth0', 'en0', '12', 'enp0s31f6'])}"` : '';
      out.push(
        `{"eventVersion":"1.08","eventTime":"${isoTime(t, ms)}","ts":${t}${String(ms).padStart(3, '0')},"eventSource":"${d.pick(['ec2.amazonaws.com', 'signin.amazonaws.com', 'Microsoft.Compute'])}","eventName":"${d.pick(['AuthorizeSecurityGroupIngress', 'ConsoleLogin', 'DescribeInstances', 'CreateUser'])}","awsRegion":"eu-west-1","sourceIPAddress":"${source}","userAgent":"aws-cli/2.15.${d.int(40)} Python/3.11.${d.int(9)} Linux/6.1.0","userIdentity":{"type":"IAMUser","principalId":"AIDA${d.hex(16).toUpperCase()}","userName":"${user}","sessionContext":{"attributes":{"creationDate":"${isoTime(t - 3600, 0)}","mfaAuthenticated":"${d.pick(['true', 'false'])}"},"sourceIdentity":"${guid}"}},"requestParameters":{"groupId":"sg-${d.hex(17)}","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":${d.pick([22, 443, 3389])},"toPort":${d.pick([22, 443, 3389])},"ipRanges":{"items":[{"cidrIp":"${d.v4()}/${d.pick([32, 24, 16, 0])}"}]},"ipv6Ranges":{"items":[{"cidrIpv6":"2001:db8:${d.hex(3)}::/48"}]}}]}},"responseElements":{"requestId":"${guid}","_return":true},"tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"ec2.eu-west-1.amazonaws.com"},"vpcEndpointId":"vpce-${d.hex(17)}"${zone},"latencyMs":${d.int(999)}.${d.int(99)}}\n`,
      );
    }),
};

const windowsCsv: LogShape = {
  name: 'windows-csv',
  description: 'Windows event CSV export: quoted multi-line messages with CRLF, tabs, SIDs, GUIDs, logon and firewall events',
  generate: (seed, target) =>
    build(
      seed,
      target,
      (d, out) => {
        const p = parts(d.instant());
        const h12 = p.h % 12 === 0 ? 12 : p.h % 12;
        const when = `${p.mo}/${p.d}/${p.y} ${h12}:${two(p.mi)}:${two(p.s)} ${p.h < 12 ? 'AM' : 'PM'}`;
        const k = d.int(3);
        const guid = `{${d.hex(8)}-${d.hex(4)}-${d.hex(4)}-${d.hex(4)}-${d.hex(12)}}`.toUpperCase();
        if (k === 0) {
          out.push(`Information,${when},Microsoft-Windows-Security-Auditing,4624,Logon,"An account was successfully logged on.\r\n\r\nSubject:\r\n\tSecurity ID:\t\tS-1-5-18\r\n\tAccount Name:\t\tDC01$\r\n\tLogon ID:\t\t0x3E7\r\n\r\nLogon Information:\r\n\tLogon Type:\t\t${d.pick([3, 10, 2])}\r\n\r\nNew Logon:\r\n\tSecurity ID:\t\tS-1-5-21-${d.int(2 ** 31)}-${d.int(2 ** 31)}-${1000 + d.int(9000)}\r\n\tLogon GUID:\t\t${guid}\r\n\r\nNetwork Information:\r\n\tWorkstation Name:\t${d.pick(['WS-0412', '-'])}\r\n\tSource Network Address:\t${d.chance(0.15) ? d.v6() : d.v4()}\r\n\tSource Port:\t\t${d.int(65536)}\r\n\r\nDetailed Authentication Information:\r\n\tLogon Process:\t\tNtLmSsp\r\n\tPackage Name (NTLM only):\tNTLM V2\r\n\tKey Length:\t\t128"\r\n`);
        } else if (k === 1) {
          out.push(`Information,${when},Microsoft-Windows-Security-Auditing,5156,Filtering Platform Connection,"The Windows Filtering Platform has permitted a connection.\r\n\r\nApplication Information:\r\n\tProcess ID:\t\t${d.int(9999)}\r\n\tApplication Name:\t\\device\\harddiskvolume3\\windows\\system32\\svchost.exe\r\n\r\nNetwork Information:\r\n\tDirection:\t\tOutbound\r\n\tSource Address:\t\t${d.v4()}\r\n\tSource Port:\t\t${d.int(65536)}\r\n\tDestination Address:\t${d.v4()}\r\n\tDestination Port:\t\t${d.pick([443, 53, 389])}\r\n\tProtocol:\t\t6\r\n\r\nFilter Information:\r\n\tFilter Run-Time ID:\t${d.int(999999)}\r\n\tLayer Name:\t\tConnect\r\n\tLayer Run-Time ID:\t48"\r\n`);
        } else {
          out.push(`Warning,${when},Microsoft-Windows-DNS-Client,1014,(1014),"Name resolution for the name ${d.pick(['wpad', 'update.contoso.com'])} timed out after none of the configured DNS servers responded. Client IP ${d.v4()}; servers ${d.v4()}, ${d.v6()}."\r\n`);
        }
      },
      () => 'Level,Date and Time,Source,Event ID,Task Category,Message\r\n',
    ),
};

const powershell: LogShape = {
  name: 'powershell',
  description: 'PowerShell transcript: prompts, cmdlet output tables, defanged indicators ([.], (.), [:], hxxp), hashes and durations',
  generate: (seed, target) =>
    build(
      seed,
      target,
      (d, out) => {
        const ip = d.v4();
        const o = ip.split('.');
        const k = d.int(6);
        if (k === 0) {
          out.push(`PS C:\\IR> Test-NetConnection ${o[0]}.${o[1]}.${o[2]}[.]${o[3]} -Port ${d.pick([443, 445, 3389])}\r\n\r\nComputerName     : ${ip}\r\nRemoteAddress    : ${ip}\r\nRemotePort       : 443\r\nInterfaceAlias   : Ethernet0\r\nSourceAddress    : ${d.v4()}\r\nTcpTestSucceeded : ${d.pick(['True', 'False'])}\r\n\r\n`);
        } else if (k === 1) {
          out.push(`PS C:\\IR> # IOC from ticket INC-${d.int(99999)}: hxxp://${o.join('[.]')}/gate.php and hxxps://${d.v4().replace(/\./g, '(.)')}:8443/b, beacon ${d.v6().replace(/:/g, '[:]')}\r\n`);
        } else if (k === 2) {
          out.push(`PS C:\\IR> Resolve-DnsName ${d.pick(['update.contoso.com', 'cdn.example.net'])}\r\n\r\nName                          Type   TTL   Section    IPAddress\r\n----                          ----   ---   -------    ---------\r\ncdn.example.net               A      ${d.int(3600)}   Answer     ${d.v4()}\r\ncdn.example.net               AAAA   ${d.int(3600)}   Answer     ${d.v6()}\r\n\r\n`);
        } else if (k === 3) {
          out.push(`PS C:\\IR> Get-FileHash .\\payload_${d.int(99)}.dll\r\n\r\nAlgorithm       Hash                                                                   Path\r\n---------       ----                                                                   ----\r\nSHA256          ${d.hex(64).toUpperCase()}       C:\\IR\\payload.dll\r\n\r\n`);
        } else if (k === 4) {
          out.push(`PS C:\\IR> Get-NetTCPConnection -State Established | Select -First 2\r\n\r\nLocalAddress  LocalPort RemoteAddress   RemotePort State       OwningProcess\r\n------------  --------- -------------   ---------- -----       -------------\r\n${d.v4().padEnd(13)} ${String(d.int(65536)).padEnd(9)} ${ip.padEnd(15)} ${String(d.pick([443, 80])).padEnd(10)} Established ${d.int(9999)}\r\n::            ${String(d.int(65536)).padEnd(9)} ::              0          Listen      ${d.int(9999)}\r\n\r\n`);
        } else {
          out.push(`VERBOSE: Performing the operation "Add-MpPreference" on target "ExclusionIpAddress ${o[0]}[.]${o[1]}[.]${o[2]}[.]${o[3]}". Elapsed 00:00:0${d.int(9)}.${d.pad(d.int(9999999), 7)}; module version 1.0.${d.int(99)}.${d.int(999)}\r\n`);
        }
      },
      (d) => `**********************\r\nWindows PowerShell transcript start\r\nStart time: 202611${two(1 + d.int(28))}${two(d.int(24))}${two(d.int(60))}${two(d.int(60))}\r\nUsername: CONTOSO\\ir-analyst\r\nMachine: WS-0412 (Microsoft Windows NT 10.0.19045.0)\r\nHost Application: C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe\r\nPSVersion: 5.1.19041.4522\r\n**********************\r\n`,
    ),
};

/** Every shape, in the order the benchmark prints them. */
export const LOG_SHAPES: readonly LogShape[] = [syslog, access, firewall, zeek, json, windowsCsv, powershell];
