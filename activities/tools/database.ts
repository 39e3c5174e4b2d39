// Database tool: queries on connections named in the policy, each in a child process killed at its
// time limit, under a memory ceiling, with rows streamed up to a row and byte cap. A statement the
// judge classed as a read runs read-only at the engine even on a connection that permits writes
// (SQLite opened read-only with query_only; PostgreSQL in a READ ONLY transaction, rolled back).
// A SQLite file must be a real file in the workspace, outside the harness directory, checked once opened.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parsePg } from 'libpg-query';
import { realResolve } from '../../db/policy-file.js';
import type { QueryAnswer, QueryJob } from './database/job.js';
import { checkWritableDir, openInside, type Boundary } from './workspace.js';
import { harnessFile } from '../../config/root.js';

const MAX_ROWS = 200;
/** Below the registry's output cap, so the line saying what was left out is always seen. */
const MAX_BYTES = 12_000;
const QUERY_MS = 5_000;
/** Room for the child to start (node, its loader, the drivers) before the query's own clock starts. */
const START_MS = 15_000;
// A loose ceiling for the whole child (Node 24 reserves over 512 MiB of data before it runs a line);
// SQLite's own hard_heap_limit in the child is the tight one.
const MEMORY_BYTES = 4 * 1024 * 1024 * 1024;

// The child's source, run with tsx's loader also when this runs compiled from dist/.
const CHILD = harnessFile('activities', 'tools', 'database', 'child.ts');
const TSX = pathToFileURL(
  path.join(path.dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/esm/index.mjs'),
).href;
const PRLIMIT = spawnSync('prlimit', ['--version']).status === 0;

/** The SQLite file a connection names, checked like a file the filesystem tool opens. */
function sqliteFile(b: Boundary, url: string, readOnly: boolean): { file: string; inode?: string } {
  const file = realResolve(path.resolve(b.workspace, url.slice('sqlite:'.length)));
  if (!fs.existsSync(file) && !readOnly) {
    checkWritableDir(b, path.dirname(file));
    return { file };
  }
  const fd = openInside(b, file, readOnly ? fs.constants.O_RDONLY : fs.constants.O_RDWR);
  try {
    const st = fs.fstatSync(fd);
    return { file: fs.readlinkSync(`/proc/self/fd/${fd}`), inode: `${st.dev}:${st.ino}` };
  } finally {
    fs.closeSync(fd);
  }
}

/** PostgreSQL statements one by one (the parser's own offsets), so each runs alone and a SELECT through a cursor. */
async function pgStatements(sql: string): Promise<Array<{ text: string; select: boolean }>> {
  const tree = (await parsePg(sql)) as {
    stmts?: Array<{ stmt: Record<string, unknown>; stmt_location?: number; stmt_len?: number }>;
  };
  const bytes = Buffer.from(sql);
  return (tree.stmts ?? []).map((s) => {
    const start = s.stmt_location ?? 0;
    const text = bytes
      .subarray(start, s.stmt_len ? start + s.stmt_len : undefined)
      .toString()
      .trim();
    // A cursor takes a plain SELECT; one that writes (a data-modifying WITH, SELECT INTO) runs as it is and meets the read-only transaction.
    const select =
      'SelectStmt' in s.stmt &&
      !/"(InsertStmt|UpdateStmt|DeleteStmt|MergeStmt|intoClause)"/.test(JSON.stringify(s.stmt));
    return { text, select };
  });
}

/** Run the job in its own process; kill it at the deadline. */
function runChild(job: QueryJob): Promise<string> {
  const node = [process.execPath, '--max-old-space-size=64', '--import', TSX, CHILD];
  const [cmd, ...args] = PRLIMIT ? ['prlimit', `--data=${MEMORY_BYTES}`, '--', ...node] : node;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd!, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '' } });
    let out = '';
    let err = '';
    let timedOut = false;
    const stop = () => {
      timedOut = true;
      child.kill('SIGKILL');
    };
    let timer = setTimeout(stop, START_MS);
    let started = false;
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (!started && out.startsWith('ready\n')) {
        started = true;
        out = out.slice('ready\n'.length);
        clearTimeout(timer);
        timer = setTimeout(stop, job.timeoutMs);
      }
      if (out.length > job.maxBytes * 2 + 65_536) child.kill('SIGKILL');
    });
    child.stderr.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-2000)));
    child.on('error', (e) => (clearTimeout(timer), reject(e)));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) return reject(new Error(`the query passed its time limit of ${job.timeoutMs} ms and was stopped`));
      let answer: QueryAnswer;
      try {
        answer = JSON.parse(out) as QueryAnswer;
      } catch {
        const oom = /out of memory|heap limit|Allocation failed|Cannot allocate/i.test(err);
        return reject(
          new Error(
            oom
              ? `the query passed its memory limit of ${MEMORY_BYTES >> 20} MB`
              : `the query process ended (${signal ?? `exit ${code}`}) without an answer${err ? `: ${err.trim().split('\n').pop()}` : ''}`,
          ),
        );
      }
      if (answer.ok) resolve(answer.output);
      else
        reject(
          new Error(
            /out of memory/i.test(answer.error)
              ? `${answer.error} (the query passed its memory limit of ${MEMORY_BYTES >> 20} MB)`
              : answer.error,
          ),
        );
    });
    child.stdin.end(JSON.stringify(job));
  });
}

export async function runQuery(
  conn: { url: string; write: boolean },
  sql: string,
  b: Boundary,
  o: { readOnly: boolean },
): Promise<string> {
  const readOnly = o.readOnly || !conn.write;
  const caps = { sql, readOnly, maxRows: MAX_ROWS, maxBytes: MAX_BYTES, timeoutMs: QUERY_MS };
  if (conn.url.startsWith('sqlite:'))
    return runChild({ ...caps, engine: 'sqlite', ...sqliteFile(b, conn.url, readOnly), hidden: b.hiddenPaths ?? [] });
  return runChild({ ...caps, engine: 'postgres', url: conn.url, statements: await pgStatements(sql) });
}
