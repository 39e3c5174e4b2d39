// `harness doctor`: what is present, what is missing, and how to fix it.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import type { Command } from 'commander';
import { decryptSecret, loadKeyring } from '../../db/crypto.js';
import { listProviders } from '../../db/repositories/providers.js';
import { findTemporalCli, INSTALL_HINT } from '../../temporal/cli-path.js';
import { waitForTemporal } from '../../temporal/dev-server.js';
import { sandboxStatus } from '../../activities/tools/sandbox.js';
import { config } from '../config.js';
import { cliSearch, prepareStore, temporalTarget } from '../runtime.js';

interface Check {
  name: string;
  ok: boolean;
  detail: string;
  required: boolean;
}

async function checks(): Promise<Check[]> {
  const out: Check[] = [];
  const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
  out.push({ name: 'node', ok: major > 20 || (major === 20 && minor >= 19), detail: `v${process.versions.node} (needs >= 20.19)`, required: true });

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
  const reachable = await waitForTemporal(t.address, 1500).then(() => true, () => false);
  out.push({ name: 'temporal', ok: reachable, detail: `${t.address} namespace ${t.namespace}${reachable ? '' : t.managed ? ' (not running: `npm start` starts it)' : ' (unreachable)'}`, required: !t.managed });

  const cfg = config().db;
  try {
    const store = await prepareStore();
    try {
      out.push({ name: 'store', ok: true, detail: `${cfg.dialect} ${cfg.dialect === 'sqlite' ? cfg.url : '(VLOOP_DB_URL)'} migrated`, required: true });
      const key = loadKeyring(config().paths.secretKey, config().secretKeyText);
      const providers = await listProviders(store);
      for (const p of providers) {
        let ok = true;
        try {
          if (p.apiKeyEnc) decryptSecret(key, p.apiKeyEnc);
        } catch {
          ok = false;
        }
        out.push({ name: `provider ${p.name}`, ok, detail: `${p.type}${p.defaultModel ? ` ${p.defaultModel}` : ''}${ok ? '' : ': stored key cannot be decrypted with the current secret key'}`, required: false });
      }
      if (!providers.length) out.push({ name: 'providers', ok: false, detail: 'none yet: `npm start` seeds one from OPENAI_API_KEY, ANTHROPIC_API_KEY or OLLAMA_BASE_URL', required: false });
    } finally {
      await store.close();
    }
  } catch (err) {
    out.push({ name: 'store', ok: false, detail: (err as Error).message, required: true });
  }
  const chromium = [config().tools.chromiumPath, '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p));
  out.push({ name: 'chromium', ok: !!chromium, detail: chromium ?? 'not found: `apt-get install -y chromium` (browser tool and e2e tests)', required: false });
  const sandbox = sandboxStatus(config().tools);
  out.push({
    name: 'terminal sandbox',
    ok: sandbox.active,
    detail: sandbox.active ? `active (${sandbox.binary}): workspace read-write, system read-only, home, .vloop and the policy hidden, network only where the policy allows` : `not active: ${sandbox.reason}; commands that may write or reach the network ask first`,
    required: false,
  });
  return out;
}

export function doctorCommand(program: Command): void {
  program
    .command('doctor')
    .description('check node, the Temporal CLI and server, the store, providers, chromium and the terminal sandbox')
    .action(async () => {
      const results = await checks();
      for (const c of results) console.log(`${c.ok ? '✓' : c.required ? '✗' : '!'} ${c.name.padEnd(18)} ${c.detail}`);
      if (results.some((c) => c.required && !c.ok)) process.exitCode = 1;
    });
}
