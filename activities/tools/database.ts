// Database tool: queries on connections named in the policy. A statement the judge classed as a
// read runs read-only at the engine even on a connection that permits writes: SQLite opened
// read-only with query_only on; PostgreSQL in a READ ONLY transaction on a session whose default is read-only.
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';

const MAX_ROWS = 200;

export async function runQuery(conn: { url: string; write: boolean }, sql: string, workspace: string, o: { readOnly: boolean }): Promise<string> {
  const readOnly = o.readOnly || !conn.write;
  if (conn.url.startsWith('sqlite:')) {
    const file = path.resolve(workspace, conn.url.slice('sqlite:'.length));
    const db = new Database(file, { readonly: readOnly, fileMustExist: readOnly });
    try {
      if (readOnly) db.pragma('query_only = ON');
      const stmt = db.prepare(sql);
      if (stmt.reader) return JSON.stringify(stmt.all().slice(0, MAX_ROWS));
      const info = stmt.run();
      return JSON.stringify({ changes: info.changes });
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: conn.url, ...(readOnly ? { options: '-c default_transaction_read_only=on' } : {}) });
  await client.connect();
  try {
    await client.query(readOnly ? 'BEGIN READ ONLY' : 'BEGIN');
    const res = await client.query(sql);
    await client.query('COMMIT');
    const last = Array.isArray(res) ? res[res.length - 1] : res;
    return JSON.stringify(last.fields?.length ? last.rows.slice(0, MAX_ROWS) : { changes: last.rowCount });
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    await client.end();
  }
}
