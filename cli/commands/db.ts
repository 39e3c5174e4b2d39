import type { Command } from 'commander';
import { config } from '../config.js';
import { migrate, openStore } from '../../db/knex.js';

export function dbCommand(program: Command): void {
  const db = program.command('db').description('the store');
  db.command('migrate')
    .description('apply pending migrations')
    .action(async () => {
      const cfg = config().db;
      const store = openStore(cfg);
      try {
        const applied = await migrate(store);
        console.log(applied.length ? `applied: ${applied.join(', ')}` : `up to date (${cfg.dialect})`);
      } finally {
        await store.close();
      }
    });
}
