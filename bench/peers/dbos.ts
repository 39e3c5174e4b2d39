// DBOS Transact: a workflow of N steps on PostgreSQL (each step's result one row, written before the next runs).
import pg from 'pg';
import { fakeStep, peer, type Engine } from './engine.js';

// The little of DBOS's API this uses (it is loaded from outside node_modules, without its types).
type Chain = (steps: number) => Promise<void>;
interface Dbos {
  registerWorkflow(fn: Chain, o: { name: string }): Chain;
  runStep<T>(fn: () => Promise<T>, o: { name: string }): Promise<T>;
  setConfig(c: { name: string; systemDatabaseUrl: string; logLevel: string; runAdminServer: boolean }): void;
  launch(): Promise<void>;
  shutdown(): Promise<void>;
  startWorkflow(fn: Chain): (steps: number) => Promise<{ getResult(): Promise<void> }>;
}

export async function startDbos(fakeUrl: string, pgUrl: string): Promise<Engine> {
  const { DBOS } = await peer<{ DBOS: Dbos }>('@dbos-inc/dbos-sdk');
  // A database of its own, new each time.
  const db = `dbos_peers_${process.pid}`;
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${db}`);
  await admin.query(`CREATE DATABASE ${db}`);
  await admin.end();
  const url = new URL(pgUrl);
  url.pathname = `/${db}`;
  const step = fakeStep(fakeUrl);
  const chain = DBOS.registerWorkflow(
    async (steps: number) => {
      for (let i = 0; i < steps; i++) await DBOS.runStep(step, { name: `s${i}` });
    },
    { name: 'chain' },
  );
  // Quiet (the bench prints one JSON line) and no admin server (its default port may be taken).
  DBOS.setConfig({ name: 'peers', systemDatabaseUrl: url.toString(), logLevel: 'error', runAdminServer: false });
  await DBOS.launch();
  return {
    name: 'dbos',
    durability: 'DBOS Transact 5.3 (PostgreSQL, a step = one row)',
    async chain(steps) {
      await (await DBOS.startWorkflow(chain)(steps)).getResult();
    },
    async close() {
      await DBOS.shutdown();
      const c = new pg.Client({ connectionString: pgUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      await c.end();
    },
  };
}
