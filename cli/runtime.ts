// Shared bootstrap for CLI commands: the store (migrated), where Temporal is, how to stop.
import type { Store } from '../db/knex.js';
import type { CliSearch } from '../temporal/cli-path.js';
import { keepProjectPrivate } from '../config/private-files.js';
import { config } from './config.js';

export async function prepareStore(): Promise<Store> {
  const { db, paths } = config();
  keepProjectPrivate(paths.dir);
  // Loaded here: commands that never open the store (services, run) start without knex.
  const { migrate, openStore } = await import('../db/knex.js');
  const store = openStore(db);
  try {
    await migrate(store);
  } catch (err) {
    await store.close();
    throw new Error(
      `the store at ${db.dialect === 'sqlite' ? db.url : 'VLOOP_DB_URL'} could not be opened or migrated: ${(err as Error).message}`,
    );
  }
  return store;
}

/** The Temporal target: TEMPORAL_ADDRESS, or the managed dev server's port. */
export function temporalTarget() {
  const c = config().temporal;
  return { ...c, address: c.address ?? `127.0.0.1:${c.devPort}`, managed: !c.address };
}

/** The configuration with its Temporal address resolved (what the backend and worker take). */
export function resolvedConfig() {
  return { ...config(), temporal: temporalTarget() };
}

/** Where the managed Temporal UI asks to decode payloads: our API (it checks the decode-only codec cookie). */
export function codecEndpoint(): string {
  const { api } = config();
  return `http://${api.host === '0.0.0.0' ? '127.0.0.1' : api.host}:${api.port}/api/temporal/codec`;
}

/** Where the Temporal CLI is looked for. */
export function cliSearch(): CliSearch {
  const c = config();
  return { cliPath: c.temporal.cliPath, searchPath: c.searchPath, binDir: c.paths.bin };
}

export function onShutdown(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write(`\nforced exit on second ${signal}\n`);
      process.exit(130);
    }
    stopping = true;
    process.stderr.write(`\n${signal}: stopping…\n`);
    stop().then(
      () => process.exit(0),
      (err) => {
        process.stderr.write(`error while stopping: ${(err as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
