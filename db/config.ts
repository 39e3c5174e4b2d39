// Where the store lives: SQLite under the project dir unless VLOOP_DB_URL says postgres://.
import path from 'node:path';
import { projectDir } from '../temporal/config.js';

export type Dialect = 'sqlite' | 'postgres';

export interface DbConfig {
  dialect: Dialect;
  url: string;
}

export function dbConfigFrom(url: string | undefined, dir: string = projectDir()): DbConfig {
  if (!url) return { dialect: 'sqlite', url: path.join(dir, 'harness.db') };
  if (/^postgres(ql)?:\/\//.test(url)) return { dialect: 'postgres', url };
  if (url.startsWith('sqlite:')) return { dialect: 'sqlite', url: url.replace(/^sqlite:(\/\/)?/, '') };
  throw new Error(`VLOOP_DB_URL must be empty, sqlite:<path> or postgres://…, got '${url.replace(/\/\/[^@]*@/, '//…@')}'`);
}

export function dbConfig(): DbConfig {
  return dbConfigFrom(process.env.VLOOP_DB_URL);
}
