// A fresh store per test: a temp SQLite file, or a new PostgreSQL database dropped afterwards.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import { inject } from 'vitest';
import type { Dialect } from '../../config/index.js';
import { migrate, openStore, type Store } from '../../db/knex.js';

export const dialects: Dialect[] = ['sqlite', 'postgres'];

export interface TestStore {
  store: Store;
  url: string;
  drop(): Promise<void>;
}

export async function freshStore(dialect: Dialect): Promise<TestStore> {
  if (dialect === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vloop-db-'));
    const url = path.join(dir, 'harness.db');
    const store = openStore({ dialect, url });
    await migrate(store);
    return {
      store,
      url,
      drop: async () => {
        await store.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const admin = inject('pgUrl');
  const name = `vloop_t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const adminKnex = knexFactory({ client: 'pg', connection: admin });
  try {
    await adminKnex.raw(`create database ${name}`);
  } catch (err) {
    await adminKnex.destroy();
    throw new Error(
      `PostgreSQL at ${admin} is required for these tests (set VLOOP_TEST_PG_URL): ${(err as Error).message}`,
    );
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  const store = openStore({ dialect, url: url.toString() });
  await migrate(store);
  return {
    store,
    url: url.toString(),
    drop: async () => {
      await store.close();
      await adminKnex.raw(`drop database if exists ${name} with (force)`);
      await adminKnex.destroy();
    },
  };
}
