// docs/architecture.md's "Who writes which event" table is checked against the catalogue, so the two cannot drift:
// every event type has a row, every event the table names exists, and every file it points to is there.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runEventTypes } from '../../core/run-story/events.js';

const root = path.resolve(import.meta.dirname, '../..');
const doc = fs.readFileSync(path.join(root, 'docs/architecture.md'), 'utf8');

/** The table's rows: [events column, writer column, where column]. */
function tableRows(): string[][] {
  const section = doc.slice(doc.indexOf('## Who writes which event'));
  const table = section.slice(0, section.indexOf('\n\n', section.indexOf('| event |')));
  return table
    .split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| event |') && !l.startsWith('|---'))
    .map((l) =>
      l
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim()),
    );
}

const namedIn = (cell: string): string[] => cell.replace(/\([^)]*\)/g, '').match(/\b(?:[a-z]+\.[a-z]+|log)\b/g) ?? [];

describe("docs/architecture.md's event table", () => {
  const rows = tableRows();

  it('has rows to check', () => {
    expect(rows.length).toBeGreaterThan(10);
  });

  it('names every event type of the catalogue, and nothing else', () => {
    const named = new Set(rows.flatMap(([events]) => namedIn(events!)));
    expect([...named].sort()).toEqual([...runEventTypes].sort());
  });

  it('points only at files that exist', () => {
    const files = rows.flatMap(([, , where]) => [...where!.matchAll(/`([\w./-]+\.ts)`/g)].map((m) => m[1]!));
    expect(files.length).toBeGreaterThan(10);
    expect(files.filter((f) => !fs.existsSync(path.join(root, f)))).toEqual([]);
  });
});
