// `harness up` (npm start): Temporal dev server, backend with worker, examples seeded and run.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { AppContext } from '../../api/context.js';
import { startPipelineRun } from '../../api/services/runs.js';
import { defaultProvider, exampleInputs, seedExamples } from '../../api/services/seed.js';
import { getRun } from '../../db/repositories/runs.js';
import { pipelines } from '../../db/repositories/versioned.js';
import { provisionTemporalCli } from '../../temporal/cli-path.js';
import { startDevServer, waitForTemporal, type DevServer } from '../../temporal/dev-server.js';
import { ensureDashboard } from '../dashboard.js';
import { launchBackend } from './backend.js';
import { config } from '../config.js';
import { provisionDefaultModel } from '../provision-model.js';
import { cliSearch, codecEndpoint, onShutdown, temporalTarget } from '../runtime.js';

/** Start the managed dev server unless one already answers on its port (e.g. `services start temporal`). */
export async function ensureDevServer(log: (s: string) => void): Promise<DevServer | undefined> {
  const t = temporalTarget();
  if (!t.managed) return undefined;
  try {
    await waitForTemporal(t.address, 1500);
    log(`temporal: using the dev server already running at ${t.address}`);
    return undefined;
  } catch {
    // none running: start ours
  }
  const { paths } = config();
  fs.mkdirSync(paths.logs, { recursive: true });
  const cliPath = provisionTemporalCli(cliSearch(), log);
  log(`temporal: starting the dev server on ${t.address} (history in ${paths.temporalDb})`);
  return startDevServer({
    cliPath,
    dbFile: paths.temporalDb,
    port: t.devPort,
    uiPort: t.devUiPort,
    namespace: t.namespace,
    logFile: path.join(paths.logs, 'temporal.log'),
    codecEndpoint: codecEndpoint(),
  });
}

async function runExample(app: AppContext, log: (s: string) => void): Promise<void> {
  const inputs = exampleInputs()['review-digest'];
  try {
    await pipelines.get(app.store, 'review-digest');
  } catch {
    return;
  }
  const run = await startPipelineRun(app, 'review-digest', { inputs });
  log(`example: running pipeline review-digest as ${run.id}…`);
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    const row = await getRun(app.store, run.id);
    if (['completed', 'failed', 'cancelled', 'timed_out'].includes(row.status)) {
      log(
        row.status === 'completed'
          ? `example: completed -> ${JSON.stringify(row.outputs)}`
          : `example: ${row.status}: ${row.error?.message ?? ''}`,
      );
      return;
    }
    if (Date.now() > deadline) return log(`example: still ${row.status}; follow it in the dashboard`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

export function upCommand(program: Command): void {
  program
    .command('up')
    .description('start Temporal, the API and a worker in the foreground; seed and run the examples (Ctrl-C stops all)')
    .option('--no-example', 'do not run the example pipeline')
    .option('--dev', 'development mode (same services; the dashboard dev server comes with web/)')
    .action(async (o: { example: boolean }) => {
      const log = (s: string) => console.log(s);
      // With no key configured the examples run on the embedded model: make sure it is there.
      const { models } = config();
      if (!defaultProvider(models) && !models.localModelPath) {
        try {
          provisionDefaultModel(models.modelsDir, log);
        } catch (err) {
          log(`embedded model: ${(err as Error).message}`);
        }
      }
      ensureDashboard(log);
      const dev = await ensureDevServer(log);
      const { backend, store } = await launchBackend({ worker: true, temporalPid: dev?.process.pid }).catch(
        async (err) => {
          await dev?.stop();
          throw err;
        },
      );
      onShutdown(async () => {
        await backend.close();
        await store.close();
        await dev?.stop();
      });
      const seeded = await seedExamples(backend.app);
      log(`examples: ${seeded.message}`);
      const { token } = backend.app;
      log(`\n  Dashboard:        ${backend.url}/ui/?token=${token}`);
      log(`  Temporal Web UI:  ${backend.app.temporal.uiUrl}`);
      log(`  API:              ${backend.url}/api (Authorization: Bearer <token in ${config().paths.token}>)\n`);
      if (o.example)
        await runExample(backend.app, log).catch((err) => log(`example: could not run: ${(err as Error).message}`));
      log('running; press Ctrl-C to stop');
    });
}
