// Entry of the harness scripts in package.json: `node --import tsx test/harness/harnessCli.ts <command>`.
// Each command loads its module on demand and exits with its code once the cleanups (code-server, Chromium) have run.
import { installExitHandlers, runCleanups } from './processes';

const commands: Record<string, () => Promise<number>> = {
  install: async () => {
    const { ensureCodeServer } = await import('./installCodeServer');
    const install = await ensureCodeServer();
    console.log(`code-server ${install.version} ready: ${install.dir}`);
    return 0;
  },
  'build-tests': async () => {
    const { buildTests } = await import('./buildTests');
    const built = await buildTests();
    console.log(`bundled ${built.integrationSuites.length} integration and ${built.e2eSuites.length} e2e suite(s) into out/`);
    return 0;
  },
  integration: async () => (await import('./runIntegration')).runIntegration(),
  e2e: async () => (await import('./runE2e')).runE2e(),
  electron: async () => (await import('./runElectron')).runElectron(),
  demo: async () => (await import('./demo')).runDemo(),
  package: async () => {
    await (await import('./packageVsix')).packageVsix();
    return 0;
  },
};

async function main(): Promise<number> {
  const name = process.argv[2] ?? '';
  const command = commands[name];
  if (command === undefined) {
    console.error(`usage: harnessCli.ts <${Object.keys(commands).join('|')}>`);
    return 2;
  }
  installExitHandlers();
  try {
    return await command();
  } catch (error) {
    console.error(`[harness] ${name}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await runCleanups();
  }
}

void main().then((code) => process.exit(code));
