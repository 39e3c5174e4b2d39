import type { Command } from 'commander';
import { dbConfig } from '../../db/config.js';
import { migrate, openStore } from '../../db/knex.js';

export function dbCommand(program: Command): void {
  const db = program.command('db').description('the store');
  db.command('migrate')
    .description('apply pending migrations')
    .action(async () => {
      const cfg = dbConfig();
      const store = openStore(cfg);
      try {
        const applied = await migrate(store);
        console.log(applied.length ? `applied: ${applied.join(', ')}` : `up to date (${cfg.dialect})`);
      } finally {
        await store.close();
      }
    });
}
