// Open the store: better-sqlite3 in WAL mode (shared by several processes) or PostgreSQL.
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { knexSnakeCaseMappers } from 'objection';
import { createPrivateFile } from '../config/private-files.js';
import type { DbConfig } from '../config/index.js';
import { migrationSource } from './migrations/index.js';
import { sqlitePageCache, uncachedPages, type PageCache } from './page-cache.js';

export interface Store {
  knex: Knex;
  dialect: DbConfig['dialect'];
  /** Answers kept until the store changes (SQLite); computed every time on PostgreSQL. */
  pages: PageCache;
  close(): Promise<void>;
}

interface SqliteConnection {
  pragma(s: string): unknown;
  prepare(sql: string): unknown;
}

/**
 * A page's limit (an integer the API validated) written into the SQL: SQLite runs a statement with a bound
 * LIMIT about 40 µs slower on every call, a fifth of a runs page's time (bench/api).
 */
export const LITERAL = { skipBinding: true } as const;

/** Most prepared statements a connection keeps; the store's queries are a few hundred shapes. */
const STATEMENT_CACHE_SIZE = 1000;

/**
 * Knex prepares every query afresh, and preparing (parsing the SQL) is the biggest part of a small
 * query's cost on better-sqlite3; the same SQL text gets the same statement back (bindings are passed per call).
 */
function reusePreparedStatements(conn: SqliteConnection): void {
  const prepare = conn.prepare.bind(conn);
  const statements = new Map<string, unknown>();
  conn.prepare = (sql: string) => {
    let statement = statements.get(sql);
    if (statement === undefined) {
      statement = prepare(sql);
      if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value!);
      statements.set(sql, statement);
    }
    return statement;
  };
}

export function openStore(config: DbConfig): Store {
  let knex: Knex;
  let pages = uncachedPages;
  if (config.dialect === 'sqlite') {
    // An in-memory database is the store connection's alone: no second connection can watch it.
    if (config.url !== ':memory:') {
      createPrivateFile(path.resolve(config.url)); // its -wal and -shm get its mode
      pages = sqlitePageCache(config.url);
    }
    knex = knexFactory({
      client: 'better-sqlite3',
      connection: { filename: config.url },
      useNullAsDefault: true,
      ...knexSnakeCaseMappers(),
      pool: {
        min: 1,
        max: 1,
        afterCreate: (conn: SqliteConnection, done: (err: Error | null, conn: unknown) => void) => {
          reusePreparedStatements(conn);
          conn.pragma('journal_mode = WAL');
          conn.pragma('synchronous = NORMAL');
          conn.pragma('busy_timeout = 10000');
          conn.pragma('foreign_keys = ON');
          done(null, conn);
        },
      },
    });
  } else {
    knex = knexFactory({ client: 'pg', connection: config.url, pool: { min: 0, max: 10 }, ...knexSnakeCaseMappers() });
  }
  return {
    knex,
    dialect: config.dialect,
    pages,
    close: async () => {
      pages.close();
      await knex.destroy();
    },
  };
}

export async function migrate(store: Store): Promise<string[]> {
  const [, applied] = (await store.knex.migrate.latest({ migrationSource })) as [number, string[]];
  return applied;
}
