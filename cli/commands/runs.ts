// `harness runs list|archive|unarchive|export|delete`: keep the runs list tidy (starting runs is `harness run`).
import fs from 'node:fs';
import type { Command } from 'commander';
import { versionRef } from '../../core/run-story/ids.js';
import { api } from '../client.js';

interface RunLine {
  id: string;
  kind: string;
  status: string;
  target: { name: string; version: number };
  chat: { title: string } | null;
  createdAt: string;
  startedAt: string | null;
  archivedAt: string | null;
}

export function runsCommands(program: Command): void {
  const runs = program.command('runs').description('list, archive and delete runs');
  runs
    .command('list')
    .description('the newest runs, one a line (archived ones only with --archived)')
    .option('-n, --limit <n>', 'how many', '20')
    .option('--archived <which>', "'include' (them too) or 'only'")
    .action(async (o: { limit: string; archived?: string }) => {
      const q = new URLSearchParams({ limit: o.limit, ...(o.archived ? { archived: o.archived } : {}) });
      const { runs: page } = await api<{ runs: RunLine[] }>('GET', `/api/runs?${q}`);
      for (const r of page) {
        const what = r.chat ? `chat "${r.chat.title}"` : versionRef(r.target.name, r.target.version);
        console.log(
          `${r.id}  ${(r.startedAt ?? r.createdAt).slice(0, 19).replace('T', ' ')}  ${r.kind.padEnd(9)} ${r.status.padEnd(16)} ${what}${r.archivedAt ? '  (archived)' : ''}`,
        );
      }
    });
  for (const [name, path, done, help] of [
    ['archive', 'archive', 'archived', 'hide runs from the list (GET /api/runs?archived=include shows them)'],
    ['unarchive', 'unarchive', 'unarchived', 'bring archived runs back into the list'],
  ] as const) {
    runs
      .command(`${name} <run...>`)
      .description(help)
      .action(async (ids: string[]) => {
        for (const id of ids) {
          await api('POST', `/api/runs/${encodeURIComponent(id)}/${path}`);
          console.log(`${done} ${id}`);
        }
      });
  }
  runs
    .command('export <run>')
    .description('a run as one JSON document: its view, every event and its feedback (GET /api/runs/:id/export)')
    .option('-o, --out <file>', 'write to this file instead of standard output')
    .action(async (id: string, o: { out?: string }) => {
      const text = `${JSON.stringify(await api('GET', `/api/runs/${encodeURIComponent(id)}/export`), null, 2)}\n`;
      if (o.out) fs.writeFileSync(o.out, text);
      else process.stdout.write(text);
    });
  runs
    .command('delete <run...>')
    .description(
      'delete finished runs with their events, stored values and artifacts (an eval or optimizer run with its child runs)',
    )
    .action(async (ids: string[]) => {
      for (const id of ids) {
        await api('DELETE', `/api/runs/${encodeURIComponent(id)}`);
        console.log(`deleted ${id}`);
      }
    });
}
