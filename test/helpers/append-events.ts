// A separate process appending events to one run: real concurrency against the store (SQLite's
// writers are processes, PostgreSQL's are connections). Usage: run-ts append-events.ts <dialect> <url> <runId> <prefix> <n>
import { openStore } from '../../db/knex.js';
import { appendEvents } from '../../db/repositories/runs.js';

const [dialect, url, runId, prefix, n] = process.argv.slice(2) as [
  'sqlite' | 'postgres',
  string,
  string,
  string,
  string,
];
const store = openStore({ dialect, url });
try {
  // Every append in flight at once (a pool on PostgreSQL; one connection, many processes, on SQLite).
  await Promise.all(
    Array.from({ length: Number(n) }, (_, i) =>
      appendEvents(store, runId, [
        { type: 'log', key: `${prefix}${i}`, data: { level: 'info', message: `${prefix}${i}` } },
      ]),
    ),
  );
} finally {
  await store.close();
}
