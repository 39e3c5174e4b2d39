// Shared bootstrap for CLI commands: the store (migrated) and where Temporal is.
import { dbConfig } from '../db/config.js';
import { migrate, openStore, type Store } from '../db/knex.js';
import { temporalConfig, type TemporalConfig } from '../temporal/config.js';

export async function prepareStore(): Promise<Store> {
  const store = openStore(dbConfig());
  try {
    await migrate(store);
  } catch (err) {
    await store.close();
    throw new Error(`the store at ${dbConfig().dialect === 'sqlite' ? dbConfig().url : 'VLOOP_DB_URL'} could not be opened or migrated: ${(err as Error).message}`);
  }
  return store;
}

/** The Temporal target: TEMPORAL_ADDRESS, or the managed dev server's port. */
export function temporalTarget(): TemporalConfig & { address: string; managed: boolean } {
  const c = temporalConfig();
  return { ...c, address: c.address ?? `127.0.0.1:${c.devPort}`, managed: !c.address };
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
