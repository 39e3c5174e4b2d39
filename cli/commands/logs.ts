// `harness logs <run>`: a run's log lines from every process that wrote to .vloop/logs (the backend,
// each worker), in time order: its own lines, its child runs' (an eval's examples), and its trace's.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { api, CliError } from '../client.js';
import { config } from '../config.js';

const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
const SHOWN_APART = new Set(['level', 'time', 'pid', 'hostname', 'msg']);

type Line = Record<string, unknown> & { time: number; msg?: string; level?: number };

/** Every JSON line of every .jsonl file in `dir`, with the file it came from. */
export function readLogLines(dir: string): Array<{ file: string; line: Line }> {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((file) =>
      fs
        .readFileSync(path.join(dir, file), 'utf8')
        .split('\n')
        .flatMap((text) => {
          try {
            const line = JSON.parse(text) as Line;
            return typeof line === 'object' && line && typeof line.time === 'number' ? [{ file, line }] : [];
          } catch {
            return [];
          }
        }),
    );
}

export function logsCommand(program: Command): void {
  program
    .command('logs <run>')
    .description("a run's log lines across the backend and workers (.vloop/logs), oldest first")
    .option('--json', 'print the lines as they are stored', false)
    .action(async (runId: string, o: { json: boolean }) => {
      const dir = config().paths.logs;
      if (!fs.existsSync(dir))
        throw new CliError(`no logs in ${dir}: the backend and workers write them there as they run`);
      // The run's trace joins lines that name no run (the API request that started it).
      const traceId = (await api('GET', `/api/runs/${encodeURIComponent(runId)}`).catch(() => undefined))?.traceId as
        string | undefined;
      const mine = (l: Line) =>
        l.runId === runId ||
        (typeof l.runId === 'string' && l.runId.startsWith(`${runId}-`)) ||
        (!!traceId && l.trace_id === traceId);
      const lines = readLogLines(dir)
        .filter(({ line }) => mine(line))
        .sort((a, b) => a.line.time - b.line.time);
      if (!lines.length) {
        console.log(`no log lines for run ${runId} in ${dir}`);
        return;
      }
      for (const { file, line } of lines) {
        if (o.json) {
          console.log(JSON.stringify(line));
          continue;
        }
        const fields = Object.entries(line)
          .filter(([k]) => !SHOWN_APART.has(k))
          .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
          .join(' ');
        console.log(
          `${new Date(line.time).toISOString()} ${(LEVELS[line.level ?? 30] ?? 'info').padEnd(5)} ${file.replace(/\.jsonl$/, '')}: ${line.msg ?? ''} ${fields}`,
        );
      }
    });
}
