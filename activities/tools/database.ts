// Database tool: queries on connections named in the policy; read-only unless the policy says write.
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';

const MAX_ROWS = 200;

export async function runQuery(conn: { url: string; write: boolean }, sql: string, workspace: string): Promise<string> {
  if (conn.url.startsWith('sqlite:')) {
    const file = path.resolve(workspace, conn.url.slice('sqlite:'.length));
    const db = new Database(file, { readonly: !conn.write, fileMustExist: !conn.write });
    try {
      const stmt = db.prepare(sql);
      if (stmt.reader) return JSON.stringify(stmt.all().slice(0, MAX_ROWS));
      const info = stmt.run();
      return JSON.stringify({ changes: info.changes });
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: conn.url });
  await client.connect();
  try {
    // The database enforces read-only too, whatever the statement classifier thought.
    await client.query(conn.write ? 'BEGIN' : 'BEGIN READ ONLY');
    const res = await client.query(sql);
    await client.query('COMMIT');
    return JSON.stringify(res.rows ? res.rows.slice(0, MAX_ROWS) : { changes: res.rowCount });
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    await client.end();
  }
}
