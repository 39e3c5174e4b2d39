// One database query in its own process: better-sqlite3 cannot be interrupted and a huge value is
// built in native memory, so the query runs where the parent can kill it (time) and the kernel caps
// its memory; rows are streamed and stop at a row and byte cap. Reads a job on stdin, answers on stdout.
import fs from 'node:fs';
import type { QueryConfig } from 'pg';
import type { QueryJob, QueryAnswer } from './job.js';

class LimitError extends Error {}

/** A row as JSON can carry it: a blob by its size, a big integer as text. */
function shown(row: unknown): unknown {
  if (!row || typeof row !== 'object') return row;
  return Object.fromEntries(
    Object.entries(row).map(([k, v]) => [
      k,
      Buffer.isBuffer(v) ? `<blob of ${v.length} bytes>` : typeof v === 'bigint' ? v.toString() : v,
    ]),
  );
}

/** Rows up to the caps, as the tool's answer (the rows' JSON, then a line saying what was left out). */
function collect(job: QueryJob, rows: Iterable<unknown>): string {
  const kept: string[] = [];
  let bytes = 2;
  let more = false;
  for (const row of rows) {
    if (kept.length >= job.maxRows || bytes >= job.maxBytes) {
      more = true;
      break;
    }
    const text = JSON.stringify(shown(row));
    bytes += text.length + 1;
    kept.push(text);
  }
  const note = more
    ? `\n[first ${kept.length} rows, ${bytes} bytes: the answer stops at ${job.maxRows} rows or ${job.maxBytes} bytes]`
    : '';
  return `[${kept.join(',')}]${note}`;
}

/** The SQLite file this process opened must be the one the parent checked (no symlink swapped in, nothing in the harness directory). */
function checkOpened(job: Extract<QueryJob, { engine: 'sqlite' }>): void {
  let found = false;
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    let link: string;
    try {
      link = fs.readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      continue;
    }
    if (job.hidden.some((h) => link === h || link.startsWith(`${h}/`)))
      throw new LimitError(`the database opened ${link}, in the harness directory`);
    if (link !== job.file) continue;
    const st = fs.statSync(`/proc/self/fd/${fd}`);
    if (job.inode && `${st.dev}:${st.ino}` !== job.inode)
      throw new LimitError(`${job.file} changed between the check and the open`);
    found = true;
  }
  if (!found) throw new LimitError(`the database did not open ${job.file} (a path swapped after the check?)`);
}

async function runSqlite(job: Extract<QueryJob, { engine: 'sqlite' }>): Promise<string> {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(job.file, { readonly: job.readOnly, fileMustExist: job.readOnly });
  try {
    checkOpened(job);
    // SQLite's own ceiling: an allocation past it fails with SQLITE_NOMEM, whatever the node runtime reserves.
    db.pragma('hard_heap_limit = 268435456');
    if (job.readOnly) db.pragma('query_only = ON');
    const stmt = db.prepare(job.sql);
    if (stmt.reader) return collect(job, stmt.iterate());
    // A write meets the engine's read-only mode; ATTACH and the like are not writes to SQLite but reach other files.
    if (job.readOnly && stmt.readonly)
      throw new LimitError(
        'the database is opened readonly for this query: only statements that return rows run (not ATTACH, DETACH or a PRAGMA assignment)',
      );
    return JSON.stringify({ changes: stmt.run().changes });
  } finally {
    db.close();
  }
}

type Query = (text: string) => Promise<{ rows: unknown[]; fields?: unknown[]; rowCount: number | null }>;

/** A single huge value arrives as one message that pg would buffer whole: count the socket's bytes and cut it. */
function overflowOf(client: unknown, maxBytes: number): Promise<never> {
  let received = 0;
  const stream = (client as { connection: { stream: NodeJS.ReadableStream & { destroy(e?: Error): void } } }).connection
    .stream;
  const overflow = new Promise<never>((_resolve, reject) => {
    stream.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received <= maxBytes * 4 + 65_536) return;
      reject(new LimitError(`the answer passed ${maxBytes} bytes before a row was complete`));
      stream.destroy();
    });
  });
  overflow.catch(() => {});
  return overflow;
}

/** A SELECT read through a cursor, a page at a time, until the row or byte cap. */
async function selectRows(q: Query, job: Extract<QueryJob, { engine: 'postgres' }>, text: string): Promise<string> {
  await q(`DECLARE vloop_rows NO SCROLL CURSOR FOR ${text}`);
  const rows: unknown[] = [];
  let bytes = 0;
  for (;;) {
    const res = await q(`FETCH ${Math.min(50, job.maxRows + 1)} FROM vloop_rows`);
    rows.push(...res.rows);
    bytes += JSON.stringify(res.rows).length;
    if (!res.rows.length || rows.length > job.maxRows || bytes >= job.maxBytes) break;
  }
  await q('CLOSE vloop_rows');
  return collect(job, rows);
}

async function runPostgres(job: Extract<QueryJob, { engine: 'postgres' }>): Promise<string> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({
    connectionString: job.url,
    options: `-c statement_timeout=${Math.floor(job.timeoutMs)}${job.readOnly ? ' -c default_transaction_read_only=on' : ''}`,
  });
  await client.connect();
  const overflow = overflowOf(client, job.maxBytes);
  const q: Query = (text) => Promise.race([client.query({ text, queryMode: 'extended' } as QueryConfig), overflow]);
  try {
    await q(job.readOnly ? 'BEGIN READ ONLY' : 'BEGIN');
    await q(`SET LOCAL statement_timeout = ${Math.floor(job.timeoutMs)}`);
    let answer = '';
    for (const s of job.statements) {
      if (s.select) answer = await selectRows(q, job, s.text);
      else {
        const res = await q(s.text);
        answer = res.fields?.length ? collect(job, res.rows) : JSON.stringify({ changes: res.rowCount });
      }
    }
    // What was judged a read commits nothing.
    await q(job.readOnly ? 'ROLLBACK' : 'COMMIT');
    return answer;
  } finally {
    // Not awaited: after a cut connection the goodbye may never come, and the process exits once it has answered.
    void client.end().catch(() => {});
  }
}

async function main(): Promise<void> {
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  const job = JSON.parse(input) as QueryJob;
  // The parent's clock for the query starts once node and the job's driver have loaded.
  await (job.engine === 'sqlite' ? import('better-sqlite3') : import('pg'));
  process.stdout.write('ready\n');
  let answer: QueryAnswer;
  try {
    answer = { ok: true, output: job.engine === 'sqlite' ? await runSqlite(job) : await runPostgres(job) };
  } catch (err) {
    const e = err as Error & { code?: string };
    answer = {
      ok: false,
      error:
        e.code === '57014' ? `the query passed its time limit of ${job.timeoutMs} ms (statement timeout)` : e.message,
    };
  }
  process.stdout.write(JSON.stringify(answer), () => process.exit(0));
}

await main();
