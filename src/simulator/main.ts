// `npm run simulator`: runs the simulated Defender tenant standalone on loopback and prints how to call it
// (`node --import tsx src/simulator/main.ts [--port N] [--https] [--time-scale X] [--seed N]`). Ctrl-C stops it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SIM_CLIENT_ID, SIM_CLIENT_SECRET } from './identity';
import { startSimulator, type SimulatorOptions } from './simulator';
import { DEMO_C2_IP, DEMO_INTERNAL_IP, demoInternalHolderAt } from './story';
import { ALL_PERMISSIONS, issueSimulatorToken } from './tokens';

const USAGE = `Usage: npm run simulator -- [--port N] [--https] [--time-scale X] [--seed N]
  --port N        listen on 127.0.0.1:N (default: a free port)
  --https         serve HTTPS with a throwaway self-signed certificate
  --time-scale X  rate-limit windows last X times as long (0.01: a minute lasts 0.6 s)
  --seed N        another deterministic story`;

interface Args {
  port: number;
  https: boolean;
  timeScale?: number;
  seed?: number;
}

function parseArgs(argv: string[]): Args | string {
  const args: Args = { port: 0, https: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string | undefined => argv[++i];
    const num = (name: string, check: (n: number) => boolean): number | string => {
      const v = value();
      const n = Number(v);
      return v !== undefined && v.trim() !== '' && check(n) ? n : `${name} needs a valid number, not '${v ?? ''}'`;
    };
    let parsed: number | string;
    switch (a) {
      case '--port':
        parsed = num('--port', (n) => Number.isInteger(n) && n >= 0 && n <= 65535);
        if (typeof parsed === 'string') return parsed;
        args.port = parsed;
        break;
      case '--https':
        args.https = true;
        break;
      case '--time-scale':
        parsed = num('--time-scale', (n) => n > 0 && Number.isFinite(n));
        if (typeof parsed === 'string') return parsed;
        args.timeScale = parsed;
        break;
      case '--seed':
        parsed = num('--seed', (n) => Number.isInteger(n));
        if (typeof parsed === 'string') return parsed;
        args.seed = parsed;
        break;
      case '--help':
      case '-h':
        return '';
      default:
        return `Unknown option '${a ?? ''}'`;
    }
  }
  return args;
}

async function selfSignedCertificate(): Promise<{ key: string; cert: string }> {
  // selfsigned is a dev dependency: only this standalone entry point (a dev script) uses it.
  const { generate } = await import('selfsigned');
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] }],
  });
  return { key: pems.private, cert: pems.cert };
}

async function main(): Promise<number> {
  const out = process.stdout;
  const parsed = parseArgs(process.argv.slice(2));
  if (typeof parsed === 'string') {
    if (!parsed) {
      out.write(`${USAGE}\n`);
      return 0;
    }
    process.stderr.write(`${parsed}\n${USAGE}\n`);
    return 2;
  }
  const dir = mkdtempSync(join(tmpdir(), 'ipinv-simulator-'));
  const options: SimulatorOptions = { port: parsed.port };
  if (parsed.seed !== undefined) options.seed = parsed.seed;
  if (parsed.timeScale !== undefined) options.rateLimits = { timeScale: parsed.timeScale };
  let caPath: string | undefined;
  if (parsed.https) {
    options.tls = await selfSignedCertificate();
    caPath = join(dir, 'simulator-cert.pem');
    writeFileSync(caPath, options.tls.cert, { mode: 0o600 });
  }
  const sim = await startSimulator(options);

  // Tokens are signed with a key of this process, so they are written for this run only (never printed).
  const day = 24 * 3600;
  const defenderTokenPath = join(dir, 'defender.token');
  const graphTokenPath = join(dir, 'graph.token');
  writeFileSync(defenderTokenPath, issueSimulatorToken({ audience: 'defender', permissions: ALL_PERMISSIONS, expiresInSec: day }), { mode: 0o600 });
  writeFileSync(graphTokenPath, issueSimulatorToken({ audience: 'graph', permissions: ALL_PERMISSIONS, expiresInSec: day }), { mode: 0o600 });

  const curl = caPath ? `curl -s --cacert ${caPath}` : 'curl -s';
  const at = demoInternalHolderAt().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const auth = (v: string): string => `-H "Authorization: Bearer $${v}"`;
  const huntingBody = JSON.stringify({ Query: `DeviceNetworkEvents | where RemoteIP == "${DEMO_C2_IP}" | summarize Events = count() by DeviceName` });
  out.write(
    [
      `Simulated Defender tenant listening on ${sim.url}`,
      `  tenant ${sim.tenantId}; story: ${sim.story.machines.length} machines, ${sim.story.networkEvents.length} network events, ${sim.story.alerts.length} alerts`,
      caPath ? `  HTTPS certificate (trust it with NODE_EXTRA_CA_CERTS): ${caPath}` : '',
      '',
      'Demo bearer tokens (valid 24 h, for this run only):',
      `  export DEFENDER_ACCESS_TOKEN="$(cat ${defenderTokenPath})"`,
      `  export GRAPH_ACCESS_TOKEN="$(cat ${graphTokenPath})"`,
      `  or from the token endpoint: ${curl} ${sim.authorityUrl}/oauth2/v2.0/token -d grant_type=client_credentials -d client_id=${SIM_CLIENT_ID} -d client_secret=${SIM_CLIENT_SECRET} -d scope=https://api.securitycenter.microsoft.com/.default`,
      '',
      'Examples:',
      `  ${curl} ${auth('DEFENDER_ACCESS_TOKEN')} "${sim.url}/api/ips/${DEMO_C2_IP}/stats?lookBackHours=168"`,
      `  ${curl} ${auth('DEFENDER_ACCESS_TOKEN')} "${sim.url}/api/ips/${DEMO_C2_IP}/alerts"`,
      `  ${curl} ${auth('DEFENDER_ACCESS_TOKEN')} "${sim.url}/api/machines/findbyip(ip='${DEMO_INTERNAL_IP}',timestamp=${at})"`,
      `  ${curl} ${auth('GRAPH_ACCESS_TOKEN')} -H "Content-Type: application/json" ${sim.url}/v1.0/security/runHuntingQuery -d '${huntingBody}'`,
      `  ${curl} ${auth('DEFENDER_ACCESS_TOKEN')} "${sim.url}/api/indicators?$filter=indicatorType%20eq%20'IpAddress'"   (the session's indicators)`,
      `  ipinv investigate ${DEMO_C2_IP} --api-url ${sim.url} --graph-url ${sim.url}   (with the two exports above)`,
      '',
      'Press Ctrl-C to stop.',
      '',
    ]
      .filter((line, i, all) => line !== '' || all[i - 1] !== '')
      .join('\n'),
  );

  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
  out.write('Simulator stopped.\n');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`simulator: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
