// `harness doctor`: what is present, what is missing, and how to fix it.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import type { Command } from 'commander';
import { createProviderResolver } from '../../providers/registry.js';
import { redactText } from '../../core/redact.js';
import { SecretSet } from '../../core/secrets.js';
import { loadKeyring } from '../../keyring/index.js';
import { listProviders } from '../../db/repositories/providers.js';
import type { Store } from '../../db/knex.js';
import { findTemporalCli, INSTALL_HINT } from '../../temporal/cli-path.js';
import { waitForTemporal } from '../../temporal/dev-server.js';
import { sandboxStatus } from '../../sandbox/index.js';
import { api, backendUrl } from '../client.js';
import { config } from '../config.js';
import { cliSearch, prepareStore, temporalTarget } from '../runtime.js';

interface Check {
  name: string;
  ok: boolean;
  detail: string;
  required: boolean;
}

/** Give up on a check after this long: doctor answers in seconds, whatever is down. */
const PROBE_MS = 3000;

const within = <T>(ms: number, p: Promise<T>): Promise<T> =>
  Promise.race([
    p,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms).unref(),
    ),
  ]);

/** Each provider is asked for its models, as the dashboard does: a stored key that cannot be decrypted, a server that is down or a key it refuses fail here. */
async function providerChecks(store: Store): Promise<Check[]> {
  const secrets = new SecretSet();
  const { models } = config();
  const resolve = createProviderResolver(
    store,
    loadKeyring(config().paths.secretKey, config().secretKeyText),
    secrets,
    { modelsDir: models.modelsDir, localModelPath: models.localModelPath },
  );
  const providers = await listProviders(store);
  if (!providers.length)
    return [
      {
        name: 'providers',
        ok: false,
        detail: 'none yet: `npm start` seeds one from OPENAI_API_KEY, ANTHROPIC_API_KEY or OLLAMA_BASE_URL',
        required: false,
      },
    ];
  return Promise.all(
    providers.map(async (p): Promise<Check> => {
      const what = `${p.type}${p.defaultModel ? ` ${p.defaultModel}` : ''}`;
      try {
        const resolved = await resolve(p.name).catch((err: Error) => {
          throw new Error(`its stored key cannot be decrypted with the current secret key (${err.message})`);
        });
        const found = await within(PROBE_MS, resolved.provider.listModels()).catch((err: Error) => {
          throw new Error(`cannot be reached at ${resolved.endpoint}: ${err.message}`);
        });
        return {
          name: `provider ${p.name}`,
          ok: true,
          detail: `${what}: answers at ${resolved.endpoint} (${found.length} models)`,
          required: false,
        };
      } catch (err) {
        return {
          name: `provider ${p.name}`,
          ok: false,
          detail: `${what}: ${redactText((err as Error).message, secrets.list())}`,
          required: false,
        };
      }
    }),
  );
}

/** The API answers its health check, and takes this project's token. */
async function apiCheck(): Promise<Check> {
  const url = backendUrl();
  const up = await within(PROBE_MS, fetch(`${url}/api/health`)).then(
    (r) => r.ok,
    () => false,
  );
  if (!up)
    return {
      name: 'api',
      ok: false,
      detail: `${url} not running (\`npm start\` or \`harness services start\` starts it)`,
      required: false,
    };
  return within(PROBE_MS, api('GET', '/api/runs?limit=1')).then(
    (): Check => ({ name: 'api', ok: true, detail: `${url} answers, and takes this project's token`, required: false }),
    (err: Error): Check => ({
      name: 'api',
      ok: false,
      detail: `${url} answers, but not to this project: ${err.message}`,
      required: false,
    }),
  );
}

async function checks(): Promise<Check[]> {
  const out: Check[] = [];
  const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
  out.push({
    name: 'node',
    ok: major > 20 || (major === 20 && minor >= 19),
    detail: `v${process.versions.node} (needs >= 20.19)`,
    required: true,
  });
  out.push(...(await temporalChecks()));
  out.push(...(await storeChecks()));
  out.push(await apiCheck());
  const chromium = [config().tools.chromiumPath, '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p));
  out.push({
    name: 'chromium',
    ok: !!chromium,
    detail: chromium ?? 'not found: `apt-get install -y chromium` (browser tool and e2e tests)',
    required: false,
  });
  out.push(...sandboxChecks());
  return out;
}

/** The Temporal CLI (when the harness manages the server) and the server itself. */
async function temporalChecks(): Promise<Check[]> {
  const out: Check[] = [];
  const t = temporalTarget();
  const cli = findTemporalCli(cliSearch());
  if (t.managed) {
    let version = '';
    try {
      version = cli ? execFileSync(cli, ['--version'], { encoding: 'utf8' }).trim() : '';
    } catch {
      version = '(does not run)';
    }
    out.push({ name: 'temporal cli', ok: !!cli, detail: cli ? `${cli} ${version}` : INSTALL_HINT, required: true });
  }
  const reachable = await waitForTemporal(t.address, 1500).then(
    () => true,
    () => false,
  );
  out.push({
    name: 'temporal',
    ok: reachable,
    detail: `${t.address} namespace ${t.namespace}${reachable ? '' : t.managed ? ' (not running: `npm start` starts it)' : ' (unreachable)'}`,
    required: !t.managed,
  });
  return out;
}

/** The store opens and is migrated; then each provider in it. */
async function storeChecks(): Promise<Check[]> {
  const out: Check[] = [];
  const cfg = config().db;
  try {
    const store = await prepareStore();
    try {
      out.push({
        name: 'store',
        ok: true,
        detail: `${cfg.dialect} ${cfg.dialect === 'sqlite' ? cfg.url : '(VLOOP_DB_URL)'} migrated`,
        required: true,
      });
      out.push(...(await providerChecks(store)));
    } finally {
      await store.close();
    }
  } catch (err) {
    out.push({ name: 'store', ok: false, detail: (err as Error).message, required: true });
  }
  return out;
}

/** The terminal sandbox, and each property its probe found inside it. */
function sandboxChecks(): Check[] {
  const out: Check[] = [];
  const sandbox = sandboxStatus(config().tools);
  out.push({
    name: 'terminal sandbox',
    ok: sandbox.active,
    detail: sandbox.active
      ? `active (${sandbox.binary}): each property below was probed inside it`
      : `not active: ${sandbox.reason}; commands that may write or reach the network ask first`,
    required: false,
  });
  // Each property as the probe found it inside the real sandbox, not as the configuration says.
  for (const p of sandbox.properties ?? [])
    out.push({ name: `  ${p.name}`, ok: p.ok, detail: p.detail, required: false });
  return out;
}

export function doctorCommand(program: Command): void {
  program
    .command('doctor')
    .description(
      'check node, the Temporal CLI and server, the store, each provider (asked for its models), the API, chromium and the terminal sandbox',
    )
    .action(async () => {
      const results = await checks();
      for (const c of results) console.log(`${c.ok ? '✓' : c.required ? '✗' : '!'} ${c.name.padEnd(18)} ${c.detail}`);
      if (results.some((c) => c.required && !c.ok)) process.exitCode = 1;
    });
}
